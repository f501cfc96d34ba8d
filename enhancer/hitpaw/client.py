"""The one module that talks to HitPaw. It knows nothing of Django models.

Every failure becomes a `HitPawError` that says, in plain words for staff, what went wrong,
whether trying again later may help (`transient`), and whether the request may have reached
HitPaw and been charged although we got no answer (`outcome_unknown`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, TypeGuard

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from enhancer.hitpaw.backoff import jittered_backoff
from enhancer.hitpaw.errors import (
    CODE_OPERATION_TIMEOUT,
    CODE_RATE_LIMITED,
    ERROR_CODES,
    HitPawError,
    error_for_code,
)
from enhancer.hitpaw.statuses import COMPLETED_STATUSES, FAILED_STATUSES

log = logging.getLogger(__name__)

USER_AGENT = "EnhanceDesk/0.1"


@dataclass(frozen=True)
class Submission:
    """HitPaw's answer to an accepted photo-enhancer call."""

    job_id: str
    coins: int | None


@dataclass(frozen=True)
class TaskStatus:
    """HitPaw's answer to a task-status call."""

    job_id: str
    status: str
    res_url: str
    original_url: str

    @property
    def is_completed(self) -> bool:
        return self.status in COMPLETED_STATUSES

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def is_running(self) -> bool:
        """Unknown statuses count as running: our own deadline ends them."""
        return not (self.is_completed or self.is_failed)


@dataclass(frozen=True)
class StagingSlot:
    """HitPaw's answer to presign-put: where to PUT a file, and the link HitPaw then reads it from."""

    upload_url: str
    access_url: str


# HitPaw's upload service (presign-put): the types it stores, and how long a signed PUT may last.
STAGING_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif"}
STAGING_TYPES.update({".webp": "image/webp", ".bmp": "image/bmp"})
STAGING_EXPIRE_SECONDS = (60, 7200)
STAGED_FILE_DAYS = 7  # HitPaw keeps a staged file this long


