"""In a real browser: the submit page judges a paste before it is sent. Lines left out are listed
with why, more links than one batch takes disable Enhance with the reason, and so does an estimate
past what the budget leaves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import enhance_button, log_in

pytestmark = pytest.mark.browser


def paste(page, lines: list[str]) -> None:
    page.get_by_label("Image link(s)").fill("\n".join(lines))
    page.locator(".model-card", has_text="General Enhance").click()


def test_the_page_lists_what_a_paste_leaves_out_and_why(page, live_app, photo_server):
    log_in(page, live_app)
    good = [f"{photo_server}/harbour-morning.png", f"{photo_server}/harbour-noon.png"]
    paste(page, [*good, good[0], f"{photo_server}/party.gif", "my holiday photo"])
    left_out = page.locator("[data-estimate-left-out]")
    expect(left_out).to_contain_text("Left out (3):")
    expect(left_out).to_contain_text(f"“{good[0]}” is in the list twice; it is sent once.")
    expect(left_out).to_contain_text(f"“{photo_server}/party.gif” is a GIF file, which HitPaw does not take.")
    expect(left_out).to_contain_text("“my holiday photo” is not a web link.")
    expect(page.locator("[data-estimate-total]")).to_have_text("About 20 coins for 2 photos")
    expect(enhance_button(page)).to_be_enabled()


def test_more_links_than_one_batch_takes_disable_enhance_with_the_reason(page, live_app, photo_server):
    log_in(page, live_app)
    paste(page, [f"{photo_server}/missing-{n}.png" for n in range(501)])
    blocked = page.locator("[data-estimate-blocked]")
    expect(blocked).to_have_text(
        "You pasted 501 links; one batch takes at most 500. Remove 1 link (from line 501 on), "
        "or send them in a second batch."
    )
    expect(enhance_button(page)).to_be_disabled()
    page.get_by_label("Image link(s)").fill(f"{photo_server}/harbour-noon.png")
    expect(blocked).to_be_hidden()
    expect(enhance_button(page)).to_be_enabled()


def test_an_estimate_past_the_budget_left_disables_enhance_with_the_reason(page, live_app, photo_server):
    live_app.manage(
        "shell",
        "-c",
        "from enhancer.models import TeamBudget; "
        "TeamBudget.objects.update_or_create(pk=1, defaults={'monthly_coins': 15})",
    )
    try:
        log_in(page, live_app)
        paste(page, [f"{photo_server}/harbour-morning.png", f"{photo_server}/harbour-noon.png"])
        expect(page.locator("[data-estimate-blocked]")).to_have_text(
            "These photos need about 20 coins, more than the 15 coins the team's monthly budget has left. "
            "Remove some photos, or ask an admin to raise the budget."
        )
        expect(enhance_button(page)).to_be_disabled()
        page.get_by_label("Image link(s)").fill(f"{photo_server}/harbour-noon.png")
        expect(enhance_button(page)).to_be_enabled()
    finally:
        live_app.manage(
            "shell", "-c", "from enhancer.models import TeamBudget; TeamBudget.objects.filter(pk=1).delete()"
        )
