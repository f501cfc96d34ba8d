"""In a real browser: the job page's actions follow the live status. Cancel is offered while the
photo is being fetched, and goes by itself once the photo is sent to HitPaw (no reload)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.support.browser import JOB_DONE_TIMEOUT_MS, dusk_photo, enhance_button, log_in

pytestmark = pytest.mark.browser

SLOW_SECONDS = 4


@pytest.fixture(scope="module")
def slow_photo_url() -> Iterator[str]:
    """A photo on loopback that takes a few seconds to arrive, so the job page opens before it is sent."""
    content = dusk_photo()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(SLOW_SECONDS)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow-harbour.png"
    server.shutdown()
    server.server_close()


def test_cancel_goes_from_the_job_page_once_the_photo_is_sent(page, live_app, slow_photo_url):
    log_in(page, live_app)
    page.get_by_label("Image link(s)").fill(slow_photo_url)
    page.locator(".model-card", has_text="General Enhance").click()
    enhance_button(page).click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    cancel = page.get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()  # still fetching: nothing sent, nothing charged
    reloads = []
    page.on("load", lambda loaded: reloads.append(loaded.url))
    # The live update that shows "Enhancing" (the photo is at HitPaw) is the one that drops Cancel.
    expect(page.locator("[data-status-badge]")).to_have_text("Enhancing", timeout=JOB_DONE_TIMEOUT_MS)
    assert cancel.count() == 0
    assert reloads == []  # by the page's own script, not a reload
