"""The bad-input battery: hostile and malformed inputs through the real submit form, upload and
estimate, and the links that pass the form through the real fetch step.

Every case must end in a plain message, with no coin charged, no call to HitPaw, nothing stored
under MEDIA_ROOT, nothing left in the temporary folder, any markup it carries escaped in the page,
and no connection anywhere but where the case allows (`SocketGuard`). Each outcome is written to
test-artifacts/security-battery.json; `scripts/security_table.py` renders it into docs/security.md.

The other tests hold each rule in detail (tests/media, tests/web/test_pages_submit.py,
tests/web/test_uploads.py); this is the catalogue, run end to end.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils.html import escape

from enhancer.media.fetcher import (
    MSG_CREDENTIALS,
    MSG_NOT_WEB,
    MSG_PORT,
    MSG_PRIVATE,
    MSG_REDIRECTS,
)
from enhancer.media.imaging import MSG_ANIMATED, MSG_BROKEN, MSG_POLYGLOT, MSG_UNREADABLE
from enhancer.models import CoinCharge, Job, JobStatus
from tests.conftest import PUBLIC_ADDRESS
from tests.media import servers
from tests.media.images import encode, jpeg_claiming, photo, png_chunk, png_claiming
from tests.support.batches import make_batch
from tests.support.jobs import StubClient, step
from tests.support.roles import user_with_role

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "security-battery.json"
CAP_BYTES = 1024 * 1024  # the battery's download and upload cap (the default is 50 MB)
GOOD = "https://photos.example.com/cat.jpg"
PRIVATE_LINK = "points to a private or local address. Use a public link."
NOT_A_LINK = "is not a web link. Links start with http:// or https://."
XSS = "<script>alert(1)</script>"

# --- Hostile files -----------------------------------------------------------------------------

PNG = encode(photo(64, 48), "PNG")
HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><script>steal()</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FRAMES = [photo(32, 32), photo(32, 32).rotate(90), photo(32, 32).rotate(180)]
GIF = encode(FRAMES[0], "GIF", save_all=True, append_images=FRAMES[1:], duration=100, loop=0)
APNG = encode(FRAMES[0], "PNG", save_all=True, append_images=FRAMES[1:], duration=100, loop=0)
POLYGLOT = PNG[:33] + png_chunk(b"tEXt", b"Comment\0<html><script>fetch('/admin')</script></html>") + PNG[33:]
BOMB = png_claiming(100_000, 100_000)  # ten gigapixels claimed, a few dozen bytes sent
BIG_JPEG = jpeg_claiming(20_000, 20_000)  # 400 MP claimed: over the 70 MP input limit
TRUNCATED = PNG[: len(PNG) // 2]
HUGE = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * CAP_BYTES)
GZIP_BOMB = gzip.compress(b"\0" * (8 * CAP_BYTES))  # 8 MB once unpacked, a few kilobytes sent


@dataclass(frozen=True)
class Served:
    """What the loopback server answers for any path: a body, or a redirect."""

    body: bytes = b""
    content_type: str = "image/jpeg"
    length: bool = True
    headers: tuple[tuple[str, str], ...] = ()
    location: str = ""

    def route(self, handler) -> None:
        if self.location:
            servers.redirect(self.location)(handler)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        for name, value in self.headers:
            handler.send_header(name, value)
        if self.length:
            handler.send_header("Content-Length", str(len(self.body)))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(self.body)


@dataclass(frozen=True)
class Case:
    """One hostile input. `kind`: "form" (refused by the submit form), "fetch" (taken by the form,
    refused by the fetch step), "measure" (the estimate's size check), "upload" (the upload form)."""

    name: str
    kind: str
    link: str = ""
    message: str = ""
    fields: dict = field(default_factory=dict)
    files: tuple[tuple[str, bytes], ...] = ()
    dns: dict = field(default_factory=dict)  # names -> addresses, for the faked resolver
    serve: Served | None = None  # the loopback server stands behind every public address
    shown: str = ""  # how the input reads in docs/security.md, when the link does not say it
    payload: str = ""  # markup that must come back escaped, or not at all
    target: tuple[str, int] | None = None  # a local service the link aims at: never connected to

    @property
    def id(self) -> str:
        return self.name.replace(" ", "-")


def upload(name: str, content: bytes, count: int = 1) -> tuple[tuple[str, bytes], ...]:
    return ((name, content),) * count


def served(body: bytes, **options) -> Served:
    return Served(body=body, **options)


CASES = [
    # Schemes that are not the web, and links that are not links.
    Case("javascript scheme", "form", "javascript:alert(document.cookie)", NOT_A_LINK),
    Case(
        "javascript with a web-like tail", "form", "javascript://photos.example.com/%0aalert(1)", NOT_A_LINK
    ),
    Case("file scheme", "form", "file:///etc/passwd", NOT_A_LINK),
    Case("gopher scheme", "form", "gopher://127.0.0.1:6379/_FLUSHALL", NOT_A_LINK),
    Case("data scheme", "form", "data:image/png;base64,iVBORw0KGgo=", NOT_A_LINK),
    Case("ftp scheme", "form", "ftp://photos.example.com/cat.jpg", NOT_A_LINK),
    Case("no scheme", "form", "photos.example.com/cat.jpg", NOT_A_LINK),
    Case("protocol-relative", "form", "//photos.example.com/cat.jpg", NOT_A_LINK),
    Case(
        "NUL byte in the link",
        "form",
        "https://photos.example.com/cat\x00.jpg",
        "Null characters are not allowed.",
        shown="https://photos.example.com/cat\\x00.jpg",
    ),
    Case(
        "user and password in the link",
        "fetch",
        "http://admin:hunter2@photos.example.com/cat.jpg",
        MSG_CREDENTIALS,
    ),
    Case("port 22", "fetch", "http://photos.example.com:22/cat.jpg", MSG_PORT),
    Case("port 6379 (Redis)", "fetch", "http://photos.example.com:6379/cat.jpg", MSG_PORT),
    Case(
        "localhost at Redis's port",
        "form",
        "http://localhost:6379/",
        PRIVATE_LINK,
        target=("127.0.0.1", 6379),
    ),
    Case(
        "loopback at PostgreSQL's port",
        "form",
        "http://127.0.0.1:5432/",
        PRIVATE_LINK,
        target=("127.0.0.1", 5432),
    ),
    # Loopback, private and metadata addresses, in many spellings.
    Case("127.0.0.1 as one decimal number", "form", "http://2130706433/cat.jpg", PRIVATE_LINK),
    Case("127.0.0.1 in octal", "form", "http://0177.0.0.1/cat.jpg", PRIVATE_LINK),
    Case("127.0.0.1 as one octal number", "form", "http://017700000001/cat.jpg", PRIVATE_LINK),
    Case("127.0.0.1 in hex", "form", "http://0x7f.0.0.1/cat.jpg", PRIVATE_LINK),
    Case("127.0.0.1 short form", "form", "http://127.1/cat.jpg", PRIVATE_LINK),
    Case("0.0.0.0", "form", "http://0.0.0.0/cat.jpg", PRIVATE_LINK),
    Case("0 (all zeros, short)", "form", "http://0/cat.jpg", PRIVATE_LINK),
    Case("localhost with a trailing dot", "form", "http://localhost./cat.jpg", PRIVATE_LINK),
    Case("a .localhost name", "form", "http://admin.localhost/cat.jpg", PRIVATE_LINK),
    Case(
        "cloud metadata (AWS, GCP, Azure)", "form", "http://169.254.169.254/latest/meta-data/", PRIVATE_LINK
    ),
    Case(
        "cloud metadata with a trailing dot",
        "form",
        "http://169.254.169.254./latest/meta-data/",
        PRIVATE_LINK,
    ),
    Case("cloud metadata (Alibaba)", "form", "http://100.100.100.200/latest/meta-data/", PRIVATE_LINK),
    Case("private 10.x", "form", "http://10.0.0.1/cat.jpg", PRIVATE_LINK),
    Case("private 192.168.x", "form", "http://192.168.1.1/cat.jpg", PRIVATE_LINK),
    Case("private 172.16.x", "form", "http://172.16.0.1/cat.jpg", PRIVATE_LINK),
    Case("carrier-grade NAT 100.64.x", "form", "http://100.64.0.1/cat.jpg", PRIVATE_LINK),
    Case("IPv6 loopback", "form", "http://[::1]/cat.jpg", PRIVATE_LINK),
    Case("IPv6 link-local", "form", "http://[fe80::1]/cat.jpg", PRIVATE_LINK),
    Case(
        "IPv6 unique-local (AWS metadata)", "form", "http://[fd00:ec2::254]/latest/meta-data/", PRIVATE_LINK
    ),
    Case("IPv4-mapped IPv6 loopback", "form", "http://[::ffff:127.0.0.1]/cat.jpg", PRIVATE_LINK),
    Case("IPv4-mapped IPv6 metadata, in hex", "form", "http://[::ffff:a9fe:a9fe]/latest/", PRIVATE_LINK),
    Case("IPv4-compatible IPv6 loopback", "form", "http://[::127.0.0.1]/cat.jpg", PRIVATE_LINK),
    Case("NAT64 loopback", "form", "http://[64:ff9b::7f00:1]/cat.jpg", PRIVATE_LINK),
    Case("IPv4-translated loopback (RFC 2765)", "form", "http://[::ffff:0:127.0.0.1]/cat.jpg", PRIVATE_LINK),
    Case("6to4 loopback", "form", "http://[2002:7f00:1::]/cat.jpg", PRIVATE_LINK),
    Case("IPv6 site-local", "form", "http://[fec0::1]/cat.jpg", PRIVATE_LINK),
    # Names that look public and are not.
    Case(
        "metadata name",
        "fetch",
        "http://metadata.google.internal/computeMetadata/v1/",
        MSG_PRIVATE,
        dns={"metadata.google.internal": "169.254.169.254"},
    ),
    Case(
        "public-looking name on loopback",
        "fetch",
        "http://photos.example.com/cat.jpg",
        MSG_PRIVATE,
        dns={"photos.example.com": "127.0.0.1"},
    ),
    Case(
        "name on IPv6 loopback",
        "fetch",
        "http://cdn.example.com/cat.jpg",
        MSG_PRIVATE,
        dns={"cdn.example.com": "::1"},
    ),
    Case(
        "name with a public and a private address",
        "fetch",
        "http://mixed.example.com/cat.jpg",
        MSG_PRIVATE,
        dns={"mixed.example.com": [PUBLIC_ADDRESS, "10.0.0.7"]},
    ),
    Case(
        "name on IPv6 metadata (AWS)",
        "fetch",
        "http://ec2.example.com/latest/",
        MSG_PRIVATE,
        dns={"ec2.example.com": "fd00:ec2::254"},
    ),
    # Redirects: the first hop is public (the loopback server stands in), the next one is not.
    Case(
        "redirect to cloud metadata",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_PRIVATE,
        serve=Served(location="http://169.254.169.254/latest/meta-data/iam/"),
        shown="http://shop.example.com/cat.jpg → 302 to http://169.254.169.254/latest/meta-data/iam/",
    ),
    Case(
        "redirect to a metadata name",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_PRIVATE,
        dns={"metadata.google.internal": "169.254.169.254"},
        serve=Served(location="http://metadata.google.internal/computeMetadata/v1/"),
        shown="http://shop.example.com/cat.jpg → 302 to http://metadata.google.internal/computeMetadata/v1/",
    ),
    Case(
        "redirect to IPv4-mapped loopback",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_PRIVATE,
        serve=Served(location="http://[::ffff:127.0.0.1]/admin"),
        shown="http://shop.example.com/cat.jpg → 302 to http://[::ffff:127.0.0.1]/admin",
    ),
    Case(
        "redirect to a file",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_NOT_WEB,
        serve=Served(location="file:///etc/passwd"),
        shown="http://shop.example.com/cat.jpg → 302 to file:///etc/passwd",
    ),
    Case(
        "redirect loop",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_REDIRECTS,
        serve=Served(location="http://shop.example.com/cat.jpg"),
        shown="http://shop.example.com/cat.jpg → 302 to itself",
    ),
    # What the link serves.
    Case(
        "web page served as a JPEG",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_UNREADABLE,
        serve=served(HTML),
        shown="a .jpg link serving an HTML login page as image/jpeg",
    ),
    Case(
        "zero bytes",
        "fetch",
        "http://shop.example.com/cat.jpg",
        MSG_UNREADABLE,
        serve=served(b""),
        shown="a link serving an empty body",
    ),
    Case(
        "huge file, size declared",
        "fetch",
        "http://shop.example.com/cat.png",
        "larger than the 1 MB limit",
        serve=served(HUGE, content_type="image/png"),
        shown="a link serving 2 MB (Content-Length)",
    ),
    Case(
        "huge file, size not declared",
        "fetch",
        "http://shop.example.com/cat.png",
        "larger than the 1 MB limit",
        serve=served(HUGE, content_type="image/png", length=False),
        shown="a link streaming 2 MB with no Content-Length",
    ),
    Case(
        "gzip bomb in transit",
        "fetch",
        "http://shop.example.com/cat.png",
        "larger than the 1 MB limit",
        serve=served(GZIP_BOMB, content_type="image/png", headers=(("Content-Encoding", "gzip"),)),
        shown="a link serving 8 KB of gzip that unpacks to 8 MB",
    ),
    Case(
        "decompression bomb",
        "fetch",
        "http://shop.example.com/cat.png",
        "megapixel limit",
        serve=served(BOMB, content_type="image/png"),
        shown="a link serving a tiny PNG claiming 100,000 × 100,000",
    ),
    Case(
        "too many pixels",
        "fetch",
        "http://shop.example.com/cat.jpg",
        "more than the 70 megapixel limit",
        serve=served(BIG_JPEG),
        shown="a link serving a JPEG claiming 20,000 × 20,000",
    ),
    Case(
        "truncated image",
        "fetch",
        "http://shop.example.com/cat.png",
        MSG_BROKEN,
        serve=served(TRUNCATED, content_type="image/png"),
        shown="a link serving half a PNG",
    ),
    Case(
        "animated GIF",
        "fetch",
        "http://shop.example.com/cat-animated",  # a name that says nothing: the fetched content does
        "This kind of image (GIF) is not supported.",
        serve=served(GIF, content_type="image/gif"),
        shown="a link serving an animated GIF",
    ),
    Case(
        "animated PNG",
        "fetch",
        "http://shop.example.com/cat.png",
        MSG_ANIMATED,
        serve=served(APNG, content_type="image/png"),
        shown="a link serving an animated PNG (APNG)",
    ),
    Case(
        "SVG with a script",
        "fetch",
        "http://shop.example.com/cat-drawing",  # a name that says nothing: the fetched content does
        "This kind of image (SVG) is not supported.",
        serve=served(SVG, content_type="image/svg+xml"),
        shown="a link serving an SVG with a script",
    ),
    Case(
        "PNG/HTML polyglot",
        "fetch",
        "http://shop.example.com/cat.png",
        MSG_POLYGLOT,
        serve=served(POLYGLOT, content_type="image/png"),
        shown="a link serving a PNG with a web page in a text chunk",
    ),
    Case(
        "wrong extension (PDF behind .jpg)",
        "fetch",
        "http://shop.example.com/cat.jpg",
        "This kind of image (PDF) is not supported.",
        serve=served(PDF),
        shown="a .jpg link serving a PDF",
    ),
    Case(
        "markup in a link the form takes",
        "fetch",
        f"http://shop.example.com/cat.jpg?{XSS}",
        MSG_UNREADABLE,
        serve=served(HTML, content_type="text/html"),
        payload=XSS,
    ),
    # The estimate's size check fetches headers through the same fetcher.
    Case(
        "estimate: metadata name",
        "measure",
        "http://metadata.google.internal/computeMetadata/v1/",
        MSG_PRIVATE,
        dns={"metadata.google.internal": "169.254.169.254"},
    ),
    Case(
        "estimate: 127.0.0.1 as one number",
        "measure",
        "http://2130706433/cat.jpg",
        MSG_PRIVATE,
        dns={"2130706433": "127.0.0.1"},
    ),
    Case(
        "estimate: redirect to cloud metadata",
        "measure",
        "http://shop.example.com/cat.jpg",
        MSG_PRIVATE,
        serve=Served(location="http://169.254.169.254/latest/meta-data/"),
        shown="http://shop.example.com/cat.jpg → 302 to http://169.254.169.254/latest/meta-data/",
    ),
    Case("estimate: file scheme", "measure", "file:///etc/passwd", MSG_NOT_WEB),
    # The other fields.
    Case(
        "unknown model",
        "form",
        GOOD,
        "Pick one of the models in the list.",
        fields={"model_name": "enhanced_v9"},
        shown="model_name=enhanced_v9",
    ),
    Case(
        "markup as the model",
        "form",
        GOOD,
        "Pick one of the models in the list.",
        fields={"model_name": XSS},
        shown=f"model_name={XSS}",
        payload=XSS,
    ),
    Case(
        "DPI below range",
        "form",
        GOOD,
        "DPI must be between 72 and 1200.",
        fields={"dpi": "71"},
        shown="dpi=71",
    ),
    Case(
        "DPI above range",
        "form",
        GOOD,
        "DPI must be between 72 and 1200.",
        fields={"dpi": "1201"},
        shown="dpi=1201",
    ),
    Case(
        "negative DPI",
        "form",
        GOOD,
        "DPI must be between 72 and 1200.",
        fields={"dpi": "-300"},
        shown="dpi=-300",
    ),
    Case(
        "DPI not a number",
        "form",
        GOOD,
        "DPI must be a whole number, like 300.",
        fields={"dpi": "1e3"},
        shown="dpi=1e3",
    ),
    Case(
        "5,000-digit DPI",
        "form",
        GOOD,
        "DPI must be a whole number, like 300.",
        fields={"dpi": "9" * 5000},
        shown="dpi=999… (5,000 digits)",
    ),
    Case(
        "markup as the DPI",
        "form",
        GOOD,
        "DPI must be a whole number, like 300.",
        fields={"dpi": f'">{XSS}'},
        shown=f'dpi=">{XSS}',
        payload=f'">{XSS}',
    ),
    Case(
        "markup as the link",
        "form",
        f'"><img src=x onerror=alert(1)>{XSS}',
        NOT_A_LINK,
        payload=f'"><img src=x onerror=alert(1)>{XSS}',
    ),
    Case(
        "markup as the link's host",
        "form",
        "http://<svg/onload=alert(1)>/cat.jpg",
        NOT_A_LINK,
        payload="<svg/onload=alert(1)>",
    ),
    Case(
        "markup in the EXIF box, with a private link",
        "form",
        "http://10.0.0.1/cat.jpg",
        PRIVATE_LINK,
        fields={"exif": XSS},
        shown=f"http://10.0.0.1/cat.jpg, exif={XSS}",
        payload=XSS,
    ),
    Case(
        "5,000-character link",
        "form",
        "https://photos.example.com/" + "a" * 4973,
        "is too long for a link",
        shown="https://photos.example.com/aaa… (5,000 characters)",
    ),
    Case(
        "2,040-character link (the validator takes it)",
        "form",
        "https://photos.example.com/" + "a" * 2013,
        "is too long for a link",
        shown="https://photos.example.com/aaa… (2,040 characters)",
    ),
    Case(
        "501 links in one submission",
        "form",
        "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(501)),
        "Please paste at most 500 links at once (you pasted 501).",
        shown="501 links, one per line",
    ),
    # Uploads.
    Case(
        "upload: web page named .jpg",
        "upload",
        message="This file is not a picture we can read",
        files=upload("photo.jpg", HTML),
        shown="photo.jpg holding an HTML page",
    ),
    Case(
        "upload: zero bytes",
        "upload",
        message="The submitted file is empty.",
        files=upload("empty.jpg", b""),
        shown="empty.jpg, 0 bytes",
    ),
    Case(
        "upload: huge file",
        "upload",
        message="is 2.0 MB, over the 1 MB we take",
        files=upload("big.png", HUGE),
        shown="big.png, 2 MB",
    ),
    Case(
        "upload: decompression bomb",
        "upload",
        message="megapixel limit",
        files=upload("bomb.png", BOMB),
        shown="bomb.png claiming 100,000 × 100,000",
    ),
    Case(
        "upload: truncated",
        "upload",
        message=MSG_BROKEN,
        files=upload("half.png", TRUNCATED),
        shown="half a PNG",
    ),
    Case(
        "upload: animated GIF",
        "upload",
        message="This kind of image (GIF) is not supported.",
        files=upload("cat.gif", GIF),
        shown="an animated GIF",
    ),
    Case(
        "upload: animated PNG", "upload", message=MSG_ANIMATED, files=upload("cat.png", APNG), shown="an APNG"
    ),
    Case(
        "upload: SVG",
        "upload",
        message="This kind of image (SVG) is not supported.",
        files=upload("logo.svg", SVG),
        shown="an SVG with a script",
    ),
    Case(
        "upload: polyglot",
        "upload",
        message=MSG_POLYGLOT,
        files=upload("cat.png", POLYGLOT),
        shown="a PNG with a web page in a text chunk",
    ),
    Case(
        "upload: wrong extension",
        "upload",
        message="This kind of image (PDF) is not supported.",
        files=upload("scan.png", PDF),
        shown="scan.png holding a PDF",
    ),
    Case(
        "upload: markup as the file name",
        "upload",
        message="This file is not a picture we can read",
        files=upload("<img src=x onerror=alert(1)>.jpg", HTML),
        shown="<img src=x onerror=alert(1)>.jpg",
        payload="<img src=x onerror=alert(1)>",
    ),
    Case(
        "upload: 300-character file name",
        "upload",
        message="This file is not a picture we can read",
        files=upload("a" * 296 + ".jpg", HTML),
        shown="aaa….jpg (300 characters), holding an HTML page",
    ),
    Case(
        "upload: 51 files",
        "upload",
        message="Please send at most 50 photos at once (you chose 51).",
        files=upload("cat.png", PNG, count=51),
        shown="51 good photos at once",
    ),
]

RESULTS: dict[int, dict] = {}


# --- No connection but the ones a case allows --------------------------------------------------


class SocketGuard:
    """Every TCP connection goes through `judge`: the database's and Redis's own host:port pairs
    pass (the app's own connections), a (fake) public address on port 80 is carried to the case's
    loopback server, and anything else fails the test, even a connection that is later refused."""

    def __init__(self, allowed: set[tuple[str, int]], server_port: int | None) -> None:
        self.allowed = allowed
        self.server_port = server_port
        self.carried: list[tuple[str, int]] = []
        self.violations: list[tuple[str, int]] = []

    def judge(self, address):
        if not isinstance(address, tuple):  # a Unix socket: not the network
            return address
        host, port = str(address[0]).split("%", 1)[0].lower(), int(address[1])
        if (host, port) in self.allowed:
            return address
        if self.server_port is not None and (host, port) == (PUBLIC_ADDRESS, 80):
            self.carried.append((host, port))
            return ("127.0.0.1", self.server_port)
        self.violations.append((host, port))
        raise AssertionError(f"a connection to {host}:{port} was attempted")

    def install(self, monkeypatch) -> None:
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_create = socket.create_connection
        guard = self

        def connect(sock, address):
            return real_connect(sock, guard.judge(address))

        def connect_ex(sock, address):
            return real_connect_ex(sock, guard.judge(address))

        def create_connection(address, *args, **kwargs):
            guard.judge(_literal(address))
            return real_create(address, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "create_connection", create_connection)


def _literal(address: tuple) -> tuple:
    """`create_connection` takes names: judge a loopback name by its address."""
    host, port = address[0], address[1]
    return ("127.0.0.1", port) if host == "localhost" else (host, port)


def service_endpoints() -> set[tuple[str, int]]:
    """The host:port pairs of the configured database and Redis (broker and cache), and only those."""
    pairs: set[tuple[str, int]] = set()
    database = django_settings.DATABASES["default"]
    if "sqlite" not in database["ENGINE"] and database.get("HOST"):
        pairs |= _endpoint(database["HOST"], int(database.get("PORT") or 5432))
    redis = django_settings.Q_CLUSTER.get("redis")
    for url in (redis if isinstance(redis, str) else "", getattr(django_settings, "REDIS_URL", "")):
        if url:
            parts = urlsplit(url)
            pairs |= _endpoint(parts.hostname or "127.0.0.1", parts.port or 6379)
    if isinstance(redis, dict):
        pairs |= _endpoint(redis.get("host", "127.0.0.1"), int(redis.get("port", 6379)))
    return pairs


def _endpoint(host: str, port: int) -> set[tuple[str, int]]:
    hosts = {"127.0.0.1", "::1"} if host == "localhost" else {host}
    return {(str(ipaddress.ip_address(h)) if _is_ip(h) else h.lower(), port) for h in hosts}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with servers.LoopbackServer() as running:
        yield running


@pytest.fixture(scope="module", autouse=True)
def write_results():
    """After the battery, every case's outcome goes to the artifact docs/security.md is made from."""
    yield
    if not RESULTS:
        return
    ARTIFACT.parent.mkdir(exist_ok=True)
    payload = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": connection.vendor,
        "cases_total": len(CASES),
        "cap_bytes": CAP_BYTES,
        "rows": [RESULTS[number] for number in sorted(RESULTS)],
    }
    ARTIFACT.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


