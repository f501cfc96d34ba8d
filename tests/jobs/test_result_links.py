"""A paid result whose signed link lapsed: HitPaw is asked for a fresh link before every retry."""

from datetime import timedelta

import pytest
import responses
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancer.hitpaw.client import HitPawClient
from enhancer.hitpaw.errors import CODE_TASK_MISSING
from enhancer.jobs import intake, pipeline
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import (
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    downloads,
    make_job,
    step,
    vendor_error,
)

pytestmark = pytest.mark.django_db

FRESH_URL = "https://results.example/out/shoe-enhanced.png?signature=fresh"
EXPIRED = dict(status=403, body="Request has expired", content_type="text/plain")


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)


def test_a_lapsed_link_is_renewed_from_task_status_and_the_result_saved_with_one_charge(web):
    web.add(responses.GET, RESULT_URL, **EXPIRED)
    content = add_image(web, FRESH_URL, 128, 96)
    client = StubClient(statuses=[completed(RESULT_URL), completed(FRESH_URL)])
    job = make_job(JobStatus.SUBMITTING)

    for _ in range(4):  # sent, polled (done), first link refused, fresh link saved
        job = step(job, client)

    assert job.status == JobStatus.COMPLETED
    assert default_storage.open(job.result.name).read() == content
    assert len(client.submit_calls) == 1
    assert CoinCharge.objects.filter(job=job).count() == 1
    assert downloads(web, RESULT_URL) == 1  # the lapsed link was not fetched again
    assert job.res_url == FRESH_URL


def test_every_retry_asks_for_the_link_again(web):
    web.add(responses.GET, RESULT_URL, **EXPIRED)
    client = StubClient(statuses=[completed(RESULT_URL)])
    job = make_job(JobStatus.DOWNLOADING)

    for _ in range(3):
        job = step(job, client)

    assert job.status == JobStatus.DOWNLOADING
    assert len(client.status_calls) == 2  # before the second and the third try, not the first
    assert job.message.startswith(pipeline.MSG_SAVING_RETRY)


def test_a_link_given_long_ago_is_renewed_before_the_first_try(web):
    add_image(web, FRESH_URL, 128, 96)
    client = StubClient(statuses=[completed(FRESH_URL)])
    job = make_job(JobStatus.DOWNLOADING, res_url_at=timezone.now() - timedelta(hours=2))

    job = step(job, client)

    assert job.status == JobStatus.COMPLETED
    assert downloads(web, RESULT_URL) == 0


def test_it_gives_up_when_hitpaw_no_longer_has_the_job_and_says_so(web):
    web.add(responses.GET, RESULT_URL, **EXPIRED)
    client = StubClient(statuses=[vendor_error(CODE_TASK_MISSING)])
    job = make_job(JobStatus.DOWNLOADING, attempts=1)

    job = step(job, client)

    assert job.status == JobStatus.FAILED
    assert job.message == pipeline.MSG_RESULT_GONE
    assert job.error_code == CODE_TASK_MISSING
    assert downloads(web, RESULT_URL) == 0
    assert client.submit_calls == []


def test_it_keeps_trying_within_hitpaws_eight_days_and_gives_up_after_them(web, settings):
    settings.ENHANCER_RESULT_RETRY_SECONDS = 30 * 86400  # longer than HitPaw keeps it: 8 days win
    web.add(responses.GET, FRESH_URL, **EXPIRED)
    client = StubClient(statuses=[completed(FRESH_URL)])
    paid = timezone.now() - timedelta(days=7, hours=23)
    job = step(make_job(JobStatus.DOWNLOADING, attempts=1, submitted_at=paid), client)
    assert job.status == JobStatus.DOWNLOADING

    job = step(make_job(JobStatus.DOWNLOADING, attempts=1, submitted_at=paid - timedelta(hours=2)), client)

    assert job.status == JobStatus.FAILED
    assert job.message.endswith(pipeline.MSG_RESULT_DAYS_OVER)
    assert "An admin can retry" not in job.message


def test_a_failed_status_call_falls_back_on_the_link_we_have(web):
    content = add_image(web, RESULT_URL, 128, 96)
    client = StubClient(statuses=[vendor_error(100500000, http_status=500)])

    job = step(make_job(JobStatus.DOWNLOADING, attempts=1), client)

    assert job.status == JobStatus.COMPLETED
    assert default_storage.open(job.result.name).read() == content


@pytest.mark.django_db(transaction=True)
def test_against_the_fake_hitpaw_a_lapsed_link_is_renewed_and_saved_with_one_charge(
    settings, fake, monkeypatch, alice, catalogue
):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    fake.reset()
    client = HitPawClient("test-key", fake.url, retry_submissions=False)
    (job,) = intake.create_jobs(
        alice, [fake.image_url(64, 48, fault="result_link_expires")], catalogue["general_2x"]
    )

    for _ in range(30):
        if job.is_terminal:
            break
        job = step(job, client)

    assert job.status == JobStatus.COMPLETED, job.message
    assert "sig=" in job.res_url
    assert fake.stats()["charges"] == 1
    assert CoinCharge.objects.filter(job=job).count() == 1
