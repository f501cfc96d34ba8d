"""Submitting to HitPaw: coins are spent at most once, and account problems pause the team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pauses, pipeline, scheduler
from enhancer.models import Job, JobStatus
from tests.support.jobs import (
    LOST_ANSWER,
    PHOTO_URL,
    StubClient,
    lost_answer,
    make_job,
    step,
    timeline,
    vendor_error,
)

pytestmark = pytest.mark.django_db

BUSY = vendor_error(100429000, 429)


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(pipeline, "MAX_STEP_ATTEMPTS", 3)
    settings.ENHANCER_POLL_INTERVAL_SECONDS = 7


def test_it_records_hitpaws_job_number_and_the_coins_it_charged():
    client = StubClient(submits=[Submission(job_id="hp-7f3a", coins=20)])
    before = timezone.now()

    job = step(make_job(JobStatus.SUBMITTING), client)

    assert job.status == JobStatus.CONVERTING
    assert job.message == "HitPaw is enhancing your photo."
    assert (job.hitpaw_job_id, job.coins) == ("hp-7f3a", 20)
    assert job.submitted_at >= before
    assert timeline(job)[-1] == "converting"
    assert before + timedelta(seconds=7) <= job.due_at <= timezone.now() + timedelta(seconds=7)
    assert job.lease_token == ""


def test_it_sends_the_users_link_model_and_settings():
    client = StubClient()

    step(make_job(JobStatus.SUBMITTING, extension=".jpg", exif=True, dpi=300), client)

    assert client.submit_calls == [
        dict(img_url=PHOTO_URL, model_name="general_2x", extension=".jpg", exif=True, dpi=300)
    ]


def test_it_tries_again_later_when_hitpaw_says_it_is_busy():
    before = timezone.now()

    job = step(make_job(JobStatus.SUBMITTING), StubClient(submits=[BUSY]))

    assert job.status == JobStatus.SUBMITTING
    assert job.submit_started_at is None
    assert job.attempts == 1
    assert job.error_code == 100429000
    assert job.due_at > before
    assert job.message == "HitPaw is busy right now (too many requests). Trying again shortly."


def test_it_waits_as_long_as_hitpaw_asks_before_sending_again():
    busy = vendor_error(100429000, 429, retry_after=90)
    before = timezone.now()

    job = step(make_job(JobStatus.SUBMITTING), StubClient(submits=[busy]))

    assert job.due_at >= before + timedelta(seconds=90)
    assert claims.claim_due_jobs(10, 10) == []


@pytest.mark.parametrize("code", [100429000, 100500000, 100500007])
def test_it_sends_again_after_hitpaw_refused_with_its_own_error(code):
    client = StubClient(
        submits=[vendor_error(code, 429 if code == 100429000 else 500), Submission("hp-2", 10)]
    )
    job = make_job(JobStatus.SUBMITTING)

    job = step(step(job, client), client)

    assert job.status == JobStatus.CONVERTING
    assert job.hitpaw_job_id == "hp-2"
    assert len(client.submit_calls) == 2


def test_it_fails_after_hitpaw_kept_failing_for_every_try():
    client = StubClient(submits=[vendor_error(100500000, 500)])
    job = make_job(JobStatus.SUBMITTING)

    seen = [step(job, client).status for _ in range(3)]

    assert seen == ["submitting", "submitting", "failed"]
    assert len(client.submit_calls) == 3
    assert job.error_code == 100500000
    assert job.message.startswith("HitPaw had an internal problem")
    assert "try again shortly" not in job.message.lower()
    assert job.coins is None
    assert claims.claim_job(job.pk) is None


def test_it_waits_out_a_rate_limit_past_the_usual_tries_until_the_deadline():
    client = StubClient(submits=[BUSY])
    job = make_job(JobStatus.SUBMITTING)

    seen = [step(job, client).status for _ in range(6)]

    assert seen == ["submitting"] * 6
    assert len(client.submit_calls) == 6
    assert job.submit_started_at is None  # nothing in flight while it waits
    Job.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    job = step(job, client)
    assert job.status == JobStatus.TIMED_OUT
    assert job.message == pipeline.MSG_TIMED_OUT_BEFORE_SUBMIT
    assert len(client.submit_calls) == 6


def test_it_sends_a_job_whose_answer_was_lost_to_review_and_never_again():
    client = StubClient(submits=[lost_answer()])
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)

    pipeline.advance(job.pk, token, client)
    pipeline.advance(job.pk, token, client)
    job.refresh_from_db()

    assert job.status == JobStatus.NEEDS_REVIEW
    assert job.message == LOST_ANSWER
    assert "check the HitPaw dashboard" in job.message
    assert job.finished_at is not None
    assert claims.claim_job(job.pk) is None
    assert scheduler.dispatch_due(lambda token: None) == 0
    assert len(client.submit_calls) == 1


def test_it_sends_a_job_caught_mid_submission_to_review_without_calling_hitpaw():
    job = make_job(JobStatus.SUBMITTING, submit_started_at=timezone.now() - timedelta(minutes=3))
    client = StubClient()

    job = step(job, client)

    assert job.status == JobStatus.NEEDS_REVIEW
    assert job.message == pipeline.MSG_CRASHED_MID_SUBMIT
    assert "check the HitPaw dashboard" in job.message
    assert client.submit_calls == []


def test_it_does_not_resend_when_the_worker_died_during_the_call():
    def worker_dies(call_number):
        raise SystemExit("worker killed")

    client = StubClient(on_submit=worker_dies)
    job = make_job(JobStatus.SUBMITTING)
    with pytest.raises(SystemExit):
        step(job, client)
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    [token] = claims.claim_due_jobs(10, 10)
    pipeline.advance(job.pk, token, client)
    job.refresh_from_db()

    assert job.status == JobStatus.NEEDS_REVIEW
    assert len(client.submit_calls) == 1


def test_it_fails_a_photo_hitpaw_refuses_without_pausing_anyone():
    client = StubClient(submits=[vendor_error(110400009, 400)])

    job = step(make_job(JobStatus.SUBMITTING), client)

    assert job.status == JobStatus.FAILED
    assert job.message == "The photo is too large for this model. Try a smaller photo."
    assert job.error_code == 110400009
    assert len(client.submit_calls) == 1
    assert pauses.current() is None


@pytest.mark.parametrize(
    ("code", "http_status", "words"),
    [
        (110400000, 400, "API key is not valid"),
        (110402000, 402, "coin balance has run out"),
        (110402001, 402, "coin balance has run out"),
        (110402004, 402, "trial has no tries left"),
    ],
)
def test_it_pauses_the_team_on_an_account_problem(code, http_status, words):
    client = StubClient(submits=[vendor_error(code, http_status)])

    job = step(make_job(JobStatus.SUBMITTING), client)

    assert job.status == JobStatus.FAILED
    assert words in job.message
    assert job.error_code == code
    pause = pauses.current()
    assert pause is not None
    assert (pause.reason, pause.error_code) == (job.message, code)


def test_it_holds_other_jobs_back_while_the_team_is_paused():
    client = StubClient(submits=[vendor_error(110402000, 402)])
    step(make_job(JobStatus.SUBMITTING), client)
    waiting = make_job(JobStatus.SUBMITTING)
    before = timezone.now()

    waiting = step(waiting, client)

    assert waiting.status == JobStatus.SUBMITTING
    assert waiting.message == pipeline.MSG_PAUSED
    assert waiting.submit_started_at is None
    assert waiting.due_at >= before + timedelta(seconds=30)
    assert len(client.submit_calls) == 1


def test_it_lets_held_jobs_go_once_an_admin_resumes():
    client = StubClient(submits=[vendor_error(110402000, 402), Submission("hp-after-top-up", 10)])
    step(make_job(JobStatus.SUBMITTING), client)
    waiting = step(make_job(JobStatus.SUBMITTING), client)

    assert pauses.resume() == 1
    [token] = claims.claim_due_jobs(10, 10)
    pipeline.advance(waiting.pk, token, client)
    waiting.refresh_from_db()

    assert waiting.status == JobStatus.CONVERTING
    assert waiting.hitpaw_job_id == "hp-after-top-up"
    assert len(client.submit_calls) == 2


def test_it_keeps_a_job_waiting_for_as_long_as_the_pause_lasts():
    pauses.pause("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)
    client = StubClient()
    job = make_job(JobStatus.SUBMITTING)

    for _ in range(3):
        job = step(job, client)

    assert job.status == JobStatus.SUBMITTING
    assert job.message == pipeline.MSG_PAUSED
    assert client.submit_calls == []
