"""A batch: the photos sent together, their live status and totals, Download all, Retry failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from enhancer.coins.charged import with_charged
from enhancer.jobs import intake
from enhancer.media import storage
from enhancer.models import Batch, Job, JobStatus
from enhancer.models.jobs import ACTIVE_STATUSES, PROBLEM_STATUSES, TERMINAL_STATUSES
from enhancer.web.access import batch_for_user, batch_to_change
from enhancer.web.live_status import listed_states
from enhancer.web.refusals import needs_enhance
from enhancer.web.zipstream import stream_zip, unique_names

if TYPE_CHECKING:
    from enhancer.coins.charged import ChargedJob

# Cards on one page of a batch: a usual batch (at most 50 photos per submit by default) fits on one,
# and a page of a big batch renders in tens of milliseconds instead of hundreds.
PHOTOS_PER_PAGE = 100


def summarize(photos: list[tuple]) -> dict:
    """Counts and coins for the batch's header, the same for the page and its live updates.

    `photos` are `(status, coins, estimated_coins, charged)` rows of every photo of the batch (`coins`
    says whether the current submission is paid; `charged` is what the ledger holds): a narrow read,
    as a batch of hundreds would otherwise make a full job object for each just to count them."""
    statuses = [status for status, *_ in photos]
    return {
        "count": len(photos),
        "done": statuses.count(JobStatus.COMPLETED),
        "problems": sum(1 for status in statuses if status in PROBLEM_STATUSES),
        "working": sum(1 for status in statuses if status in ACTIVE_STATUSES),
        # Paid photos (charged) are resumed one by one, not sent again with the others.
        "retryable": sum(
            1 for status, coins, *_ in photos if status in intake.RETRYABLE_STATUSES and coins is None
        ),
        "coins": sum(charged or 0 for *_, charged in photos),
        # Waiting for an admin's check: HitPaw may have charged them, at about their estimates.
        "review": sum(
            1 for status, coins, *_ in photos if status == JobStatus.NEEDS_REVIEW and coins is None
        ),
        "review_coins": sum(
            estimated or 0
            for status, coins, estimated, _ in photos
            if status == JobStatus.NEEDS_REVIEW and coins is None
        ),
        "estimated": sum(estimated or 0 for _, _, estimated, _ in photos),
        "finished": all(status in TERMINAL_STATUSES for status in statuses),
    }


def totals_and_page(
    batch: Batch, page_number: str | None, jobs: QuerySet[Job]
) -> tuple[dict, Page, list[ChargedJob]]:
    """The totals of every photo of the batch, one page of its photos, and that page's photos as
    full jobs from `jobs`."""
    photos = list(
        with_charged(batch.current_jobs()).values_list("pk", "status", "coins", "estimated_coins", "charged")
    )
    page = Paginator(photos, PHOTOS_PER_PAGE).get_page(page_number)
    shown = [pk for pk, *_ in page.object_list]
    on_page = list(with_charged(jobs).filter(pk__in=shown).order_by("position", "pk"))
    return summarize([row[1:] for row in photos]), page, on_page


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for_user(request.user, pk)
    totals, page, jobs = totals_and_page(batch, request.GET.get("page"), Job.objects.select_related("model"))
    context = {"batch": batch, "page": page, "jobs": jobs, "totals": totals}
    return render(request, "enhancer/batch_detail.html", context)


@login_required
@require_GET
def batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the batch page needs to update itself without reloading: the totals of every photo, and
    the state of the photos on the page asked for (`?page=N`, the same pages as the batch page)."""
    batch = batch_for_user(request.user, pk)
    totals, _, jobs = totals_and_page(batch, request.GET.get("page"), Job.objects.all())
    return JsonResponse({"totals": totals, "jobs": listed_states(jobs)})


@login_required
@require_GET
def batch_download(request: HttpRequest, pk: int) -> HttpResponseBase:
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
@needs_enhance
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
