"""A fake HitPaw photo-enhancer API for integration, fault-injection and load tests.

Run it as ``python tests/support/fake_hitpaw.py --port 0 [--host 127.0.0.1] [--api-key test-key]``: it
binds to loopback only, prints ``LISTENING http://127.0.0.1:<port>`` once it accepts, and serves until
SIGTERM/SIGINT. With ``--job-seconds S`` every job instead completes S seconds after it was accepted,
however often it is polled (benchmarks: a vendor whose jobs take time, not polls). It follows the vendor's published API reference (envelopes, error table) and its
prices and limits by output megapixels (summarised in docs/architecture.md, "HitPaw's contract").

Routes:
    POST /api/photo-enhancer, POST /api/task-status   the two documented calls (header ``Apikey``)
    GET  /images/<W>x<H>.<ext>                        a deterministic gradient to submit (query ignored)
    GET  /solid/<W>x<H>.<ext>                         a solid-colour image of any real size (a phone's
                                                      12 MP photo is a few KB); its result is solid too
    GET  /results/<job_id>.<ext>                      the "enhanced" image (source resized by model scale)
    POST /api/oss/presign-put                         HitPaw's upload service: a signed PUT link that
                                                      expires after expire_seconds, and its access_url
    PUT  /staging/put/<key>?sig=...                   the signed PUT target (Content-Type must match)
    GET  /staging/files/<key>.<ext>                   a staged file, as HitPaw reads it for img_url
    POST /_control/reset, POST /_control/global (also put_failures: the next N PUTs answer 500),
    GET /_control/stats (per job: when it was accepted,
                                                      when it finished, the time of each status call)

Faults ride on the query string of ``img_url`` so that concurrent jobs each carry their own:
``/images/64x48.png?fault=submit_429:2,status_unknown:3&polls=1``. ``polls`` is how many status calls
answer CONVERTING (default 2). Faults, with ``:N`` defaulting to 1:
    submit_429:N, submit_500:N     first N submits of this img_url are refused with HitPaw's body (no charge)
    submit_429_bare:N              first N submits get a bare 429 page, as a rate limiter in front of
                                   HitPaw answers (no charge)
    submit_ok_null_error           the accepted reply also carries ``"error_code": null``
    submit_operation_timeout       accepted and charged, then answered 100500007 "Operation timeout"
    submit_error:CODE              every submit answers the documented error CODE (no charge)
    submit_502_gateway, submit_drop, submit_slow:S, submit_malformed
                                   accepted and charged, then a proxy 502 page / a closed connection /
                                   a reply after S seconds / invalid JSON
    status_429:N, status_500:N, status_malformed:N
                                   first N status calls fail that way (not counted as polls)
    status_unknown:N               first N polls answer WEIRD_NEW_STATUS, then the normal CONVERTING polls
    status_running_variants        WAITING, PENDING, INPUT_PREPARING, OUTPUT_SAVING before completing
    status_error, status_failed:NAME, status_never
                                   the job ends as ERROR / as NAME / never ends (CONVERTING forever)
    status_missing, status_slow:S  every status call says 110400002 / sleeps S seconds first
    status_bad_key:N               first N status calls say 110400000 "api_key is not valid" (a key
                                   rotated mid-flight), then the job goes on
    result_403, result_404, result_not_image, result_truncated, result_huge
                                   what GET of res_url does instead of serving the image
    result_down:S                  GET of res_url answers 503 for S seconds after the job completed
    result_link_expires            each COMPLETED answer gives a new signed res_url; the first one has
                                   lapsed (403 "Request has expired"), later ones serve the image
    envelope_top, envelope_msg0    success bodies carry fields at the top level / use code 0 and "msg"
"""

from __future__ import annotations

import argparse
import http.client
import io
import ipaddress
import json
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

