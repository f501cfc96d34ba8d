"""Kill the cluster while it delivers a webhook: the receiver still gets it, with the same id.

The receiver hangs on the first request, the cluster's whole process group is SIGKILLed (the
sender never learns the outcome), a new cluster starts; once the dead worker's lease runs out the
delivery is claimed again and sent with the same `webhook-id`, and it verifies.
"""

from __future__ import annotations

import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook

from enhancer.jobs import lifecycle
from enhancer.models import DeliveryState, JobStatus, WebhookDelivery, WebhookEndpoint
from tests.support.cluster import Cluster, wait_until
from tests.support.jobs import make_job
from tests.support.webhook_receiver import Receiver

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3


def test_a_delivery_killed_mid_send_arrives_after_a_restart_with_the_same_id(
    settings, tmp_path, catalogue, fake, alice
):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    with Receiver() as receiver:
        receiver.hang = threading.Event()
        receiver.hang_first = 1
        endpoint = WebhookEndpoint.objects.create(owner=alice, url=receiver.url, events=["photo.completed"])
        job = make_job(JobStatus.DOWNLOADING, user=alice, model=catalogue["general_2x"], due_at=None)
        assert lifecycle.move(job.pk, JobStatus.COMPLETED, only_if={"status": JobStatus.DOWNLOADING})
        cluster = Cluster(
            fake.url,
            settings.MEDIA_ROOT,
            tmp_path / "qcluster.log",
            constants={
                "enhancer.webhooks.claims.LEASE_SECONDS": LEASE_SECONDS,
                "enhancer.webhooks.sender.SEND_SECONDS": 60,  # the hang outlasts the kill
            },
        )
        try:
            cluster.start()
            wait_until(lambda: len(receiver.requests) >= 1, 90, cluster, "the first send")
            cluster.kill()
            delivery = WebhookDelivery.objects.get()
            assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0
            time.sleep(LEASE_SECONDS)
            cluster.start()
            wait_until(
                lambda: WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).exists(),
                120,
                cluster,
                "the delivery after the restart",
            )
        finally:
            cluster.kill()
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code == 204
    ids = [headers["webhook-id"] for _, headers, _ in receiver.requests]
    assert ids == [delivery.msg_id, delivery.msg_id]
    _, headers, body = receiver.requests[1]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "photo.completed" and payload["data"]["photo_id"] == job.pk