class HitPawClient:
    """A small client for HitPaw's calls, with timeouts and bounded, jittered retries."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retries: int = 2,
        retry_submissions: bool = True,
        backoff_base: float = 0.5,
        max_retry_wait: float = 3.0,
        sleep=time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        # Off, a refused submission is handed back at once, so the caller can record that nothing
        # is in flight before it waits: a crash during the wait then costs no admin review.
        self.retry_submissions = retry_submissions
        self.backoff_base = backoff_base
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep
        self.session = requests.Session()
        self.session.headers.update(
            {"Apikey": api_key, "Content-Type": "application/json", "User-Agent": USER_AGENT}
        )
        # The environment's proxy (HTTPS_PROXY, NO_PROXY) and CA bundle, read once for our one
        # host: requests reads them, and looks for a .netrc, on every call otherwise (a fifth of
        # its CPU per call here, docs/benchmarks.md).
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.session.trust_env = False

    def submit(
        self,
        img_url: str,
        model_name: str,
        extension: str,
        exif: bool | None = None,
        dpi: int | None = None,
    ) -> Submission:
        """Send a photo for enhancement. This spends coins, so it is never re-sent blindly."""
        payload: dict[str, Any] = {
            "model_name": model_name,
            "img_url": img_url,
            "extension": extension,
        }
        if exif is not None:
            payload["exif"] = exif
        if dpi is not None:
            payload["DPI"] = dpi
        data = self._call("/api/photo-enhancer", payload, spends_coins=True)
        return Submission(job_id=str(data["job_id"]), coins=_int_or_none(data.get("consume_coins")))

    def status(self, job_id: str) -> TaskStatus:
        """Ask how a job is doing. Safe to repeat."""
        data = self._call("/api/task-status", {"job_id": job_id}, spends_coins=False)
        status = data.get("status")
        if not status:
            raise HitPawError(
                "HitPaw's status answer had no status. We will ask again shortly.",
                transient=True,
            )
        return TaskStatus(
            job_id=str(data.get("job_id") or job_id),
            status=str(status).strip().upper(),
            res_url=str(data.get("res_url") or ""),
            original_url=str(data.get("original_url") or ""),
        )

    def presign_put(self, filename: str, content_type: str, expire_seconds: int = 3600) -> StagingSlot:
        """Ask HitPaw for a signed link to upload a file to, for a photo HitPaw cannot fetch from us.

        Free (no coins) and safe to repeat, so its failures are retried like a status call's.
        """
        low, high = STAGING_EXPIRE_SECONDS
        payload = {
            "filename": filename,
            "content_type": content_type,
            "expire_seconds": max(low, min(high, int(expire_seconds))),
        }
        data = self._call("/api/oss/presign-put", payload, spends_coins=False)
        upload_url, access_url = data.get("upload_url"), data.get("access_url")
        if not (_is_web_link(upload_url) and _is_web_link(access_url)):
            raise HitPawError(
                "HitPaw's upload service gave no usable upload link. We will try again shortly.",
                transient=True,
            )
        return StagingSlot(upload_url=upload_url, access_url=access_url)

    def put_file(self, upload_url: str, stream, size: int, content_type: str, *, max_bytes: int) -> None:
        """PUT `size` bytes read from `stream` to a presigned `upload_url`, streamed, never whole in memory.

        Our key is not sent: the link carries its own signature, and may point at another host.
        A refused or failed upload is transient (asking for a new link may help), except a file
        over `max_bytes` or one the storage says is too large.
        """
        if size > max_bytes:
            raise HitPawError(
                f"The photo is {size / 1_048_576:.1f} MB, over the {max_bytes / 1_048_576:g} MB "
                "HitPaw's upload service takes.",
                transient=False,
            )
        session = requests.Session()
        session.trust_env = False
        session.proxies = requests.utils.get_environ_proxies(upload_url)
        session.verify = self.session.verify
        headers = {"Content-Type": content_type, "Content-Length": str(size), "User-Agent": USER_AGENT}
        try:
            with session:
                response = session.put(
                    upload_url,
                    data=_Capped(stream, size),
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
        except requests.exceptions.RequestException:
            raise HitPawError(
                "Uploading the photo to HitPaw's upload service failed (the connection broke or "
                "timed out). We will try again shortly.",
                transient=True,
            ) from None
        if response.status_code == 413:
            raise HitPawError(
                "HitPaw's upload service says the photo is too large.", http_status=413, transient=False
            )
        if not 200 <= response.status_code < 300:
            raise HitPawError(
                f"HitPaw's upload service refused the photo (HTTP {response.status_code}). "
                "We will try again shortly.",
                http_status=response.status_code,
                transient=True,
                retry_after=_retry_after(response),
            )

    def _call(self, path: str, payload: dict[str, Any], *, spends_coins: bool) -> dict[str, Any]:
        """POST with bounded retries of errors that HitPaw itself says are passing."""
        attempt = 0
        while True:
            try:
                return self._post_once(path, payload, spends_coins=spends_coins)
            except HitPawError as error:
                retries = self.retries if self.retry_submissions or not spends_coins else 0
                if not error.transient or attempt >= retries:
                    raise
                wait = self._backoff(attempt, error.retry_after)
                if wait is None:
                    raise
                attempt += 1
                log.info("HitPaw %s: %s; retry %d in %.1fs", path, error.message, attempt, wait)
                self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Exponential backoff with full jitter; None when the server asks us to wait too long."""
        if retry_after is not None and retry_after > self.max_retry_wait:
            return None
        wait = jittered_backoff(attempt, self.backoff_base, self.max_retry_wait)
        return min(max(wait, retry_after or 0.0), self.max_retry_wait)

    def _post_once(self, path: str, payload: dict[str, Any], *, spends_coins: bool) -> dict[str, Any]:
        url = self.base_url + path
        try:
            response = self.session.post(
                url, data=json.dumps(payload), timeout=self.timeout, allow_redirects=False
            )
        except requests.exceptions.ConnectTimeout:
            raise HitPawError(
                "Could not reach HitPaw (connection timed out). We will try again shortly.",
                transient=True,
            ) from None
        except requests.exceptions.ConnectionError as error:
            if _never_sent(error):
                raise HitPawError(
                    "Could not reach HitPaw (connection refused). We will try again shortly.",
                    transient=True,
                ) from None
            raise _lost_answer(spends_coins, "the connection was cut") from None
        except requests.exceptions.ReadTimeout:
            raise _lost_answer(spends_coins, "HitPaw did not answer in time") from None
        except requests.exceptions.RequestException:
            raise _lost_answer(spends_coins, "the connection failed") from None
        return _parse(response, spends_coins=spends_coins)


class _Capped:
    """A file object read in chunks up to `size` bytes: requests streams it, and never sends more."""

    CHUNK = 1024 * 1024

    def __init__(self, stream, size: int) -> None:
        self.stream, self.left, self.len = stream, size, size

    def __iter__(self):
        while self.left > 0:
            chunk = self.stream.read(min(self.CHUNK, self.left))
            if not chunk:
                return
            self.left -= len(chunk)
            yield chunk


