"""Pages for staff. Views read the database and queue work; they never call HitPaw."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from enhancer import claims, intake, pauses, scheduler
from enhancer.access import job_for_user
from enhancer.forms import SubmitForm
from enhancer.models import Job
from enhancer.usage import coin_usage

JOBS_PER_PAGE = 20


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pauses.current() is not None:
            form.add_error(None, "Submissions are paused for the whole team right now. See the notice above.")
        else:
            data = form.cleaned_data
            jobs = intake.create_jobs(
                request.user, data["img_url"], data["model_name"], exif=data["exif"], dpi=data["dpi"]
            )
            if len(jobs) == 1:
                return redirect("enhancer:job", pk=jobs[0].pk)
            messages.success(request, f"{len(jobs)} photos are on their way.")
            return redirect("enhancer:jobs")
    return render(request, "enhancer/submit.html", {"form": form})


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
    filename = f"enhanced-{job.pk}{PurePath(stored.name).suffix}" if which == "result" else None
    return FileResponse(
        stored.open("rb"), as_attachment=download, filename=filename or PurePath(stored.name).name
    )


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    return render(request, "enhancer/usage.html", {"usage": coin_usage(request.user, recent=50)})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: the database answers; is a ticker running?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    return JsonResponse(
        {
            "ok": True,
            "database": "ok",
            "ticker_running": claims.lease_is_held(scheduler.TICKER),
            "submissions_paused": pauses.current() is not None,
        }
    )
