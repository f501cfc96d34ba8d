"""Polling HitPaw: keep asking at the set pace, back off on errors, and stop at the deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.hitpaw.errors import HitPawError
from enhancer.jobs import claims, pipeline
from enhancer.models import Job, JobStatus
from tests.support.jobs import RESULT_URL, StubClient, completed, make_job, running, step, vendor_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    settings.ENHANCER_POLL_INTERVAL_SECONDS = 7


def converting(**fields):
    return make_job(JobStatus.CONVERTING, message="HitPaw is enhancing your photo.", **fields)


@pytest.mark.parametrize(
    "vendor_status", ["CONVERTING", "WAITING", "PENDING", "OUTPUT_SAVING", "CONVERT_COMPLETED", "BRAND_NEW"]
)
def test_it_keeps_polling_at_the_set_pace_while_hitpaw_works(vendor_status):
    client = StubClient(statuses=[running(vendor_status)])
    before = timezone.now()

    job = step(converting(), client)

    assert job.status == JobStatus.CONVERTING
    assert job.message == "HitPaw is enhancing your photo."
    assert job.vendor_status == vendor_status
    assert job.poll_count == 1
    assert before + timedelta(seconds=7) <= job.due_at <= timezone.now() + timedelta(seconds=7)
    assert client.status_calls == ["hitpaw-job-1"]


def test_it_does_not_poll_again_before_the_next_turn():
    job = step(converting(), StubClient())

    assert claims.claim_due_jobs(10, 10) == []
    assert job.lease_token == ""


def test_it_keeps_polling_when_hitpaw_says_completed_without_a_link():
    job = step(converting(), StubClient(statuses=[completed(res_url="")]))

    assert job.status == JobStatus.CONVERTING


@pytest.mark.parametrize(
    "error",
    [
        vendor_error(100500000, 500),
        vendor_error(100429000, 429),
        HitPawError("HitPaw's gateway answered with error 502. We will try again shortly.", transient=True),
        HitPawError("HitPaw's status answer had no status. We will ask again shortly.", transient=True),
    ],
)
def test_it_backs_off_when_checking_fails_for_a_while(error):
    client = StubClient(statuses=[error])
    job = converting()
    before = timezone.now()

    job = step(job, client)
    job = step(job, client)

    assert job.status == JobStatus.CONVERTING
    assert job.attempts == 2
    assert job.due_at > before
    assert len(client.status_calls) == 2


def test_it_waits_as_long_as_hitpaw_asks_between_checks():
    before = timezone.now()

    job = step(converting(), StubClient(statuses=[vendor_error(100429000, 429, retry_after=45)]))

    assert job.due_at >= before + timedelta(seconds=45)


def test_it_carries_on_normally_once_checking_works_again():
    client = StubClient(statuses=[vendor_error(100500000, 500), running()])
    job = converting()

    job = step(step(job, client), client)

    assert job.status == JobStatus.CONVERTING
    assert job.attempts == 0
    assert job.poll_count == 1


def test_it_moves_on_to_saving_the_result_when_hitpaw_is_done():
    job = step(converting(), StubClient(statuses=[completed()]))

    assert job.status == JobStatus.DOWNLOADING
    assert job.message == "Saving the enhanced photo."
    assert job.res_url == RESULT_URL
    assert job.vendor_status == "COMPLETED"
    assert job.due_at <= timezone.now()


@pytest.mark.parametrize(
    ("vendor_status", "words"),
    [
        ("NSFW", "looks like adult content"),
        ("REJECT", "HitPaw rejected this photo."),
        ("CANCEL", "canceled at HitPaw"),
        ("TIMEOUT", "HitPaw took too long on this photo"),
        ("ERROR", "HitPaw could not enhance this photo. You can try again."),
        ("ERROR_INTERRUPTION", "HitPaw could not enhance this photo. You can try again."),
    ],
)
def test_it_fails_a_job_hitpaw_gave_up_on_in_plain_words(vendor_status, words):
    job = step(converting(), StubClient(statuses=[running(vendor_status)]))

    assert job.status == JobStatus.FAILED
    assert words in job.message
    assert vendor_status not in job.message
    assert job.vendor_status == vendor_status
    assert job.coins == 10
    assert job.events.last().status == JobStatus.FAILED


def test_it_fails_a_job_hitpaw_no_longer_knows_after_a_few_answers_in_a_row(settings):
    client = StubClient(statuses=[vendor_error(110400002, 400)])
    job = converting()

    seen = [step(job, client).status for _ in range(pipeline.MISSING_TASK_POLLS)]

    assert seen == ["converting"] * (pipeline.MISSING_TASK_POLLS - 1) + ["failed"]
    assert "does not exist" in job.message
    assert job.error_code == 110400002
    assert len(client.status_calls) == pipeline.MISSING_TASK_POLLS


def test_it_keeps_polling_when_hitpaw_forgets_a_job_only_for_a_moment():
    client = StubClient(statuses=[vendor_error(110400002, 400), vendor_error(110400002, 400), completed()])
    job = converting()

    seen = [step(job, client).status for _ in range(3)]

    assert seen == ["converting", "converting", "downloading"]


def test_it_times_out_a_job_hitpaw_never_finished_after_asking_one_last_time():
    client = StubClient()
    job = converting(deadline_at=timezone.now() - timedelta(seconds=1))

    job = step(job, client)

    assert job.status == JobStatus.TIMED_OUT
    assert job.message == pipeline.MSG_TIMED_OUT
    assert "Resume" in job.message  # paid: the way out costs no coins
    assert job.coins == 10
    assert len(client.status_calls) == 1
    assert claims.claim_job(job.pk) is None


def test_it_saves_a_job_that_finished_just_before_its_deadline():
    client = StubClient(statuses=[completed()])
    job = converting(deadline_at=timezone.now() - timedelta(seconds=1))

    job = step(job, client)

    assert job.status == JobStatus.DOWNLOADING
    assert job.res_url


def test_it_times_out_a_job_whose_checks_kept_failing():
    client = StubClient(statuses=[vendor_error(100500000, 500)])
    job = converting()
    job = step(job, client)
    Job.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))

    job = step(job, client)

    assert job.status == JobStatus.TIMED_OUT
    assert len(client.status_calls) == 2  # the one that failed, and one last try at the deadline
