"""Create jobs from what a user asked for, and wake the ticker. Views call this; it never calls HitPaw."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from enhancer import tasks
from enhancer.models import EnhanceModel, Job, JobEvent, JobStatus


def create_jobs(
    user, img_urls: list[str], model: EnhanceModel, *, exif: bool = False, dpi: int | None = None
) -> list[Job]:
    """Queue one job per link; the ticker picks them up within about a second."""
    now = timezone.now()
    deadline = now + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)
    with transaction.atomic():
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
                deadline_at=deadline,
            )
            for url in img_urls
        ]
        JobEvent.objects.bulk_create(
            [JobEvent(job=job, status=JobStatus.QUEUED, message="Received.") for job in jobs]
        )
    tasks.kick()
    return jobs