@pytest.fixture
def scratch(monkeypatch, tmp_path):
    """The temporary folder downloads and uploads pass through, to see nothing is left there."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def alice(db):
    """Alice (staff) without a password (none is needed to force a login): no slow hashing per case."""
    return user_with_role("alice", "staff")


@pytest.fixture
def hostile(settings, alice_client, catalogue, fake_dns, scratch):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False
    settings.ENHANCER_MAX_IMAGE_BYTES = CAP_BYTES
    settings.SANDBOX_MODE = True  # uploads on: HitPaw would fetch them from the sandbox
    settings.PUBLIC_BASE_URL = ""
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"
    return alice_client


# --- The battery -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_input_gets_a_plain_message_and_costs_nothing(
    case, hostile, fake_dns, server, monkeypatch, settings, scratch
):
    fake_dns(case.dns)
    server.routes = _EveryPath(case.serve)
    guard = SocketGuard(service_endpoints() - {case.target}, server.port if case.serve else None)
    guard.install(monkeypatch)
    hitpaw = StubClient()

    outcome, said, pages = RUN[case.kind](case, hostile, hitpaw)

    assert guard.violations == [], f"connections attempted: {guard.violations}"
    assert case.message in said, f"{case.name}: said {said!r}"
    for page in pages:
        assert escape(said) in page, "the message is on the page the person sees"
        if case.payload:
            assert case.payload not in page
    assert hitpaw.submit_calls == []
    assert not CoinCharge.objects.exists()
    assert not Job.objects.exclude(coins=None).exists()
    assert _files(Path(settings.MEDIA_ROOT)) == []
    assert _files(scratch) == []
    if case.serve and case.serve.location and case.message == MSG_PRIVATE:
        assert guard.carried == [(PUBLIC_ADDRESS, 80)], "the redirect's first hop only"
    RESULTS[CASES.index(case) + 1] = {
        "number": CASES.index(case) + 1,
        "name": case.name,
        "kind": case.kind,
        "input": case.shown or case.link,
        "outcome": outcome,
        "message": said,
    }


def _run_form(case: Case, client, hitpaw) -> tuple[str, str, list[str]]:
    response = client.post("/", {"img_url": case.link, "model_name": "general_2x", **case.fields})
    assert response.status_code == 200
    assert not Job.objects.exists()
    return "refused by the form", _errors(response), [response.content.decode()]


def _run_upload(case: Case, client, hitpaw) -> tuple[str, str, list[str]]:
    files = [SimpleUploadedFile(name, content, content_type="image/png") for name, content in case.files]
    response = client.post("/", {"img_url": "", "model_name": "general_2x", "photos": files})
    assert response.status_code == 200
    assert not Job.objects.exists()
    return "upload refused", _errors(response), [response.content.decode()]


def _run_fetch(case: Case, client, hitpaw) -> tuple[str, str, list[str]]:
    """The form takes the link; the worker's fetch step refuses it, before anything goes to HitPaw."""
    response = client.post("/", {"img_url": case.link, "model_name": "general_2x", **case.fields})
    job = Job.objects.get()
    assert response.status_code == 302
    job = step(job, hitpaw)
    assert job.status == JobStatus.FAILED, f"{case.name}: {job.status} {job.message!r}"
    assert not job.original
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "No coins were charged." in page
    return "job failed before sending", job.message, [page]


