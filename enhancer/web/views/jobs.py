"""A user's jobs: history, the job page, its live status and its pictures (our copies)."""

from __future__ import annotations

import functools
from pathlib import Path, PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from enhancer.coins.charged import with_charged
from enhancer.coins.usage import coin_usage
from enhancer.jobs import intake, pipeline, resume, retry_advice
from enhancer.jobs import thumbnails as job_thumbnails
from enhancer.media import thumbnails
from enhancer.models import Job, JobStatus
from enhancer.web.access import job_for_user, job_to_change, may_change
from enhancer.web.forms import HistoryFilterForm, whole_number
from enhancer.web.live_status import job_state, listed_states
from enhancer.web.refusals import needs_enhance
from enhancer.web.signed_in import SignedInRequest
from enhancer.web.stored_files import stored_file_response

JOBS_PER_PAGE = 20


@login_required
@require_GET
def job_list(request: SignedInRequest) -> HttpResponse:
    filters = HistoryFilterForm(request.GET or None)
    jobs = filters.filter(with_charged(Job.objects.filter(user=request.user).select_related("model")))
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "filtered": bool(query),
        "has_active": any(job.is_active for job in page.object_list),
    }
    return render(request, "enhancer/job_list.html", context)


COMPARE_VIEWS = {"slider": "Slider", "side": "Side by side", "zoom": "100 % zoom"}


@login_required
@require_GET
def jobs_status(request: SignedInRequest) -> JsonResponse:
    """The status of several of the user's jobs at once (`?ids=1,2,3`), for the history to update itself."""
    parts = request.GET.get("ids", "").split(",", JOBS_PER_PAGE)[:JOBS_PER_PAGE]
    ids = [number for number in map(whole_number, parts) if number is not None]
    jobs = with_charged(Job.objects.filter(user=request.user, pk__in=ids))
    return JsonResponse({"jobs": listed_states(jobs, message=False)})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for_user(request.user, pk)
    events = list(job.events.all())
    view = request.GET.get("view")
    context = {
        "job": job,
        "events": events,
        "steps": step_timings(events, job.is_terminal),
        "usage": coin_usage(job.user),
        "compare_view": view if view in COMPARE_VIEWS else "slider",
        "compare_views": COMPARE_VIEWS,
        "tries": tries(job),
        "usually": usual_seconds(job) if job.is_active else None,
        "original_bytes": _stored_size(job.original),
        "result_bytes": _stored_size(job.result),
        "may_change": may_change(request.user, job.user_id),
        "can_resume": resume.can_resume(job),
        "paid": resume.is_paid(job),
        "send_again_coins": job.estimated_coins or job.coins,
        "retry_helps": not retry_advice.will_repeat(job),
    }
    return render(request, "enhancer/job_detail.html", context)


def tries(job: Job) -> str:
    """`try 3 of 8` while a step is being tried again after a passing failure; empty otherwise."""
    if not job.is_active or not job.attempts:
        return ""
    most = pipeline.MAX_STEP_ATTEMPTS
    current = job.attempts + 1
    return f"try {current} of {most}" if current <= most else f"try {current}"


USUAL_SAMPLE = 20


