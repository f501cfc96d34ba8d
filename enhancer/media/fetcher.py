"""Download an image from a link, safely: no private addresses, a size cap, a time cap.

The only module besides `hitpaw.py` that opens outside connections. Every failure becomes a
`FetchError` with a short message for staff and whether a later try may help.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from enhancer.media.imaging import ImageInfo, NotAnImage, inspect_image

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class FetchError(Exception):
    """A link that could not be fetched, with a plain message."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass(frozen=True)
class FetchedImage:
    """A downloaded image in a temporary file, deleted when closed (use it as a context manager)."""

    path: Path
    info: ImageInfo
    size: int

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> FetchedImage:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse links to private, loopback or odd addresses before any connection is made."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("The link must start with http:// or https://.")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if port not in (80, 443):
        raise FetchError("Links to unusual ports are not allowed. Use an ordinary web link.")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port)}
    except (socket.gaierror, UnicodeError):
        raise FetchError("That web address could not be found. Check the link.", transient=True) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError("That link points to a private or local network address, which is not allowed.")


def fetch_image(
    url: str,
    *,
    max_bytes: int,
    max_pixels: int | None = None,
    allow_private: bool = False,
    connect_timeout: float = 5.0,
    read_timeout: float = 30.0,
    total_seconds: float = 120.0,
    session: requests.Session | None = None,
) -> FetchedImage:
    """Download `url` (following a few checked redirects) and verify it is an image."""
    http = session or requests.Session()
    deadline = time.monotonic() + total_seconds
    for _ in range(MAX_REDIRECTS + 1):
        check_destination(url, allow_private=allow_private)
        try:
            response = http.get(
                url, stream=True, allow_redirects=False, timeout=(connect_timeout, read_timeout)
            )
        except requests.exceptions.Timeout:
            raise FetchError("The image's website did not answer in time.", transient=True) from None
        except requests.exceptions.RequestException:
            raise FetchError("Could not connect to the image's website.", transient=True) from None
        with response:
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            _check_status(response.status_code)
            content = _read_capped(response, max_bytes, deadline)
        try:
            info = inspect_image(content)
        except NotAnImage as error:
            raise FetchError(str(error)) from None
        if max_pixels is not None and info.width * info.height > max_pixels:
            raise FetchError(
                f"The photo is {info.megapixels:.1f} megapixels ({info.width} × {info.height}), "
                f"more than the {max_pixels / 1_000_000:g} megapixel limit."
            )
        with tempfile.NamedTemporaryFile(prefix="enhancer-", delete=False) as out:
            out.write(content)
        return FetchedImage(path=Path(out.name), info=info, size=len(content))
    raise FetchError("The link redirects too many times.")


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


def _read_capped(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    """Read the body in chunks, stopping as soon as it is too big or too slow."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(max_bytes))
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_too_large(max_bytes))
            if time.monotonic() > deadline:
                raise FetchError("The image took too long to download.", transient=True)
            chunks.append(chunk)
    except requests.exceptions.RequestException:
        raise FetchError("The download was cut off before the end.", transient=True) from None
    return b"".join(chunks)


def _too_large(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024:
        return f"The image is larger than the {max_bytes // (1024 * 1024)} MB limit."
    return f"The image is larger than the {max(1, max_bytes // 1024)} KB limit."
