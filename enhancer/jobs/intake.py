"""Create jobs from what a user asked for, and wake the ticker. Views call this; it never calls HitPaw.

Every rule about whether a submission may be taken lives here (today: the team-wide pause;
uploads, batches and budgets add theirs), and every refusal is one `SubmissionRefused` with a
plain message for the form.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from enhancer import tasks
from enhancer.jobs import budgets, lifecycle, pauses
from enhancer.models import EnhanceModel, Job, JobStatus

log = logging.getLogger(__name__)

MSG_PAUSED = "Submissions are paused for the whole team right now. See the notice above."


class SubmissionRefused(Exception):
    """A submission we will not take, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_jobs(
    user, img_urls: list[str], model: EnhanceModel, *, exif: bool = False, dpi: int | None = None
) -> list[Job]:
    """Queue one job per link; the ticker picks them up within about a second."""
    if pauses.current() is not None:
        raise SubmissionRefused(MSG_PAUSED)
    now = timezone.now()
    with transaction.atomic():
        over_budget = budgets.refusal(
            user, model, len(img_urls)
        )  # holds the budget's lock until the jobs exist
        if over_budget:
            raise SubmissionRefused(over_budget)
        jobs = [
            Job.objects.create(
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
            )
            for url in img_urls
        ]
        lifecycle.record_received(jobs)
    wake_ticker()
    return jobs


def wake_ticker() -> None:
    """Ask for a ticker now. The jobs are saved already: if the broker is down, the watchdog finds them."""
    try:
        tasks.kick()
    except Exception:
        # Never a 500 after the jobs are committed: the user would submit again and pay twice.
        log.warning("Could not reach the task broker; the watchdog will pick the jobs up", exc_info=True)
