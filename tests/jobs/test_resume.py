"""Resume, don't repay: a paid photo is polled again under its HitPaw job number, never resent."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.hitpaw.errors import CODE_TASK_MISSING
from enhancer.jobs import pipeline, resume
from enhancer.models import CoinCharge, Job, JobStatus
from tests.support.jobs import (
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    lost_answer,
    make_job,
    running,
    step,
    vendor_error,
)

pytestmark = pytest.mark.django_db


def run_until_settled(job: Job, client: StubClient, steps: int = 6) -> Job:
    for _ in range(steps):
        job.refresh_from_db()
        if job.is_terminal:
            break
        job = step(job, client)
    return job


def test_a_paid_photo_that_timed_out_is_resumed_and_saved_without_a_second_submission(web, settings):
    content = add_image(web, RESULT_URL, 128, 96)
    client = StubClient(submits=[Submission("hp-1", 20)], statuses=[running(), running(), completed()])
    job = step(make_job(JobStatus.SUBMITTING), client)
    assert job.status == JobStatus.CONVERTING
    Job.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    job = step(job, client)
    assert job.status == JobStatus.TIMED_OUT
    assert resume.can_resume(job)

    assert resume.resume([job.pk]) == 1
    job = run_until_settled(job, client)

    assert job.status == JobStatus.COMPLETED
    assert default_storage.open(job.result.name).read() == content
    assert len(client.submit_calls) == 1  # HitPaw's submit endpoint, once
    assert client.status_calls[-1] == "hp-1"
    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-1", 20)]
    assert job.deadline_at > timezone.now()  # the deadline started again


@pytest.mark.parametrize(
    "stopped",
    [
        dict(status=JobStatus.FAILED, error_code=CODE_TASK_MISSING, message="The task does not exist."),
        dict(status=JobStatus.FAILED, message="The enhanced photo could not be saved: refused."),
        dict(status=JobStatus.NEEDS_REVIEW, message=pipeline.MSG_UNRECORDED),
        dict(status=JobStatus.TIMED_OUT, message=pipeline.MSG_TIMED_OUT),
    ],
    ids=["task-missing", "failed download", "needs review", "timed out"],
)
def test_every_stopped_photo_with_a_hitpaw_number_can_be_resumed(stopped):
    job = make_job(hitpaw_job_id="hp-9", coins=20, submitted_at=timezone.now(), **stopped)

    assert resume.can_resume(job)
    assert resume.resume([job.pk]) == 1

    job.refresh_from_db()
    assert (job.status, job.error_code, job.finished_at) == (JobStatus.CONVERTING, None, None)
    assert job.due_at is not None


@pytest.mark.parametrize(
    "fields",
    [
        dict(status=JobStatus.FAILED, hitpaw_job_id=""),  # never taken by HitPaw: try again instead
        dict(status=JobStatus.FAILED, hitpaw_job_id="hp-9", vendor_status="NSFW"),  # HitPaw refused it
        dict(status=JobStatus.COMPLETED, hitpaw_job_id="hp-9"),
        dict(status=JobStatus.CANCELED, hitpaw_job_id="hp-9"),
        dict(status=JobStatus.TIMED_OUT, hitpaw_job_id="hp-9", submitted_at_days_ago=9),  # HitPaw's 8 days
    ],
    ids=["unpaid", "refused by HitPaw", "done", "closed", "past 8 days"],
)
def test_it_leaves_alone_what_cannot_be_resumed(fields):
    days = fields.pop("submitted_at_days_ago", 0)
    job = make_job(submitted_at=timezone.now() - timedelta(days=days), **fields)

    assert not resume.can_resume(job)
    assert resume.resume([job.pk]) == 0
    with pytest.raises(resume.ResumeRefused):
        resume.resume_job(job)


def test_recording_a_lost_charge_twice_enters_the_ledger_once_and_resumes_the_job():
    client = StubClient(submits=[lost_answer()])
    job = step(make_job(JobStatus.SUBMITTING, estimated_coins=20), client)
    assert (job.status, job.hitpaw_job_id) == (JobStatus.NEEDS_REVIEW, "")

    assert resume.record_lost_charge(job.pk, "hp-lost", 20) is True
    assert resume.record_lost_charge(job.pk, " hp-lost ", 20) is False  # already polling it

    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id, job.coins) == (JobStatus.CONVERTING, "hp-lost", 20)
    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-lost", 20)]
    job = step(job, client)
    assert client.status_calls == ["hp-lost"]
    assert len(client.submit_calls) == 1


def test_a_lost_charge_cannot_give_a_numbered_job_another_number():
    job = make_job(JobStatus.NEEDS_REVIEW, hitpaw_job_id="hp-1", coins=20)

    with pytest.raises(resume.ResumeRefused, match="already has HitPaw job number hp-1"):
        resume.record_lost_charge(job.pk, "hp-2", 20)

    assert not CoinCharge.objects.exists()


def test_a_resumed_photo_hitpaw_no_longer_has_ends_plainly_again(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "MISSING_TASK_POLLS", 1)
    client = StubClient(statuses=[vendor_error(CODE_TASK_MISSING)])
    job = make_job(JobStatus.TIMED_OUT, hitpaw_job_id="hp-1", coins=20, submitted_at=timezone.now())
    resume.resume([job.pk])

    job = step(job, client)

    assert job.status == JobStatus.FAILED
    assert job.error_code == CODE_TASK_MISSING
    assert client.submit_calls == []
