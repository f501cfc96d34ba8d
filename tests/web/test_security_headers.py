"""Every page carries a Content-Security-Policy and the other protective headers; logged-in pages
and pictures are never kept by shared caches."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from tests.support.images import image_bytes
from tests.support.jobs import make_job


def policy(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in (d if len(d) == 2 else (d[0], "") for d in directives)}


@pytest.fixture
def done(alice, general_2x):
    job = make_job("completed", user=alice, model=general_2x)
    job.original.save("cat.png", ContentFile(image_bytes(8, 8, "PNG")), save=True)
    return job


def test_it_forbids_inline_script_and_style_and_framing(client, db):
    csp = policy(client.get("/accounts/login/"))
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data: blob:"  # blob: the size of a photo chosen for upload
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-inline" not in str(csp)


def test_it_sends_the_protective_headers_on_the_login_page(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/jobs/", "/usage/"])
def test_it_keeps_logged_in_pages_out_of_shared_caches(alice_client, path):
    response = alice_client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_it_keeps_a_stored_picture_out_of_shared_caches(alice_client, done):
    response = alice_client.get(f"/jobs/{done.pk}/original")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"


def test_it_keeps_the_admin_out_of_shared_caches(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/")["Cache-Control"] == "private, no-store"


def test_its_templates_hold_no_inline_script_or_style():
    templates = Path(__file__).resolve().parents[2] / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert "<style" not in text, template
        assert " style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>(?!</script>)", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # no inline event handlers
