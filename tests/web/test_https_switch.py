"""With DJANGO_HTTPS on, pages move to https, but the load balancer's probe and the app's own
simulator calls on loopback still answer over plain http."""

import pytest


@pytest.fixture
def https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_it_sends_plain_http_pages_to_https(client, db, https):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_it_trusts_the_proxy_that_says_the_request_came_over_https(client, db, https):
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_it_answers_the_health_probe_over_plain_http(client, db, https):
    assert client.get("/healthz").status_code == 200


def test_it_does_not_redirect_the_simulator_calls(client, db, https, settings):
    if not settings.SANDBOX_MODE:
        pytest.skip("the simulator is mounted only in sandbox mode")
    assert client.post("/sandbox/api/task-status", "{}", content_type="application/json").status_code != 301
