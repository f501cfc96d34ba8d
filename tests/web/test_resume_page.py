"""The job page's ways out for a paid photo: Resume (no new charge), and a priced, confirmed Send again."""

import pytest
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.jobs import intake, resume
from enhancer.models import Job, JobStatus
from tests.support.batches import make_batch
from tests.support.jobs import StubClient, make_job, step
from tests.support.roles import user_with_role


def paid_timed_out(user) -> Job:
    return make_job(
        JobStatus.TIMED_OUT,
        user=user,
        hitpaw_job_id="hp-1",
        coins=240,
        estimated_coins=240,
        submitted_at=timezone.now(),
        message="HitPaw did not finish this photo in time.",
    )


def test_the_owners_try_again_on_a_paid_photo_sends_nothing_and_offers_resume(alice_client, alice):
    client = StubClient(submits=[Submission("hp-1", 240)])
    job = step(make_job(JobStatus.SUBMITTING, user=alice), client)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.TIMED_OUT)

    response = alice_client.post(f"/jobs/{job.pk}/retry", follow=True)

    assert Job.objects.count() == 1  # no new try, so no new submission
    assert Job.objects.get(pk=job.pk).status == JobStatus.TIMED_OUT
    assert len(client.submit_calls) == 1
    assert "Resume fetches the result HitPaw has, at no cost" in response.content.decode()


def test_the_page_of_a_paid_photo_offers_resume_and_a_priced_send_again_not_try_again(alice_client, alice):
    job = paid_timed_out(alice)

    html = alice_client.get(f"/jobs/{job.pk}/").content.decode()

    assert "Resume (no new charge)</button>" in html
    assert "Send again — costs about 240 coins</a>" in html
    assert "Try again</button>" not in html


def test_the_owner_resumes_a_paid_photo(alice_client, alice):
    job = paid_timed_out(alice)

    response = alice_client.post(f"/jobs/{job.pk}/resume")

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING
    assert job.message == resume.MSG_RESUMED
    assert Job.objects.count() == 1


def test_sending_a_paid_photo_again_shows_its_price_and_needs_the_explicit_choice(alice_client, alice):
    job = paid_timed_out(alice)

    page = alice_client.get(f"/jobs/{job.pk}/send-again").content.decode()
    assert "about 240 coins" in page
    assert Job.objects.count() == 1  # looking at the price sends nothing

    response = alice_client.post(f"/jobs/{job.pk}/retry", {"send_again": "1"})

    retry = Job.objects.get(retry_of=job)
    assert response["Location"] == f"/jobs/{retry.pk}/"
    assert (retry.status, retry.hitpaw_job_id) == (JobStatus.QUEUED, "")


def test_a_reviewer_cannot_resume(client, alice):
    job = paid_timed_out(alice)
    client.force_login(user_with_role("rita", "reviewers"))

    response = client.post(f"/jobs/{job.pk}/resume")
    html = client.get(f"/jobs/{job.pk}/").content.decode()

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.TIMED_OUT
    assert "Resume (no new charge)" not in html


def test_an_admin_resumes_anyones_paid_photo(client, alice):
    job = paid_timed_out(alice)
    client.force_login(user_with_role("adam", "admins", is_staff=True))

    assert client.post(f"/jobs/{job.pk}/resume").status_code == 302

    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING


def test_a_photo_that_cannot_be_resumed_says_why(alice_client, alice):
    job = make_job(JobStatus.FAILED, user=alice)

    response = alice_client.post(f"/jobs/{job.pk}/resume", follow=True)

    assert resume.MSG_NOT_RESUMABLE in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_batch_retry_leaves_paid_photos_to_resume(alice):
    job = paid_timed_out(alice)

    with pytest.raises(intake.SubmissionRefused, match="HitPaw already took"):
        intake.retry_jobs(Job.objects.filter(pk=job.pk))
    assert Job.objects.count() == 1


def test_a_batch_offers_to_retry_only_its_unpaid_failures(alice_client, alice, general_2x):
    batch, (unpaid, paid) = make_batch(alice, general_2x, [JobStatus.FAILED, JobStatus.TIMED_OUT])
    Job.objects.filter(pk=paid.pk).update(hitpaw_job_id="hp-1", coins=20, submitted_at=timezone.now())

    page = alice_client.get(f"/batches/{batch.pk}/").content.decode()
    alice_client.post(f"/batches/{batch.pk}/retry")

    assert "Retry failed (1)" in page
    assert list(Job.objects.filter(retry_of__isnull=False).values_list("retry_of", flat=True)) == [unpaid.pk]
