"""The simulator's side of HitPaw's upload service (presign-put), so sandbox uploads take the real path.

`POST api/oss/presign-put` answers a signed PUT link that expires after `expire_seconds` and the
link HitPaw reads the file from (kept 7 days, as HitPaw keeps it). The PUT is not logged in (the
worker sends no cookie, and no key: the signed link is the credential); its body is streamed to
storage, never held in memory, and taken up to the app's largest photo (`large_body_bytes`, read
by `enhancer.web.request_size`).
"""

from __future__ import annotations

import secrets
import tempfile

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enhancer.hitpaw.client import STAGED_FILE_DAYS, STAGING_EXPIRE_SECONDS, STAGING_TYPES
from enhancer.media import storage
from enhancer.sandbox.views import _body, _error, _ok  # one key check and envelope for all calls

FOLDER = "sandbox/staged"
CHUNK = 1024 * 1024
PUT_SALT = "enhancer.sandbox.staging-put"
FILE_SALT = "enhancer.sandbox.staging-file"


@csrf_exempt
@require_POST
def presign_put(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    filename, content_type = body.get("filename"), body.get("content_type")
    expire = body.get("expire_seconds", 3600)
    low, high = STAGING_EXPIRE_SECONDS
    if not (isinstance(filename, str) and filename and isinstance(content_type, str)):
        return _error(100403000)
    if isinstance(expire, bool) or not isinstance(expire, int) or not low <= expire <= high:
        return _error(100403000)
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if STAGING_TYPES.get(extension) != content_type.lower():
        return _error(100403000)
    name = f"{FOLDER}/{secrets.token_hex(16)}{extension}"
    put_token = signing.TimestampSigner(salt=PUT_SALT).sign_object(
        {"n": name, "t": content_type, "e": expire}
    )
    file_token = signing.TimestampSigner(salt=FILE_SALT).sign_object({"n": name, "t": content_type})
    return _ok(
        {
            "upload_url": request.build_absolute_uri(reverse("sandbox:staged_put", args=[put_token])),
            "access_url": request.build_absolute_uri(reverse("sandbox:staged_file", args=[file_token])),
        }
    )


@csrf_exempt
@require_http_methods(["PUT"])
def staged_put(request: HttpRequest, token: str) -> HttpResponse:
    """Store the body under the name the signed link names, once, while the link is valid."""
    signer = signing.TimestampSigner(salt=PUT_SALT)
    try:
        claim = signer.unsign_object(token, max_age=STAGING_EXPIRE_SECONDS[1])
        signer.unsign_object(token, max_age=int(claim["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return HttpResponse("Request has expired or its signature does not match.", status=403)
    if (request.content_type or "").lower() != claim["t"].lower():
        return HttpResponse("The Content-Type differs from the signed one.", status=403)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= 0:
        return HttpResponse("A Content-Length is needed.", status=411)
    if length > settings.ENHANCER_MAX_IMAGE_BYTES:
        return HttpResponse("Too large.", status=413)
    if default_storage.exists(claim["n"]):
        return HttpResponse("Already uploaded.", status=409)
    with tempfile.TemporaryFile() as spool:
        while chunk := request.read(CHUNK):
            spool.write(chunk)
        spool.seek(0)
        default_storage.save(claim["n"], File(spool, name=claim["n"]))
    return HttpResponse(status=200)


# Read by enhancer.web.request_size from the resolved view: a function attribute mypy cannot see.
staged_put.large_body_bytes = lambda: settings.ENHANCER_MAX_IMAGE_BYTES  # type: ignore[attr-defined]


@require_GET
def staged_file(request: HttpRequest, token: str) -> FileResponse:
    """The staged file, for the simulator's photo-enhancer to fetch, as long as HitPaw would keep it."""
    try:
        claim = signing.TimestampSigner(salt=FILE_SALT).unsign_object(token, max_age=STAGED_FILE_DAYS * 86400)
    except signing.BadSignature:
        raise Http404("No such file.") from None
    if not default_storage.exists(claim["n"]):
        raise Http404("No such file.")
    stream = storage.open_stream(claim["n"])
    response = FileResponse(stream, content_type=claim["t"])
    response["Content-Length"] = str(stream.size)
    return response
