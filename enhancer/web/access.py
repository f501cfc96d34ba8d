"""Who may see which job."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from enhancer.models import Job


def job_for_user(user, pk: int) -> Job:
    """The job if `user` may see it (its owner, or staff); 404 otherwise, so ids leak nothing."""
    jobs = Job.objects.select_related("model", "user")
    if not user.is_staff:
        jobs = jobs.filter(user=user)
    return get_object_or_404(jobs, pk=pk)
