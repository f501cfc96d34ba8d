"""In a real browser: the JSON API's interactive docs render from our own static files (offline),
under the app's Content-Security-Policy (the `page` fixture fails on any violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_offline_under_the_csp(page, live_app):
    outside: list[str] = []
    page.on("request", lambda request: request.url.startswith(live_app.url) or outside.append(request.url))
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Enhance Desk JSON API")
    expect(page.get_by_text("/api/v1/photos", exact=True).first).to_be_visible()
    assert outside == [], "the docs page reached outside the app"
