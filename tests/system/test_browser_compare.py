"""In a real browser, at desktop and phone widths: the job page's and the share page's before/after
slider draw both photos at the same size, with Before/After labels and a visible keyboard focus;
side by side stays side by side on a phone; 100 % zoom shows the photo at its own pixel width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import JOB_DONE_TIMEOUT_MS, enhance_button, log_in

pytestmark = pytest.mark.browser

WIDTHS = [
    pytest.param({"width": 1366, "height": 900}, id="desktop"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]
RESULT_WIDTH = 640  # the 320 x 240 photo at 2x


@pytest.fixture(scope="module")
def shared_job(browser, live_app, photo_url) -> tuple[str, str]:
    """A finished job's page and a share link to it: (job path, share URL)."""
    context = browser.new_context(base_url=live_app.url)
    page = context.new_page()
    log_in(page, live_app)
    page.get_by_label("Image link(s)").fill(photo_url)
    enhance_button(page).click()
    expect(page.locator("[data-status-badge]")).to_have_text("Done", timeout=JOB_DONE_TIMEOUT_MS)
    job_path = page.url.removeprefix(live_app.url)
    page.reload()
    page.get_by_role("button", name="Share", exact=True).click()
    share_url = page.locator("[data-share-url]").input_value()
    context.storage_state(path=str(live_app.workdir / "logged-in.json"))
    context.close()
    return job_path, share_url


def open_page(browser, live_app, viewport, logged_in: bool) -> Page:
    state = str(live_app.workdir / "logged-in.json") if logged_in else None
    context = browser.new_context(viewport=viewport, base_url=live_app.url, storage_state=state)
    context.set_default_timeout(15_000)
    return context.new_page()


def boxes(page: Page, selector: str) -> list[dict]:
    """The rendered boxes of the pictures matched, once every one has loaded."""
    page.wait_for_function(
        f"() => [...document.querySelectorAll({selector!r})].every(i => i.complete && i.naturalWidth > 0)"
    )
    return page.eval_on_selector_all(
        selector,
        "imgs => imgs.map(i => { const r = i.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height, natural: i.naturalWidth}; })",
    )


def assert_slider_right(page: Page) -> None:
    slider = page.locator("img-comparison-slider")
    expect(slider).to_have_class("slider rendered")
    before, after = boxes(page, "img-comparison-slider img")
    assert before["natural"] < after["natural"]  # the original really is the smaller file
    assert abs(before["width"] - after["width"]) < 1 and abs(before["height"] - after["height"]) < 1, (
        before,
        after,
    )
    assert after["width"] > 100
    frame = page.locator(".slider-frame")
    expect(frame.locator(".slider-label.left")).to_have_text("Before")
    expect(frame.locator(".slider-label.right")).to_have_text("After")
    expect(frame.locator(".slider-label.left")).to_be_visible()
    for _ in range(40):  # keyboard focus reaches the slider, and shows
        if slider.evaluate("el => document.activeElement === el"):
            break
        page.keyboard.press("Tab")
    assert slider.evaluate("el => document.activeElement === el")
    outline = slider.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    page.keyboard.press("ArrowLeft")  # moving the divider leaves both the same size
    again_before, again_after = boxes(page, "img-comparison-slider img")
    assert abs(again_before["width"] - again_after["width"]) < 1


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_share_page_slider_draws_before_and_after_at_the_same_size(
    browser, live_app, shared_job, viewport
):
    page = open_page(browser, live_app, viewport, logged_in=False)
    page.goto(shared_job[1])
    page.locator("body").focus()
    assert_slider_right(page)
    page.context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_job_page_slider_draws_before_and_after_at_the_same_size(browser, live_app, shared_job, viewport):
    page = open_page(browser, live_app, viewport, logged_in=True)
    page.goto(f"{shared_job[0]}?view=slider")
    assert_slider_right(page)
    page.context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_side_by_side_stays_side_by_side(browser, live_app, shared_job, viewport):
    page = open_page(browser, live_app, viewport, logged_in=True)
    page.goto(f"{shared_job[0]}?view=side")
    before, after = boxes(page, ".compare img")
    assert abs(before["y"] - after["y"]) < 1 and before["x"] < after["x"]
    assert abs(before["width"] - after["width"]) < 1 and abs(before["height"] - after["height"]) < 1
    page.context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_100_percent_zoom_shows_the_photo_at_its_pixel_width_and_scrolls(
    browser, live_app, shared_job, viewport
):
    page = open_page(browser, live_app, viewport, logged_in=True)
    page.goto(f"{shared_job[0]}?view=zoom")
    before, after = boxes(page, ".zoom-pane img")
    assert after["width"] == after["natural"] == RESULT_WIDTH
    assert before["width"] == RESULT_WIDTH  # the original enlarged to the same size, to compare details
    assert abs(before["y"] - after["y"]) < 1  # side by side
    pane = page.locator(".zoom-pane").last
    if pane.evaluate("el => el.clientWidth") < RESULT_WIDTH:
        pane.evaluate("el => { el.scrollLeft = 200; }")
        assert pane.evaluate("el => el.scrollLeft") > 0
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.context.close()
