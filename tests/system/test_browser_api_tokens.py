"""In a real browser: make an API token from the nav, copy it once, and it is never shown again
(not on reload, not in the app's log or database files); then turn it off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in
from tests.system.test_browser_pages import PHONE, RUN_AXE, check, phone_page

pytestmark = pytest.mark.browser


def files_of(live_app) -> bytes:
    paths = [live_app.log_path, *live_app.db_path.parent.glob(live_app.db_path.name + "*")]
    return b"".join(path.read_bytes() for path in paths if path.is_file())


def test_a_token_is_made_shown_once_and_turned_off(page, live_app):
    log_in(page, live_app)
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(f"{live_app.url}/settings/tokens/")

    page.get_by_label("Name").fill("catalogue script")
    page.get_by_label("Expires").select_option(label="30 days")
    page.get_by_role("button", name="Make a token").click()

    raw = page.locator("[data-raw-token]").input_value()
    assert re.fullmatch(r"edk_[A-Za-z0-9_-]{43}", raw)
    expect(page.locator("[data-new-token]")).to_contain_text("shown only this once")
    row = page.locator("[data-tokens] tbody tr").first
    expect(row).to_contain_text(raw[:10])
    expect(row.locator("[data-token-status]")).to_have_text("working")

    page.goto("/settings/tokens/")
    expect(page.locator("[data-raw-token]")).to_have_count(0)
    assert raw not in page.content()
    assert raw.encode() not in files_of(live_app)

    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("[data-tokens] [data-token-status]").first).to_have_text("turned off")
    expect(page.locator(".flash").first).to_contain_text("turned off")
    assert raw not in page.content()


def test_the_token_page_fits_a_phone_and_has_no_serious_accessibility_problem(
    browser, live_app, csp_violations, tmp_path
):
    phone = phone_page(browser, live_app, csp_violations)
    log_in(phone, live_app)
    phone.goto("/settings/tokens/")
    phone.get_by_label("Name").fill("phone script")
    phone.get_by_role("button", name="Make a token").click()
    expect(phone.locator("[data-raw-token]")).to_be_visible()

    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert phone.evaluate(RUN_AXE) == []
    assert check(phone, "/settings/tokens/", tmp_path) == []
    assert csp_violations == []
    phone.context.close()