def _run_measure(case: Case, client, hitpaw) -> tuple[str, str, list[str]]:
    answer = client.get("/measure.json", {"url": case.link}).json()
    assert answer["ok"] is False
    return "no estimate", answer["message"], []


RUN = {"form": _run_form, "upload": _run_upload, "fetch": _run_fetch, "measure": _run_measure}


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join(message for messages in form.errors.values() for message in messages)


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


class _EveryPath(dict):
    """The loopback server's routes: the case's answer for any path."""

    def __init__(self, answer: Served | None) -> None:
        super().__init__()
        self.answer = answer

    def get(self, path, default=None):
        return self.answer.route if self.answer else default


def test_the_battery_covers_at_least_forty_inputs_of_every_kind():
    assert len(CASES) >= 40
    assert {case.kind for case in CASES} == set(RUN)
    assert len({case.id for case in CASES}) == len(CASES)


# --- Hostile query values on the pages that read them ---------------------------------------------

HOSTILE_VALUES = [
    "9999-12-31",  # the day after overflows
    "0001-01-01",
    "99999-01-01",
    "²",  # a digit to str.isdigit, not to int()
    "-1",
    "99999999999999999999999999",  # past every integer column
    "x" * 5000,
    "2024-01-01\x00",
    ["2024-01-01", "<script>"],  # a value given twice
]
# Each page with the query values it reads (`{job}` and `{batch}` are filled in).
QUERY_PAGES = {
    "/jobs/": ("since", "until", "page", "q", "status", "model"),
    "/jobs/status.json": ("ids",),
    "/jobs/{job}/": ("view",),
    "/usage/": ("range", "start", "end"),
    "/usage/coins.csv": ("range", "start", "end"),
    "/batches/{batch}/": ("page",),
    "/batches/{batch}/status.json": ("page",),
    "/": ("again",),
    "/team/": ("since", "until", "page", "person", "model", "status", "q"),
}


def test_hostile_query_values_never_give_a_server_error(client, admin_user, catalogue):
    """History, usage, its CSV, the live status, batches, `?again=` and the team view: every
    malformed value (overflowing dates, `²`, NUL bytes, huge numbers, lists) gets a page, a 400 or
    a plain message, never a 500. Run as a superuser, who passes every permission check."""
    client.force_login(admin_user)
    client.raise_request_exception = False  # collect every failure, not just the first
    batch, (job,) = make_batch(admin_user, catalogue["general_2x"], [JobStatus.COMPLETED])
    failures = []
    for page, names in QUERY_PAGES.items():
        path = page.format(job=job.pk, batch=batch.pk)
        for name in names:
            queries = [{name: value} for value in HOSTILE_VALUES]
            if name in ("end", "until"):  # a whole range, from the earliest day to the last
                queries.append({"range": "custom", "start": "0001-01-01", "end": "9999-12-31"})
                queries.append({"since": "0001-01-01", "until": "9999-12-31"})
            for query in queries:
                response = client.get(path, query)
                if response.status_code >= 500:
                    failures.append(f"{path} {query}"[:120])
    assert not failures
