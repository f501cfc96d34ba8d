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
from django.utils import timezone

from enhancer.models import Job, JobEvent, JobStatus

MSG_RECEIVED = "Received."


def new_deadline(now: datetime | None = None) -> datetime:
    """When a job started (or restarted) now must have finished."""
    return (now or timezone.now()) + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


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
    jobs = Job.objects.filter(pk=job_id)
    jobs = jobs.filter(only_if) if isinstance(only_if, Q) else jobs.filter(**only_if)
    with transaction.atomic():
        moved = jobs.update(status=status, message=message, updated_at=timezone.now(), **fields)
        if moved:
            JobEvent.objects.create(job_id=job_id, status=status, message=message)
            if then is not None:
                then()
    return bool(moved)


def record_received(jobs: Iterable[Job]) -> None:
    """The first event of new jobs."""
    JobEvent.objects.bulk_create(
        [JobEvent(job=job, status=JobStatus.QUEUED, message=MSG_RECEIVED) for job in jobs]
    )