ERRORS: dict[int, tuple[int, str]] = {
    100400000: (400, "No access"),
    100400001: (400, "Invalid URL"),
    100400002: (400, "Bad Request"),
    100401000: (401, "Token is expired"),
    100403000: (403, "Invalid request parameters"),
    100403001: (403, "Access denied"),
    100403002: (403, "You don't have permission to access this resource"),
    100429000: (429, "Too many requests, please try again later"),
    100500000: (500, "Internal error"),
    100500001: (500, "Database error"),
    100500002: (500, "Cache error"),
    100500003: (500, "Failed to create file"),
    100500004: (500, "Signature verification failed"),
    100500005: (500, "Configuration error"),
    100500006: (500, "Unknown error"),
    100500007: (500, "Operation timeout"),
    110400000: (400, "api_key is not valid"),
    110400002: (400, "The task does not exist"),
    110400003: (400, "The task failed, please try again"),
    110400005: (400, "The model is not supported, please try again"),
    110400007: (400, "The extension is not valid"),
    110400008: (400, "The video URL is not valid"),
    110400009: (400, "The input resolution is over limit"),
    110400010: (400, "The target resolution is over limit"),
    110400011: (400, "The video duration is over limit"),
    110402000: (402, "The coins are not enough"),
    110402001: (402, "The coins are not enough"),
    110402004: (402, "The Demo try times exceeded"),
}
# model_name -> (scale, kind); kind picks the price table and the limits.
MODELS: dict[str, tuple[int, str]] = {
    "face_2x": (2, "standard"), "face_4x": (4, "standard"), "face_v2_2x": (2, "standard"),
    "face_v2_4x": (4, "standard"), "general_2x": (2, "standard"), "general_4x": (4, "standard"),
    "high_fidelity_2x": (2, "standard"), "high_fidelity_4x": (4, "standard"),
    "sharpen_denoise": (1, "standard"), "detail_denoise": (1, "standard"),
    "generative_portrait": (2, "generative"), "generative": (2, "generative"),
}  # fmt: skip
# Output megapixels below each bound -> coins (docs/architecture.md); the last band is open-ended.
PRICES = {
    "standard": ((8, 10), (12, 20), (24, 30), (48, 70), (108, 140), (216, 240), (float("inf"), 480)),
    "generative": ((8, 20), (12, 30), (24, 40), (float("inf"), 60)),
}
LIMITS_MP = {"standard": (70, 432), "generative": (34, 34)}  # kind -> (max input MP, max output MP)
FORMATS = {  # extension -> (Pillow format, Content-Type)
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
    ".webp": ("WEBP", "image/webp"),
    ".bmp": ("BMP", "image/bmp"),
    ".tiff": ("TIFF", "image/tiff"),
    ".tif": ("TIFF", "image/tiff"),
}
# fault name -> argument kind: None (no argument), "count" (int, default 1), "seconds", "code", "name".
FAULTS: dict[str, str | None] = {
    "submit_429": "count", "submit_500": "count", "submit_error": "code", "submit_502_gateway": None,
    "submit_429_bare": "count", "submit_ok_null_error": None, "submit_operation_timeout": None,
    "status_bad_key": "count", "result_down": "seconds",
    "submit_drop": None, "submit_slow": "seconds", "submit_malformed": None,
    "status_429": "count", "status_500": "count", "status_malformed": "count", "status_unknown": "count",
    "status_running_variants": None, "status_error": None, "status_failed": "name", "status_never": None,
    "status_missing": None, "status_slow": "seconds",
    "result_403": None, "result_404": None, "result_not_image": None, "result_truncated": None,
    "result_huge": None, "envelope_top": None, "envelope_msg0": None, "result_link_expires": None,
}  # fmt: skip
SUBMIT_REFUSALS = {"submit_429": 100429000, "submit_500": 100500000, "submit_429_bare": None}
STATUS_CALL_FAULTS = {
    "status_429": 100429000, "status_500": 100500000, "status_malformed": None, "status_bad_key": 110400000,
}  # fmt: skip
RUNNING_VARIANTS = ["WAITING", "PENDING", "INPUT_PREPARING", "OUTPUT_SAVING"]
MALFORMED = b'{"code": 200, "data": {'
GATEWAY_HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
HUGE_BYTES, HUGE_CHUNK = 200 * 1024 * 1024, 64 * 1024
MAX_FETCH_BYTES, FETCH_TIMEOUT, MAX_SIDE, DEFAULT_POLLS = 100 * 1024 * 1024, 10, 4000, 2
FETCH_ERRORS = (OSError, ValueError, http.client.HTTPException, Image.DecompressionBombError)
IMAGES_RE = re.compile(r"/images/(\d+)x(\d+)\.(\w+)")
SOLID_RE = re.compile(r"/solid/(\d+)x(\d+)\.(\w+)")
MAX_SOLID_SIDE = 20000
SOLID_COLOUR = (70, 130, 180)
RESULTS_RE = re.compile(r"/results/([0-9a-f-]+)\.(\w+)")
STAGING_PUT_RE = re.compile(r"/staging/put/([0-9a-f]+)")
STAGING_FILE_RE = re.compile(r"/staging/files/([0-9a-f]+)\.(\w+)")
STAGING_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp", "bmp": "image/bmp"}  # fmt: skip


