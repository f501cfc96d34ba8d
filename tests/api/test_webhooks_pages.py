"""The webhook pages: the secret shown once, staff see their own, admins all and team-wide, CSRF,
Send a test event, Redeliver; and the secret in no log, later page or django-q2 row (a canary)."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import serializers
from django.test import Client
from django_q.conf import Conf
from django_q.models import Task
from django_q.tasks import async_task

from enhancer.jobs import lifecycle
from enhancer.models import JobStatus, WebhookDelivery, WebhookEndpoint
from enhancer.webhooks import claims
from tests.support.jobs import make_job
from tests.support.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True


def add_endpoint(client: Client, url: str, **extra) -> tuple[WebhookEndpoint, str]:
    response = client.post(
        "/settings/webhooks/", {"url": url, "events": ["photo.completed", "photo.failed"], **extra}
    )
    assert response.status_code == 200, response.content
    page = response.content.decode()
    secret = re.search(r"<code data-secret>(whsec_[^<]+)</code>", page).group(1)
    return WebhookEndpoint.objects.latest("pk"), secret


def test_the_secret_is_shown_once(alice_client):
    endpoint, secret = add_endpoint(alice_client, "http://127.0.0.1:9/hook")
    assert endpoint.secret == secret and endpoint.events == ["photo.completed", "photo.failed"]
    assert not endpoint.team_wide
    for path in ("/settings/webhooks/", f"/settings/webhooks/{endpoint.pk}/"):
        page = alice_client.get(path)
        assert page.status_code == 200 and secret not in page.content.decode()


def test_a_private_address_is_refused_on_the_form_without_the_setting(settings, alice_client):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False
    response = alice_client.post(
        "/settings/webhooks/", {"url": "http://10.0.0.8/hook", "events": ["photo.failed"]}
    )
    assert "private or local" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_staff_see_only_their_own_and_cannot_make_team_wide(alice, bob, alice_client):
    theirs = WebhookEndpoint.objects.create(owner=bob, url="http://127.0.0.1:9/bob", events=["photo.failed"])
    endpoint, _ = add_endpoint(alice_client, "http://127.0.0.1:9/alice", team_wide="on")
    assert not endpoint.team_wide
    assert "127.0.0.1:9/bob" not in alice_client.get("/settings/webhooks/").content.decode()
    for path in (f"/settings/webhooks/{theirs.pk}/",):
        assert alice_client.get(path).status_code == 404
    assert alice_client.post(f"/settings/webhooks/{theirs.pk}/test").status_code == 404
    assert alice_client.post(f"/settings/webhooks/{theirs.pk}/switch", {"active": "0"}).status_code == 404


def test_admins_see_all_and_make_team_wide(alice, adam_client):
    WebhookEndpoint.objects.create(owner=alice, url="http://127.0.0.1:9/alice", events=["photo.failed"])
    endpoint, _ = add_endpoint(adam_client, "http://127.0.0.1:9/team", team_wide="on")
    assert endpoint.team_wide
    assert "127.0.0.1:9/alice" in adam_client.get("/settings/webhooks/").content.decode()


def test_every_post_needs_the_csrf_token(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    endpoint = WebhookEndpoint.objects.create(
        owner=alice, url="http://127.0.0.1:9/a", events=["photo.failed"]
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="ping", payload={"type": "ping"})
    for path in (
        "/settings/webhooks/",
        f"/settings/webhooks/{endpoint.pk}/test",
        f"/settings/webhooks/{endpoint.pk}/switch",
        f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver",
    ):
        assert (
            browser.post(path, {"url": "http://127.0.0.1:9/b", "events": ["photo.failed"]}).status_code == 403
        )


def test_test_event_redeliver_and_turning_off(alice, alice_client):
    endpoint = WebhookEndpoint.objects.create(
        owner=alice, url="http://127.0.0.1:9/a", events=["photo.failed"]
    )
    alice_client.post(f"/settings/webhooks/{endpoint.pk}/test")
    ping = WebhookDelivery.objects.get()
    assert ping.event_type == "ping" and ping.payload["data"]["status"] == "completed"
    alice_client.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{ping.pk}/redeliver")
    assert WebhookDelivery.objects.filter(msg_id=ping.msg_id).count() == 2
    page = alice_client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert page.count("Redeliver") == 2 and "Send a test event" in page
    alice_client.post(f"/settings/webhooks/{endpoint.pk}/switch", {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert claims.claim_due() is None  # a turned-off endpoint is sent nothing
    alice_client.post(f"/settings/webhooks/{endpoint.pk}/switch", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.turned_off_reason == ""


def test_the_secret_never_shows_in_logs_later_pages_or_task_rows(
    alice, general_2x, alice_client, adam_client, monkeypatch, caplog
):
    """The webhook secret canary: sends that succeed and fail, through django-q2's own task runner."""
    monkeypatch.setattr(Conf, "SYNC", True)
    monkeypatch.setattr(Conf, "SAVE_LIMIT", 500)
    for name in ("", "enhancer", "django", "django_q", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)
    with Receiver() as receiver:
        receiver.answers = [500, 302, 204]
        endpoint, secret = add_endpoint(alice_client, receiver.url)
        for _ in range(3):
            job = make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x)
            lifecycle.move(job.pk, JobStatus.COMPLETED, only_if={"status": JobStatus.DOWNLOADING})
        token = claims.claim_due()
        async_task("enhancer.tasks.deliver_webhooks", token, group="enhancer")
    assert len(receiver.requests) == 3
    assert Task.objects.exists()
    pages = [
        client.get(path).content.decode()
        for client in (alice_client, adam_client)
        for path in ("/settings/webhooks/", f"/settings/webhooks/{endpoint.pk}/")
    ]
    assert [page for page in pages if secret in page] == []
    assert secret not in caplog.text
    assert [r.getMessage() for r in caplog.records if secret in r.getMessage() + str(r.exc_text)] == []
    rows = serializers.serialize("json", Task.objects.all()) + serializers.serialize(
        "json", WebhookDelivery.objects.all()
    )
    assert secret not in rows
