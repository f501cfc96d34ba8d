"""The review queue: photos whose outcome at HitPaw is unknown, each with its facts and what an admin
can do about it. Reviewers look; admins act. Sending again names its price on a page of its own first.

The moves themselves live in `enhancer/jobs/resume.py` (resume, a lost charge) and
`enhancer/jobs/review.py` (send again, close); each is a conditional update, so a second click or
a second admin changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enhancer.jobs import resume, review
from enhancer.models import Job, JobStatus
from enhancer.web.access import CHANGE_ANY_JOB, may_enhance, sees_all_jobs
from enhancer.web.refusals import refused

PER_PAGE = 25
NO_REVIEW_ACTIONS = "Your role lets you look at the photos needing a check, not act on them. Ask an admin."
NO_SENDING = "Your role does not let you send photos (sending spends the team's coins). Ask an admin."
MSG_GONE = "Photo #{pk} no longer needs a check (someone else dealt with it)."
MSG_SENT_AGAIN = "Photo #{pk} was sent to HitPaw again."
MSG_CLOSED = "Photo #{pk} was closed without sending it again."
MSG_RECORDED = "Photo #{pk}: HitPaw's job {number} and its {coins} coins are recorded"
MSG_CONFIRM_NO_RECORD = "Tick the box to confirm HitPaw has no record of job {number}, or use Resume."


class LostChargeForm(forms.Form):
    """What HitPaw's dashboard shows for a photo whose answer we lost."""

    hitpaw_job_id = forms.CharField(label="HitPaw job number", max_length=100)
    coins = forms.IntegerField(label="Coins HitPaw charged", min_value=0, max_value=100_000)


def _queue(request: HttpRequest):
    if not sees_all_jobs(request.user):
        raise Http404("No such page.")
    return Job.objects.filter(status=JobStatus.NEEDS_REVIEW).select_related("user", "model")


def _may_act(user) -> bool:
    return user.has_perm(CHANGE_ANY_JOB)


@never_cache
@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Every photo needing a check, oldest first, with its facts and its buttons."""
    jobs = _queue(request).order_by("created_at", "pk")
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("page"))
    items = [
        {"job": job, "can_resume": resume.can_resume(job), "paid": bool(job.hitpaw_job_id)}
        for job in page.object_list
    ]
    context = {"page": page, "items": items, "may_act": _may_act(request.user)}
    return render(request, "enhancer/review_queue.html", context)


def _job_to_act_on(request: HttpRequest, pk: int) -> Job | HttpResponse:
    """The photo in review, or the 403 page for a reviewer; a photo already dealt with goes back."""
    queue = _queue(request)
    if not _may_act(request.user):
        return refused(request, NO_REVIEW_ACTIONS)
    job = queue.filter(pk=pk).first()
    if job is None:
        get_object_or_404(Job, pk=pk)
        messages.info(request, MSG_GONE.format(pk=pk))
        return redirect("review_queue")
    return job


@never_cache
@require_POST
@login_required
def review_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Poll the HitPaw job the photo already has: no new charge."""
    job = _job_to_act_on(request, pk)
    if isinstance(job, HttpResponse):
        return job
    try:
        resume.resume_job(job)
    except resume.ResumeRefused as refusal:
        messages.error(request, f"Photo #{job.pk}: {refusal.message}")
    else:
        messages.success(request, f"Photo #{job.pk}: {resume.MSG_RESUMED}")
    return redirect("review_queue")


@never_cache
@require_POST
@login_required
def review_record_charge(request: HttpRequest, pk: int) -> HttpResponse:
    """ "HitPaw has it as job X for N coins": the charge is recorded once and the photo resumed."""
    job = _job_to_act_on(request, pk)
    if isinstance(job, HttpResponse):
        return job
    form = LostChargeForm(request.POST)
    if not form.is_valid():
        problems = " ".join(
            f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"Photo #{job.pk}: nothing was recorded. {problems}")
        return redirect("review_queue")
    number, coins = form.cleaned_data["hitpaw_job_id"], form.cleaned_data["coins"]
    try:
        resumed = resume.record_lost_charge(job.pk, number, coins)
    except resume.ResumeRefused as refusal:
        messages.error(request, f"Photo #{job.pk}: {refusal.message}")
    else:
        done = MSG_RECORDED.format(pk=job.pk, number=number, coins=coins)
        messages.success(request, done + (", and it is being checked at HitPaw." if resumed else "."))
    return redirect("review_queue")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def review_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the price of sending the photo again and what HitPaw may already have; POST: send it."""
    job = _job_to_act_on(request, pk)
    if isinstance(job, HttpResponse):
        return job
    if not may_enhance(request.user):
        return refused(request, NO_SENDING)
    context = {"job": job, "coins": job.estimated_coins, "can_resume": resume.can_resume(job), "error": ""}
    if request.method == "POST":
        no_record = request.POST.get("hitpaw_has_no_record") == "1"
        if job.hitpaw_job_id and not no_record:
            context["error"] = MSG_CONFIRM_NO_RECORD.format(number=job.hitpaw_job_id)
            return render(request, "enhancer/review_send_again.html", context, status=400)
        if review.resubmit([job.pk], hitpaw_has_no_record=no_record):
            messages.success(request, MSG_SENT_AGAIN.format(pk=job.pk))
        else:
            messages.info(request, MSG_GONE.format(pk=job.pk))
        return redirect("review_queue")
    return render(request, "enhancer/review_send_again.html", context)


@never_cache
@require_POST
@login_required
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    """End the check without sending the photo again."""
    job = _job_to_act_on(request, pk)
    if isinstance(job, HttpResponse):
        return job
    if review.close([job.pk]):
        messages.success(request, MSG_CLOSED.format(pk=job.pk))
    else:
        messages.info(request, MSG_GONE.format(pk=job.pk))
    return redirect("review_queue")
