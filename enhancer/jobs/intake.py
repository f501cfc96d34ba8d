"""Create jobs from what a user asked for, and wake the ticker. Views call this; it never calls HitPaw.

Every rule about whether a submission may be taken lives here (today: the team-wide pause;
uploads, batches and budgets add theirs), and every refusal is one `SubmissionRefused` with a
plain message for the form.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enhancer import tasks
from enhancer.jobs import lifecycle, pauses
from enhancer.models import EnhanceModel, Job, JobStatus

log = logging.getLogger(__name__)

MSG_PAUSED = "Submissions are paused for the whole team right now. See the notice above."
MSG_TOO_FAST = (
    "That is more photos than one person can send in a minute (at most {limit}). "
    "Please wait a minute and try again."
)


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
        check_rate(user, len(img_urls), now)
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


def check_rate(user, count: int, now) -> None:
    """Refuse more than ENHANCER_SUBMISSIONS_PER_MINUTE photos from one person in the last minute."""
    limit = settings.ENHANCER_SUBMISSIONS_PER_MINUTE
    # Lock the person's row so two submissions at once cannot both slip under the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    recent = Job.objects.filter(user=user, created_at__gt=now - timedelta(minutes=1)).count()
    if recent + count > limit:
        raise SubmissionRefused(MSG_TOO_FAST.format(limit=limit))


def wake_ticker() -> None:
    """Ask for a ticker now. The jobs are saved already: if the broker is down, the watchdog finds them."""
    try:
        tasks.kick()
    except Exception:
        # Never a 500 after the jobs are committed: the user would submit again and pay twice.
        log.warning("Could not reach the task broker; the watchdog will pick the jobs up", exc_info=True)
