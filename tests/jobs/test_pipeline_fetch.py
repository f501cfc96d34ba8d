"""Fetching the original: the whole journey of a job, what we store, and how fetch failures end."""

from datetime import timedelta

import pytest
import responses
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancer.jobs import claims, intake, pipeline
from enhancer.models import JobStatus
from tests.support.images import image_size
from tests.support.jobs import (
    PHOTO_URL,
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    downloads,
    make_job,
    running,
    step,
    timeline,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(pipeline, "MAX_STEP_ATTEMPTS", 3)


def test_it_takes_a_job_through_every_step_to_completed(web, alice, general_2x):
    add_image(web, PHOTO_URL, 64, 48)
    add_image(web, RESULT_URL, 128, 96)
    client = StubClient(statuses=[running(), completed()])
    [job] = intake.create_jobs(alice, [PHOTO_URL], general_2x)

    seen = [step(job, client).status for _ in range(5)]

    assert seen == ["submitting", "converting", "converting", "downloading", "completed"]
    assert timeline(job) == [
        "queued",
        "fetching",
        "submitting",
        "converting",
        "downloading",
        "completed",
    ]
    times = [event.at for event in job.events.all()]
    assert times == sorted(times)
    assert job.message == "Done."
    assert job.finished_at is not None
    assert len(client.submit_calls) == 1


def test_it_stores_the_original_and_the_result_with_their_pixel_sizes(web):
    original = add_image(web, PHOTO_URL, 64, 48)
    add_image(web, RESULT_URL, 128, 96)
    job = make_job()
    client = StubClient(statuses=[completed()])

    for _ in range(4):
        job = step(job, client)

    assert job.status == JobStatus.COMPLETED
    assert (job.original_width, job.original_height) == (64, 48)
    assert (job.result_width, job.result_height) == (128, 96)
    assert default_storage.open(job.original.name).read() == original
    assert image_size(default_storage.open(job.result.name).read()) == (128, 96)


@pytest.mark.parametrize(
    ("fmt", "extension"), [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("BMP", ".bmp")]
)
def test_it_sends_hitpaw_the_extension_of_what_the_link_really_holds(web, fmt, extension):
    url = "https://photos.example/download?id=42"
    add_image(web, url, fmt=fmt)
    job = make_job(img_url=url)
    client = StubClient()

    job = step(step(job, client), client)

    assert job.extension == extension
    assert job.original.name.endswith(extension)
    assert client.submit_calls == [
        dict(img_url=url, model_name="general_2x", extension=extension, exif=False, dpi=None)
    ]


def test_it_fails_a_link_that_finds_nothing_with_the_fetchers_words(web):
    web.add(responses.GET, PHOTO_URL, status=404)
    client = StubClient()

    job = step(make_job(), client)

    assert job.status == JobStatus.FAILED
    assert job.message == "Nothing was found at that link (error 404). The link may have expired."
    assert job.error_code is None
    assert job.finished_at is not None
    assert timeline(job) == ["queued", "fetching", "failed"]
    assert downloads(web, PHOTO_URL) == 1


def test_it_fails_a_link_that_is_not_a_picture_without_trying_again(web):
    web.add(responses.GET, PHOTO_URL, body="<html>Sign in</html>", content_type="text/html")

    job = step(make_job(), StubClient())

    assert job.status == JobStatus.FAILED
    assert "did not lead to a picture" in job.message
    assert downloads(web, PHOTO_URL) == 1


def test_it_refuses_a_link_to_a_private_address_without_connecting(web):
    job = step(make_job(img_url="http://10.0.0.8/photo.png"), StubClient())

    assert job.status == JobStatus.FAILED
    assert "private or local network address" in job.message
    assert len(web.calls) == 0


def test_it_retries_a_website_hiccup_later_and_says_so(web):
    web.add(responses.GET, PHOTO_URL, status=503)
    before = timezone.now()

    job = step(make_job(), StubClient())

    assert job.status == JobStatus.FETCHING
    assert job.message == "The image's website had a problem (error 503). Trying again shortly."
    assert job.attempts == 1
    assert job.due_at > before
    assert job.lease_token == ""


def test_it_gives_up_on_a_website_hiccup_after_the_step_limit(web):
    web.add(responses.GET, PHOTO_URL, status=503)
    job = make_job()
    client = StubClient()

    seen = [step(job, client).status for _ in range(3)]

    assert seen == ["fetching", "fetching", "failed"]
    assert job.message == "The image's website had a problem (error 503)."
    assert job.attempts == 3
    assert downloads(web, PHOTO_URL) == 3
    assert claims.claim_job(job.pk) is None


def test_it_goes_on_once_the_website_answers_again(web):
    web.add(responses.GET, PHOTO_URL, status=503)
    add_image(web, PHOTO_URL)
    client = StubClient()

    job = step(step(make_job(), client), client)

    assert job.status == JobStatus.SUBMITTING
    assert job.attempts == 0
    assert job.message == "Sending to HitPaw."


def test_it_waits_longer_after_each_failed_fetch(web, settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 60)
    web.add(responses.GET, PHOTO_URL, status=503)
    job = make_job()

    first = step(job, StubClient()).due_at - timezone.now()
    second = step(job, StubClient()).due_at - timezone.now()

    assert timedelta(seconds=25) < first <= timedelta(seconds=60)
    assert timedelta(seconds=55) < second <= timedelta(seconds=120)
    assert claims.claim_due_jobs(10, 10) == []


def test_it_never_submits_or_charges_a_job_whose_photo_could_not_be_fetched(web):
    web.add(responses.GET, PHOTO_URL, status=503)
    job = make_job()
    client = StubClient()

    for _ in range(3):
        job = step(job, client)

    assert job.status == JobStatus.FAILED
    assert client.submit_calls == []
    assert job.coins is None
    assert job.hitpaw_job_id == ""
    assert job.submit_started_at is None


def test_it_times_out_a_job_whose_photo_never_arrived_in_time(web):
    job = make_job(JobStatus.FETCHING, deadline_at=timezone.now() - timedelta(seconds=1))

    job = step(job, StubClient())

    assert job.status == JobStatus.TIMED_OUT
    assert "in time" in job.message
    assert len(web.calls) == 0


def test_a_mistyped_domain_fails_on_the_first_try_with_no_coins_charged(web, fake_dns):
    fake_dns(others=None)  # no name but the ones a test lists exists
    client = StubClient()

    job = step(make_job(img_url="https://photos.exmaple.com/shoe.png"), client)

    assert job.status == JobStatus.FAILED
    assert job.message == "That web address does not exist. Check the link for a typo."
    assert job.attempts == 1 and client.submit_calls == []