def usual_seconds(job: Job) -> int | None:
    """How long recent finished photos of the same model took, start to finish (the median)."""
    recent = (
        Job.objects.filter(model_id=job.model_id, status=JobStatus.COMPLETED, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("created_at", "finished_at")[:USUAL_SAMPLE]
    )
    durations = sorted((end - start).total_seconds() for start, end in recent if end is not None)
    if len(durations) < 3:  # too few to say what is usual
        return None
    return max(1, round(durations[len(durations) // 2]))


def step_timings(events: list, finished: bool) -> list[dict]:
    """Each step of the timeline with how long it took (until the next step began)."""
    steps = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        seconds = (following.at - event.at).total_seconds() if following else None
        steps.append({"event": event, "seconds": seconds, "last": following is None and not finished})
    return steps


def _stored_size(stored) -> int | None:
    if not stored:
        return None
    try:
        return stored.size
    except OSError:  # the file went missing from storage: show the page without its size
        return None


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a job that has not been sent to HitPaw yet."""
    job = job_to_change(request.user, pk)
    try:
        intake.cancel(job)
    except intake.SubmissionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, intake.MSG_CANCELED)
    return redirect("enhancer:job", pk=job.pk)


@login_required
@require_POST
@needs_enhance
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a failed photo again with the same link and model; lands on the new try.

    A paid photo is resumed instead; sending it again (a second charge) needs `send_again`, the
    choice made on the page that shows its price.
    """
    job = job_to_change(request.user, pk)
    if retry_advice.will_repeat(job):
        messages.error(request, retry_advice.MSG_WILL_REPEAT)
        return redirect("enhancer:job", pk=job.pk)
    send_again = request.POST.get("send_again") == "1"
    if resume.is_paid(job) and not send_again:
        messages.warning(request, MSG_PAID_USE_RESUME if resume.can_resume(job) else MSG_PAID_CONFIRM)
        return redirect("enhancer:job", pk=job.pk)
    try:
        (retry,) = intake.retry_jobs(Job.objects.filter(pk=job.pk), include_paid=send_again)
    except intake.SubmissionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("enhancer:job", pk=job.pk)
    return redirect("enhancer:job", pk=retry.pk)


MSG_PAID_USE_RESUME = (
    "HitPaw already has this photo (and charged for it), so it was not sent again. "
    "Resume fetches the result HitPaw has, at no cost."
)
MSG_PAID_CONFIRM = (
    "HitPaw already charged for this photo, so it was not sent again. "
    "Sending it again charges again: choose “Send again” to see the price first."
)


@login_required
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Poll the HitPaw job a paid photo already has, and save its result (no new charge)."""
    job = job_to_change(request.user, pk)
    try:
        resume.resume_job(job)
    except resume.ResumeRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, resume.MSG_RESUMED)
    return redirect("enhancer:job", pk=job.pk)


@login_required
@require_GET
@needs_enhance
def job_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    """The price of sending a paid photo again, and the button that does it (a second charge)."""
    job = job_to_change(request.user, pk)
    context = {
        "job": job,
        "coins": job.estimated_coins or job.coins,
        "can_resume": resume.can_resume(job),
        "retryable": job.status in intake.RETRYABLE_STATUSES,
    }
    return render(request, "enhancer/send_again.html", context)


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page needs to update itself without reloading."""
    job = job_for_user(request.user, pk)
    return JsonResponse(
        {
            **job_state(job),
            "tries": tries(job),
            # Times are written here, in the team's time zone, so the live timeline reads like the page.
            "events": [
                {
                    "label": step["event"].get_status_display(),
                    "message": step["event"].message,
                    "at": timezone.localtime(step["event"].at).isoformat(),
                    "time": timezone.localtime(step["event"].at).strftime("%H:%M:%S"),
                    "took": step["seconds"],
                }
                for step in step_timings(list(job.events.all()), job.is_terminal)
            ],
        }
    )


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """Serve our stored copy of the original or the result (never the vendor's link)."""
    job = job_for_user(request.user, pk)
    stored = job.original if which == "original" else job.result
    if not stored.name:
        raise Http404("No such picture yet.")
    download = request.GET.get("download") == "1"
    filename = job.result_download_name if which == "result" else PurePath(stored.name).name
    return stored_file_response(stored.name, as_attachment=download, filename=filename)


@login_required
@require_GET
def job_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A small picture of the job: of its result once there is one, else of its original.

    Only a thumbnail the workers have made is served; while there is none, a static placeholder
    (nothing is decoded here, however large the photo), and the workers are asked to make it."""
    job = job_for_user(request.user, pk)
    photos = [stored.name for stored in (job.result, job.original) if stored.name]
    if not photos:
        raise Http404("No picture yet.")
    made = [thumbnails.stored_thumbnail(name) for name in photos]
    if None in made:
        job_thumbnails.ask_for(job)
    for name in made:
        if name:
            response = stored_file_response(name, content_type="image/jpeg")
            response["Cache-Control"] = "private, max-age=86400"
            return response
    pending = HttpResponse(_placeholder(), content_type="image/svg+xml")
    pending["Cache-Control"] = "private, no-store"  # the thumbnail itself, once made, is shown next time
    return pending


@functools.cache
def _placeholder() -> bytes:
    """The small static picture shown while a photo has no thumbnail (read once per process)."""
    found = finders.find(thumbnails.PENDING)
    if not isinstance(found, str):
        raise FileNotFoundError(f"The static file {thumbnails.PENDING} is missing.")
    return Path(found).read_bytes()
