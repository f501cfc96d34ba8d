"""The outbox: delivery rows written with the status change that causes them (one transaction).

Writing the row beside the job's move means an event is never lost to a crash between the two and
never sent for a move that rolled back. Sending happens later, on the workers (`sender`).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from enhancer.models import (
    ACTIVE_STATUSES,
    Batch,
    CoinCharge,
    Job,
    JobStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from enhancer.models.webhooks import (
    EVENT_BATCH_COMPLETED,
    EVENT_COMPLETED,
    EVENT_FAILED,
    EVENT_NEEDS_REVIEW,
    EVENT_PING,
)

EVENT_FOR_STATUS = {
    JobStatus.COMPLETED: EVENT_COMPLETED,
    JobStatus.FAILED: EVENT_FAILED,
    JobStatus.TIMED_OUT: EVENT_FAILED,  # a photo that took too long failed, for a script
    JobStatus.NEEDS_REVIEW: EVENT_NEEDS_REVIEW,
}
BATCH_DONE_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.TIMED_OUT, JobStatus.CANCELED)


def endpoints_for(user_id: int, event: str) -> list[WebhookEndpoint]:
    """Active endpoints that want `event` about this person's photos: their own and the team's."""
    found = WebhookEndpoint.objects.filter(Q(owner_id=user_id) | Q(team_wide=True), active=True)
    return [endpoint for endpoint in found if event in endpoint.events]


def absolute(path: str) -> str:
    """A link on the site's public address when one is set (else the path alone)."""
    return f"{settings.PUBLIC_BASE_URL}{path}"


def photo_payload(job: Job, event: str) -> dict:
    """What a receiver needs about the photo; links to our pages only, never a secret."""
    coins = CoinCharge.objects.filter(job_id=job.pk).aggregate(total=Sum("coins"))["total"] or 0
    return {
        "type": event,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "photo_id": job.pk,
            "status": job.status,
            "coins": coins,
            "batch_id": job.batch_id,
            "links": {"photo": absolute(reverse("enhancer:job", args=[job.pk]))},
        },
    }


def queue(endpoints: list[WebhookEndpoint], payload: dict) -> list[WebhookDelivery]:
    """One pending row per endpoint, due now by the database's clock."""
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_type=payload["type"], payload=payload, due_at=Now())
        for endpoint in endpoints
    )


def job_moved(job_id: int, status: str) -> None:
    """Called inside `lifecycle.move`'s transaction once the job moved to `status`."""
    event = EVENT_FOR_STATUS.get(status)  # type: ignore[call-overload]
    if event is None and status != JobStatus.CANCELED:
        return
    job = Job.objects.only("pk", "user_id", "status", "batch_id").get(pk=job_id)
    if event is not None:
        endpoints = endpoints_for(job.user_id, event)
        if endpoints:
            queue(endpoints, photo_payload(job, event))
    if job.batch_id is not None and status in BATCH_DONE_STATUSES:
        batch_maybe_done(job.batch_id, job.user_id)


def batch_maybe_done(batch_id: int, user_id: int) -> None:
    """`batch.completed` when this move finished the batch's last photo.

    The batch row is locked first, so of two last photos finishing at once the second sees the
    first's move: exactly one of them sends the event.
    """
    endpoints = endpoints_for(user_id, EVENT_BATCH_COMPLETED)
    if not endpoints:
        return
    list(Batch.objects.select_for_update().filter(pk=batch_id).values_list("pk", flat=True))
    jobs = Job.objects.filter(batch_id=batch_id)
    if jobs.filter(status__in=ACTIVE_STATUSES).exists():
        return
    queue(
        endpoints,
        {
            "type": EVENT_BATCH_COMPLETED,
            "timestamp": timezone.now().isoformat(),
            "data": {
                "batch_id": batch_id,
                "photos": jobs.count(),
                "completed": jobs.filter(status=JobStatus.COMPLETED).count(),
                "failed": jobs.filter(status__in=(JobStatus.FAILED, JobStatus.TIMED_OUT)).count(),
                "links": {"batch": absolute(reverse("enhancer:batch", args=[batch_id]))},
            },
        },
    )


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """**Send a test event**: a `ping` shaped like `photo.completed`, with no real photo."""
    payload = {
        "type": EVENT_PING,
        "timestamp": timezone.now().isoformat(),
        "data": {"photo_id": None, "status": "completed", "coins": 0, "batch_id": None, "links": {}},
    }
    return queue([endpoint], payload)[0]


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """**Redeliver**: a new row with the same payload AND the same msg id, its own attempt count.

    The same `webhook-id` because it is the same event: a receiver that already handled it drops
    it as a repeat (the Standard Webhooks rule); one that missed it handles it now.
    """
    return WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_type=delivery.event_type,
        msg_id=delivery.msg_id,
        payload=delivery.payload,
        due_at=Now(),
    )
