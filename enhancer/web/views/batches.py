"""A batch: the photos sent together, their live status and totals, Download all, Retry failed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from enhancer.jobs import intake
from enhancer.media import storage
from enhancer.models import Job, JobStatus
from enhancer.web.access import batch_for_user, batch_to_change
from enhancer.web.live_status import listed_states
from enhancer.web.zipstream import stream_zip, unique_names


def summarize(jobs: list[Job]) -> dict:
    """Counts and coins for the batch's header, the same for the page and its live updates."""
    done = [job for job in jobs if job.is_completed]
    problems = [job for job in jobs if job.is_problem]
    return {
        "count": len(jobs),
        "done": len(done),
        "problems": len(problems),
        "working": sum(1 for job in jobs if job.is_active),
        "retryable": sum(1 for job in jobs if job.status in intake.RETRYABLE_STATUSES),
        "coins": sum(job.coins or 0 for job in jobs),
        "estimated": sum(job.estimated_coins or 0 for job in jobs),
        "finished": all(job.is_terminal for job in jobs),
    }


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for_user(request.user, pk)
    jobs = list(batch.current_jobs().select_related("model"))
    context = {"batch": batch, "jobs": jobs, "totals": summarize(jobs)}
    return render(request, "enhancer/batch_detail.html", context)


@login_required
@require_GET
def batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the batch page needs to update itself without reloading."""
    batch = batch_for_user(request.user, pk)
    jobs = list(batch.current_jobs())
    return JsonResponse({"totals": summarize(jobs), "jobs": listed_states(jobs)})


@login_required
@require_GET
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Every finished photo of the batch in one zip, streamed, each named after its photo."""
    batch = batch_for_user(request.user, pk)
    finished = [job for job in batch.current_jobs() if job.status == JobStatus.COMPLETED and job.result]
    if not finished:
        messages.info(request, "No photo of this batch is ready yet, so there is nothing to download.")
        return redirect("enhancer:batch", pk=batch.pk)
    names = unique_names(job.result_download_name for job in finished)
    members = (
        (name, storage.open_stream(job.result.name)) for name, job in zip(names, finished, strict=True)
    )
    response = StreamingHttpResponse(stream_zip(members), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="enhanced-photos-batch-{batch.pk}.zip"'
    return response


@login_required
@require_POST
def batch_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send again only the photos that failed; the others are left as they are."""
    batch = batch_to_change(request.user, pk)
    try:
        retried = intake.retry_failed(batch)
    except intake.SubmissionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        photos = "photo is" if len(retried) == 1 else "photos are"
        messages.success(request, f"{len(retried)} {photos} being tried again.")
    return redirect("enhancer:batch", pk=batch.pk)
