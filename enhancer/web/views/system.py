"""The System page for admins: is every part of the machinery working, how far behind is it, and the
team-wide pause, set and lifted with a button (a pause always says why)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from enhancer.jobs import pauses
from enhancer.models import Job, JobStatus, SubmissionPause
from enhancer.ops import health
from enhancer.web.access import CHANGE_ANY_JOB, PAUSE_SUBMISSIONS

MSG_PAUSED = "New photos are paused for the whole team. Photos already sent go on."
MSG_RESUMED = "New photos are accepted again; {waiting} photo(s) held by the pause will go now."
MSG_NOT_PAUSED = "New photos were not paused."


class PauseForm(forms.Form):
    """Why the team is paused: everyone sees it in the banner and beside the Enhance button."""

    reason = forms.CharField(
        label="Why pause?",
        max_length=SubmissionPause._meta.get_field("reason").max_length,
        help_text="Everyone sees this, e.g. “Topping up coins, back at 3 pm.”",
        error_messages={
            "required": "Say why, so the team knows what is going on and when to expect it back."
        },
        widget=forms.TextInput(attrs={"size": 60, "aria-describedby": "pause-help"}),
    )


def _admin_only(request: HttpRequest) -> None:
    if not request.user.has_perm(CHANGE_ANY_JOB):
        raise Http404("No such page.")


@never_cache
@require_GET
@login_required
def system(request: HttpRequest) -> HttpResponse:
    """Jobs by state, queue depth, workers and heartbeats, ticker lag, last HitPaw error, the pause."""
    _admin_only(request)
    return _page(request, PauseForm())


def _page(request: HttpRequest, pause_form: PauseForm, status: int = 200) -> HttpResponse:
    report = health.system_report()
    labels = dict(JobStatus.choices)
    states = [(labels[status], count) for status, count in report["jobs_by_state"].items()]
    heartbeat = report["clusters"].get("last_heartbeat")
    context = {
        "report": report,
        "states": states,
        # /healthz reads the heartbeat as ISO text; people read it as a time in the team's zone.
        "last_heartbeat": datetime.fromisoformat(heartbeat) if heartbeat else None,
        "needs_review": Job.objects.filter(status=JobStatus.NEEDS_REVIEW).count(),
        "may_pause": request.user.has_perm(PAUSE_SUBMISSIONS),
        "pause_form": pause_form,
    }
    return render(request, "enhancer/system.html", context, status=status)


@never_cache
@require_POST
@login_required
def system_pause(request: HttpRequest) -> HttpResponse:
    """Stop new photos for the whole team, with the reason everyone will read."""
    _admin_only(request)
    if not request.user.has_perm(PAUSE_SUBMISSIONS):
        raise Http404("No such page.")
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    pauses.pause(form.cleaned_data["reason"], None)
    messages.success(request, MSG_PAUSED)
    return redirect("system")


@never_cache
@require_POST
@login_required
def system_resume(request: HttpRequest) -> HttpResponse:
    """Lift the pause; photos it held go on."""
    _admin_only(request)
    if not request.user.has_perm(PAUSE_SUBMISSIONS):
        raise Http404("No such page.")
    if pauses.current() is None:
        messages.info(request, MSG_NOT_PAUSED)
    else:
        messages.success(request, MSG_RESUMED.format(waiting=pauses.resume()))
    return redirect("system")
