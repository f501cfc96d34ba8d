"""The team-wide pause on new submissions (bad key, no coins): set by the pipeline, lifted by admins."""

from __future__ import annotations

from django.db.models.functions import Now

from enhancer.jobs import lifecycle
from enhancer.models import Job, JobStatus, SubmissionPause


def current() -> SubmissionPause | None:
    """The active pause, or None when submissions run."""
    return SubmissionPause.objects.filter(pk=1, paused=True).first()


def in_force() -> bool:
    """Whether submissions are paused, asked before every submission."""
    return SubmissionPause.objects.filter(pk=1, paused=True).exists()


def pause(reason: str, code: int | None) -> None:
    """Stop new submissions until an admin resumes them, so no more coins or requests are wasted."""
    SubmissionPause.objects.update_or_create(
        pk=1, defaults={"paused": True, "reason": reason, "error_code": code}
    )


def resume() -> int:
    """Lift the pause; waiting jobs get a fresh deadline. Returns how many jobs were waiting."""
    SubmissionPause.objects.update_or_create(pk=1, defaults={"paused": False})
    held = Job.objects.filter(status=JobStatus.SUBMITTING, submit_started_at__isnull=True)
    return held.update(deadline_at=lifecycle.fresh_deadline(), due_at=Now())
