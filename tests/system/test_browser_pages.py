"""In a real browser at phone width (390 px), as an admin: every page fits the screen with no sideways
scrolling, and axe-core finds no serious or critical accessibility problem on any of them.

axe-core is vendored for the tests only (tests/support/axe-core-4.14.1/VENDORED.md) and added to each
page as an init script, which the page's Content-Security-Policy does not apply to: the policy stays
as strict as it is for people, and any violation still fails the test (tests/system/conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import JOB_DONE_TIMEOUT_MS, VIEWPORT, enhance_button
from tests.support.live_app import PROJECT_DIR

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "support" / "axe-core-4.14.1" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
# The pages whose phone layout the README shows: path -> screenshot's name.
PHONE_SCREENSHOTS = {"/usage/": "phone-usage.png", "/team/": "phone-team.png"}
ADMIN, ADMIN_PASSWORD = "ada", "ada-browser-password-1"

REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""

# The problems people meet: WCAG A and AA, and axe's best practices, reported when serious or critical.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}"""


@pytest.fixture(scope="module")
def admin(live_app) -> None:
    """An admin who may also send photos: in the admins and staff groups, and a superuser for /admin/."""
    live_app.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
        f"user = get_user_model().objects.create_superuser({ADMIN!r}, password={ADMIN_PASSWORD!r}, "
        "first_name='Ada', last_name='Quinn'); "
        "user.groups.add(*Group.objects.filter(name__in=['admins', 'staff'])); "
        "from enhancer.models import TeamBudget; "  # so the usage chart draws its budget line
        "TeamBudget.objects.update_or_create(pk=1, defaults={'monthly_coins': 620})",
    )


def save_screenshot(page: Page, name: str, folder: Path) -> None:
    """Keep a copy with the test's files, and refresh the README's when asked to (UPDATE_SCREENSHOTS=1)."""
    page.screenshot(path=folder / name, full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, SCREENSHOTS / name)


def phone_page(browser, live_app, csp_violations, viewport=PHONE) -> Page:
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, base_url=live_app.url, is_mobile=phone, has_touch=phone)
    context.set_default_timeout(15_000)
    context.expose_function("reportCspViolation", lambda violation: csp_violations.append(violation))
    context.add_init_script(REPORT_CSP)
    context.add_init_script(path=str(AXE))
    return context.new_page()


def log_in_as_admin(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def send(page: Page, links: list[str]) -> str:
    """Send photos from the submit page as a person does; the page it lands on (a job's or a batch's)."""
    page.goto("/")
    page.get_by_label("Image link(s)").fill("\n".join(links))
    page.locator(".model-card", has_text="General Enhance").click()
    enhance_button(page).click()
    expect(page).to_have_url(re.compile(r"/(jobs|batches)/\d+/$"))
    return page.url


def check(page: Page, path: str, screenshots: Path) -> list[str]:
    """What is wrong with the page at `path`: sideways scrolling at the window's width, axe-core's findings."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.viewport_size == PHONE and path in PHONE_SCREENSHOTS:
        save_screenshot(page, PHONE_SCREENSHOTS[path], screenshots)
    problems = []
    limit = page.viewport_size["width"]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > limit:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll("body *")]
              .filter((el) => el.getBoundingClientRect().right > limit)
              .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))""",
            limit,
        )
        problems.append(f"{path} is {width} px wide in a {limit} px window (widest: {wide})")
    problems += [f"{path}: {finding}" for finding in page.evaluate(RUN_AXE)]
    return problems


def test_every_page_fits_a_phone_and_has_no_serious_accessibility_problem(
    browser, live_app, admin, photo_server, csp_violations, tmp_path
):
    page = phone_page(browser, live_app, csp_violations)
    visitor = phone_page(browser, live_app, csp_violations)
    try:
        problems = check(visitor, "/accounts/login/", tmp_path)
        log_in_as_admin(page)
        job_url = send(page, [f"{photo_server}/harbour-at-dusk.png"])
        expect(page.locator("[data-status-badge]")).to_have_text("Done", timeout=JOB_DONE_TIMEOUT_MS)
        page.reload()
        page.get_by_role("button", name="Share", exact=True).click()
        share_url = page.locator("[data-share-url]").input_value()
        batch_url = send(page, [f"{photo_server}/harbour-morning.png", f"{photo_server}/harbour-noon.png"])
        expect(page.locator("[data-total-done]")).to_have_text("2", timeout=JOB_DONE_TIMEOUT_MS)

        pages = ["/", "/jobs/", job_url, batch_url, "/usage/", "/team/", "/system/", "/admin/"]
        pages += ["/settings/tokens/", "/settings/webhooks/"]
        for path in pages:
            problems += check(page, path.removeprefix(live_app.url), tmp_path)
        problems += check(visitor, share_url.removeprefix(live_app.url), tmp_path)
        desktop = phone_page(browser, live_app, csp_violations, viewport=VIEWPORT)
        log_in_as_admin(desktop)
        problems += check(desktop, "/usage/", tmp_path)
        desktop.locator("[data-chart] .bar[tabindex]").last.focus()  # a day's coins, read without a mouse
        expect(desktop.locator("[data-chart-readout]")).to_have_text(
            re.compile(r"^[A-Z][a-z]{2} \d+: \d+ coins\.$")
        )
        save_screenshot(desktop, "usage-page.png", tmp_path)
        desktop.context.close()

        assert problems == [], "\n".join(problems)
        assert csp_violations == [], "A page broke its Content-Security-Policy"
    finally:
        page.context.close()
        visitor.context.close()
