"""django-q2 wiring for the simulator: the enhancement runs on a background worker, not in a web request."""

from __future__ import annotations

import logging
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django_q.tasks import async_task

from enhancer.sandbox.enhance import enhance_file
from enhancer.sandbox.models import SandboxTask
from enhancer.sandbox.one_at_a_time import Busy

log = logging.getLogger(__name__)
GROUP = "sandbox"


def source_name(job_id: str) -> str:
    """Where the photo the simulator was sent waits for a worker."""
    return f"sandbox/sources/{job_id}"


def enqueue_enhancement(job_id: str) -> None:
    async_task("enhancer.sandbox.tasks.enhance_task", job_id, group=GROUP)


def enhance_task(job_id: str) -> None:
    """Enhance one simulator job's photo, store the result, and drop the source."""
    task = SandboxTask.objects.filter(job_id=job_id).first()
    if task is None or task.result or task.error:
        return
    try:
        with default_storage.open(source_name(job_id), "rb") as source, tempfile.TemporaryFile() as result:
            enhance_file(source, task.scale, task.model_name, task.extension, result)
            task.result.save(f"{task.job_id}{task.extension}", File(result), save=False)
    except Busy:
        enqueue_enhancement(job_id)  # another large photo still has the memory: later, not lost
        return
    except Exception:
        log.exception("The sandbox could not enhance job %s", job_id)
        task.error = "The simulator could not enhance this photo."
    task.save(update_fields=["result", "error"])
    default_storage.delete(source_name(job_id))
