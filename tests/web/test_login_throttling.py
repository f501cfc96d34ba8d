"""Login: wrong passwords are slowed by a cool-off (never a permanent lock), logout is a POST."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from freezegun import freeze_time

LOGIN = "/accounts/login/"
RIGHT = {"username": "alice", "password": "alice-password-1"}
WRONG = {"username": "alice", "password": "not-her-password"}


def fail(client, times, **extra):
    for _ in range(times):
        client.post(LOGIN, WRONG, **extra)


def test_it_refuses_even_the_right_password_after_five_wrong_ones(client, alice, settings):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, RIGHT)
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert "Please wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_still_lets_her_in_after_four_wrong_passwords(client, alice, settings):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, RIGHT)["Location"] == "/"


def test_it_lets_her_in_again_once_the_cool_off_is_over(client, alice, settings):
    with freeze_time() as clock:
        fail(client, settings.AXES_FAILURE_LIMIT)
        assert client.post(LOGIN, RIGHT).status_code == 429
        clock.tick(timedelta(minutes=16))
        assert client.post(LOGIN, RIGHT)["Location"] == "/"


@pytest.fixture
def behind_a_proxy(settings):
    """Our proxy at 10.0.0.2 puts the client's address in X-Forwarded-For."""
    settings.ENHANCER_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.ENHANCER_TRUSTED_PROXIES = ["10.0.0.0/30"]


def test_it_does_not_lock_out_a_colleague_behind_the_same_proxy(client, alice, bob, settings, behind_a_proxy):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert client.post(LOGIN, RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    colleague = client.post(LOGIN, RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert colleague["Location"] == "/"


def test_it_ignores_an_address_the_client_forged_in_front_of_the_proxys(
    client, alice, settings, behind_a_proxy
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n}, 203.0.113.7"  # the proxy appends the real address last
        client.post(LOGIN, WRONG, HTTP_X_FORWARDED_FOR=forged, REMOTE_ADDR="10.0.0.2")
    response = client.post(
        LOGIN, RIGHT, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7", REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429


def test_rotating_the_header_from_outside_the_proxies_does_not_dodge_the_cool_off(
    client, alice, settings, behind_a_proxy
):
    direct = {"REMOTE_ADDR": "198.51.100.20"}  # the app server reached without the proxy
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}", **direct)
    response = client.post(LOGIN, RIGHT, HTTP_X_FORWARDED_FOR="192.0.2.99", **direct)
    assert response.status_code == 429


def test_the_proxys_header_is_believed_from_a_mapped_ipv6_spelling_of_its_address(
    client, alice, settings, behind_a_proxy
):
    fail(
        client, settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="::ffff:10.0.0.2"
    )
    colleague = client.post(LOGIN, RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="10.0.0.2")
    assert colleague["Location"] == "/"


def test_by_default_only_a_proxy_on_this_machine_is_believed(settings):
    assert settings.ENHANCER_TRUSTED_PROXIES == ["127.0.0.1", "::1"]


@pytest.mark.parametrize("password", ["1234567890", "password123", "alice"])
def test_it_refuses_weak_passwords(alice, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=alice)


def test_it_logs_out_only_by_post(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405
    assert alice_client.get("/").status_code == 200
    assert alice_client.post("/accounts/logout/")["Location"] == LOGIN
    assert alice_client.get("/").status_code == 302
