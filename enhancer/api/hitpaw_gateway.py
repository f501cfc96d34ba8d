"""HitPaw's two calls, served by the desk under `/hitpaw/`: HitPaw's own SDK works against it unchanged.

A script sends the vendor's JSON fields with a personal token in the `Apikey` header and gets the
vendor's envelopes, statuses and error codes back (`enhancer/hitpaw/errors.py`). Photos go through
the same intake as the form (pause, budgets, pacing, ledger) and the workers send them to HitPaw;
these views never call HitPaw. `res_url` is a signed link to our stored copy, valid for 30 days
(HitPaw deletes its own after 8). A photo waiting for an admin's check reads as CONVERTING.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import PurePath

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from enhancer.api.tokens import person_for_token
from enhancer.coins import budgets
from enhancer.coins.charged import charged_for_jobs
from enhancer.hitpaw.errors import VENDOR_ERRORS
from enhancer.jobs import intake
from enhancer.media import storage
from enhancer.media.imaging import EXTENSION_FORMATS
from enhancer.models import EnhanceModel, Job, JobStatus
from enhancer.net.addresses import obviously_local, private_urls_allowed

JOB_ID_PREFIX = "desk-"
RESULT_LINK_SECONDS = 30 * 24 * 3600  # long after HitPaw's own links (8 days) are gone
ENHANCE_PERMISSION = "enhancer.add_job"
MAX_LINK_LENGTH = 2000  # what a job's img_url keeps

# The vendor's codes we answer with, named for why.
INVALID_KEY = 110400000  # missing, unknown, expired or turned-off token
NO_PERMISSION = 100403002  # "You don't have permission to access this resource": a role that may not send
BAD_REQUEST = 100400002  # not a JSON object
BAD_PARAMETERS = 100403000  # exif or DPI of the wrong type
INVALID_URL = 100400001
UNKNOWN_MODEL = 110400005
BAD_EXTENSION = 110400007
TASK_MISSING = 110400002
NO_COINS = 110402000  # over the person's or the team's budget
TRY_LATER = 100429000  # the team is paused: a script retrying later is the right reaction

STATUS_FOR = {
    JobStatus.COMPLETED: "COMPLETED",
    JobStatus.FAILED: "ERROR",
    JobStatus.TIMED_OUT: "ERROR",
    JobStatus.CANCELED: "ERROR",
}  # everything else (on its way, or waiting for an admin's check) is CONVERTING


class Refusal(Exception):
    """An answer in the vendor's error envelope; `detail` adds plain words for the person."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@csrf_exempt
@require_POST
def photo_enhancer(request: HttpRequest) -> JsonResponse:
    """Queue one photo through the form's intake; answer with our job id and its estimated coins."""
    try:
        user = _person(request)
        body = _body(request)
        img_url, model, exif, dpi = _enhance_fields(body)
        try:
            jobs = intake.create_jobs(user, [img_url], model, exif=exif, dpi=dpi, sent_by_api=True)
        except intake.SubmissionRefused as refused:
            code = TRY_LATER if refused.message == intake.MSG_PAUSED else NO_COINS
            raise Refusal(code, refused.message) from None
    except Refusal as refusal:
        return _error(refusal)
    job = jobs[0]
    return _ok({"job_id": f"{JOB_ID_PREFIX}{job.pk}", "consume_coins": budgets.estimate(job)})


@csrf_exempt
@require_POST
def task_status(request: HttpRequest) -> JsonResponse:
    """The vendor's status of one of the token's person's own photos; a stranger's does not exist."""
    try:
        user = _person(request)
        job = _own_job(user, _body(request).get("job_id"))
    except Refusal as refusal:
        return _error(refusal)
    status = STATUS_FOR.get(JobStatus(job.status), "CONVERTING")
    if status == "COMPLETED" and not job.result.name:
        status = "CONVERTING"  # finished but not yet stored: never hand out a link to nothing
    data = {
        "job_id": f"{JOB_ID_PREFIX}{job.pk}",
        "status": status,
        "res_url": _result_link(request, job) if status == "COMPLETED" else "",
        "original_url": job.img_url,
        "consume_coins": _coins(job),
    }
    if status == "ERROR":
        data["error_message"] = job.message
    return _ok(data)


