"""Download an image from a link, safely: the one fetcher for every link a user or the vendor gives us.

The only module besides the HitPaw client that opens outside connections. Every failure becomes a
`FetchError` with a short message for staff and whether a later try may help.

What it guarantees, on every hop of up to three redirects:

- http and https only, ports 80 and 443 only, no user name or password in the link;
- the name is looked up once, every address it resolves to is judged (private, loopback,
  link-local, CGNAT, multicast, reserved and cloud-metadata addresses are refused, and IPv6 forms
  that embed an IPv4 address are judged by the address they embed), and the TCP connection is made
  to an address that was judged: never a second lookup. TLS and the Host header keep the name;
- no proxy, `.netrc` or CA bundle from the environment; no API key (its own session, every time);
- a byte cap and a total deadline: the download streams to a temporary file, and a watchdog shuts
  the connection's socket when the deadline passes, whatever the server is doing (a server that
  drips a byte every few seconds cannot hold a worker past the deadline, in the headers or the body).

`allow_private=True` (the ENHANCER_ALLOW_PRIVATE_URLS setting, for development and tests) lifts the
address and port rules, and nothing else.

Why not `requests-hardened` (Saleor's SSRF filter for requests), which pins the connection the same
way: it judges only the first address a name resolves to and lets through `::127.0.0.1`
(IPv4-compatible) and `fec0::/10`; it looks names up inside the adapter, after the checks we need
for plain messages (a second lookup); and it has no port, credential, byte or deadline rules. Its
technique (the adapter's connections go to the checked address while the URL keeps the name) is
what this module does, in `_PinnedConnection._new_conn`.
"""

from __future__ import annotations

import contextvars
import heapq
import ipaddress
import itertools
import logging
import os
import socket
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from enhancer.media.imaging import ImageInfo, NotAnImage, header_of, inspect_image_file

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK = 256 * 1024
PORTS = {"http": 80, "https": 443}
HEADERS = {
    "Accept": "image/jpeg,image/png,image/webp,image/tiff,image/bmp,image/*;q=0.8,*/*;q=0.5",
    "Accept-Encoding": "identity",  # photos do not compress; and no decompression bombs in transit
    "User-Agent": "EnhanceDesk/1 (photo fetcher)",
}

MSG_NOT_WEB = "The link must start with http:// or https://."
MSG_CREDENTIALS = "Links with a user name or password in them are not allowed. Use a plain link."
MSG_PORT = "Links to unusual ports are not allowed. Use an ordinary web link."
MSG_PRIVATE = "That link points to a private or local network address, which is not allowed."
MSG_NOT_FOUND = "That web address could not be found. Check the link."
MSG_NO_SUCH_NAME = "That web address does not exist. Check the link for a typo."
NAME_UNKNOWN = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
MSG_NO_ANSWER = "The image's website did not answer in time."
MSG_NO_CONNECTION = "Could not connect to the image's website."
MSG_TOO_SLOW = "The image took too long to download."
MSG_CUT_OFF = "The download was cut off before the end."
MSG_REDIRECTS = "The link redirects too many times."
MSG_NOT_MEASURED = "We could not read the size of the picture at that link."
PROBE_BYTES = 2 * 1024 * 1024

# Cloud metadata services (AWS, GCP, Azure: 169.254.169.254; AWS over IPv6: fd00:ec2::254; Alibaba:
# 100.100.100.200). Each already lies in a refused range; named here so a test can hold us to it.
METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Not global, though older Pythons' `ipaddress` (3.11.7 here) call them global: local-use NAT64,
# 6to4 relay anycast, IPv6 documentation and segment-routing ranges (requests-hardened's list).
_ALSO_REFUSED = tuple(
    ipaddress.ip_network(network)
    for network in ("64:ff9b:1::/48", "192.88.99.0/24", "3fff::/20", "5f00::/16", "2001:20::/28")
) + (
    # IPv4-translated addresses (RFC 2765, ::ffff:0:a.b.c.d): meant for a translator inside one
    # network, never routed on the internet, and `ipaddress` calls them global. All refused,
    # whatever address they carry.
    ipaddress.ip_network("::ffff:0:0:0/96"),
)


class FetchError(Exception):
    """A link that could not be fetched, with a plain message."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


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


# --- Which addresses we may reach --------------------------------------------------------------


def address_allowed(address: str) -> bool:
    """A public unicast address. IPv6 forms that carry an IPv4 address are judged by that address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip.is_site_local:  # fec0::/10, deprecated, still routed inside some networks
            return False
    if any(ip in network for network in _ALSO_REFUSED):
        return False
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:AABB:CCDD::/48
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # 64:ff9b::a.b.c.d, ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None  # (:: and ::1 are refused as they are: unspecified and loopback)


