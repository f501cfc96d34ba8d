"""Photos and batches: the history with its filters, one photo, sending by link, cancel, resume.

The same rules as the pages: a staff token sees its person's own photos, reviewers and admins see
the team's; acting on a photo (cancel, resume) is for its owner and admins; sending goes through
`enhancer.jobs.intake` like the form (limits, budget, pause, rate), so a refusal spends nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Status
from ninja import Schema as Input
from ninja.errors import HttpError

from enhancer.api.v1 import schemas
from enhancer.api.v1.cursor import DEFAULT_LIMIT, MOST, page
from enhancer.coins.charged import with_charged
from enhancer.jobs import intake, resume
from enhancer.models import Batch, Job
from enhancer.web import access, refusals
from enhancer.web.forms import HistoryFilterForm, SubmitForm
from enhancer.web.stored_files import stored_file_response
from enhancer.web.views.batches import summarize

router = Router(tags=["photos"])
batches = Router(tags=["batches"])

ERRORS = {401: schemas.Error, 403: schemas.Error, 404: schemas.Error, 422: schemas.Error}
REFUSED = {**ERRORS, 409: schemas.Error}  # intake or the photo's state said no, plainly
MSG_NO_LINKS = "Send at least one image link in `img_urls`."
IDEMPOTENCY_HELP = (
    "Any text of yours, new for each new set of photos. Sent again with the same key (a retry after "
    "a lost answer), the photos it made are answered again (200) and nothing new is sent or charged."
)
MSG_OWN_ONLY = "Your role lets you see your own photos only, so `person` cannot be chosen."


class PhotoFilters(Input):
    q: str | None = Field(None, description="Words of the link or file name, or a photo's number")
    status: str | None = Field(None, description="working, done, problems or canceled")
    model: str | None = Field(None, description="A model's name, as sent to HitPaw")
    since: date | None = None
    until: date | None = None
    person: int | None = Field(None, description="Whose photos (a person's id); reviewers and admins")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MOST)


def problems_of(form) -> str:
    """A form's errors as the plain sentences the pages show, in one line."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def photo_out(job) -> dict:
    """A photo as the API shows it; `job` carries `charged` (`with_charged`)."""
    return {
        "id": job.pk,
        "status": job.status,
        "label": job.get_status_display(),
        "message": job.message,
        "model": job.model_name,
        "person": job.user.get_username(),
        "link": None if job.upload_name else job.img_url,
        "upload_name": job.upload_name,
        "batch_id": job.batch_id,
        "exif": job.exif,
        "dpi": job.dpi,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "estimated_coins": job.estimated_coins,
        "coins": job.charged or 0,
        "terminal": job.is_terminal,
        "can_cancel": job.can_cancel,
        "can_resume": resume.can_resume(job),
        "result_ready": bool(job.is_completed and job.result),
    }


def next_link(request: HttpRequest, next_cursor: str | None) -> str | None:
    if next_cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = next_cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@router.get("", response={200: schemas.PhotoPage, **ERRORS}, summary="List photos, newest first")
def list_photos(request: HttpRequest, filters: Query[PhotoFilters]):
    team = access.sees_all_jobs(request.user)
    if filters.person is not None and not team:
        raise HttpError(403, MSG_OWN_ONLY)
    given = filters.dict(exclude={"cursor", "limit"}, exclude_none=True)
    form = HistoryFilterForm({name: str(value) for name, value in given.items()}, team=team)
    if given and not form.is_valid():
        raise HttpError(422, problems_of(form))
    rows, after = page(form.filter(access.visible_jobs(request.user)), filters.cursor, filters.limit)
    return {
        "items": [photo_out(job) for job in rows],
        "next_cursor": after,
        "next": next_link(request, after),
    }


@router.get("/{photo_id}", response={200: schemas.Photo, **ERRORS}, summary="One photo")
def get_photo(request: HttpRequest, photo_id: int):
    return photo_out(access.job_for_user(request.user, photo_id))