@require_GET
def result(request: HttpRequest, signed: str) -> FileResponse:
    """Our stored copy of a result; the signed link is the credential (scripts download it bare)."""
    try:
        pk = signing.TimestampSigner(salt=_SALT).unsign(signed, max_age=RESULT_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404("No such result.") from None
    job = Job.objects.filter(pk=pk, status=JobStatus.COMPLETED).first()
    if job is None or not job.result.name:
        raise Http404("No such result.")
    stream = storage.open_stream(job.result.name)
    content_type = mimetypes.guess_type(PurePath(job.result.name).name)[0] or "application/octet-stream"
    response = FileResponse(stream, content_type=content_type)
    response["Content-Length"] = str(stream.size)
    return response


_SALT = "enhancer.api.hitpaw_gateway.result"


def _person(request: HttpRequest):
    """The token's person (cookies are not considered), who must be allowed to send photos."""
    user = person_for_token(request.headers.get("Apikey"))
    if user is None:
        raise Refusal(INVALID_KEY)
    if not user.has_perm(ENHANCE_PERMISSION):
        raise Refusal(NO_PERMISSION, "Your role may look at photos but not send them.")
    return user


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise Refusal(BAD_REQUEST, "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise Refusal(BAD_REQUEST, "The body must be a JSON object.")
    return body


def _enhance_fields(body: dict) -> tuple[str, EnhanceModel, bool, int | None]:
    """Check the vendor's fields before anything is queued; nothing is charged for a bad one."""
    model = None
    if isinstance(body.get("model_name"), str):
        model = EnhanceModel.objects.filter(name=body["model_name"], enabled=True).first()
    if model is None:
        raise Refusal(UNKNOWN_MODEL, "Unknown model_name: use one of the desk's models.")
    img_url = body.get("img_url")
    if not isinstance(img_url, str) or not _web_link(img_url):
        raise Refusal(INVALID_URL, "img_url must be a public http(s) link to a photo.")
    extension = body.get("extension")
    if extension is not None and (
        not isinstance(extension, str) or extension.lower().lstrip(".") not in _extensions()
    ):
        raise Refusal(BAD_EXTENSION, "extension must be one like .jpg, .png or .webp.")
    exif, dpi = body.get("exif", False), body.get("DPI")
    if not isinstance(exif, bool) or not (dpi is None or (type(dpi) is int and 1 <= dpi <= 10000)):
        raise Refusal(BAD_PARAMETERS, "exif must be true or false, DPI a whole number.")
    return img_url, model, exif, dpi


def _web_link(img_url: str) -> bool:
    """An http(s) link a job can keep, not plainly local (as the form judges it; fetched, checked again)."""
    if len(img_url) > MAX_LINK_LENGTH or not img_url.lower().startswith(("http://", "https://")):
        return False
    if not private_urls_allowed() and obviously_local(img_url):
        return False
    try:
        URLValidator(schemes=["http", "https"])(img_url)
    except ValidationError:
        return False
    return True


def _extensions() -> set[str]:
    return {name.lower().lstrip(".") for name in EXTENSION_FORMATS}


def _own_job(user, job_id) -> Job:
    """The person's own job by our id; anything else (a stranger's, a made-up one) does not exist."""
    if not isinstance(job_id, str) or not job_id.startswith(JOB_ID_PREFIX):
        raise Refusal(TASK_MISSING)
    number = job_id.removeprefix(JOB_ID_PREFIX)
    job = None
    if number.isdigit() and len(number) < 19:
        job = Job.objects.select_related("model").filter(pk=int(number), user=user).first()
    if job is None:
        raise Refusal(TASK_MISSING)
    return job


def _coins(job: Job) -> int:
    """What the ledger recorded for the photo; before any charge, its estimate."""
    charged = charged_for_jobs(Job.objects.filter(pk=job.pk))
    return charged or budgets.estimate(job)


def _result_link(request: HttpRequest, job: Job) -> str:
    signed = signing.TimestampSigner(salt=_SALT).sign(str(job.pk))
    return request.build_absolute_uri(reverse("hitpaw_gateway:result", args=[signed]))


def _ok(data: dict) -> JsonResponse:
    """The documented envelope, with the fields also at the top level, where the vendor's SDK reads them."""
    return JsonResponse({"code": 200, "message": "OK", "data": data, **data})


def _error(refusal: Refusal) -> JsonResponse:
    row = VENDOR_ERRORS[refusal.code]
    body = {"error_code": refusal.code, "message": row.vendor_message}
    if refusal.detail:
        body["detail"] = refusal.detail
    return JsonResponse(body, status=row.http_status)