class FaultSpecError(ValueError):
    """A fault in an img_url that this server does not understand: a test bug, so say so loudly."""


def parse_faults(img_url: Any) -> tuple[dict[str, Any], int]:
    """Read ``fault`` and ``polls`` from the img_url query string: each job carries its own faults."""
    if not isinstance(img_url, str):
        return {}, DEFAULT_POLLS
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(img_url).query)
    tokens = [t for value in query.get("fault", []) for t in value.split(",") if t]
    faults = dict(parse_fault(token) for token in tokens)
    try:
        polls = int(query.get("polls", [DEFAULT_POLLS])[0])
    except ValueError as exc:
        raise FaultSpecError(f"polls must be an integer in {img_url!r}") from exc
    return faults, max(polls, 0)


def parse_fault(token: str) -> tuple[str, Any]:
    """Turn ``name[:arg]`` into (name, typed argument), rejecting names and arguments we do not know."""
    name, _, arg = token.partition(":")
    if name not in FAULTS:
        raise FaultSpecError(f"unknown fault {name!r}")
    kind = FAULTS[name]
    try:
        if kind is None and not arg:
            return name, True
        if kind == "count":
            return name, int(arg or 1)
        if kind == "seconds":
            return name, float(arg)
        if kind == "code" and int(arg) in ERRORS:
            return name, int(arg)
        if kind == "name" and arg:
            return name, arg
    except ValueError:
        pass
    raise FaultSpecError(f"bad argument in fault {token!r}")


def megapixels(model_name: str, size: tuple[int, int]) -> tuple[float, float]:
    """Input and output megapixels of one image under a model."""
    scale = MODELS[model_name][0]
    in_mp = size[0] * size[1] / 1_000_000
    return in_mp, in_mp * scale * scale


def limit_error(model_name: str, size: tuple[int, int]) -> int | None:
    """The documented error for an image over the model's input or output limit, if it is."""
    in_mp, out_mp = megapixels(model_name, size)
    max_in, max_out = LIMITS_MP[MODELS[model_name][1]]
    if in_mp > max_in:
        return 110400009
    return 110400010 if out_mp > max_out else None


def price(model_name: str, size: tuple[int, int]) -> int:
    """Coins for one image: the vendor's prices by output megapixels."""
    out_mp = megapixels(model_name, size)[1]
    return next(coins for bound, coins in PRICES[MODELS[model_name][1]] if out_mp < bound)


def is_loopback(host: str | None) -> bool:
    """Only loopback addresses are ever bound or fetched: tests must not leave the machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def encode(image: Image.Image, extension: str) -> bytes:
    """Encode in the format the extension names; JPEG has no alpha channel."""
    fmt = FORMATS[extension][0]
    keep_alpha = fmt != "JPEG" and "A" in image.getbands()
    buffer = io.BytesIO()
    image.convert("RGBA" if keep_alpha else "RGB").save(buffer, fmt)
    return buffer.getvalue()


@lru_cache(maxsize=32)
def gradient_image(width: int, height: int, extension: str) -> bytes:
    """A deterministic gradient, cached because load tests submit the same few sizes over and over."""
    vertical = Image.linear_gradient("L").resize((width, height))
    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    return encode(Image.merge("RGB", (horizontal, vertical, Image.new("L", (width, height), 128))), extension)


_solid_lock = threading.Lock()


def solid_image(width: int, height: int, extension: str) -> bytes:
    """One colour at any size: cheap to send however many megapixels it has, and made once per size.

    Made under a lock: a thousand results asked for at once would otherwise each make their own
    (0.2 s of CPU for 48 MP) before the first was cached, and the fake would slow the app it measures.
    """
    with _solid_lock:
        return _make_solid_image(width, height, extension)


@lru_cache(maxsize=8)
def _make_solid_image(width: int, height: int, extension: str) -> bytes:
    return encode(Image.new("RGB", (width, height), SOLID_COLOUR), extension)


def enhance(source: bytes, scale: int, extension: str, solid: bool = False) -> bytes:
    """The "enhanced" result: the source resized by the model's scale (a solid source stays solid)."""
    with Image.open(io.BytesIO(source)) as image:
        size = (image.width * scale, image.height * scale)
        if solid:
            return solid_image(*size, extension)
        return encode(image.resize(size, Image.LANCZOS), extension)


