"""Sandbox mode: a built-in simulator of HitPaw's two calls, served over HTTP under /sandbox/.

With no API key the app's own HitPaw client talks to this, so a newcomer runs the production
code path end to end. It follows the vendor's docs (envelopes, error codes, CONVERTING then
COMPLETED) and really enhances the photo with Pillow, on the background workers, never in the web
request. Only the app itself gets in: it sends the per-install `SANDBOX_KEY`, and result links
are signed and expire. No coins are spent.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from enhancer.hitpaw.errors import VENDOR_ERRORS
from enhancer.hitpaw.pricing import estimate_coins, limit_problem, output_megapixels
from enhancer.media import storage
from enhancer.media.fetcher import FetchError, fetch_image
from enhancer.media.imaging import EXTENSION_FORMATS
from enhancer.models import EnhanceModel
from enhancer.sandbox.models import SandboxTask
from enhancer.sandbox.tasks import enqueue_enhancement, source_name

RESULT_LINK_SECONDS = 3600  # a signed result link works for an hour


@csrf_exempt
@require_POST
def photo_enhancer(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    model = EnhanceModel.objects.filter(name=body.get("model_name") or "").first()
    if model is None:
        return _error(110400005)
    img_url = body.get("img_url")
    if not isinstance(img_url, str) or not img_url:
        return _error(100400001)
    extension = str(body.get("extension") or "").lower()
    if extension not in EXTENSION_FORMATS:
        return _error(110400007)
    try:
        fetched = fetch_image(
            img_url,
            max_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
            allow_private=settings.ENHANCER_ALLOW_PRIVATE_URLS or _our_own_upload_link(img_url),
        )
    except FetchError:
        return _error(100400001)
    with fetched:
        info = fetched.info
        problem = limit_problem(model.kind, info.width, info.height, model.scale)
        if problem:
            return _error(110400009 if "too large for this model" in problem else 110400010)
        # HitPaw's limits are the only ones: memory on the workers is bounded in enhance.py.
        task = SandboxTask(
            job_id=str(uuid.uuid4()),
            model_name=model.name,
            img_url=img_url,
            extension=extension,
            scale=model.scale,
            coins=estimate_coins(model.kind, output_megapixels(info.width, info.height, model.scale)),
        )
        with open(fetched.path, "rb") as source:
            default_storage.save(source_name(task.job_id), File(source))
    task.save()
    enqueue_enhancement(task.job_id)
    return _ok({"job_id": task.job_id, "consume_coins": task.coins})


@csrf_exempt
@require_POST
def task_status(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    task = SandboxTask.objects.filter(job_id=str(body.get("job_id") or "")).first()
    if task is None:
        return _error(110400002)
    ready_at = task.created_at + timedelta(seconds=settings.SANDBOX_CONVERT_SECONDS)
    done = bool(task.result) and timezone.now() >= ready_at  # CONVERTING until a worker has made it
    res_url = (
        request.build_absolute_uri(reverse("sandbox:result", args=[_signer().sign(task.job_id)]))
        if done
        else ""
    )
    return _ok(
        {
            "job_id": task.job_id,
            "status": "ERROR" if task.error else "COMPLETED" if done else "CONVERTING",
            "res_url": res_url,
            "original_url": task.img_url,
        }
    )


@require_GET
def result(request: HttpRequest, token: str) -> FileResponse:
    """The app downloads res_url with no headers of ours, so the link itself is the credential."""
    try:
        job_id = _signer().unsign(token, max_age=RESULT_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404("No such result.") from None
    task = SandboxTask.objects.filter(job_id=job_id).first()
    if task is None or not task.result.name:
        raise Http404("No such result.")
    stream = storage.open_stream(task.result.name)
    response = FileResponse(stream)
    response["Content-Length"] = str(stream.size)
    return response


def _body(request: HttpRequest) -> dict | JsonResponse:
    """Check the key header and parse the JSON body, answering errors as HitPaw does."""
    if not constant_time_compare(request.headers.get("Apikey") or "", settings.SANDBOX_KEY):
        return _error(110400000)  # only the app itself knows the key
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _error(100400002)
    return body if isinstance(body, dict) else _error(100400002)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt="enhancer.sandbox.result")


def _ok(data: dict) -> JsonResponse:
    """The documented envelope, with the fields also at the top level, where the docs' examples read them."""
    return JsonResponse({"code": 200, "message": "OK", "data": data, **data})


def _error(code: int) -> JsonResponse:
    row = VENDOR_ERRORS[code]
    return JsonResponse({"error_code": code, "message": row.vendor_message}, status=row.http_status)


def _our_own_upload_link(img_url: str) -> bool:
    """An uploaded photo's signed link points at this very app (on loopback), or at the simulator's
    own upload service (a staged upload): the sandbox may fetch it."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.SANDBOX_BASE_URL))
    staged = settings.SANDBOX_BASE_URL.rstrip("/") + "/oss/files/"
    return img_url.startswith((f"{origin}/o/", staged))
