"""Three guards on the money path, each pinned by a test that fails without it (issue 22, finding 7).

- the "already sent" condition in `claims.start_submission`;
- the "not numbered by another answer" condition on a late acceptance;
- the pixel re-check just before the paid call.
"""

import pytest

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pipeline
from enhancer.jobs.pipeline import job_for_step
from enhancer.models import CoinCharge, Job, JobStatus
from tests.support.jobs import StubClient, make_job, step

pytestmark = pytest.mark.django_db


def test_a_second_start_under_the_same_lease_sends_nothing():
    """A step run twice under one claim (a task delivered twice) starts the paid call once."""
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)
    read_before_the_mark = job_for_step(job.pk)

    def the_same_step_again(call):
        if call == 1:  # the first call is under way: its mark is set, the lease still ours
            pipeline.submit(read_before_the_mark, token, hitpaw)

    hitpaw = StubClient(submits=[Submission("hp-1", 10)], on_submit=the_same_step_again)
    pipeline.submit(job_for_step(job.pk), token, hitpaw)

    assert len(hitpaw.submit_calls) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING and job.hitpaw_job_id == "hp-1"


def test_start_submission_is_true_once_per_submission():
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)

    assert claims.start_submission(job.pk, token)
    assert not claims.start_submission(job.pk, token)


def test_a_late_answer_never_replaces_the_job_number_another_answer_recorded():
    """Our lease ran out mid-call; meanwhile the job was sent again on purpose and numbered hp-2,
    then went to review. The late answer (hp-1) is charged to the ledger, and hp-2 stays the job's."""
    job = make_job(JobStatus.SUBMITTING)

    def meanwhile(call):
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.NEEDS_REVIEW, hitpaw_job_id="hp-2", coins=20, lease_token="", lease_until=None
        )

    step(job, StubClient(submits=[Submission("hp-1", 10)], on_submit=meanwhile))

    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id, job.coins) == (JobStatus.NEEDS_REVIEW, "hp-2", 20)
    assert CoinCharge.objects.filter(job=job, hitpaw_job_id="hp-1", coins=10).exists()


def test_a_photo_whose_recorded_size_is_over_the_limit_is_not_sent(catalogue):
    """Checked again just before the paid call: the size was recorded by an earlier step (or an
    earlier try), and the model's scale may have been changed by an admin since."""
    job = make_job(
        JobStatus.SUBMITTING, model=catalogue["general_4x"], original_width=6000, original_height=5000
    )
    hitpaw = StubClient()

    job = step(job, hitpaw)

    assert hitpaw.submit_calls == []
    assert job.status == JobStatus.FAILED
    assert "480.0 megapixels (24000 × 20000)" in job.message
    assert job.submit_started_at is None
