"""The record of a paid call comes first: HitPaw's job number is written alone, then the rest,
retried until the lease is nearly gone; a record that could not be finished says so truthfully."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pipeline, review
from enhancer.models import CoinCharge, Job, JobStatus
from tests.support.jobs import StubClient, make_job, step

pytestmark = pytest.mark.django_db


class FakeClock:
    """`time` for the pipeline: sleeping moves the clock on at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def failing_until(clock: FakeClock, seconds: float):
    """`claims.transition` as during a database fail-over lasting `seconds` of the clock."""
    real = claims.transition
    began = clock.now

    def transition(*args, **kwargs):
        if clock.now - began < seconds:
            raise DatabaseError("the database is failing over")
        return real(*args, **kwargs)

    return transition


def test_a_fail_over_longer_than_twenty_seconds_does_not_lose_the_paid_job(settings):
    settings.ENHANCER_LEASE_SECONDS = 90
    clock = FakeClock()
    job = make_job(JobStatus.SUBMITTING)

    with (
        mock.patch.object(pipeline, "time", clock),
        mock.patch.object(claims, "transition", failing_until(clock, 45)),
    ):
        job = step(job, StubClient(submits=[Submission("hp-1", 20)]))

    assert job.status == JobStatus.CONVERTING
    assert (job.hitpaw_job_id, job.coins) == ("hp-1", 20)
    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-1", 20)]
    assert clock.now - 1000 < settings.ENHANCER_LEASE_SECONDS  # stopped before the lease was gone


def test_the_job_number_is_written_first_and_the_job_then_offers_only_resume(settings):
    settings.ENHANCER_LEASE_SECONDS = 90
    clock = FakeClock()
    job = make_job(JobStatus.SUBMITTING)
    client = StubClient(submits=[Submission("hp-1", 20)])

    with (
        mock.patch.object(pipeline, "time", clock),
        mock.patch.object(claims, "transition", failing_until(clock, 10_000)),
    ):
        job = step(job, client)
    assert job.status == JobStatus.SUBMITTING
    assert (job.hitpaw_job_id, job.coins) == ("hp-1", 20)  # written alone, before anything else
    assert clock.now - 1000 < settings.ENHANCER_LEASE_SECONDS

    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    job = step(job, client)  # the next worker finds it half recorded

    assert job.status == JobStatus.NEEDS_REVIEW
    assert job.message == pipeline.MSG_UNRECORDED
    assert review.resubmit([job.pk]) == 0  # the plain resubmit (a second charge) is refused
    assert len(client.submit_calls) == 1


def test_a_late_acceptance_after_the_number_was_written_is_still_adopted():
    job = make_job(JobStatus.SUBMITTING)

    def lease_runs_out_meanwhile(call_number):
        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        pipeline.advance(job.pk, claims.claim_job(job.pk), StubClient())  # sends the job to review

    job = step(job, StubClient(submits=[Submission("hp-late", 30)], on_submit=lease_runs_out_meanwhile))

    assert job.status == JobStatus.CONVERTING
    assert job.hitpaw_job_id == "hp-late"
    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-late", 30)]


def test_the_deadline_counts_from_the_paid_call_not_from_creation(settings):
    settings.ENHANCER_JOB_DEADLINE_SECONDS = 600
    created_long_ago = timezone.now() - timedelta(seconds=550)
    job = make_job(JobStatus.SUBMITTING, deadline_at=created_long_ago + timedelta(seconds=600))

    job = step(job, StubClient())

    assert job.status == JobStatus.CONVERTING
    assert job.deadline_at >= timezone.now() + timedelta(seconds=590)
