"""A user's jobs: history, the job page, its live status and its pictures (our copies)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from enhancer.jobs.usage import coin_usage
from enhancer.media import thumbnails
from enhancer.models import Job
from enhancer.web.access import job_for_user

JOBS_PER_PAGE = 20


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(user=request.user).select_related("model")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "enhancer/job_list.html", {"page": page})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for_user(request.user, pk)
    context = {"job": job, "events": job.events.all(), "usage": coin_usage(job.user)}
    return render(request, "enhancer/job_detail.html", context)


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page needs to update itself without reloading."""
    job = job_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "message": job.message,
            "terminal": job.is_terminal,
            "coins": job.coins,
            "events": [
                {
                    "label": e.get_status_display(),
                    "message": e.message,
                    "at": timezone.localtime(e.at).isoformat(),
                }
                for e in job.events.all()
            ],
        }
    )


@login_required
@require_GET
def job_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """Serve our stored copy of the original or the result (never the vendor's link)."""
    job = job_for_user(request.user, pk)
    stored = job.original if which == "original" else job.result
    if not stored:
        raise Http404("No such picture yet.")
    download = request.GET.get("download") == "1"
    filename = job.result_download_name if which == "result" else PurePath(stored.name).name
    return FileResponse(stored.open("rb"), as_attachment=download, filename=filename)


@login_required
@require_GET
def job_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    """A small picture of the job: of its result once there is one, else of its original."""
    job = job_for_user(request.user, pk)
    for stored in (job.result, job.original):
        name = stored and thumbnails.ensure_thumbnail(stored.name)
        if name:
            response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
            response["Cache-Control"] = "private, max-age=86400"
            return response
    raise Http404("No picture yet.")
