"""/healthz tells the public only whether the database answers; operators see the rest."""

import pytest

from tests.support.roles import user_with_role


@pytest.fixture
def token(settings):
    settings.ENHANCER_HEALTH_TOKEN = "monitor-token-123"
    return settings.ENHANCER_HEALTH_TOKEN


def test_it_tells_the_public_only_that_the_database_answers(client, db, token):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok"}


def test_it_tells_a_monitor_with_the_token_about_broker_clusters_ticker_and_pause(client, db, token):
    body = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["ticker_running"] is False and body["submissions_paused"] is False
    assert {"clusters_alive", "workers_alive", "last_heartbeat", "ticker_lag_seconds"} <= set(body)


def test_it_answers_503_to_a_monitor_when_no_task_cluster_is_alive(client, db, token):
    response = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503
    assert response.json()["ok"] is False and response.json()["clusters"] == "no heartbeat"


def test_it_answers_200_to_a_monitor_when_a_cluster_beats(client, db, token, monkeypatch):
    from types import SimpleNamespace

    from django.utils import timezone

    from enhancer.ops import health

    beat = SimpleNamespace(timestamp=timezone.now(), workers=[1, 2], host="worker-1")
    monkeypatch.setattr(health, "cluster_stats", lambda: [beat])
    response = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["workers_alive"] == 2


def test_it_ignores_a_wrong_token(client, db, token):
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer guess").json()
    assert "ticker_running" not in body


def test_it_ignores_an_empty_token_when_none_is_configured(client, db, settings):
    settings.ENHANCER_HEALTH_TOKEN = ""
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json()
    assert "ticker_running" not in body


def test_it_tells_an_admin_everything(client, admin_user):
    client.force_login(admin_user)
    assert "submissions_paused" in client.get("/healthz").json()


def test_it_tells_an_admin_by_role_everything(client, db):
    client.force_login(user_with_role("adam", "admins", is_staff=True))
    assert "submissions_paused" in client.get("/healthz").json()


@pytest.mark.parametrize("role", [None, "staff", "reviewers"])
def test_it_tells_anyone_logged_in_but_not_an_admin_only_what_the_public_hears(
    client, db, role, django_user_model
):
    person = user_with_role("rita", role) if role else django_user_model.objects.create_user("nobody")
    client.force_login(person)
    assert client.get("/healthz").json() == {"ok": True, "database": "ok"}


def test_it_is_never_cached(client, db):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
