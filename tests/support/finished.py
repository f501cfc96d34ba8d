"""A finished job with our stored original and result, for the share, role and review tests."""

from django.core.files.base import ContentFile
from django.utils import timezone

from enhancer.models import Job, JobStatus
from tests.support.charges import charged
from tests.support.images import image_bytes
from tests.support.jobs import make_job

ORIGINAL = image_bytes(64, 48, "PNG")
RESULT = image_bytes(128, 96, "PNG")


def finished_job(user, model=None, *, message: str = "Done.", **fields) -> Job:
    job = make_job(
        JobStatus.COMPLETED,
        user=user,
        model=model,
        message=message,
        coins=10,
        submitted_at=timezone.now(),
        original_width=64,
        original_height=48,
        result_width=128,
        result_height=96,
        **fields,
    )
    job.original.save("cat.png", ContentFile(ORIGINAL), save=False)
    job.result.save("cat-enhanced.png", ContentFile(RESULT), save=False)
    job.save()
    return charged(job)
