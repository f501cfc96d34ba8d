"""Resume a paid photo: poll the HitPaw job it already has, never send it (and pay) again.

A photo HitPaw gave a job number to is paid for, and HitPaw keeps its result for 8 days. Whatever
stopped it here (our deadline, a lost result link, a half-written record, "task does not exist"
while HitPaw was catching up), resuming puts it back to polling that HitPaw job, which saves the
result if HitPaw still has it. Its owner and admins may resume it; reviewers only look.
An admin can also tell the app about a charge whose answer was lost ("HitPaw has it as job X for
N coins"): the charge enters the ledger once, and the job is resumed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from enhancer.coins import ledger
from enhancer.hitpaw.statuses import FAILED_STATUSES, RESULT_LINK_DAYS
from enhancer.jobs import lifecycle
from enhancer.models import Job, JobStatus

NUMBER_LENGTH = cast(int, Job._meta.get_field("hitpaw_job_id").max_length)  # a CharField always has one

RESUMABLE_STATUSES = (JobStatus.NEEDS_REVIEW, JobStatus.TIMED_OUT, JobStatus.FAILED)

MSG_RESUMED = "Resumed: checking on the photo HitPaw already has (no new charge)."
MSG_RECORDED = "An admin recorded HitPaw's job {number} ({coins} coins) for this photo; checking on it."
MSG_NOT_RESUMABLE = (
    "This photo cannot be resumed: only a photo HitPaw took, did not refuse, and still keeps "
    "(8 days from sending) can be."
)
MSG_HAS_ANOTHER_NUMBER = "This photo already has HitPaw job number {number}: it cannot be given another."
MSG_NOT_IN_REVIEW = "Only a photo that needs an admin's check can be given a HitPaw job number."
MSG_BAD_NUMBER = "Enter HitPaw's job number as HitPaw shows it."


class ResumeRefused(Exception):
    """A resume or a recorded charge we will not make, with a plain message saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_paid(job: Job) -> bool:
    """HitPaw took this photo (it has a job number) or charged for it: sending it again pays again."""
    return bool(job.hitpaw_job_id) or job.coins is not None


def resumable() -> Q:
    """The jobs `resume` takes: stopped, numbered by HitPaw, not ended by HitPaw, within its 8 days."""
    kept_since = Now() - timedelta(days=RESULT_LINK_DAYS)
    return (
        Q(status__in=RESUMABLE_STATUSES)
        & ~Q(hitpaw_job_id="")
        & ~Q(vendor_status__in=FAILED_STATUSES)
        & (Q(submitted_at__gte=kept_since) | Q(submitted_at__isnull=True))
    )


def can_resume(job: Job) -> bool:
    """Whether `resume` would take this job (for showing the button; the move checks again)."""
    kept = job.submitted_at is None or timezone.now() - job.submitted_at < timedelta(days=RESULT_LINK_DAYS)
    return bool(
        job.status in RESUMABLE_STATUSES
        and job.hitpaw_job_id
        and job.vendor_status not in FAILED_STATUSES
        and kept
    )


def resume(job_ids: list[int], message: str = MSG_RESUMED) -> int:
    """Put each resumable job back to polling its HitPaw job, due now; returns how many moved.

    The deadline starts again, by the database's clock. The job's charge is written to the ledger
    if it is not there yet (a record that was cut short), once, as ever.
    """
    moved = 0
    for job in Job.objects.filter(pk__in=job_ids).filter(resumable()):
        moved += lifecycle.move(
            job.pk,
            JobStatus.CONVERTING,
            message,
            only_if=resumable(),
            submitted_at=job.submitted_at or job.submit_started_at or Now(),
            deadline_at=lifecycle.fresh_deadline(),
            **lifecycle.back_to_work(),
            then=ledger.charge_writer(job, job.hitpaw_job_id, job.coins),
        )
    return moved


def resume_job(job: Job) -> None:
    """Resume one job, or say plainly why it cannot be."""
    if not resume([job.pk]):
        raise ResumeRefused(MSG_NOT_RESUMABLE)


def record_lost_charge(job_id: int, hitpaw_job_id: str, coins: int) -> bool:
    """ "HitPaw has it as job X for N coins": record that charge once, then resume the job.

    For a photo in review whose answer was lost (no job number here). The same number given again
    changes nothing and writes no second ledger entry. Returns whether the job was resumed now.
    """
    number = (hitpaw_job_id or "").strip()
    if not number or len(number) > NUMBER_LENGTH:
        raise ResumeRefused(MSG_BAD_NUMBER)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.hitpaw_job_id and job.hitpaw_job_id != number:
            raise ResumeRefused(MSG_HAS_ANOTHER_NUMBER.format(number=job.hitpaw_job_id))
        if not job.hitpaw_job_id:
            if job.status != JobStatus.NEEDS_REVIEW:
                raise ResumeRefused(MSG_NOT_IN_REVIEW)
            Job.objects.filter(pk=job.pk, hitpaw_job_id="").update(
                hitpaw_job_id=number, coins=coins, updated_at=Now()
            )
            job.hitpaw_job_id, job.coins = number, coins
        ledger.write_charge(job, number, job.coins)
    return bool(resume([job.pk], MSG_RECORDED.format(number=number, coins=job.coins)))
