"""Download an image from a link, safely: the one fetcher for every link a user or the vendor gives us.

Built on `enhancer.net` (address rules, connections pinned to the checked address, no proxies, a
total deadline, checked redirects): see there for what every hop guarantees. This module adds what
is about images: up to three redirects, a byte cap with the body streamed to a temporary file (or
only the header read, to measure a link), plain messages for the website's answers, and the check
that the file is an image. Every failure is a `FetchError` with a short message for staff and
whether a later try may help.

`allow_private=True` (the ENHANCER_ALLOW_PRIVATE_URLS setting, for development and tests) lifts the
address and port rules, and nothing else.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import requests
import urllib3

from enhancer.media.imaging import ImageInfo, NotAnImage, header_of, inspect_image_file
from enhancer.net import Deadline, OutboundError, pinned_session, request
from enhancer.net.addresses import (  # noqa: F401 (the messages callers and tests know this module by)
    METADATA_ADDRESSES,
    MSG_CREDENTIALS,
    MSG_NO_SUCH_NAME,
    MSG_NOT_FOUND,
    MSG_NOT_WEB,
    MSG_PORT,
    MSG_PRIVATE,
    address_allowed,
    check_destination,
)
from enhancer.net.outbound import (  # noqa: F401
    MSG_CUT_OFF,
    MSG_NO_ANSWER,
    MSG_NO_CONNECTION,
    MSG_REDIRECTS,
    MSG_TOO_SLOW,
)

MAX_REDIRECTS = 3
CHUNK = 256 * 1024
HEADERS = {
    "Accept": "image/jpeg,image/png,image/webp,image/tiff,image/bmp,image/*;q=0.8,*/*;q=0.5",
    "Accept-Encoding": "identity",  # photos do not compress; and no decompression bombs in transit
    "User-Agent": "EnhanceDesk/1 (photo fetcher)",
}
MSG_NOT_MEASURED = "We could not read the size of the picture at that link."
PROBE_BYTES = 2 * 1024 * 1024

FetchError = OutboundError  # the name the pipeline, the sandbox and the pages catch


@dataclass
class FetchedImage:
    """A downloaded image in a temporary file, deleted by `close()` (or leaving a `with` block)."""

    path: Path
    info: ImageInfo
    size: int
    _finalizer: weakref.finalize = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Deleted even if the caller forgets to close it, when the object is collected.
        self._finalizer = weakref.finalize(self, _remove, str(self.path))

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> FetchedImage:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def fetch_image(
    url: str,
    *,
    max_bytes: int,
    max_pixels: int | None = None,
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 30.0,
    total_seconds: float = 120.0,
) -> FetchedImage:
    """Download `url` to a temporary file (following a few checked redirects) and check the image.

    `max_bytes` caps the download, `max_pixels` the image (from its header, before any decoding),
    and `total_seconds` the whole fetch, redirects included. The caller closes the result."""
    path, size = _get(url, _save_body, max_bytes, allow_private, connect_timeout, read_timeout, total_seconds)
    try:
        info = inspect_image_file(path, max_pixels=max_pixels)
    except NotAnImage as error:
        _remove(str(path))
        raise FetchError(str(error)) from None
    except BaseException:
        _remove(str(path))
        raise
    return FetchedImage(path=path, info=info, size=size)


def measure_image(
    url: str,
    *,
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    total_seconds: float = 10.0,
) -> tuple[str, int, int]:
    """The format and pixel size of the image at `url`, from the first bytes of its header.

    The same safe fetch as `fetch_image` (checked and pinned addresses, redirects, a total
    deadline), but it stops reading as soon as the header is known, at most `PROBE_BYTES` in.
    It lets the submit page estimate the cost of a link before anything is sent.
    """
    return _get(url, _probe_header, PROBE_BYTES, allow_private, connect_timeout, read_timeout, total_seconds)


def _get(url, read_body, max_bytes, allow_private, connect_timeout, read_timeout, total_seconds):
    """GET the image through `enhancer.net` and read its body with `read_body`, all under one deadline."""
    with Deadline(total_seconds) as deadline, pinned_session() as session:
        response = request(
            session, deadline, "GET", url,
            allow_private=allow_private, connect_timeout=connect_timeout, read_timeout=read_timeout,
            max_redirects=MAX_REDIRECTS, headers=HEADERS,
        )  # fmt: skip
        with response:
            _check_status(response.status_code)
            return read_body(response, deadline, max_bytes)


def _probe_header(response: requests.Response, deadline: Deadline, max_bytes: int) -> tuple[str, int, int]:
    """Read until Pillow can say what the image is (its header only: nothing is decoded)."""
    head = bytearray()
    try:
        for chunk in response.iter_content(16 * 1024):
            if deadline.too_late():
                raise FetchError(MSG_TOO_SLOW, transient=True)
            head += chunk
            try:
                found = header_of(bytes(head))
            except NotAnImage as error:
                raise FetchError(str(error)) from None
            if found is not None:
                return found
            if len(head) >= max_bytes:
                break
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
        raise FetchError(MSG_TOO_SLOW if deadline.too_late() else MSG_CUT_OFF, transient=True) from None
    raise FetchError(MSG_NOT_MEASURED)


def _save_body(response: requests.Response, deadline: Deadline, max_bytes: int) -> tuple[Path, int]:
    """Stream the body into a temporary file, stopping as soon as it is too big or too slow."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(max_bytes))
    descriptor, name = tempfile.mkstemp(prefix="enhance-fetch-", suffix=".part")
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                if deadline.too_late():
                    raise FetchError(MSG_TOO_SLOW, transient=True)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(_too_large(max_bytes))
                out.write(chunk)
        if deadline.too_late():  # the watchdog ended a body whose length was not declared
            raise FetchError(MSG_TOO_SLOW, transient=True)
    except FetchError:
        _remove(name)
        raise
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
        _remove(name)
        raise FetchError(MSG_TOO_SLOW if deadline.too_late() else MSG_CUT_OFF, transient=True) from None
    except BaseException:
        _remove(name)
        raise
    return Path(name), size


def _check_status(status: int) -> None:
    if status == 200:
        return
    if status in (401, 403):
        raise FetchError(f"The image's website refused access (error {status}). The link may have expired.")
    if status in (404, 410):
        raise FetchError(f"Nothing was found at that link (error {status}). The link may have expired.")
    if status == 429 or status >= 500:
        raise FetchError(f"The image's website had a problem (error {status}).", transient=True)
    raise FetchError(f"The image's website answered with error {status}.")


def _too_large(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024:
        return f"The image is larger than the {max_bytes // (1024 * 1024)} MB limit."
    return f"The image is larger than the {max(1, max_bytes // 1024)} KB limit."


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
