"""Thumbnails of a job's photos, made on the workers: after each stored photo, or on request for
photos stored before thumbnails were made there (uploads, older jobs)."""

from __future__ import annotations

from django.core.cache import cache
from django_q.tasks import async_task

from enhancer.media.thumbnails import make_thumbnail
from enhancer.models import Job

# A photo's missing thumbnail is asked for at most this often (a photo over the pixel cap never
# gets one, and its page may be shown many times).
ASK_AGAIN_SECONDS = 24 * 3600


def make_for_job(job_id: int) -> None:
    """Make the thumbnails a job's stored photos lack (a worker task)."""
    for names in Job.objects.filter(pk=job_id).values_list("original", "result"):
        for name in names:
            if name:
                make_thumbnail(name)


def ask_for(job: Job) -> bool:
    """Queue the making of a job's thumbnails, unless it was asked for recently; True if queued."""
    if not cache.add(f"enhancer:thumbnails-asked:{job.pk}", 1, ASK_AGAIN_SECONDS):
        return False
    queue_making(job.pk)
    return True


def queue_making(job_id: int) -> None:
    """Ask the workers to make a job's missing thumbnails (`make_for_job` on a worker)."""
    # By dotted path: jobs/ never imports the task module (it imports jobs/).
    async_task("enhancer.tasks.make_thumbnails", job_id, group="enhancer")