def check_destination(url: str, *, allow_private: bool) -> tuple[str, ...]:
    """Check a link and look its host up once; return the addresses we may connect to.

    Raises FetchError before any connection is made, and before any lookup for the rules that
    need none (scheme, credentials, port)."""
    host, port = _host_and_port(url, allow_private=allow_private)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError:
        raise FetchError(MSG_NO_SUCH_NAME) from None
    except socket.gaierror as error:
        # "No such name" is the name server's final word (a mistyped domain): say so at once,
        # instead of trying again for minutes. A lookup that failed for now is tried again.
        if error.errno in NAME_UNKNOWN:
            raise FetchError(MSG_NO_SUCH_NAME) from None
        raise FetchError(MSG_NOT_FOUND, transient=True) from None
    addresses = tuple(
        dict.fromkeys(info[4][0] for info in found if info[0] in (socket.AF_INET, socket.AF_INET6))
    )
    if not addresses:
        raise FetchError(MSG_NOT_FOUND, transient=True)
    if not allow_private:
        refused = [address for address in addresses if not address_allowed(address)]
        if refused:
            # One private answer among public ones is refused too: the name is not to be trusted.
            log.warning("Refused a fetch of %s: it resolves to %s", host, ", ".join(refused))
            raise FetchError(MSG_PRIVATE)
    return addresses


def _host_and_port(url: str, *, allow_private: bool) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range; brackets that do not match
        raise FetchError(MSG_NOT_WEB) from None
    scheme = parts.scheme.lower()
    if scheme not in PORTS or not parts.hostname:
        raise FetchError(MSG_NOT_WEB)
    if parts.username is not None or parts.password is not None:
        raise FetchError(MSG_CREDENTIALS)
    port = port or PORTS[scheme]
    if not allow_private and port not in PORTS.values():
        raise FetchError(MSG_PORT)
    return parts.hostname.rstrip("."), port


# --- The download ------------------------------------------------------------------------------


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
    fetch = _Fetch(total_seconds)
    token = _CURRENT.set(fetch)
    try:
        with _session() as session:
            path, size = _download(
                session, fetch, url, max_bytes, allow_private, connect_timeout, read_timeout
            )
    finally:
        _CURRENT.reset(token)
        fetch.close()
    try:
        info = inspect_image_file(path, max_pixels=max_pixels)
    except NotAnImage as error:
        _remove(str(path))
        raise FetchError(str(error)) from None
    except BaseException:
        _remove(str(path))
        raise
    return FetchedImage(path=path, info=info, size=size)


def _download(
    session: requests.Session,
    fetch: _Fetch,
    url: str,
    max_bytes: int,
    allow_private: bool,
    connect_timeout: float,
    read_timeout: float,
    read_body=None,
):
    """Follow checked redirects to the image and read its body (by default into a temporary file)."""
    read_body = read_body or _save_body
    for _ in range(MAX_REDIRECTS + 1):
        url = _prepared(url)
        host, port = _host_and_port(url, allow_private=allow_private)
        fetch.pins = {(host.lower(), port): check_destination(url, allow_private=allow_private)}
        remaining = max(fetch.remaining(), 0.001)
        try:
            response = session.get(
                url,
                headers=HEADERS,
                stream=True,
                allow_redirects=False,
                timeout=(min(connect_timeout, remaining), min(read_timeout, remaining)),
            )
        except requests.exceptions.RequestException as error:
            raise FetchError(_network_message(fetch, error), transient=True) from None
        with response:
            location = session.get_redirect_target(response)
            if location:
                url = urljoin(url, location)
                continue
            _check_status(response.status_code)
            return read_body(response, fetch, max_bytes)
    raise FetchError(MSG_REDIRECTS)


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
    fetch = _Fetch(total_seconds)
    token = _CURRENT.set(fetch)
    try:
        with _session() as session:
            return _download(
                session, fetch, url, PROBE_BYTES, allow_private, connect_timeout, read_timeout,
                read_body=_probe_header,
            )  # fmt: skip
    finally:
        _CURRENT.reset(token)
        fetch.close()


def _probe_header(response: requests.Response, fetch: _Fetch, max_bytes: int) -> tuple[str, int, int]:
    """Read until Pillow can say what the image is (its header only: nothing is decoded)."""
    head = bytearray()
    try:
        for chunk in response.iter_content(16 * 1024):
            if fetch.too_late():
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
        raise FetchError(MSG_TOO_SLOW if fetch.too_late() else MSG_CUT_OFF, transient=True) from None
    raise FetchError(MSG_NOT_MEASURED)


