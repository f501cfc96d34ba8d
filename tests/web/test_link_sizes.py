"""The submit page asks the server how large the photo behind a link is, to estimate its cost."""

import contextlib
import importlib
import io
import time

import pytest
import responses
from django.test import Client
from PIL import Image

from enhancer.web import measure_limits
from tests.media import servers
from tests.support.images import image_bytes
from tests.support.jobs import PHOTO_URL

measure_view = importlib.import_module("enhancer.web.views.link_sizes")  # the package names the view

pytestmark = pytest.mark.django_db


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


# --- Limits: no person and no link can tie up the web threads -------------------------------------


def test_a_person_gets_a_few_dozen_measurements_a_minute(alice_client, bob, client, web, monkeypatch):
    monkeypatch.setattr(measure_limits, "PER_MINUTE", 3)
    web.add(responses.GET, PHOTO_URL, body=image_bytes(32, 24), content_type="image/png")
    answers = [alice_client.get("/measure.json", {"url": PHOTO_URL}) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json() == {"ok": False, "message": measure_limits.MSG_TOO_MANY}
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    client.force_login(bob)  # someone else is not held back by Alice
    assert client.get("/measure.json", {"url": PHOTO_URL}).json()["ok"] is True


def test_a_person_measures_only_a_few_links_at_once(alice_client, bob, monkeypatch):
    """While Alice's measurement waits on a slow server, her next one is refused at once, Bob's is not."""
    monkeypatch.setattr(measure_limits, "PER_PERSON_AT_ONCE", 1)
    client = Client()
    client.force_login(bob)
    during = {}

    def slow_measure(url, **options):
        during["alice"] = alice_client.get("/measure.json", {"url": PHOTO_URL})
        during["bob"] = client.get("/measure.json", {"url": "javascript:1"})
        return "PNG", 32, 24

    monkeypatch.setattr(measure_view, "measure_image", slow_measure)
    first = alice_client.get("/measure.json", {"url": PHOTO_URL})

    assert first.json()["ok"] is True
    assert during["alice"].status_code == 429
    assert during["alice"].json()["message"] == measure_limits.MSG_ONE_AT_A_TIME
    assert during["bob"].status_code == 200  # his own slot; his link is refused plainly
    assert alice_client.get("/measure.json", {"url": PHOTO_URL}).status_code == 200  # slot given back


def test_a_web_process_measures_only_a_few_links_at_once(alice_client, monkeypatch, django_user_model):
    """Measurements of different people share a few slots per process: the rest of its threads
    stay free for pages."""
    people = [
        django_user_model.objects.create_user(f"p{n}") for n in range(measure_limits.PER_PROCESS_AT_ONCE)
    ]
    with contextlib.ExitStack() as held:
        for person in people:
            held.enter_context(measure_limits.measure_slot(person.pk))
        answer = alice_client.get("/measure.json", {"url": PHOTO_URL})
    assert answer.status_code == 429
    assert answer.json()["message"] == measure_limits.MSG_BUSY


def test_a_slow_server_cannot_hold_a_measurement_past_its_deadline(alice_client, settings, monkeypatch):
    monkeypatch.setattr(measure_limits, "MEASURE_SECONDS", 1.0)
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    with servers.LoopbackServer() as server:
        server.routes["/slow.jpg"] = servers.drip_body(server.stop, every=0.2)
        started = time.monotonic()
        answer = alice_client.get("/measure.json", {"url": server.url("/slow.jpg")})
        took = time.monotonic() - started
    assert answer.json()["ok"] is False
    assert took < 5.0  # room for a slow machine: without the deadline the drip never ends
