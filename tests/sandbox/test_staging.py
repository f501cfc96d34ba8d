"""The simulator's upload service (HitPaw's presign-put): a signed PUT link that expires, the file
stored as it was sent, and an access link the simulator's photo-enhancer takes as img_url."""

import io
import os
from datetime import timedelta

import pytest
import responses
from freezegun import freeze_time
from PIL import Image

from enhancer.sandbox.models import SandboxTask
from tests.sandbox.test_simulator import call
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db

PHOTO = image_bytes(64, 48, "JPEG")


@pytest.fixture
def sandbox_at_testserver(settings):
    settings.SANDBOX_BASE_URL = "http://testserver/sandbox"


def presign(client, **overrides):
    body = {"filename": "photo-1.jpg", "content_type": "image/jpeg", "expire_seconds": 900, **overrides}
    return call(client, "oss/presign-put", body)


def put(client, url, content=PHOTO, content_type="image/jpeg"):
    return client.generic("PUT", url.removeprefix("http://testserver"), content, content_type=content_type)


def test_a_staged_photo_is_stored_as_sent_and_enhanced_from_its_access_link(
    client, sandbox_at_testserver, web
):
    slot = presign(client).json()["data"]

    assert put(client, slot["upload_url"]).status_code == 200
    fetched = client.get(slot["access_url"].removeprefix("http://testserver"))
    assert b"".join(fetched.streaming_content) == PHOTO and fetched["Content-Type"] == "image/jpeg"
    web.add(responses.GET, slot["access_url"], body=PHOTO, content_type="image/jpeg")  # as fetched over HTTP

    answer = call(
        client,
        "photo-enhancer",
        {"model_name": "general_2x", "img_url": slot["access_url"], "extension": ".jpg"},
    )
    assert answer.json()["data"]["consume_coins"] == 10
    assert SandboxTask.objects.get().img_url == slot["access_url"]


def test_the_simulator_may_fetch_its_own_staged_files_with_private_links_off(settings):
    from enhancer.sandbox.views import _our_own_upload_link

    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"
    assert _our_own_upload_link("http://127.0.0.1:8000/sandbox/oss/files/abc")
    assert not _our_own_upload_link("http://127.0.0.1:8000/admin/")


def test_the_put_link_expires_and_names_its_type(client, sandbox_at_testserver):
    with freeze_time() as clock:
        slot = presign(client, expire_seconds=60).json()["data"]
        assert put(client, slot["upload_url"], content_type="image/png").status_code == 403
        clock.tick(timedelta(seconds=61))
        assert put(client, slot["upload_url"]).status_code == 403
    tampered = slot["upload_url"][:-3] + "xyz"
    assert put(client, tampered).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"filename": "scan.tiff", "content_type": "image/tiff"},
        {"expire_seconds": 30},
        {"expire_seconds": 7201},
        {"content_type": "image/png"},  # not the file's type
    ],
)
def test_it_refuses_what_hitpaw_refuses(client, body):
    answer = presign(client, **body)
    assert answer.status_code == 403 and answer.json()["error_code"] == 100403000


def test_only_the_app_may_ask_for_a_link(client):
    answer = call(client, "oss/presign-put", {"filename": "a.jpg", "content_type": "image/jpeg"}, key="guess")
    assert answer.json()["error_code"] == 110400000


def test_a_photo_larger_than_a_small_anonymous_form_may_be_put(client, settings, sandbox_at_testserver):
    settings.ENHANCER_MAX_ANONYMOUS_REQUEST_BYTES = 16 * 1024
    noise = Image.frombytes("RGB", (200, 100), os.urandom(200 * 100 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = out.getvalue()
    assert len(big) > 16 * 1024
    slot = presign(client, filename="big.png", content_type="image/png").json()["data"]

    assert put(client, slot["upload_url"], big, "image/png").status_code == 200
    assert client.generic("PUT", "/accounts/login/", big, content_type="image/png").status_code == 413
