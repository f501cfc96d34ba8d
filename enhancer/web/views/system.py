"""The System page for admins: is every part of the machinery working, and how far behind is it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enhancer.jobs import health
from enhancer.models import JobStatus
from enhancer.web.access import CHANGE_ANY_JOB


@never_cache
@require_GET
@login_required
def system(request: HttpRequest) -> HttpResponse:
    """Jobs by state, queue depth, workers and heartbeats, ticker lag, last HitPaw error, the pause."""
    if not request.user.has_perm(CHANGE_ANY_JOB):
        raise Http404("No such page.")
    report = health.system_report()
    labels = dict(JobStatus.choices)
    states = [(labels[status], count) for status, count in report["jobs_by_state"].items()]
    return render(request, "enhancer/system.html", {"report": report, "states": states})
