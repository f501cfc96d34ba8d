"""In a real browser: share a finished photo, open the link logged out, download, turn it off, and it is gone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import JOB_DONE_TIMEOUT_MS, VIEWPORT, enhance_button, log_in
from tests.support.images import image_size

pytestmark = pytest.mark.browser


def test_a_share_link_opens_logged_out_downloads_and_dies_when_turned_off(page, browser, live_app, photo_url):
    log_in(page, live_app)
    page.get_by_label("Image link(s)").fill(photo_url)
    enhance_button(page).click()
    expect(page.locator("[data-status-badge]")).to_have_text("Done", timeout=JOB_DONE_TIMEOUT_MS)
    page.reload()  # the share form appears with the finished job

    page.get_by_role("button", name="Share", exact=True).click()
    share_url = page.locator("[data-share-url]").input_value()
    assert re.fullmatch(rf"{re.escape(live_app.url)}/s/[A-Za-z0-9_-]{{32}}/", share_url)

    stranger = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    visitor = stranger.new_page()
    response = visitor.goto(share_url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(visitor.locator("img[data-share-result]")).to_be_visible()
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Download the enhanced photo").click()
    assert image_size(Path(download_info.value.path()).read_bytes()) == (640, 480)

    page.reload()
    expect(page.locator("[data-share-link]").first).to_contain_text("1 view")
    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("[data-share-status]").first).to_have_text("Turned off")

    gone = visitor.goto(share_url)
    assert gone.status == 404
    expect(visitor.locator("[data-share-missing]")).to_contain_text("This link does not work")
    stranger.close()
