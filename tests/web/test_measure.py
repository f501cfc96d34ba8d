"""The submit page asks the server how large the photo behind a link is, to estimate its cost."""

import io

import pytest
import responses
from PIL import Image

from tests.support.images import image_bytes
from tests.support.jobs import PHOTO_URL, serve_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(monkeypatch, fake_dns):
    with serve_images(monkeypatch, fake_dns) as mock:
        yield mock


def big_jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 90).save(out, "JPEG", quality=40)
    return out.getvalue()


def test_it_tells_the_size_of_the_photo_behind_a_link(alice_client, web):
    web.add(responses.GET, PHOTO_URL, body=image_bytes(320, 240), content_type="image/png")

    answer = alice_client.get("/measure.json", {"url": PHOTO_URL}).json()

    assert answer == {"ok": True, "format": "PNG", "width": 320, "height": 240}


def test_it_measures_a_12_megapixel_photo_from_its_first_bytes_only(alice_client, web):
    body = big_jpeg(4000, 3000) + b"\0" * (8 * 1024 * 1024)  # the rest is never read
    web.add(responses.GET, PHOTO_URL, body=body, content_type="image/jpeg")

    answer = alice_client.get("/measure.json", {"url": PHOTO_URL}).json()

    assert (answer["width"], answer["height"]) == (4000, 3000)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1/photo.png", "private or local network address"),
        ("javascript:alert(1)", "must start with http"),
        ("http://169.254.169.254/latest/meta-data", "private or local network address"),
    ],
)
def test_it_refuses_links_the_pipeline_would_refuse(alice_client, web, url, says):
    answer = alice_client.get("/measure.json", {"url": url}).json()

    assert answer["ok"] is False and says in answer["message"]


def test_it_says_plainly_when_the_link_is_not_a_picture(alice_client, web):
    web.add(responses.GET, PHOTO_URL, body=b"GIF89a" + b"\0" * 64, content_type="image/gif")

    answer = alice_client.get("/measure.json", {"url": PHOTO_URL}).json()

    assert answer["ok"] is False and "GIF" in answer["message"]


def test_it_is_for_people_who_are_logged_in(client):
    response = client.get("/measure.json", {"url": PHOTO_URL})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
