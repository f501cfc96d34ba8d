"""What admins do: resubmit or close jobs that need review, and pause or resume submissions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pauses, pipeline, review
from enhancer.models import JobStatus
from tests.support.jobs import (
    LOST_ANSWER,
    StubClient,
    handed_to_the_ticker,
    lost_answer,
    make_job,
    step,
    timeline,
)

pytestmark = pytest.mark.django_db

OTHER_STATES = [
    JobStatus.QUEUED,
    JobStatus.SUBMITTING,
    JobStatus.CONVERTING,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.TIMED_OUT,
    JobStatus.CANCELED,
]


def reviewed_job():
    """A job whose submission answer was lost: HitPaw may or may not have charged for it."""
    client = StubClient(submits=[lost_answer()])
    job = step(make_job(JobStatus.SUBMITTING), client)
    assert job.status == JobStatus.NEEDS_REVIEW
    return job


def test_resubmitting_sends_the_photo_to_hitpaw_once_more():
    job = reviewed_job()
    client = StubClient(submits=[Submission("hp-second-try", 10)])

    assert review.resubmit([job.pk]) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING
    assert job.message == review.MSG_RESUBMITTED
    assert handed_to_the_ticker()

    job = step(job, client)

    assert job.status == JobStatus.CONVERTING
    assert job.hitpaw_job_id == "hp-second-try"
    assert len(client.submit_calls) == 1
    assert timeline(job)[-3:] == ["needs_review", "submitting", "converting"]


def test_a_resubmitted_job_is_due_now_with_a_fresh_deadline_and_no_old_error():
    job = make_job(
        JobStatus.NEEDS_REVIEW,
        message=LOST_ANSWER,
        error_code=100500000,
        submit_started_at=timezone.now() - timedelta(hours=2),
        deadline_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(hours=1),
        due_at=None,
    )

    review.resubmit([job.pk])

    job.refresh_from_db()
    assert job.submit_started_at is None
    assert (job.error_code, job.finished_at) == (None, None)
    assert job.deadline_at > timezone.now()
    [token] = claims.claim_due_jobs(10, 10)
    job.refresh_from_db()
    assert job.lease_token == token


def test_closing_ends_a_reviewed_job_for_good():
    job = reviewed_job()

    assert review.close([job.pk]) == 1

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED
    assert job.message == review.MSG_CLOSED
    assert job.due_at is None
    assert timeline(job)[-1] == "canceled"
    assert claims.claim_job(job.pk) is None


@pytest.mark.parametrize("status", OTHER_STATES)
@pytest.mark.parametrize("action", [review.resubmit, review.close])
def test_review_actions_leave_jobs_in_other_states_alone(action, status):
    job = make_job(status, message="as it was")

    assert action([job.pk]) == 0

    job.refresh_from_db()
    assert (job.status, job.message) == (status, "as it was")
    assert timeline(job) == [status]


def test_review_actions_count_only_the_jobs_they_moved():
    reviewed = [reviewed_job(), reviewed_job()]
    running = make_job(JobStatus.CONVERTING)

    assert review.close([job.pk for job in reviewed] + [running.pk]) == 2


def test_there_is_no_pause_until_an_account_problem():
    assert pauses.current() is None


def test_pausing_records_the_reason_for_the_admin():
    pauses.pause("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)

    pause = pauses.current()
    assert pause.reason.startswith("The team's HitPaw coin balance has run out")
    assert pause.error_code == 110402000


def test_resuming_lifts_the_pause_and_counts_the_jobs_that_waited():
    pauses.pause("The HitPaw API key is not valid. Ask an admin to check the key.", 110400000)
    waiting = [
        make_job(JobStatus.SUBMITTING, due_at=timezone.now() + timedelta(seconds=30)) for _ in range(2)
    ]
    not_held = make_job(JobStatus.QUEUED, due_at=timezone.now() + timedelta(seconds=30))
    under_way = make_job(JobStatus.CONVERTING, due_at=timezone.now() + timedelta(seconds=5))

    assert pauses.resume() == 2

    assert pauses.current() is None
    for job in waiting:
        job.refresh_from_db()
        assert job.due_at <= timezone.now()
    for job in (not_held, under_way):
        job.refresh_from_db()
        assert job.due_at > timezone.now()


def test_a_paused_job_waits_past_its_deadline_instead_of_timing_out():
    pauses.pause("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)
    client = StubClient()
    job = make_job(JobStatus.SUBMITTING, deadline_at=timezone.now() - timedelta(minutes=1))

    job = step(job, client)

    assert job.status == JobStatus.SUBMITTING
    assert job.message == pipeline.MSG_PAUSED
    assert client.submit_calls == []


def test_a_job_that_waited_out_a_pause_gets_a_fresh_deadline_and_goes():
    pauses.pause("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)
    client = StubClient()
    job = step(make_job(JobStatus.SUBMITTING, deadline_at=timezone.now() - timedelta(minutes=1)), client)

    pauses.resume()
    job = step(job, client)

    assert job.status == JobStatus.CONVERTING
    assert len(client.submit_calls) == 1