def _is_web_link(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 2000


def _never_sent(error: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made, so HitPaw cannot have seen the request."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _lost_answer(spends_coins: bool, what: str) -> HitPawError:
    if spends_coins:
        return HitPawError(
            f"We sent the photo to HitPaw but {what}, so we do not know whether HitPaw took it "
            "(and charged for it). It will not be sent again automatically: an admin should "
            "check the HitPaw dashboard, then resubmit or close this job.",
            outcome_unknown=True,
        )
    return HitPawError(f"Checking on HitPaw failed ({what}). We will try again shortly.", transient=True)


def _parse(response: requests.Response, *, spends_coins: bool) -> dict[str, Any]:
    """Turn an HTTP response into the payload dict, or raise the matching HitPawError."""
    status = response.status_code
    body = _json_or_none(response)
    if 200 <= status < 300:
        return _parse_success(status, body, spends_coins=spends_coins)
    retry_after = _retry_after(response)
    code = _error_code(body)
    if code is not None:
        error = _vendor_refusal(code, status, body, spends_coins=spends_coins)
        if status == 429 or status >= 500:
            error.transient = True
        error.retry_after = retry_after
        raise error
    if status == 429:
        # "Too many requests" means the request was not processed, whoever answered: safe to retry.
        message, _ = ERROR_CODES[CODE_RATE_LIMITED]
        raise HitPawError(message, http_status=status, transient=True, retry_after=retry_after)
    if status >= 500:
        # No HitPaw error body: a proxy answered, and the request may have reached HitPaw.
        if spends_coins:
            error = _lost_answer(True, f"a gateway answered with error {status}")
            error.http_status = status
            raise error
        raise HitPawError(
            f"HitPaw's gateway answered with error {status}. We will try again shortly.",
            http_status=status,
            transient=True,
            retry_after=retry_after,
        )
    raise HitPawError(f"HitPaw refused the request (HTTP {status}).", http_status=status, transient=False)


def _vendor_refusal(code: int, status: int, body: Any, *, spends_coins: bool) -> HitPawError:
    """The error for an answer carrying HitPaw's own error code (in a 2xx answer or not)."""
    if spends_coins and code == CODE_OPERATION_TIMEOUT:
        # "Operation timeout": HitPaw may have created the task before it gave up on answering.
        error = _lost_answer(True, "HitPaw reported that the operation timed out")
        error.code, error.http_status = code, status
        return error
    return error_for_code(code, status, _vendor_message(body))


def _parse_success(status: int, body: Any, *, spends_coins: bool) -> dict[str, Any]:
    """A 2xx answer. On the coin-spending call: a job id; one of HitPaw's own error codes and no job
    id, the refusal it is (nothing was charged); anything else, outcome unknown."""
    data = _payload(body) if isinstance(body, dict) else None
    if spends_coins:
        if data is not None and data.get("job_id"):
            return data
        code = _error_code(body)
        if code in ERROR_CODES:
            # Some gateways answer 200 and put the refusal in the body ({"code": 110402000, ...}).
            raise _vendor_refusal(code, status, body, spends_coins=True)
        if data is None:
            raise HitPawError(
                "HitPaw answered with something we could not read, so we do not know whether it "
                "took the photo. An admin should check the HitPaw dashboard.",
                http_status=status,
                outcome_unknown=True,
            )
        said = _vendor_message(body)
        raise HitPawError(
            "HitPaw's answer had no job number, so we cannot tell whether it took the photo"
            + (f" (it said: {said[:100]})" if said else "")
            + ". An admin should check the HitPaw dashboard.",
            http_status=status,
            outcome_unknown=True,
        )
    if data is None:
        raise HitPawError(
            "HitPaw answered with something we could not read. We will ask again shortly.",
            http_status=status,
            transient=True,
        )
    code = _error_code(body)
    if code is not None:
        raise error_for_code(code, status, _vendor_message(body))
    return data


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a success envelope: `data` first, then the top level (the docs' examples use both)."""
    data = body.get("data")
    return {**body, **data} if isinstance(data, dict) else body


def _error_code(body: Any) -> int | None:
    """HitPaw's error code in either shape, or None when the body reports no error.

    `error_code` null or 0 and envelope `code` 200 or 0 mean success.
    """
    if not isinstance(body, dict):
        return None
    code = _int_or_none(body.get("error_code"))
    if code not in (None, 0):
        return code
    envelope = _int_or_none(body.get("code"))
    return envelope if envelope not in (None, 200, 0) else None


def _vendor_message(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    return str(body.get("message") or body.get("msg") or "")


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
