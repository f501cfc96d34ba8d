"""The browser tests' fixtures: Debian's Chromium, the app run as `make run` runs it, photos on loopback.

Each page fails its test on any Content-Security-Policy violation. The browser, the app and the
photo server are module-scoped: each test file starts its own.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import VIEWPORT, dusk_photo
from tests.support.live_app import LiveApp

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHOTO_PATH = "/harbour-at-dusk.png"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (scripts/install-chromium.sh)."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@lru_cache(maxsize=1)
def solid_photo(width: int, height: int) -> bytes:
    """A plain photo of any size that stays small as a PNG (for the over-limit refusal); made once
    for every test file's photo server."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 160)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def photo_server() -> Iterator[str]:
    """Photos on a loopback server (tests never reach outside 127.0.0.1); yields its address."""
    photos = {
        PHOTO_PATH: dusk_photo(),
        "/harbour-morning.png": dusk_photo(),
        "/harbour-noon.png": dusk_photo(),
        "/poster-wall.png": solid_photo(3000, 3000),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            content = photos.get(self.path)
            if content is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def photo_url(photo_server) -> str:
    return photo_server + PHOTO_PATH


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    app = LiveApp(tmp_path_factory.mktemp("live-app")).start()
    yield app
    app.stop()


# Every page reports each Content-Security-Policy violation to the test (the event fires in the
# page; Chromium also logs it to the console): any violation fails the test that caused it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    return []


@pytest.fixture
def page(browser, live_app, csp_violations) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_app.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    context.expose_function("reportCspViolation", lambda violation: csp_violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
    )
    yield page
    context.close()
    assert csp_violations == [], "The page broke its Content-Security-Policy"
