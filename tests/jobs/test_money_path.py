"""The money path with real-size photos and realistic vendor behaviour: nothing charged and lost.

Each test here failed before the pipeline was hardened for real sizes (issue 7).
"""

import io
import logging
from datetime import timedelta
from functools import lru_cache

import pytest
import responses
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone
from PIL import Image

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, intake, lifecycle, pauses, pipeline, review, scheduler, thumbnails
from enhancer.media import storage
from enhancer.models import Job, JobStatus
from tests.support.jobs import (
    PHOTO_URL,
    RESULT_URL,
    StubClient,
    completed,
    make_job,
    running,
    step,
    timeline,
    vendor_error,
)

pytestmark = pytest.mark.django_db


@lru_cache(maxsize=8)
def solid_jpeg(width: int, height: int) -> bytes:
    """A real-size photo that costs a few kilobytes: one colour, as a phone would never shoot."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=50)
    return out.getvalue()


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)


def serve(web, url: str, width: int, height: int) -> None:
    web.add(responses.GET, url, body=solid_jpeg(width, height), content_type="image/jpeg")


# Limits are checked before spending, and the estimate is recorded


@pytest.mark.parametrize(
    ("model_name", "size", "says"),
    [
        ("general_2x", (9800, 7350), "72.0 megapixels (9800 × 7350)"),
        ("general_4x", (6325, 4744), "480.1 megapixels (25300 × 18976)"),
        ("generative", (6000, 6000), "36.0 megapixels (6000 × 6000)"),
    ],
)
def test_a_photo_over_the_models_limits_is_refused_with_its_size_and_no_request(
    web, catalogue, model_name, size, says
):
    serve(web, PHOTO_URL, *size)
    client = StubClient()

    job = step(make_job(model=catalogue[model_name]), client)

    assert job.status == JobStatus.FAILED
    assert says in job.message and "megapixels" in job.message
    assert client.submit_calls == []
    assert not job.original and job.coins is None


def test_a_12_megapixel_photo_at_4x_is_sent_with_its_estimated_coins_recorded_first(web, catalogue):
    serve(web, PHOTO_URL, 4000, 3000)
    client = StubClient(submits=[Submission("hp-1", 240)])
    job = step(make_job(model=catalogue["general_4x"]), client)

    assert job.status == JobStatus.SUBMITTING
    assert job.estimated_coins == 240  # 192 MP out: the 108-216 MP band
    assert client.submit_calls == []

    job = step(job, client)
    assert job.status == JobStatus.CONVERTING and job.coins == 240


# A key rotated mid-flight, and HitPaw's memory of a job


@pytest.mark.parametrize("code", [110400000, 100401000, 100400000, 100403001, 100403002])
def test_an_account_error_on_a_poll_pauses_the_team_and_the_paid_job_waits(code):
    client = StubClient(statuses=[vendor_error(code, 401 if code == 100401000 else 400)])

    job = step(make_job(JobStatus.CONVERTING), client)

    assert job.status == JobStatus.CONVERTING
    assert job.message.startswith("Waiting: ")
    assert pauses.current() is not None and pauses.current().error_code == code
    assert job.due_at is not None and job.finished_at is None


def test_a_bare_refusal_on_a_poll_does_not_fail_a_paid_job():
    client = StubClient(statuses=[vendor_error(100403000, 403), completed()])
    job = make_job(JobStatus.CONVERTING)

    assert step(job, client).status == JobStatus.CONVERTING
    assert step(job, client).status == JobStatus.DOWNLOADING


@pytest.mark.parametrize("code", [100400000, 100403001, 100403002])
def test_the_account_level_codes_pause_submissions_too(code):
    step(make_job(JobStatus.SUBMITTING), StubClient(submits=[vendor_error(code, 400)]))

    assert pauses.current() is not None and pauses.current().error_code == code


# The write that records an accepted (paid) submission


def test_the_record_of_an_accepted_submission_is_retried_when_the_database_fails(monkeypatch, caplog):
    real_move = lifecycle.move
    failures = iter([OperationalError("database is locked"), OperationalError("server closed")])

    def flaky_move(*args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_move(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "move", flaky_move)
    monkeypatch.setattr(pipeline.time, "sleep", lambda seconds: None)
    caplog.set_level(logging.INFO, logger="enhancer.jobs.pipeline")

    job = step(make_job(JobStatus.SUBMITTING), StubClient(submits=[Submission("hp-77", 30)]))

    assert job.status == JobStatus.CONVERTING
    assert (job.hitpaw_job_id, job.coins) == ("hp-77", 30)
    accepted = [r.getMessage() for r in caplog.records if "accepted" in r.getMessage()]
    assert accepted and "hp-77" in accepted[0] and "30 coins" in accepted[0]


# Resubmitting a job HitPaw knows


def test_resubmit_refuses_a_job_that_has_a_hitpaw_job_id():
    job = make_job(JobStatus.NEEDS_REVIEW, hitpaw_job_id="hp-known", coins=10, submitted_at=timezone.now())

    assert review.resubmit([job.pk]) == 0
    job.refresh_from_db()
    assert job.status == JobStatus.NEEDS_REVIEW and job.hitpaw_job_id == "hp-known"


def test_resubmit_sends_a_known_job_again_only_when_the_admin_confirms_hitpaw_has_no_record():
    job = make_job(JobStatus.NEEDS_REVIEW, hitpaw_job_id="hp-ghost", coins=10, submitted_at=timezone.now())

    assert review.resubmit([job.pk], hitpaw_has_no_record=True) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING and job.hitpaw_job_id == "" and job.coins is None


# Retry download, by hand


def test_an_admin_can_retry_the_download_of_a_paid_result_hitpaw_still_keeps(web):
    job = make_job(JobStatus.FAILED, res_url=RESULT_URL, hitpaw_job_id="hp-1", coins=10,
                   submitted_at=timezone.now(), res_url_at=timezone.now() - timedelta(days=7, hours=1))  # fmt: skip
    web.add(responses.GET, RESULT_URL, body=solid_jpeg(128, 96), content_type="image/jpeg")

    assert review.retry_download([job.pk]) == 1
    job = step(Job.objects.get(pk=job.pk), StubClient())

    assert job.status == JobStatus.COMPLETED and (job.result_width, job.result_height) == (128, 96)
    assert timeline(job)[-3:] == ["failed", "downloading", "completed"]


def test_a_download_cannot_be_retried_once_hitpaw_has_deleted_the_result():
    old = timezone.now() - timedelta(days=8, minutes=1)
    job = make_job(
        JobStatus.FAILED, res_url=RESULT_URL, hitpaw_job_id="hp-1", res_url_at=old, submitted_at=old
    )

    assert review.retry_download([job.pk]) == 0
    assert not review.can_retry_download(job)


# A step that keeps crashing is not re-claimed forever


def crash_saving(monkeypatch):
    def broken_store(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(storage, "store", broken_store)


def claim_and_crash(job: Job, client: StubClient) -> None:
    Job.objects.filter(pk=job.pk).update(lease_until=None)  # the last claim's lease ran out
    token = claims.claim_job(job.pk)
    assert token
    try:
        pipeline.advance(job.pk, token, client)
    except OSError:
        pass  # what the batch task logs; the job keeps its lease until it runs out


def test_a_paid_job_whose_saving_keeps_crashing_goes_to_review_after_a_bounded_number_of_claims(
    web, monkeypatch, settings
):
    web.add(responses.GET, RESULT_URL, body=solid_jpeg(128, 96), content_type="image/jpeg")
    crash_saving(monkeypatch)
    job = make_job(JobStatus.DOWNLOADING)

    for _ in range(claims.MAX_STALLED_STEPS + 1):
        claim_and_crash(job, StubClient())
    job.refresh_from_db()

    assert job.status == JobStatus.NEEDS_REVIEW
    assert f"stopped unexpectedly {claims.MAX_STALLED_STEPS} times" in job.message
    assert job.coins == 10


def test_an_unpaid_job_whose_step_keeps_crashing_fails_with_a_plain_message(web, monkeypatch, settings):
    serve(web, PHOTO_URL, 64, 48)
    crash_saving(monkeypatch)
    job = make_job(JobStatus.FETCHING)

    for _ in range(claims.MAX_STALLED_STEPS + 1):
        claim_and_crash(job, StubClient())
    job.refresh_from_db()

    assert job.status == JobStatus.FAILED
    assert "You can try again" in job.message


def test_a_backlog_makes_a_paid_photo_late_but_never_sends_it_to_review():
    """Claims whose batches waited in a busy queue until their leases ran out are no stalls."""
    job = make_job(JobStatus.CONVERTING, hitpaw_job_id="task-1", coins=10)
    for _ in range(claims.MAX_STALLED_STEPS * 3):
        Job.objects.filter(pk=job.pk).update(lease_until=None)  # claimed, queued, never run
        assert claims.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=None)

    job = step(job, StubClient(statuses=[running()]))

    assert job.status == JobStatus.CONVERTING and job.stalled_claims == 0


def test_a_step_that_reports_back_starts_the_count_again(settings):
    job = make_job(JobStatus.CONVERTING)
    for _ in range(claims.MAX_STALLED_STEPS + 3):
        job = step(job, StubClient(statuses=[running()]))

    assert job.status == JobStatus.CONVERTING and job.stalled_claims == 0


# Clocks: the database's, never a host's


def test_a_host_whose_clock_runs_fast_does_not_steal_a_live_lease(monkeypatch):
    job = make_job(JobStatus.CONVERTING)
    assert claims.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=1))

    assert claims.claim_due_jobs(limit=10, batch_size=10) == []
    assert claims.claim_job(job.pk) is None


# Smaller ones


def test_a_stale_worker_never_deletes_the_result_of_a_completed_job(web):
    web.add(responses.GET, RESULT_URL, body=solid_jpeg(128, 96), content_type="image/jpeg")
    job = make_job(JobStatus.DOWNLOADING)
    stale = claims.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    fresh = claims.claim_job(job.pk)
    pipeline.advance(job.pk, fresh, StubClient())
    job.refresh_from_db()
    kept = job.result.name

    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    pipeline.download_result(Job.objects.select_related("model").get(pk=job.pk), stale, StubClient())
    job.refresh_from_db()

    assert job.status == JobStatus.COMPLETED and job.result.name == kept
    assert default_storage.exists(kept)
    assert len(default_storage.listdir("results")[1]) == 1  # the stale worker's copy was removed


def test_the_coin_spending_call_is_not_started_on_a_lease_about_to_run_out(settings):
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() + timedelta(seconds=1))

    assert not claims.start_submission(job.pk, token)


def broker_down(monkeypatch) -> None:
    """Every place the app queues a task fails, as with Redis down. Saving photos never queues
    anything: the ticker hands them out."""

    def refused(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for module in (scheduler, thumbnails):
        monkeypatch.setattr(module, "async_task", refused)


def test_a_broker_outage_after_the_jobs_are_saved_does_not_fail_the_submission(
    alice, general_2x, monkeypatch
):
    broker_down(monkeypatch)

    jobs = intake.create_jobs(alice, [PHOTO_URL], general_2x)

    assert Job.objects.filter(pk=jobs[0].pk, status=JobStatus.QUEUED).exists()


def test_the_form_answers_with_the_job_page_when_the_broker_is_down(alice_client, general_2x, monkeypatch):
    broker_down(monkeypatch)

    response = alice_client.post("/", {"img_url": PHOTO_URL, "model_name": "general_2x"})

    assert response.status_code == 302 and response.url.startswith("/jobs/")


def test_the_coin_spending_call_is_made_under_a_full_lease(settings):
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)
    # Half the lease gone (a step that waited in the broker's queue): still enough to start.
    half = timedelta(seconds=settings.ENHANCER_LEASE_SECONDS / 2 + 5)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() + half)
    lease_left_during_the_call = []

    def check_lease(_number):
        until = Job.objects.get(pk=job.pk).lease_until
        lease_left_during_the_call.append((until - timezone.now()).total_seconds())

    client = StubClient(on_submit=check_lease)
    pipeline.submit(Job.objects.select_related("model").get(pk=job.pk), token, client)

    assert len(client.submit_calls) == 1
    assert lease_left_during_the_call[0] > settings.ENHANCER_LEASE_SECONDS - 5
