"""Which photo HitPaw fetches: with a public address, our own checked copy through a signed link."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from freezegun import freeze_time

from enhancer.jobs.hitpaw_links import submission_url
from enhancer.models import JobStatus
from tests.support.images import image_bytes
from tests.support.jobs import PHOTO_URL, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_job():
    name = default_storage.save("originals/job-photo.png", ContentFile(image_bytes(64, 48)))
    return make_job(JobStatus.SUBMITTING, original=name)


def path_of(url: str, settings) -> str:
    return url.removeprefix(settings.PUBLIC_BASE_URL)


def test_without_a_public_address_hitpaw_gets_the_users_own_link(settings, stored_job):
    settings.PUBLIC_BASE_URL = ""

    assert submission_url(stored_job) == PHOTO_URL


def test_with_a_public_address_hitpaw_gets_a_signed_link_to_our_checked_copy(settings, stored_job, client):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"

    url = submission_url(stored_job)
    response = client.get(path_of(url, settings))

    assert url.startswith("https://desk.example.com/o/") and url.endswith("/photo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_job.original.read()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_signed_link_expires(settings, stored_job, client):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    with freeze_time() as clock:
        url = submission_url(stored_job)
        clock.tick(timedelta(seconds=settings.ENHANCER_ORIGINAL_LINK_SECONDS + 1))

        assert client.get(path_of(url, settings)).status_code == 404


def test_a_tampered_link_shows_nothing(settings, stored_job, client):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    path = path_of(submission_url(stored_job), settings)
    token = path.split("/")[2]

    assert client.get(path.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(f"/o/{stored_job.pk}/photo.png").status_code == 404
