"""Create jobs from what a user asked for, and wake the ticker. Views call this; it never calls HitPaw.

Every rule about whether a submission may be taken lives here (today: the team-wide pause;
uploads, batches and budgets add theirs), and every refusal is one `SubmissionRefused` with a
plain message for the form.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enhancer import tasks
from enhancer.hitpaw import pricing
from enhancer.jobs import lifecycle, pauses
from enhancer.models import Batch, EnhanceModel, Job, JobStatus

log = logging.getLogger(__name__)

MSG_PAUSED = "Submissions are paused for the whole team right now. See the notice above."
MSG_CANCELED = "Canceled before it was sent to HitPaw. No coins were charged."
MSG_TOO_LATE_TO_CANCEL = "This photo was already sent to HitPaw, so it can no longer be canceled."
MSG_NOTHING_TO_RETRY = "There is nothing to try again: no photo here has failed."

# Ended without a result and safe to send again at the user's word. A job that needs review is
# left to an admin: HitPaw may have taken (and charged for) it already.
RETRYABLE_STATUSES = (JobStatus.FAILED, JobStatus.TIMED_OUT)


class SubmissionRefused(Exception):
    """A submission we will not take, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_jobs(
    user, img_urls: list[str], model: EnhanceModel, *, exif: bool = False, dpi: int | None = None
) -> list[Job]:
    """Queue one job per link (several make one batch); the ticker picks them up within about a second."""
    if pauses.current() is not None:
        raise SubmissionRefused(MSG_PAUSED)
    now = timezone.now()
    with transaction.atomic():
        batch = Batch.objects.create(user=user, model=model) if len(img_urls) > 1 else None
        jobs = [
            _new_job(user, url, model, exif=exif, dpi=dpi, now=now, batch=batch, position=position)
            for position, url in enumerate(img_urls)
        ]
        lifecycle.record_received(jobs)
    wake_ticker()
    return jobs


def retry_failed(batch: Batch) -> list[Job]:
    """Send again only the batch's photos that failed or took too long; each new try replaces its old one."""
    return retry_jobs(batch.current_jobs())


def retry_jobs(jobs) -> list[Job]:
    """Queue a new try of each job in `jobs` that ended in failure and has not been tried again yet."""
    if pauses.current() is not None:
        raise SubmissionRefused(MSG_PAUSED)
    now = timezone.now()
    with transaction.atomic():
        failed = list(
            jobs.select_for_update(of=("self",))
            .filter(status__in=RETRYABLE_STATUSES, retries__isnull=True)
            .select_related("model")
        )
        if not failed:
            raise SubmissionRefused(MSG_NOTHING_TO_RETRY)
        retries = [
            _new_job(
                old.user,
                old.img_url,
                old.model,
                exif=old.exif,
                dpi=old.dpi,
                now=now,
                batch=old.batch,
                position=old.position,
                retry_of=old,
            )
            for old in failed
        ]
        lifecycle.record_received(retries)
    wake_ticker()
    return retries


def cancel(job: Job) -> None:
    """Stop a job that has not been sent to HitPaw yet; refuse once the coin-spending call has begun.

    One conditional update: the pipeline marks the submission as begun with another, so exactly
    one of the two wins. Clearing the lease makes the worker's next write (which needs it) a no-op.
    """
    not_sent = Q(
        status__in=(JobStatus.QUEUED, JobStatus.FETCHING, JobStatus.SUBMITTING),
        submit_started_at__isnull=True,
    )
    canceled = lifecycle.move(
        job.pk,
        JobStatus.CANCELED,
        MSG_CANCELED,
        only_if=not_sent,
        lease_token="",
        lease_until=None,
        due_at=None,
        finished_at=timezone.now(),
    )
    if not canceled:
        raise SubmissionRefused(MSG_TOO_LATE_TO_CANCEL)


def _new_job(user, url: str, model: EnhanceModel, *, exif, dpi, now, **fields) -> Job:
    return Job.objects.create(
        user=user,
        img_url=url,
        model=model,
        model_name=model.name,
        exif=exif,
        dpi=dpi,
        status=JobStatus.QUEUED,
        message="Waiting to start.",
        due_at=now,
        deadline_at=lifecycle.new_deadline(now),
        **fields,
    )


def price_facts(models) -> dict:
    """What the submit page needs to estimate coins and check limits before a coin is spent.

    The same table the pipeline uses to record `estimated_coins` and to refuse an over-limit
    photo, so the page and the job agree. `None` stands for "no upper bound".
    """

    def table(rows):
        return [[None if upper == float("inf") else upper, coins] for upper, coins in rows]

    return {
        "prices": {
            "standard": table(pricing.STANDARD_PRICES),
            "generative": table(pricing.GENERATIVE_PRICES),
        },
        "limits": {kind: list(pricing.limits_for(kind)) for kind in pricing.LIMITS_MP},
        "models": {
            model.name: {"scale": model.scale, "kind": model.kind, "label": str(model)} for model in models
        },
    }


def wake_ticker() -> None:
    """Ask for a ticker now. The jobs are saved already: if the broker is down, the watchdog finds them."""
    try:
        tasks.kick()
    except Exception:
        # Never a 500 after the jobs are committed: the user would submit again and pay twice.
        log.warning("Could not reach the task broker; the watchdog will pick the jobs up", exc_info=True)