def fetch_image(url: str) -> tuple[bytes, tuple[int, int]]:
    """Download img_url as HitPaw would, ignoring proxy settings; raises one of FETCH_ERRORS."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=FETCH_TIMEOUT) as response:
        data = response.read(MAX_FETCH_BYTES + 1)
    if len(data) > MAX_FETCH_BYTES:
        raise ValueError("image too large")
    with Image.open(io.BytesIO(data)) as image:
        return data, image.size


@dataclass
class Job:
    job_id: str
    img_url: str
    model_name: str
    extension: str
    coins: int
    source: bytes
    faults: dict[str, Any]
    polls: int
    finish_at: float | None = None  # wall-clock time it completes, in time-based mode
    accepted_at: float = field(default_factory=time.time)
    status_calls: list[float] = field(default_factory=list)  # wall-clock time of each status call
    status_polls: int = 0
    completed: bool = False
    completed_at: float | None = None
    result: bytes | None = None
    fault_uses: Counter = field(default_factory=Counter)
    expired_link: str = ""  # result_link_expires: the first signed result link, which has lapsed

    def status_at(self, poll: int) -> str:
        """The status the poll-th poll sees: unknown, CONVERTING and variant polls, then the ending.

        In time-based mode the job is CONVERTING until `finish_at`, then ends as its faults say.
        """
        if self.finish_at is not None:
            if time.time() < self.finish_at or "status_never" in self.faults:
                return "CONVERTING"
            return self.ending()
        running = ["WEIRD_NEW_STATUS"] * self.faults.get("status_unknown", 0) + ["CONVERTING"] * self.polls
        running += RUNNING_VARIANTS if "status_running_variants" in self.faults else []
        if poll <= len(running):
            return running[poll - 1]
        if "status_never" in self.faults:
            return "CONVERTING"
        return self.ending()

    def ending(self) -> str:
        if "status_error" in self.faults:
            return "ERROR"
        return self.faults.get("status_failed", "COMPLETED")


class State:
    """Everything the server remembers, behind one lock (never held while fetching, sleeping or resizing)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.jobs: dict[str, Job] = {}
            self.submit_fault_uses: dict[str, Counter] = {}
            self.charges_by_img_url: Counter = Counter()
            self.submits_by_img_url: Counter = Counter()
            self.calls: Counter = Counter()
            self.rng: random.Random | None = None
            self.rate_limit_percent = self.server_error_percent = 0.0
            # presign-put: key -> (content type, extension, expires at, signature); PUT bodies by key
            self.staging_slots: dict[str, tuple[str, str, float, str]] = {}
            self.staged: dict[str, bytes] = {}
            self.put_failures = 0

    def count(self, kind: str) -> None:
        with self.lock:
            self.calls[kind] += 1

    def take(self, uses: Counter, faults: dict[str, Any], names: dict[str, int | None]) -> str | None:
        """Spend one use of the first counted fault that has some left: faults fire in URL order."""
        with self.lock:
            for name, limit in faults.items():
                if name in names and uses[name] < limit:
                    uses[name] += 1
                    return name
        return None

    def take_submit_refusal(self, img_url: str, faults: dict[str, Any]) -> str | None:
        with self.lock:
            uses = self.submit_fault_uses.setdefault(img_url, Counter())
        return self.take(uses, faults, SUBMIT_REFUSALS)

    def accept(self, job: Job) -> None:
        with self.lock:
            self.jobs[job.job_id] = job
            self.charges_by_img_url[job.img_url] += 1

    def poll(self, job: Job) -> str:
        with self.lock:
            job.status_polls += 1
            status = job.status_at(job.status_polls)
            if status == "COMPLETED" and not job.completed:
                job.completed, job.completed_at = True, time.monotonic()
            return status

    def configure_global(
        self,
        rate_limit_percent: float = 0,
        server_error_percent: float = 0,
        seed: Any = None,
        put_failures: int = 0,
    ) -> None:
        """Storms: that share of all API calls fails up front; zero (or no arguments) turns them off.
        `put_failures`: the next N PUTs to a staging link answer 500 and store nothing."""
        rate, errors = float(rate_limit_percent), float(server_error_percent)
        if min(rate, errors) < 0 or rate + errors > 100:
            raise ValueError("percentages must be between 0 and 100 in total")
        with self.lock:
            self.put_failures = int(put_failures)
            self.rate_limit_percent, self.server_error_percent = rate, errors
            self.rng = random.Random(seed) if rate or errors else None

    def roll_global(self) -> int | None:
        """The HitPaw error code a storm imposes on this call, if any."""
        with self.lock:
            roll = self.rng.random() * 100 if self.rng else 100.0
            rate, errors = self.rate_limit_percent, self.server_error_percent
        if roll < rate:
            return 100429000
        return 100500000 if roll < rate + errors else None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "charges": sum(self.charges_by_img_url.values()),
                "charges_by_img_url": dict(self.charges_by_img_url),
                "submit_calls_by_img_url": dict(self.submits_by_img_url),
                "submit_calls": self.calls["submit"],
                "status_calls": self.calls["status"],
                "result_calls": self.calls["result"],
                "presign_calls": self.calls["presign"],
                "put_calls": self.calls["put"],
                "staged": {key: len(body) for key, body in self.staged.items()},
                "connections": self.calls["connection"],
                "jobs": {
                    job.job_id: {"img_url": job.img_url, "model_name": job.model_name,
                                 "status_polls": job.status_polls, "coins": job.coins,
                                 "accepted_at": job.accepted_at, "finish_at": job.finish_at,
                                 "status_calls": list(job.status_calls)}
                    for job in self.jobs.values()
                },
            }  # fmt: skip


