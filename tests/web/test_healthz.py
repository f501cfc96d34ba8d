"""/healthz tells the public only whether the database answers; operators see the rest."""

import pytest


@pytest.fixture
def token(settings):
    settings.ENHANCER_HEALTH_TOKEN = "monitor-token-123"
    return settings.ENHANCER_HEALTH_TOKEN


def test_it_tells_the_public_only_that_the_database_answers(client, db, token):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok"}


def test_it_tells_a_monitor_with_the_token_about_the_ticker_and_the_pause(client, db, token):
    body = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body == {"ok": True, "database": "ok", "ticker_running": False, "submissions_paused": False}


def test_it_ignores_a_wrong_token(client, db, token):
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer guess").json()
    assert "ticker_running" not in body


def test_it_ignores_an_empty_token_when_none_is_configured(client, db, settings):
    settings.ENHANCER_HEALTH_TOKEN = ""
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json()
    assert "ticker_running" not in body


def test_it_tells_a_logged_in_person_everything(alice_client):
    assert "submissions_paused" in alice_client.get("/healthz").json()


def test_it_is_never_cached(client, db):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