def _prepared(url: str) -> str:
    """The URL as requests will send it (IDNA host, quoted path), so our checks see what it sees."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError(MSG_NOT_WEB)
    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url.strip(), None)
    except (requests.exceptions.RequestException, ValueError, UnicodeError):
        raise FetchError(MSG_NOT_WEB) from None
    return prepared.url


def _network_message(fetch: _Fetch, error: Exception) -> str:
    if fetch.too_late():
        return MSG_TOO_SLOW
    if isinstance(error, requests.exceptions.Timeout):
        return MSG_NO_ANSWER
    return MSG_NO_CONNECTION


def _save_body(response: requests.Response, fetch: _Fetch, max_bytes: int) -> tuple[Path, int]:
    """Stream the body into a temporary file, stopping as soon as it is too big or too slow."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(max_bytes))
    descriptor, name = tempfile.mkstemp(prefix="enhance-fetch-", suffix=".part")
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                if fetch.too_late():
                    raise FetchError(MSG_TOO_SLOW, transient=True)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(_too_large(max_bytes))
                out.write(chunk)
        if fetch.too_late():  # the watchdog ended a body whose length was not declared
            raise FetchError(MSG_TOO_SLOW, transient=True)
    except FetchError:
        _remove(name)
        raise
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
        _remove(name)
        raise FetchError(MSG_TOO_SLOW if fetch.too_late() else MSG_CUT_OFF, transient=True) from None
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


# --- One fetch's state: the checked addresses and the deadline's watchdog ---------------------


class _Fetch:
    """The addresses checked for the current hop, and a watchdog that shuts every socket of this
    fetch when the total deadline passes (so no read can outlast it, however the server drips)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.pins: dict[tuple[str, int], tuple[str, ...]] = {}
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        _deadlines.watch(self)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def too_late(self) -> bool:
        return self.expired or self.remaining() <= 0

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor of the same socket: still valid after TLS takes the original over.
        with self._lock:
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _Deadlines:
    """One thread per process that ends each fetch at its deadline (`_Fetch._expire`).

    A timer thread per fetch started and ended a thread per download (about 2 % of a worker's Python
    time in a profile at a thousand photos, docs/benchmarks.md). A closed fetch stays queued until
    its deadline, and expiring it then does nothing.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._queue: list[tuple[float, int, _Fetch]] = []
        self._count = itertools.count()
        self._pid = 0

    def watch(self, fetch: _Fetch) -> None:
        with self._wake:
            if self._pid != os.getpid():  # first use, or a forked child: the parent's thread is not here
                self._queue, self._pid = [], os.getpid()
                threading.Thread(target=self._run, name="fetch-deadlines", daemon=True).start()
            heapq.heappush(self._queue, (fetch.deadline, next(self._count), fetch))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    self._wake.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
                _, _, fetch = heapq.heappop(self._queue)
            fetch._expire()


_deadlines = _Deadlines()


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_CURRENT: contextvars.ContextVar[_Fetch | None] = contextvars.ContextVar("enhancer_fetch", default=None)


class _PinnedConnectionMixin:
    """Connect to the addresses `check_destination` judged for this host, never to a fresh lookup."""

    def _new_conn(self) -> socket.socket:
        fetch = _CURRENT.get()
        host = self.host.strip("[]").lower().rstrip(".")
        addresses = fetch.pins.get((host, self.port)) if fetch else None
        if not addresses:
            log.error("Refused a connection to %s:%s: its address was not checked", host, self.port)
            raise NewConnectionError(self, "refused: the address was not checked")
        error: Exception = NewConnectionError(self, "no address to connect to")
        for address in addresses:
            remaining = fetch.remaining()
            if remaining <= 0:
                raise ConnectTimeoutError(self, f"Connection to {self.host} ran out of time.")
            timeout = self.timeout if isinstance(self.timeout, int | float) else None
            timeout = remaining if timeout is None else min(timeout, remaining)
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            sock = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                sock.settimeout(timeout)
                sock.connect((address, self.port))
            except TimeoutError:
                sock.close()
                error = ConnectTimeoutError(self, f"Connection to {self.host} timed out.")
            except OSError as failure:
                sock.close()
                error = NewConnectionError(self, f"Failed to establish a new connection: {failure}")
            else:
                fetch.watch(sock)
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        raise error


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    """requests' adapter whose pools make only pinned connections, and never retry on their own."""

    def __init__(self) -> None:
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise requests.exceptions.InvalidProxyURL("The photo fetcher never uses a proxy.")


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies, .netrc credentials or CA bundles from the environment
    session.proxies.clear()
    adapter = _PinnedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