RESULT_FILE = {
    "responses": {
        200: {
            "description": "Our stored copy of the enhanced photo (kept long after HitPaw deletes its own)",
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
MSG_NO_RESULT = "This photo has no result yet."


@router.get("/{photo_id}/result", response=ERRORS, openapi_extra=RESULT_FILE, summary="Download the result")
def photo_result(request: HttpRequest, photo_id: int):
    job = access.job_for_user(request.user, photo_id)
    if not (job.is_completed and job.result.name):
        raise HttpError(404, MSG_NO_RESULT)
    return stored_file_response(job.result.name, as_attachment=True, filename=job.result_download_name)


@router.post(
    "", response={200: schemas.Created, 201: schemas.Created, **REFUSED}, summary="Send photos by link"
)
def create_photos(
    request: HttpRequest,
    new: schemas.NewPhotos,
    idempotency_key: str = Header("", alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    """One link makes one photo, several make a batch; checked like the submit form, before anything is spent."""
    if not access.may_enhance(request.user):
        raise HttpError(403, refusal(request, refusals.NO_ENHANCE))
    form = SubmitForm(
        {
            "img_url": "\n".join(new.img_urls),
            "model_name": new.model,
            "exif": "on" if new.exif else "",
            "dpi": "" if new.dpi is None else str(new.dpi),
        }
    )
    if not new.img_urls or not form.is_valid():
        raise HttpError(422, problems_of(form) or MSG_NO_LINKS)
    data = form.cleaned_data
    token = submission_token(idempotency_key)
    try:
        jobs = intake.create_jobs(
            request.user,
            data["img_url"],
            data["model_name"],
            exif=data["exif"],
            dpi=data["dpi"],
            submission_token=token,
            sent_by_api=True,
        )
    except intake.AlreadySubmitted as sent:  # the first photo carries the key; its batch has the rest
        first = sent.job
        made = (
            Job.objects.filter(batch_id=first.batch_id) if first.batch_id else Job.objects.filter(pk=first.pk)
        )
        return Status(200, created(made, form.skipped))
    except intake.SubmissionRefused as refused:
        raise HttpError(409, refused.message) from refused
    return Status(201, created(Job.objects.filter(pk__in=[job.pk for job in jobs]), form.skipped))


def submission_token(idempotency_key: str) -> str:
    """The key as the form's one-submission token (fixed length, and apart from the form's own)."""
    if not idempotency_key:
        return ""
    return "api-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:28]


def created(jobs: QuerySet[Job], skipped: list[str]) -> dict:
    made = with_charged(jobs.select_related("user")).order_by("position", "pk")
    shown = [photo_out(job) for job in made]
    return {"photos": shown, "batch_id": made[0].batch_id if shown else None, "skipped": skipped}


def refusal(request: HttpRequest, message: str) -> str:
    """The pages' words: a person with no role at all is told to ask for one."""
    return message if access.has_a_role(request.user) else refusals.NO_ROLE


@router.post(
    "/{photo_id}/cancel", response={200: schemas.Photo, **REFUSED}, summary="Cancel a photo not sent yet"
)
def cancel_photo(request: HttpRequest, photo_id: int):
    job = access.job_to_change(request.user, photo_id)
    try:
        intake.cancel(job)
    except intake.SubmissionRefused as refused:
        raise HttpError(409, refused.message) from refused
    return photo_out(access.job_for_user(request.user, photo_id))


@router.post("/{photo_id}/resume", response={200: schemas.Photo, **REFUSED}, summary="Resume a paid photo")
def resume_photo(request: HttpRequest, photo_id: int):
    """Poll the HitPaw job a paid photo already has (no new charge), as the photo's page does."""
    job = access.job_to_change(request.user, photo_id)
    try:
        resume.resume_job(job)
    except resume.ResumeRefused as refused:
        raise HttpError(409, refused.message) from refused
    return photo_out(access.job_for_user(request.user, photo_id))


class BatchFilters(Input):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MOST)


def batch_out(batch: Batch) -> dict:
    rows = with_charged(batch.current_jobs()).values_list("status", "coins", "estimated_coins", "charged")
    totals = summarize(list(rows))
    return {
        "id": batch.pk,
        "model": batch.model.name,
        "person": batch.user.get_username(),
        "created_at": batch.created_at,
        "totals": totals,
    }


@batches.get("", response={200: schemas.BatchPage, **ERRORS}, summary="List batches, newest first")
def list_batches(request: HttpRequest, filters: Query[BatchFilters]):
    rows, after = page(access.visible_batches(request.user), filters.cursor, filters.limit)
    return {"items": [batch_out(b) for b in rows], "next_cursor": after, "next": next_link(request, after)}


@batches.get("/{batch_id}", response={200: schemas.BatchDetail, **ERRORS}, summary="A batch and its photos")
def get_batch(request: HttpRequest, batch_id: int):
    batch = access.batch_for_user(request.user, batch_id)
    photos = with_charged(batch.current_jobs().select_related("user")).order_by("position", "pk")
    return {**batch_out(batch), "photos": [photo_out(job) for job in photos]}
