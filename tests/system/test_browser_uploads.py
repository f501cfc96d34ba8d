"""In a real browser: chosen photos are listed, one can be removed before sending, the upload shows
its progress, and an iPhone's HEIC is measured before sending and enhanced (sandbox mode, staged
through the simulator's upload service as HitPaw's presign-put would be)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.media.test_heic_uploads import heic_bytes
from tests.support.browser import JOB_DONE_TIMEOUT_MS, dusk_photo, enhance_button, log_in
from tests.system.test_browser import pick_model

pytestmark = pytest.mark.browser


def photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": dusk_photo()}


def uploads_named(app, batch: int) -> list[str]:
    rows = app.query("SELECT upload_name FROM enhancer_job WHERE batch_id = ? ORDER BY position", (batch,))
    return [name for (name,) in rows]


def test_a_removed_photo_is_not_sent_and_the_upload_shows_its_progress(page, live_app, csp_violations):
    log_in(page, live_app)
    expect(page.locator("[data-upload-progress]")).to_be_hidden()  # nothing is uploading yet
    page.locator("input[type=file][name=photos]").set_input_files(
        files=[photo("first.png"), photo("second.png"), photo("third.png")]
    )
    pick_model(page, "General Enhance", 2)
    chosen = page.locator("[data-chosen-list] li")
    expect(chosen).to_have_count(3)

    page.get_by_role("button", name="Remove second.png").click()

    expect(chosen).to_have_count(2)
    expect(chosen.nth(1)).to_contain_text("third.png")
    expect(page.locator("[data-estimate-total]")).to_have_text("About 20 coins for 2 photos")
    held = []
    page.route(
        re.compile(r"/$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    enhance_button(page).click()
    progress = page.locator("[data-upload-progress]")
    expect(progress).to_be_visible()
    expect(progress.locator("progress")).to_be_visible()
    for _ in range(100):  # the request is held by the route until we let it go
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    assert b"second.png" not in (held[0].request.post_data_buffer or b"")
    held[0].continue_()

    expect(page).to_have_url(re.compile(r"/batches/\d+/$"))
    batch = int(re.search(r"/batches/(\d+)/", page.url)[1])
    assert uploads_named(live_app, batch) == ["first.png", "third.png"]
    assert csp_violations == []


def test_an_iphone_heic_is_measured_before_sending_and_enhanced(page, live_app):
    log_in(page, live_app)
    portrait = heic_bytes(width=320, height=240, orientation=6)  # shown standing: 240 × 320
    page.locator("input[type=file][name=photos]").set_input_files(
        files=[{"name": "IMG_0042.HEIC", "mimeType": "image/heic", "buffer": portrait}]
    )
    pick_model(page, "General Enhance", 2)
    expect(page.locator("#estimate")).to_contain_text("240 × 320")
    expect(page.locator("[data-estimate-total]")).to_have_text("About 10 coins for 1 photo")

    enhance_button(page).click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    try:
        expect(page.locator("[data-status-badge]")).to_have_text("Done", timeout=JOB_DONE_TIMEOUT_MS)
    except AssertionError:
        message = page.locator("[data-message]").text_content()
        pytest.fail(f"The HEIC never showed Done; page says {message!r}.\n{live_app.log_tail()}")
    expect(page.locator("[data-result-size]")).to_have_text("480 × 640 px")
    job = int(re.search(r"/jobs/(\d+)/", page.url)[1])
    ((staged, extension),) = live_app.query(
        "SELECT staged_url, extension FROM enhancer_job WHERE id = ?", (job,)
    )
    assert staged.startswith(f"{live_app.url}/sandbox/oss/files/") and extension == ".jpg"
