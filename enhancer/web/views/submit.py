"""The submit page: links and a model in, queued jobs out. It never calls HitPaw."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from enhancer.coins import budgets
from enhancer.jobs import intake
from enhancer.web.access import job_for_user
from enhancer.web.forms import (
    UNSUPPORTED_EXTENSIONS,
    SubmitForm,
    new_submission_token,
    purpose_of,
    whole_number,
)
from enhancer.web.refusals import needs_enhance

MSG_SENT_ONCE = "This form was sent more than once; its photos were taken once, and here they are."


@login_required
@require_http_methods(["GET", "POST"])
@needs_enhance
def submit(request: HttpRequest) -> HttpResponse:
    initial = {**_again(request), "submission_token": new_submission_token()}
    form = SubmitForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {"exif": data["exif"], "dpi": data["dpi"], "submission_token": data["submission_token"]}
        try:
            if data["photos"]:
                jobs, left_out = intake.create_upload_jobs(
                    request.user, data["photos"], data["model_name"], **options
                )
            elif not data["img_url"] and data["again"]:
                old = job_for_user(request.user, data["again"])
                jobs = [intake.enhance_stored_upload(request.user, old, data["model_name"], **options)]
                left_out = []
            else:
                jobs = intake.create_jobs(request.user, data["img_url"], data["model_name"], **options)
                left_out = form.skipped
        except intake.AlreadySubmitted as sent:
            # A double click or a resent form: the answer is the first send's page, nothing new.
            messages.info(request, MSG_SENT_ONCE)
            if sent.job.batch_id is None:
                return redirect("enhancer:job", pk=sent.job.pk)
            return redirect("enhancer:batch", pk=sent.job.batch_id)
        except intake.SubmissionRefused as refusal:
            form.add_error("photos" if data["photos"] else None, refusal.message)
        else:
            if left_out:
                what = "1 was" if len(left_out) == 1 else f"{len(left_out)} were"
                messages.warning(request, f"{what} left out: {' '.join(left_out)}")
            if jobs[0].batch_id is None:
                return redirect("enhancer:job", pk=jobs[0].pk)
            messages.success(request, f"{len(jobs)} photos are on their way.{_pace(jobs)}")
            return redirect("enhancer:batch", pk=jobs[0].batch_id)
    facts = intake.price_facts(form.models)
    for model in form.models:
        facts["models"][model.name].update(
            display=model.display_name, good_for=model.good_for, purpose=purpose_of(model)
        )
    facts.update(_links_facts(request))
    context = {"form": form, "price_facts": facts, "again_upload": _again_upload(request, form)}
    return render(request, "enhancer/submit.html", context)


def _links_facts(request: HttpRequest) -> dict:
    """What the page needs to say, before sending, which links are left out and whether the
    estimate fits what the budget leaves (the tightest limit that applies; None: no limit)."""
    limits = budgets.what_is_left(request.user)
    tightest = min(limits, key=lambda left: left.left, default=None)
    return {
        "max_links": settings.ENHANCER_MAX_LINKS_PER_SUBMIT,
        "unsupported": UNSUPPORTED_EXTENSIONS,
        "coins_left": None if tightest is None else tightest.left,
        "coins_left_whose": None if tightest is None else ("team" if tightest.who == "team" else "yours"),
    }


def _pace(jobs) -> str:
    """How the per-minute rate spreads the photos out, when some wait their turn; else nothing."""
    waiting = sum(1 for job in jobs if job.message == intake.MSG_WAITING_TURN.format(rate=_rate()))
    if not waiting:
        return ""
    minutes = math.ceil(waiting / _rate())
    return (
        f" At most {_rate()} are sent to HitPaw a minute, so {waiting} wait their turn "
        f"(about {minutes} more {'minute' if minutes == 1 else 'minutes'})."
    )


def _rate() -> int:
    return settings.ENHANCER_SUBMISSIONS_PER_MINUTE


def _again(request: HttpRequest) -> dict:
    """The form filled in from an earlier photo (`?again=<id>`): Enhance again, Edit link."""
    pk = whole_number(request.GET.get("again", ""))
    if request.method != "GET" or pk is None:
        return {}
    job = job_for_user(request.user, pk)
    same = {"model_name": job.model_name, "exif": job.exif, "dpi": job.dpi}
    if job.upload_name:  # an upload's link is ours, and expires: the copy we keep is sent instead
        return {**same, "again": job.pk}
    return {**same, "img_url": job.img_url}


def _again_upload(request: HttpRequest, form: SubmitForm):
    """The uploaded photo this form enhances again (shown by name above the links), or None."""
    pk = whole_number(str(form["again"].value() or ""))
    if pk is None:
        return None
    job = job_for_user(request.user, pk)
    return job if job.upload_name and job.original else None
