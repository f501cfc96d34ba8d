"""The one place a job changes status: the row and its timeline event move together.

Every status change (a pipeline step under its lease, an admin's review action, a new job) goes
through here, so no change is ever missing from the job's timeline, and every deadline is set by
one rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Now
from django.utils import timezone

from enhancer.models import Job, JobEvent, JobStatus
from enhancer.webhooks import outbox

MSG_RECEIVED = "Received."


def new_deadline(now: datetime | None = None) -> datetime:
    """When a job started (or restarted) at `now` must have finished (tests, reports)."""
    return (now or timezone.now()) + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def fresh_deadline() -> CombinedExpression:
    """A job's deadline from now, by the database's clock, for a write.

    A web host whose clock runs fast must not make a photo late (nor slow one early): every due
    time and deadline a write sets is the database's `Now()`, as the pipeline's are.
    """
    return Now() + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def back_to_work() -> dict:
    """The fields that hand a stopped job back to the workers at once: no lease, no error, counts reset."""
    return {
        "finished_at": None,
        "error_code": None,
        "attempts": 0,
        "lease_token": "",
        "lease_until": None,
        "stalled_claims": 0,
        "due_at": Now(),
    }


def move(
    job_id: int,
    status: str,
    message: str = "",
    *,
    only_if: dict | Q,
    then: Callable[[], None] | None = None,
    **fields,
) -> bool:
    """Move the job to `status` if it still matches `only_if`, recording the step in one transaction.

    `then` runs inside that transaction only if the job moved (the coin ledger's entry for a
    submission), so the step and what goes with it are written together or not at all.
    """
    now = timezone.now()
    values = {"status": status, "message": message, "updated_at": now, **fields}
    matching = (
        Job.objects.filter(only_if, pk=job_id)
        if isinstance(only_if, Q)
        else Job.objects.filter(pk=job_id, **only_if)
    )
    with transaction.atomic():
        moved = matching.update(**values)
        if moved:
            JobEvent.objects.create(job_id=job_id, status=status, message=message, at=now)
            if then is not None:
                then()
            outbox.job_moved(job_id, status)  # webhook rows, written with the move or not at all
    return bool(moved)


def record_received(jobs: Iterable[Job]) -> None:
    """The first event of new jobs, in one INSERT."""
    at = timezone.now()
    JobEvent.objects.bulk_create(
        JobEvent(job_id=job.pk, status=JobStatus.QUEUED, message=MSG_RECEIVED, at=at) for job in jobs
    )
