"""Webhooks: the outbox row with the move, the signed send to a loopback receiver, retries with
backoff, giving up after 24 hours, turning off an endpoint failing for a day, the address rules
and redirects of `enhancer.net`, and a crash mid-delivery (the lease runs out; same webhook-id)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from enhancer.jobs import lifecycle
from enhancer.models import DeliveryState, JobStatus, WebhookDelivery, WebhookEndpoint
from enhancer.webhooks import claims, outbox, sender
from tests.support.jobs import make_job
from tests.support.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = ["photo.completed", "photo.failed", "photo.needs_review", "batch.completed"]


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def loopback_allowed(settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True


def endpoint_for(user, url: str, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(owner=user, url=url, events=fields.pop("events", EVENTS), **fields)


def complete(job) -> None:
    assert lifecycle.move(job.pk, JobStatus.COMPLETED, "Done.", only_if={"status": job.status})


def send_due() -> str | None:
    token = claims.claim_due()
    if token:
        sender.deliver_claimed(token)
    return token


def verified(secret: str, request) -> dict:
    _, headers, body = request
    return Webhook(secret).verify(body, headers)


def test_photo_completed_reaches_the_receiver_signed(loopback_allowed, receiver, alice, bob, general_2x):
    mine = endpoint_for(alice, receiver.url)
    endpoint_for(bob, receiver.url)  # Bob's endpoint hears nothing of Alice's photos
    job = make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x)
    complete(job)
    assert WebhookDelivery.objects.count() == 1
    send_due()
    assert len(receiver.requests) == 1
    payload = verified(mine.secret, receiver.requests[0])
    assert payload["type"] == "photo.completed"
    assert payload["data"]["photo_id"] == job.pk and payload["data"]["status"] == "completed"
    assert payload["data"]["links"]["photo"].endswith(f"/jobs/{job.pk}/")
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests[0][1]["webhook-id"] == delivery.msg_id
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert mine.secret not in json.dumps(payload)


def test_team_endpoint_hears_everyone_and_unwanted_events_are_not_queued(alice, bob, general_2x):
    team = endpoint_for(bob, "https://hooks.example.com/x", team_wide=True, events=["photo.failed"])
    endpoint_for(alice, "https://hooks.example.com/y", events=["photo.completed"])
    job = make_job(JobStatus.CONVERTING, user=alice, model=general_2x)
    assert lifecycle.move(job.pk, JobStatus.FAILED, "No.", only_if={"status": JobStatus.CONVERTING})
    assert list(WebhookDelivery.objects.values_list("endpoint_id", "event_type")) == [
        (team.pk, "photo.failed")
    ]


def test_a_move_that_does_not_happen_queues_nothing(alice, general_2x):
    endpoint_for(alice, "https://hooks.example.com/y")
    job = make_job(JobStatus.CONVERTING, user=alice, model=general_2x)
    assert not lifecycle.move(job.pk, JobStatus.COMPLETED, only_if={"status": JobStatus.QUEUED})
    assert not WebhookDelivery.objects.exists()


def test_batch_completed_once_when_the_last_photo_finishes(alice, general_2x):
    from enhancer.models import Batch

    endpoint_for(alice, "https://hooks.example.com/y", events=["batch.completed"])
    batch = Batch.objects.create(user=alice, model=general_2x)
    first = make_job(JobStatus.CONVERTING, user=alice, model=general_2x, batch=batch)
    second = make_job(JobStatus.CONVERTING, user=alice, model=general_2x, batch=batch)
    complete(first)
    assert not WebhookDelivery.objects.exists()
    complete(second)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "batch.completed"
    assert delivery.payload["data"]["batch_id"] == batch.pk and delivery.payload["data"]["completed"] == 2


def test_failures_retry_with_backoff_then_deliver(loopback_allowed, receiver, alice, general_2x):
    receiver.answers = [500, 503, 200]
    endpoint = endpoint_for(alice, receiver.url)
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    send_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    wait = delivery.due_at - timezone.now()
    assert timedelta(seconds=3) < wait <= timedelta(seconds=5)
    assert send_due() is None  # not due yet
    WebhookDelivery.objects.update(due_at=timezone.now())
    send_due()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert timedelta(minutes=4) < delivery.due_at - timezone.now() <= timedelta(minutes=5)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.active
    WebhookDelivery.objects.update(due_at=timezone.now())
    send_due()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    ids = {headers["webhook-id"] for _, headers, _ in receiver.requests}
    assert ids == {delivery.msg_id}  # one event, one id across every retry
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_given_up_once_the_next_try_would_be_past_24_hours(loopback_allowed, receiver, alice, general_2x):
    receiver.answers = [500]
    endpoint_for(alice, receiver.url)
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=58))
    send_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == ("given_up", 500)
    assert send_due() is None


def test_an_endpoint_failing_for_a_day_is_turned_off_and_the_page_says_so(
    loopback_allowed, receiver, alice, general_2x, alice_client
):
    receiver.answers = [500]
    endpoint = endpoint_for(
        alice, receiver.url, failing_since=timezone.now() - timedelta(hours=24, seconds=1)
    )
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    send_due()
    endpoint.refresh_from_db()
    assert not endpoint.active and "failed for a day" in endpoint.turned_off_reason
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"given_up"}
    assert len(receiver.requests) == 1  # the second was not sent to an endpoint turned off
    page = alice_client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "failed for a day" in page
    assert "failed for a day" in alice_client.get("/settings/webhooks/").content.decode()


def test_a_private_address_is_refused_without_the_setting(settings, receiver, alice, general_2x):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False
    endpoint_for(alice, "http://127.0.0.1/hook")  # loopback on the web's own port: refused all the same
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    send_due()
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.state == "pending" and delivery.last_status_code is None
    assert "private or local" in delivery.last_error


def test_a_redirect_is_not_followed(loopback_allowed, receiver, alice, general_2x):
    receiver.answers = [302]
    endpoint_for(alice, receiver.url)
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    send_due()
    delivery = WebhookDelivery.objects.get()
    assert [path for path, _, _ in receiver.requests] == ["/hook"]
    assert delivery.state == "pending" and "redirect" in delivery.last_error


def test_a_crash_mid_delivery_is_sent_again_with_the_same_id_once_the_lease_runs_out(
    loopback_allowed, receiver, alice, general_2x
):
    """The claim level (two claim rounds), standing in for a killed worker."""
    endpoint = endpoint_for(alice, receiver.url)
    complete(make_job(JobStatus.DOWNLOADING, user=alice, model=general_2x))
    crashed = claims.claim_due()
    assert crashed  # a worker took it, then died before it recorded anything
    assert claims.claim_due() is None  # while its lease holds, nobody else sends it
    WebhookDelivery.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    retaken = claims.claim_due()
    assert retaken and retaken != crashed
    sender.deliver_claimed(crashed)  # the dead worker's token no longer holds anything
    assert receiver.requests == []
    sender.deliver_claimed(retaken)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1
    assert [headers["webhook-id"] for _, headers, _ in receiver.requests] == [delivery.msg_id]
    verified(endpoint.secret, receiver.requests[0])


def test_test_event_and_redeliver(loopback_allowed, receiver, alice):
    endpoint = endpoint_for(alice, receiver.url)
    ping = outbox.send_test(endpoint)
    send_due()
    assert verified(endpoint.secret, receiver.requests[0])["type"] == "ping"
    again = outbox.redeliver(WebhookDelivery.objects.get(pk=ping.pk))
    send_due()
    again.refresh_from_db()
    assert again.pk != ping.pk and again.msg_id == ping.msg_id and again.attempts == 1
    assert len(receiver.requests) == 2 and receiver.requests[1][2] == receiver.requests[0][2]
