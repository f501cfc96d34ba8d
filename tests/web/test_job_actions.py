"""What a person can do from a job page: cancel before sending, try again, enhance again, edit the link."""

import pytest
from django.utils import timezone

from enhancer.models import Job, JobStatus
from tests.support.jobs import make_job


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.FETCHING, JobStatus.SUBMITTING])
def test_it_cancels_a_job_not_yet_sent(alice_client, alice, status):
    job = make_job(status, user=alice)
    assert "Cancel</button>" in alice_client.get(f"/jobs/{job.pk}/").content.decode()
    response = alice_client.post(f"/jobs/{job.pk}/cancel", follow=True)
    job.refresh_from_db()
    assert (job.status, job.lease_token, job.due_at) == (JobStatus.CANCELED, "", None)
    assert "No coins were charged." in response.content.decode()


def test_it_refuses_to_cancel_once_the_photo_went_to_hitpaw(alice_client, alice):
    job = make_job(JobStatus.SUBMITTING, user=alice, submit_started_at=timezone.now())
    assert "Cancel</button>" not in alice_client.get(f"/jobs/{job.pk}/").content.decode()
    response = alice_client.post(f"/jobs/{job.pk}/cancel", follow=True)
    assert "already sent to HitPaw" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING


def test_it_offers_no_cancel_for_a_job_being_enhanced(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice)
    assert "Cancel</button>" not in alice_client.get(f"/jobs/{job.pk}/").content.decode()


def test_a_canceled_job_is_never_sent(alice, monkeypatch):
    from enhancer.jobs import claims, intake

    job = make_job(JobStatus.SUBMITTING, user=alice)
    token = claims.claim_job(job.pk)
    intake.cancel(job)
    assert not claims.start_submission(job.pk, token)


def test_it_tries_a_failed_photo_again_and_shows_the_new_try(alice_client, alice):
    failed = make_job(JobStatus.FAILED, user=alice, message="The site did not answer.")
    html = alice_client.get(f"/jobs/{failed.pk}/").content.decode()
    assert "Try again</button>" in html and "Edit link</a>" in html
    response = alice_client.post(f"/jobs/{failed.pk}/retry")
    retry = Job.objects.get(retry_of=failed)
    assert response["Location"] == f"/jobs/{retry.pk}/"
    assert (retry.status, retry.img_url) == (JobStatus.QUEUED, failed.img_url)


def test_it_does_not_try_a_finished_photo_again(alice_client, alice):
    done = make_job(JobStatus.COMPLETED, user=alice)
    alice_client.post(f"/jobs/{done.pk}/retry")
    assert Job.objects.count() == 1


def test_it_fills_the_form_in_from_an_earlier_photo_for_enhance_again(alice_client, alice, catalogue):
    done = make_job(JobStatus.COMPLETED, user=alice, model=catalogue["face_4x"], dpi=300)
    assert f'href="/?again={done.pk}"' in alice_client.get(f"/jobs/{done.pk}/").content.decode()
    form = alice_client.get(f"/?again={done.pk}").content.decode()
    assert f">\n{done.img_url}</textarea>" in form
    assert '<option value="face_4x" selected>' in form
    assert 'value="300"' in form


def test_it_will_not_fill_the_form_from_another_users_photo(client, bob, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    client.force_login(bob)
    assert client.get(f"/?again={job.pk}").status_code == 404


@pytest.mark.parametrize("action", ["cancel", "retry"])
def test_it_lets_no_one_else_act_on_a_job(client, bob, alice, action):
    job = make_job(JobStatus.FAILED, user=alice)
    client.force_login(bob)
    assert client.post(f"/jobs/{job.pk}/{action}").status_code == 404
