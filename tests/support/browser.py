"""What the browser tests share besides fixtures: the window, the wait for a job, the photo, logging in."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.support.live_app import LiveApp

VIEWPORT = {"width": 1280, "height": 900}
JOB_DONE_TIMEOUT_MS = 60_000


def dusk_photo(width: int = 320, height: int = 240) -> bytes:
    """A small, colourful landscape (sky, sun, hills, water), so the screenshots look like a real photo."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = height * 5 // 8
    top, bottom = (38, 52, 120), (250, 160, 90)
    for y in range(horizon):
        t = y / horizon
        draw.line(
            [(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    sun_x, sun_y, sun_r = width * 2 // 3, horizon - height // 10, height // 9
    draw.ellipse([sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r], fill=(255, 214, 120))
    draw.polygon([(0, horizon), (width // 5, horizon - 60), (width * 2 // 5, horizon)], fill=(72, 58, 110))
    draw.polygon(
        [(width // 4, horizon), (width // 2, horizon - 42), (width * 3 // 4, horizon)], fill=(96, 70, 122)
    )
    for y in range(horizon, height):
        t = (y - horizon) / (height - horizon)
        draw.line([(0, y), (width, y)], fill=(round(40 + 30 * t), round(70 + 40 * t), round(130 + 30 * t)))
    for i, y in enumerate(range(horizon + 6, height, 9)):
        half = sun_r - i * 3
        if half > 4:
            draw.line([(sun_x - half, y), (sun_x + half, y)], fill=(250, 190, 110), width=2)
    draw.polygon(
        [(40, height - 40), (120, height - 40), (104, height - 26), (54, height - 26)], fill=(34, 30, 48)
    )
    draw.line([(80, height - 40), (80, height - 96)], fill=(34, 30, 48), width=3)
    draw.polygon([(83, height - 94), (83, height - 46), (118, height - 46)], fill=(245, 240, 230))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def log_in(page: Page, app: LiveApp) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill(app.username)
    page.get_by_label("Password").fill(app.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{app.url}/")


def enhance_button(page: Page):
    return page.locator("button[data-submit]")
