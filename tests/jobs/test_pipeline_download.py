"""Saving HitPaw's result into our own storage, and what a user sees when that cannot be done."""

from datetime import timedelta

import pytest
import responses
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancer.jobs import pipeline
from enhancer.models import JobStatus
from tests.support.images import image_bytes, image_size
from tests.support.jobs import (
    RESULT_URL,
    StubClient,
    add_image,
    downloads,
    make_job,
    step,
    timeline,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)


def downloading(**fields):
    return make_job(JobStatus.DOWNLOADING, message="Saving the enhanced photo.", **fields)


def test_it_saves_the_result_and_completes_the_job(web):
    content = add_image(web, RESULT_URL, 128, 96, "JPEG")

    job = step(downloading(), StubClient())

    assert job.status == JobStatus.COMPLETED
    assert job.message == "Done."
    assert job.error_code is None
    assert (job.result_width, job.result_height) == (128, 96)
    assert job.result.name.endswith(".jpg")
    assert default_storage.open(job.result.name).read() == content
    assert job.coins == 10
    assert timeline(job)[-1] == "completed"
    assert job.due_at is None
    assert job.lease_token == ""


def test_it_saves_a_result_even_after_the_deadline(web):
    add_image(web, RESULT_URL, 128, 96)

    job = step(downloading(deadline_at=timezone.now() - timedelta(minutes=5)), StubClient())

    assert job.status == JobStatus.COMPLETED
    assert image_size(default_storage.open(job.result.name).read()) == (128, 96)


def test_it_makes_no_hitpaw_call_to_save_the_result(web):
    add_image(web, RESULT_URL, 128, 96)
    client = StubClient()

    step(downloading(), client)

    assert (client.submit_calls, client.status_calls) == ([], [])


BROKEN_RESULTS = {
    "refused": (dict(status=403), "refused access (error 403)"),
    "missing": (dict(status=404), "Nothing was found at that link (error 404)"),
    "not an image": (dict(body="<html>gone</html>", content_type="text/html"), "did not lead to a picture"),
    "truncated": (
        dict(body=image_bytes(128, 96)[:200], headers={"Content-Length": "5000"}),
        "cut off before the end",
    ),
}


@pytest.mark.parametrize("broken", BROKEN_RESULTS.keys())
def test_it_tries_a_broken_result_link_again_and_says_so(web, broken):
    answer, words = BROKEN_RESULTS[broken]
    web.add(responses.GET, RESULT_URL, **answer)
    before = timezone.now()

    job = step(downloading(), StubClient())

    assert job.status == JobStatus.DOWNLOADING
    assert job.message.startswith("Saving the result — retrying (try 1): ")
    assert words in job.message
    assert job.attempts == 1
    assert job.due_at > before


@pytest.mark.parametrize("broken", BROKEN_RESULTS.keys())
def test_it_keeps_trying_a_broken_result_link_long_after_the_old_three_tries(web, broken, settings):
    answer, _ = BROKEN_RESULTS[broken]
    web.add(responses.GET, RESULT_URL, **answer)
    job = downloading()

    seen = {step(job, StubClient()).status for _ in range(pipeline.MAX_STEP_ATTEMPTS + 2)}

    assert seen == {"downloading"}
    assert downloads(web, RESULT_URL) == pipeline.MAX_STEP_ATTEMPTS + 2
    assert job.finished_at is None


def test_it_backs_off_up_to_an_hour_between_tries_of_a_paid_result(web, settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 2)
    web.add(responses.GET, RESULT_URL, status=503)
    before = timezone.now()

    job = step(downloading(attempts=15), StubClient())

    assert job.status == JobStatus.DOWNLOADING
    assert before + timedelta(minutes=30) <= job.due_at <= timezone.now() + timedelta(hours=1)


@pytest.mark.parametrize("broken", BROKEN_RESULTS.keys())
def test_it_fails_a_broken_result_link_only_after_the_retry_window_and_keeps_the_coins(web, broken, settings):
    answer, words = BROKEN_RESULTS[broken]
    web.add(responses.GET, RESULT_URL, **answer)
    settings.ENHANCER_RESULT_RETRY_SECONDS = 86400  # shorter than HitPaw's 8 days: an admin can still retry
    job = downloading(submitted_at=timezone.now() - timedelta(days=1, minutes=1))

    job = step(job, StubClient())

    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The enhanced photo could not be saved: ")
    assert words in job.message
    assert "An admin can retry the download" in job.message
    assert (job.coins, job.hitpaw_job_id) == (10, "hitpaw-job-1")
    assert not job.result
    assert job.finished_at is not None


def test_it_saves_a_result_whose_link_worked_on_a_later_try(web):
    web.add(responses.GET, RESULT_URL, status=404)
    add_image(web, RESULT_URL, 128, 96)
    job = downloading()

    job = step(step(job, StubClient()), StubClient())

    assert job.status == JobStatus.COMPLETED
    assert (job.result_width, job.result_height) == (128, 96)


def test_it_trusts_a_result_on_the_apis_own_private_host(web, settings):
    settings.SANDBOX_MODE = False
    settings.HITPAW_BASE_URL = "http://127.0.0.1:8765"
    res_url = "http://127.0.0.1:8765/media/sandbox/out.png"
    add_image(web, res_url, 128, 96)

    job = step(downloading(res_url=res_url), StubClient())

    assert job.status == JobStatus.COMPLETED


def test_it_refuses_a_result_link_into_another_private_network(web, settings):
    settings.SANDBOX_MODE = False
    settings.HITPAW_BASE_URL = "https://api-base.hitpaw.example"

    job = step(downloading(res_url="http://10.9.8.7/out.png"), StubClient())

    assert "private or local network address" in job.message
    assert len(web.calls) == 0
