"""A batch of jobs at chosen statuses, with stored pictures for the finished ones."""

from __future__ import annotations

from django.core.files.base import ContentFile

from enhancer.models import Batch, Job, JobStatus
from tests.support.charges import charged
from tests.support.images import image_bytes
from tests.support.jobs import make_job

PHOTOS = "https://photos.example.com/{}.png"


def make_batch(user, model, statuses: list[str], names: list[str] | None = None) -> tuple[Batch, list[Job]]:
    """One job per status, in order; a completed job holds an original and a result in storage."""
    batch = Batch.objects.create(user=user, model=model)
    names = names or [f"photo-{n}" for n in range(len(statuses))]
    jobs = []
    for position, (status, name) in enumerate(zip(statuses, names, strict=True)):
        job = make_job(
            status, user=user, model=model, batch=batch, position=position, img_url=PHOTOS.format(name)
        )
        if status == JobStatus.COMPLETED:
            job.coins = 10
            job.estimated_coins = 10
            job.original.save(f"{name}.png", ContentFile(image_bytes(64, 48)), save=False)
            job.result.save(f"{name}-out.png", ContentFile(image_bytes(128, 96)), save=False)
            job.save()
        if status == JobStatus.FAILED:
            job.message = "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."
            job.save()
        if job.coins is not None:
            charged(job)  # the ledger entry the pipeline writes with the charge
        jobs.append(job)
    return batch, jobs
