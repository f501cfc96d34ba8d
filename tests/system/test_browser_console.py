"""In a real browser, the admin's pages for people: pausing with a reason keeps Enhance off (even as the
estimate updates), the review queue, the teammate page's Copy button, the welcome page, a 404 — each
fits a phone with no sideways scrolling and no serious axe-core finding, under the strict CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import enhance_button
from tests.system.test_browser_pages import ADMIN, ADMIN_PASSWORD, check, phone_page

pytestmark = pytest.mark.browser

REASON = "Topping up coins, back at 3 pm."
NEEDS_REVIEW = (
    "from enhancer.models import EnhanceModel, Job; from django.contrib.auth import get_user_model; "
    "from django.utils import timezone; "
    "m = EnhanceModel.objects.get(name='general_2x'); "
    "Job.objects.create(user=get_user_model().objects.get(username='alice'), model=m, model_name=m.name, "
    "status='needs_review', img_url='https://photos.example/shop/a-rather-long-photo-name-for-a-phone.jpg', "
    "estimated_coins=20, hitpaw_job_id='hp-77', message='We lost the answer.', "
    "deadline_at=timezone.now())"
)


@pytest.fixture(scope="module")
def admin(live_app) -> None:
    live_app.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
        f"user = get_user_model().objects.create_superuser({ADMIN!r}, password={ADMIN_PASSWORD!r}, "
        "first_name='Ada', last_name='Quinn'); "
        "user.groups.add(*Group.objects.filter(name__in=['admins', 'staff']))",
    )
    live_app.manage("shell", "-c", NEEDS_REVIEW)


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_admin_console_in_a_browser(browser, live_app, admin, photo_url, csp_violations, tmp_path):
    page = phone_page(browser, live_app, csp_violations)
    visitor = phone_page(browser, live_app, csp_violations)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url)
    try:
        log_in(page)
        problems = check(page, "/review/", tmp_path)
        expect(page.locator("[data-fact=hitpaw-job]")).to_have_text("hp-77")

        page.goto("/system/")
        page.get_by_label("Why pause?").fill(REASON)
        page.get_by_role("button", name="Pause new photos").click()
        expect(page.locator(".banner-paused")).to_contain_text(REASON)
        problems += check(page, "/system/", tmp_path)

        problems += check(page, "/", tmp_path)
        expect(page.locator("[data-paused-reason]")).to_contain_text(REASON)
        page.get_by_label("Image link(s)").fill(photo_url)
        expect(page.locator("#estimate")).to_be_visible()  # the estimate ran, and left the button off
        expect(enhance_button(page)).to_be_disabled()

        page.goto("/system/")
        page.get_by_role("button", name="Resume new photos").click()
        page.goto("/")
        page.get_by_label("Image link(s)").fill(photo_url)
        expect(enhance_button(page)).to_be_enabled()

        page.goto("/admin/auth/user/add/")
        page.locator("#id_full_name").fill("Carol Baker")
        page.locator("#id_username").fill("carol")
        page.locator("#id_role").select_option("staff")
        page.get_by_role("button", name="Save", exact=True).click()
        link = page.locator("[data-set-password-link]").input_value()
        page.get_by_role("button", name="Copy").click()
        expect(page.locator("[data-copy-status]")).to_have_text("Copied")
        assert page.evaluate("() => navigator.clipboard.readText()") == link

        problems += check(visitor, link.removeprefix(live_app.url), tmp_path)
        expect(visitor.locator("[data-username]")).to_contain_text("Your username is carol")
        visitor.get_by_label("Choose a password").fill("a-long-new-pass-91")
        visitor.get_by_label("Type it again").fill("a-long-new-pass-91")
        visitor.get_by_role("button", name="Set my password and log in").click()
        expect(visitor).to_have_url(f"{live_app.url}/")
        expect(visitor.locator(".flash")).to_contain_text("you are logged in as carol")

        problems += check(visitor, "/no-such-page/", tmp_path)
        expect(visitor.get_by_role("link", name="Back to the start page")).to_be_visible()

        assert problems == [], "\n".join(problems)
        assert csp_violations == [], "A page broke its Content-Security-Policy"
    finally:
        page.context.close()
        visitor.context.close()