def envelope(faults: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The documented success envelope, or one of the variants vendor clients are known to meet."""
    if "envelope_top" in faults:
        return {"code": 200, "message": "OK", **data}
    if "envelope_msg0" in faults:
        return {"code": 0, "msg": "OK", "data": data}
    return {"code": 200, "message": "OK", "data": data}


def submission_error(body: dict[str, Any]) -> int | None:
    """The documented error code for a malformed submission, checked in the vendor's apparent order."""
    url = body.get("img_url")
    parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if body.get("model_name") not in MODELS:
        return 110400005
    if body.get("extension") not in FORMATS:
        return 110400007
    if parts is None or parts.scheme not in ("http", "https") or not is_loopback(parts.hostname):
        return 100400001
    exif, dpi = body.get("exif"), body.get("DPI")
    if not isinstance(exif, bool | None) or isinstance(dpi, bool) or not isinstance(dpi, int | None):
        return 100403000
    return None


class FakeHitPawServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        api_key: str,
        keep_alive: bool = False,
        job_seconds: float | None = None,
    ) -> None:
        # HTTP/1.1 keeps a client's connection open between calls, as a real API does; off by
        # default so the fault tests see one connection per call, as they were written for.
        handler = KeepAliveHandler if keep_alive else Handler
        super().__init__(address, handler)
        self.api_key = api_key
        self.job_seconds = job_seconds
        self.state = State()
        self.base_url = f"http://{address[0]}:{self.server_address[1]}"

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count TCP connections: the benchmarks show whether clients reuse theirs."""
        self.state.count("connection")
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up is routine here (timeouts, drops): only report real bugs, in one line."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            print(f"fake_hitpaw: {type(exc).__name__}: {exc}", file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    server: FakeHitPawServer
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logs: load tests send hundreds a second."""

    @property
    def state(self) -> State:
        return self.server.state

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if match := IMAGES_RE.fullmatch(path):
            self.serve_test_image(int(match[1]), int(match[2]), "." + match[3].lower())
        elif match := SOLID_RE.fullmatch(path):
            self.serve_solid_image(int(match[1]), int(match[2]), "." + match[3].lower())
        elif match := RESULTS_RE.fullmatch(path):
            self.serve_result(match[1], "." + match[2].lower(), urllib.parse.urlsplit(self.path).query)
        elif match := STAGING_FILE_RE.fullmatch(path):
            self.serve_staged(match[1], match[2].lower())
        elif path == "/_control/stats":
            self.send_json(200, self.state.stats())
        else:
            self.send_text(404, "Not Found")

    def do_POST(self) -> None:
        """Read the whole body first: closing a socket with unread data resets it and loses our reply."""
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urllib.parse.urlsplit(self.path).path
        routes = {"/api/photo-enhancer": self.submit, "/api/task-status": self.task_status,
                  "/api/oss/presign-put": self.presign_put,
                  "/_control/reset": self.control_reset, "/_control/global": self.control_global}  # fmt: skip
        routes.get(path, lambda: self.send_text(404, "Not Found"))()

    # --- responses -------------------------------------------------------------------------------------

    def send_body(self, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, payload: Any) -> None:
        self.send_body(status, json.dumps(payload).encode(), "application/json")

    def send_text(self, status: int, text: str) -> None:
        self.send_body(status, text.encode(), "text/plain; charset=utf-8")

    def send_hitpaw_error(self, code: int, **extra: Any) -> None:
        status, message = ERRORS[code]
        self.send_json(status, {"error_code": code, "message": message, **extra})

    def drop_connection(self) -> None:
        """Hang up without a byte of response, like a lost reply after the vendor accepted the work."""
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    # --- the two API calls -----------------------------------------------------------------------------

    def read_api_call(self, kind: str) -> dict[str, Any] | None:
        """Count the call, apply storms, check the key, parse the body; None once an error was answered."""
        self.state.count(kind)
        if code := self.state.roll_global():
            return self.send_hitpaw_error(code)
        if self.headers.get("Apikey") != self.server.api_key:
            return self.send_hitpaw_error(110400000)
        try:
            payload = json.loads(self.body)
        except ValueError:
            payload = None
        return payload if isinstance(payload, dict) else self.send_hitpaw_error(100400002)

    def submit(self) -> None:
        if (body := self.read_api_call("submit")) is None:
            return
        img_url = body.get("img_url")
        with self.state.lock:
            self.state.submits_by_img_url[str(img_url)] += 1
        try:
            faults, polls = parse_faults(img_url)
        except FaultSpecError as exc:
            print(f"fake_hitpaw: {exc}", file=sys.stderr)
            return self.send_hitpaw_error(100400002, detail=str(exc))
        if refusal := self.state.take_submit_refusal(img_url, faults):
            if SUBMIT_REFUSALS[refusal] is None:
                return self.send_text(429, "Too Many Requests")
            return self.send_hitpaw_error(SUBMIT_REFUSALS[refusal])
        if code := faults.get("submit_error") or submission_error(body):
            return self.send_hitpaw_error(code)
        try:
            source, size = fetch_image(img_url)
        except FETCH_ERRORS:
            return self.send_hitpaw_error(100400001)
        model_name = body["model_name"]
        if code := limit_error(model_name, size):
            return self.send_hitpaw_error(code)
        coins = price(model_name, size)
        job = Job(str(uuid.uuid4()), img_url, model_name, body["extension"], coins, source, faults, polls)
        if self.server.job_seconds is not None:
            job.finish_at = job.accepted_at + self.server.job_seconds
        self.state.accept(job)
        self.reply_accepted(job)

    def reply_accepted(self, job: Job) -> None:
        """The job exists and is charged; the reply may still misbehave as the job's faults say."""
        faults = job.faults
        if "submit_drop" in faults:
            return self.drop_connection()
        time.sleep(faults.get("submit_slow", 0))
        if "submit_502_gateway" in faults:
            return self.send_body(502, GATEWAY_HTML, "text/html")
        if "submit_malformed" in faults:
            return self.send_body(200, MALFORMED, "application/json")
        if "submit_operation_timeout" in faults:
            return self.send_hitpaw_error(100500007)
        body = envelope(faults, {"job_id": job.job_id, "consume_coins": job.coins})
        if "submit_ok_null_error" in faults:
            body["error_code"] = None
        self.send_json(200, body)

    def task_status(self) -> None:
        if (body := self.read_api_call("status")) is None:
            return
        job_id = body.get("job_id")
        with self.state.lock:
            job = self.state.jobs.get(job_id) if isinstance(job_id, str) else None
            if job is not None:
                job.status_calls.append(time.time())
        if job is None or "status_missing" in job.faults:
            return self.send_hitpaw_error(110400002)
        time.sleep(job.faults.get("status_slow", 0))
        if fault := self.state.take(job.fault_uses, job.faults, STATUS_CALL_FAULTS):
            if code := STATUS_CALL_FAULTS[fault]:
                return self.send_hitpaw_error(code)
            return self.send_body(200, MALFORMED, "application/json")
        status = self.state.poll(job)
        done = status == "COMPLETED"
        res_url = f"{self.server.base_url}/results/{job.job_id}{job.extension}" if done else ""
        if done and "result_link_expires" in job.faults:  # a signed link per answer; the first lapses
            signature = str(len(job.status_calls))
            with self.state.lock:
                job.expired_link = job.expired_link or signature
            res_url += f"?sig={signature}"
        data = {"job_id": job.job_id, "status": status, "res_url": res_url, "original_url": job.img_url}
        self.send_json(200, envelope(job.faults, data))

    # --- the upload service (presign-put) ---------------------------------------------------------------

    def presign_put(self) -> None:
        if (body := self.read_api_call("presign")) is None:
            return
        filename, content_type, expire = (
            body.get("filename"),
            body.get("content_type"),
            body.get("expire_seconds"),
        )
        extension = (
            filename.rsplit(".", 1)[-1].lower() if isinstance(filename, str) and "." in filename else ""
        )
        if STAGING_TYPES.get(extension) != content_type:
            return self.send_hitpaw_error(100403000)
        if isinstance(expire, bool) or not isinstance(expire, int) or not 60 <= expire <= 7200:
            return self.send_hitpaw_error(100403000)
        key, signature = uuid.uuid4().hex, uuid.uuid4().hex
        with self.state.lock:
            self.state.staging_slots[key] = (content_type, extension, time.time() + expire, signature)
        base = self.server.base_url
        data = {
            "upload_url": f"{base}/staging/put/{key}?sig={signature}",
            "access_url": f"{base}/staging/files/{key}.{extension}",
        }
        self.send_json(200, envelope({}, data))

    def do_PUT(self) -> None:
        """The signed PUT target: the whole body is read first, then checked against its slot."""
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urllib.parse.urlsplit(self.path)
        match = STAGING_PUT_RE.fullmatch(parts.path)
        self.state.count("put")
        with self.state.lock:
            slot = self.state.staging_slots.get(match[1]) if match else None
            failing = self.state.put_failures > 0
            if failing:
                self.state.put_failures -= 1
        if slot is None:
            return self.send_text(404, "NoSuchUpload")
        content_type, _extension, expires_at, signature = slot
        if urllib.parse.parse_qs(parts.query).get("sig", [""])[0] != signature or time.time() > expires_at:
            return self.send_text(403, "Request has expired")
        if self.headers.get("Content-Type") != content_type:
            return self.send_text(403, "SignatureDoesNotMatch: Content-Type")
        if self.headers.get("Apikey"):
            return self.send_text(400, "The API key must not be sent to the storage host")
        if failing:
            return self.send_text(500, "InternalError")
        with self.state.lock:
            self.state.staged[match[1]] = self.body
        self.send_body(200, b"", "text/plain")

    def serve_staged(self, key: str, extension: str) -> None:
        with self.state.lock:
            body = self.state.staged.get(key)
            slot = self.state.staging_slots.get(key)
        if body is None or slot is None or slot[1] != extension:
            return self.send_text(404, "Not Found")
        self.send_body(200, body, slot[0])

    # --- images ----------------------------------------------------------------------------------------

    def serve_test_image(self, width: int, height: int, extension: str) -> None:
        if extension not in FORMATS or not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
            return self.send_text(404, f"sizes go up to {MAX_SIDE}x{MAX_SIDE}; formats: {' '.join(FORMATS)}")
        self.send_body(200, gradient_image(width, height, extension), FORMATS[extension][1])

    def serve_solid_image(self, width: int, height: int, extension: str) -> None:
        if extension not in FORMATS or not (1 <= width <= MAX_SOLID_SIDE and 1 <= height <= MAX_SOLID_SIDE):
            return self.send_text(404, f"sizes go up to {MAX_SOLID_SIDE}x{MAX_SOLID_SIDE}")
        self.send_body(200, solid_image(width, height, extension), FORMATS[extension][1])

    def serve_result(self, job_id: str, extension: str, query: str = "") -> None:
        """The result, or the way its download fails; 404 until the job has been seen COMPLETED."""
        self.state.count("result")
        with self.state.lock:
            job = self.state.jobs.get(job_id)
        if job is None or not job.completed or extension != job.extension or "result_404" in job.faults:
            return self.send_text(404, "Not Found")
        if "result_403" in job.faults:
            return self.send_text(403, "Forbidden: the link has expired")
        if "result_link_expires" in job.faults:
            signature = urllib.parse.parse_qs(query).get("sig", [""])[0]
            if signature in ("", job.expired_link):
                return self.send_text(403, "Request has expired")
        if "result_not_image" in job.faults:
            return self.send_text(200, "this is not an image " * 20)
        if "result_huge" in job.faults:
            return self.stream_huge()
        down_for = job.faults.get("result_down", 0)
        if down_for and time.monotonic() - (job.completed_at or 0) < down_for:
            return self.send_text(503, "Service Unavailable")
        if job.result is None:
            solid = urllib.parse.urlsplit(job.img_url).path.startswith("/solid/")
            job.result = enhance(job.source, MODELS[job.model_name][0], job.extension, solid)
        content_type = FORMATS[job.extension][1]
        if "result_truncated" in job.faults:
            self.close_connection = True
            return self.send_body(200, job.result[: len(job.result) // 2], content_type, len(job.result))
        self.send_body(200, job.result, content_type)

    def stream_huge(self) -> None:
        """An image/png body with no end in sight, until the client gives up (as it must)."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        chunk = bytes(HUGE_CHUNK)
        try:
            for _ in range(HUGE_BYTES // HUGE_CHUNK):
                self.wfile.write(chunk)
        except (ConnectionError, TimeoutError):
            pass

    # --- control ---------------------------------------------------------------------------------------

    def control_reset(self) -> None:
        self.state.reset()
        self.send_json(200, {"ok": True})

    def control_global(self) -> None:
        try:
            self.state.configure_global(**json.loads(self.body or b"{}"))
        except (TypeError, ValueError) as exc:
            return self.send_json(400, {"ok": False, "error": str(exc)})
        self.send_json(200, {"ok": True})


class KeepAliveHandler(Handler):
    protocol_version = "HTTP/1.1"


class FakeHitPaw:
    """Runs the fake server as a subprocess for a test; use as a context manager."""

    def __init__(
        self, api_key: str = "test-key", keep_alive: bool = False, job_seconds: float | None = None
    ) -> None:
        self.api_key = api_key
        self.keep_alive = keep_alive
        self.job_seconds = job_seconds
        self.url = ""
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> FakeHitPaw:
        """Launch in its own session (so stop() can signal the group) and wait for LISTENING (15 s)."""
        command = [sys.executable, str(Path(__file__).resolve()), "--port", "0", "--api-key", self.api_key]
        command += ["--keep-alive"] if self.keep_alive else []
        command += ["--job-seconds", str(self.job_seconds)] if self.job_seconds is not None else []
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], max(deadline - time.monotonic(), 0))
            line = self.process.stdout.readline() if ready else ""  # type: ignore[union-attr]
            if line.startswith("LISTENING "):
                self.url = line.split()[1]
                return self
            if ready and not line:
                break
        self.stop()
        raise RuntimeError("fake HitPaw server did not start")

    def image_url(
        self, w: int = 64, h: int = 48, ext: str = "png", fault: str | list[str] | None = None,
        polls: int | None = None, solid: bool = False,
    ) -> str:  # fmt: skip
        """A URL of a test image on this server, carrying the faults and polls for the job it becomes."""
        query = {}
        if fault:
            query["fault"] = fault if isinstance(fault, str) else ",".join(fault)
        if polls is not None:
            query["polls"] = str(polls)
        suffix = "?" + urllib.parse.urlencode(query, safe=":,") if query else ""
        folder = "solid" if solid else "images"
        return f"{self.url}/{folder}/{w}x{h}.{ext.lstrip('.')}{suffix}"

    def stats(self) -> dict:
        return self._call("GET", "/_control/stats")

    def reset(self) -> None:
        self._call("POST", "/_control/reset", {})

    def set_global(self, **kw: Any) -> None:
        """Storms: rate_limit_percent, server_error_percent, seed; no arguments turns them off."""
        self._call("POST", "/_control/global", kw)

    def stop(self) -> None:
        """SIGKILL the process group: nothing is left to save, and a handler may be sleeping out a fault."""
        # Imported here, not at the top: run as a script from tests/support/, the server itself
        # needs nothing of the app (and may not find it on its path); only whoever started it does.
        from enhancer.management.processes import signal_group

        if self.process is None:
            return
        signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()  # type: ignore[union-attr]
        self.process = None

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            return json.load(response)

    def __enter__(self) -> FakeHitPaw:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    # Real sizes: results go up to HitPaw's 432 MP, past Pillow's decompression-bomb default. Only
    # in the server's own process: the tests that import this module keep the app's setting.
    Image.MAX_IMAGE_PIXELS = None
    parser = argparse.ArgumentParser(description="Fake HitPaw photo-enhancer API (loopback only).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--keep-alive", action="store_true", help="answer HTTP/1.1, keeping connections")
    parser.add_argument(
        "--job-seconds", type=float, default=None, metavar="S",
        help="every job completes S seconds after it was accepted, however often it is polled",
    )  # fmt: skip
    args = parser.parse_args(argv)
    host = "127.0.0.1" if args.host == "localhost" else args.host
    if not is_loopback(host) or ":" in host:
        parser.error(f"refusing to bind {args.host!r}: only IPv4 loopback (127.0.0.0/8) is allowed")
    if args.job_seconds is not None and args.job_seconds < 0:
        parser.error("--job-seconds must not be negative")
    server = FakeHitPawServer((host, args.port), args.api_key, args.keep_alive, args.job_seconds)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"LISTENING {server.base_url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
