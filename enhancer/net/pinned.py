"""Connections pinned to checked addresses, under one total deadline.

A `Deadline` holds the addresses checked for the current hop and the sockets it opened; one
watchdog thread per process shuts those sockets when the deadline passes, so a server that drips a
byte every few seconds cannot hold a request past it, in the headers or the body.

`pinned_session()` is a requests session whose connections go only to the addresses the current
`Deadline` holds for that host (never a fresh lookup; TLS and the Host header keep the name), with
no proxy, `.netrc` or CA bundle from the environment. Why not `requests-hardened`, which pins the
same way: it judges only the first address a name resolves to, lets through `::127.0.0.1` and
`fec0::/10`, looks names up inside the adapter (a second lookup), and has no port, credential,
byte or deadline rules.
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
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

log = logging.getLogger(__name__)


class Deadline:
    """One outbound request's total time, the addresses checked for its current hop, and its sockets.

    Use it as a `with` block around the request: inside it, pinned connections find their addresses
    here; leaving it closes the sockets."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.pins: dict[tuple[str, int], tuple[str, ...]] = {}
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._token: contextvars.Token | None = None
        _watchdog.watch(self)

    def __enter__(self) -> Deadline:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)
            self._token = None
        self.close()

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

    def expire(self) -> None:
        """Shut every socket of this request (the watchdog calls it when the deadline passes)."""
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


class _Watchdog:
    """One thread per process that expires each `Deadline` when it passes.

    A timer thread per request started and ended a thread per download (about 2 % of a worker's
    Python time in a profile at a thousand photos). A closed deadline stays queued until it passes,
    and expiring it then does nothing.
    """

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._queue: list[tuple[float, int, Deadline]] = []
        self._count = itertools.count()
        self._pid = 0

    def watch(self, deadline: Deadline) -> None:
        with self._wake:
            if self._pid != os.getpid():  # first use, or a forked child: the parent's thread is not here
                self._queue, self._pid = [], os.getpid()
                threading.Thread(target=self._run, name="outbound-deadlines", daemon=True).start()
            heapq.heappush(self._queue, (deadline.deadline, next(self._count), deadline))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    self._wake.wait(self._queue[0][0] - time.monotonic() if self._queue else None)
                _, _, deadline = heapq.heappop(self._queue)
            deadline.expire()


_watchdog = _Watchdog()
_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("enhancer_outbound", default=None)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _PinnedHTTPConnection(HTTPConnection):
    """Connect to the addresses `check_destination` judged for this host, never to a fresh lookup.

    Overrides urllib3's documented connection hook `_new_conn` (urllib3's, not Django's)."""

    def _new_conn(self) -> socket.socket:
        current = _CURRENT.get()
        host = self.host.strip("[]").lower().rstrip(".")
        addresses = current.pins.get((host, self.port)) if current else None
        if current is None or not addresses:
            log.error("Refused a connection to %s:%s: its address was not checked", host, self.port)
            raise NewConnectionError(self, "refused: the address was not checked")
        error: Exception = NewConnectionError(self, "no address to connect to")
        for address in addresses:
            remaining = current.remaining()
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
                current.watch(sock)
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        raise error


class _PinnedHTTPSConnection(_PinnedHTTPConnection, HTTPSConnection):
    """TLS over a pinned connection: the certificate is still checked against the host's name."""


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
        raise requests.exceptions.InvalidProxyURL("Outbound requests never use a proxy.")


def pinned_session() -> requests.Session:
    """A session for one outbound request: pinned connections, nothing from the environment."""
    session = requests.Session()
    session.trust_env = False  # no proxies, .netrc credentials or CA bundles from the environment
    session.proxies.clear()
    adapter = _PinnedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
