"""What an admin can do with a job whose submission outcome is unknown: resubmit it, or close it."""

from __future__ import annotations

from django.utils import timezone

from enhancer import tasks
from enhancer.jobs import lifecycle
from enhancer.models import JobStatus

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
        deadline_at=lifecycle.new_deadline(now),
    )
    if moved:
        tasks.kick()
    return moved


def close(job_ids: list[int]) -> int:
    """End reviewed jobs for good. Returns how many moved."""
    return _move(job_ids, JobStatus.CANCELED, MSG_CLOSED, due_at=None)


def _move(job_ids: list[int], status: str, message: str, **fields) -> int:
    """Move each job that is still in review; returns how many moved."""
    only_if = {"status": JobStatus.NEEDS_REVIEW}
    fields.update(lease_token="", lease_until=None)
    return sum(lifecycle.move(job_id, status, message, only_if=only_if, **fields) for job_id in job_ids)
