"""What an admin can do with a job that needs a person: resubmit it, close it, retry its download."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from enhancer.hitpaw.statuses import RESULT_LINK_DAYS
from enhancer.jobs import lifecycle
from enhancer.models import Job, JobStatus

MSG_RESUBMITTED = "An admin sent this photo to HitPaw again."
MSG_CLOSED = "An admin closed this job after checking it."
MSG_RETRY_DOWNLOAD = "An admin asked to save the result again."


def resubmit(job_ids: list[int], *, hitpaw_has_no_record: bool = False) -> int:
    """Send reviewed jobs again, deliberately (this may charge again). Returns how many moved.

    A job HitPaw gave a job number is paid for and may still finish there: it is resubmitted only
    when the admin confirms that HitPaw has no record of it.
    """
    only_if = {} if hitpaw_has_no_record else {"hitpaw_job_id": ""}
    moved = _move(
        job_ids,
        JobStatus.SUBMITTING,
        MSG_RESUBMITTED,
        only_if=only_if,
        hitpaw_job_id="",
        coins=None,
        submitted_at=None,
        submit_started_at=None,
        finished_at=None,
        error_code=None,
        attempts=0,
        due_at=Now(),
        deadline_at=lifecycle.fresh_deadline(),
    )
    return moved


def close(job_ids: list[int]) -> int:
    """End reviewed jobs for good. Returns how many moved."""
    return _move(job_ids, JobStatus.CANCELED, MSG_CLOSED, due_at=None)


def retry_download(job_ids: list[int]) -> int:
    """Try again to save results HitPaw still keeps (failed or in review, link under 8 days old)."""
    fresh = Now() - timedelta(days=RESULT_LINK_DAYS)
    moved = 0
    for job_id in job_ids:
        moved += lifecycle.move(
            job_id,
            JobStatus.DOWNLOADING,
            MSG_RETRY_DOWNLOAD,
            only_if=Q(status__in=[JobStatus.FAILED, JobStatus.NEEDS_REVIEW])
            & ~Q(res_url="")
            & (Q(res_url_at__gte=fresh) | Q(res_url_at__isnull=True, submitted_at__gte=fresh)),
            **lifecycle.back_to_work(),
        )
    return moved


def can_retry_download(job: Job) -> bool:
    """Whether `retry_download` would take this job."""
    got_link_at = job.res_url_at or job.submitted_at
    return bool(
        job.status in (JobStatus.FAILED, JobStatus.NEEDS_REVIEW)
        and job.res_url
        and got_link_at
        and timezone.now() - got_link_at < timedelta(days=RESULT_LINK_DAYS)
    )


def _move(job_ids: list[int], status: str, message: str, *, only_if: dict | None = None, **fields) -> int:
    """Move each job that is still in review; returns how many moved."""
    conditions = {"status": JobStatus.NEEDS_REVIEW, **(only_if or {})}
    fields.update(lease_token="", lease_until=None, stalled_claims=0)
    return sum(lifecycle.move(job_id, status, message, only_if=conditions, **fields) for job_id in job_ids)


MSG_RETRIED = "An admin asked to try this photo again."


def retry_failed(job_ids: list[int]) -> int:
    """Start failed or timed-out jobs again from the photo, if HitPaw never took them (so never charged)."""
    moved = sum(
        lifecycle.move(
            job_id,
            JobStatus.QUEUED,
            MSG_RETRIED,
            only_if={"status__in": [JobStatus.FAILED, JobStatus.TIMED_OUT], "hitpaw_job_id": ""},
            submit_started_at=None,
            deadline_at=lifecycle.fresh_deadline(),
            **lifecycle.back_to_work(),
        )
        for job_id in job_ids
    )
    return moved
