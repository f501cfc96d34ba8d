"""In a real browser: once Enhance is pressed, the button says it is working and takes no second press."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import enhance_button, log_in

pytestmark = pytest.mark.browser

# Runs after submit-once.js's own listener: notes what the button showed as the form went out.
NOTE_THE_BUTTON = """() => document.getElementById("submit-form").addEventListener("submit", () => {
  const button = document.querySelector("button[data-submit]");
  const seen = JSON.parse(sessionStorage.getItem("button-seen") || "[]");
  seen.push([button.disabled, button.textContent]);
  sessionStorage.setItem("button-seen", JSON.stringify(seen));
})"""


def job_count(app) -> int:
    return app.query("SELECT COUNT(*) FROM enhancer_job")[0][0]


def test_a_double_click_on_enhance_sends_the_form_once_and_the_button_says_it_is_working(
    page, live_app, photo_url, csp_violations
):
    log_in(page, live_app)
    before = job_count(live_app)
    page.get_by_label("Image link(s)").fill(photo_url)
    page.locator(".model-card", has_text="General Enhance").click()
    page.evaluate(NOTE_THE_BUTTON)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    enhance_button(page).dblclick()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    assert page.evaluate("JSON.parse(sessionStorage.getItem('button-seen'))")[0] == [True, "Sending…"]
    assert len(posts) == 1
    assert job_count(live_app) == before + 1
    assert csp_violations == []
