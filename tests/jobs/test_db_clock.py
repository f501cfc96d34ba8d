"""Due times and deadlines come from the database's clock: a web host whose clock runs fast delays no photo."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.jobs import claims, intake, pauses, review
from enhancer.models import Job, JobStatus
from tests.support.jobs import PHOTO_URL, default_model, make_job

pytestmark = pytest.mark.django_db

FAST = timedelta(minutes=10)


def web_host_ten_minutes_fast():
    """The host's clock (Python's) runs 10 minutes ahead; SQLite's own clock is the real one."""
    return freeze_time(timezone.now() + FAST, tick=True)


def assert_due_now_by_the_database(job: Job, settings) -> None:
    job.refresh_from_db()
    real_now = timezone.now() + timedelta(seconds=5)
    assert job.due_at <= real_now
    assert job.deadline_at <= real_now + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def test_a_new_photo_is_due_at_once_even_when_the_web_hosts_clock_runs_fast(alice, settings):
    with web_host_ten_minutes_fast():
        (job,) = intake.create_jobs(alice, [PHOTO_URL], default_model())

    assert_due_now_by_the_database(job, settings)
    assert claims.claim_due_jobs(10, 10)  # the ticker hands it out now, not in 10 minutes


def test_a_resubmitted_photo_and_a_resumed_pause_are_due_by_the_databases_clock(alice, settings):
    in_review = make_job(JobStatus.NEEDS_REVIEW, user=alice, due_at=None)
    held = make_job(JobStatus.SUBMITTING, user=alice, due_at=None)
    failed = make_job(JobStatus.FAILED, user=alice, due_at=None)

    with web_host_ten_minutes_fast():
        review.resubmit([in_review.pk])
        review.retry_failed([failed.pk])
        pauses.pause("Coins ran out.", 110402000)
        pauses.resume()

    for job in (in_review, held, failed):
        assert_due_now_by_the_database(job, settings)
