"""What an admin can do with a job whose submission outcome is unknown: resubmit it, or close it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from enhancer import tasks
from enhancer.models import Job, JobEvent, JobStatus

MSG_RESUBMITTED = "An admin sent this photo to HitPaw again."
MSG_CLOSED = "An admin closed this job after checking it."


def resubmit(job_ids: list[int]) -> int:
    """Send reviewed jobs again, deliberately (this may charge again). Returns how many moved."""
    now = timezone.now()
    moved = _move(
        job_ids,
        JobStatus.SUBMITTING,
        MSG_RESUBMITTED,
        submit_started_at=None,
        finished_at=None,
        error_code=None,
        attempts=0,
        due_at=now,
        deadline_at=now + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS),
    )
    if moved:
        tasks.kick()
    return moved


def close(job_ids: list[int]) -> int:
    """End reviewed jobs for good. Returns how many moved."""
    return _move(job_ids, JobStatus.CANCELED, MSG_CLOSED, due_at=None)


def _move(job_ids: list[int], status: str, message: str, **fields) -> int:
    moved = 0
    for job_id in job_ids:
        if Job.objects.filter(pk=job_id, status=JobStatus.NEEDS_REVIEW).update(
            status=status,
            message=message,
            lease_token="",
            lease_until=None,
            updated_at=timezone.now(),
            **fields,
        ):
            JobEvent.objects.create(job_id=job_id, status=status, message=message)
            moved += 1
    return moved
