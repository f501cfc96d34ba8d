"""Live progress words on the job page: which try a retried step is on, and how long photos usually take."""

from datetime import timedelta

from django.utils import timezone

from enhancer.jobs import pipeline
from enhancer.models import Job, JobStatus
from tests.support.jobs import make_job


def test_it_says_which_try_a_retried_step_is_on(alice_client, alice, settings, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_STEP_ATTEMPTS", 8)
    job = make_job(
        JobStatus.FETCHING, user=alice, attempts=2, message="The site did not answer. Trying again shortly."
    )
    assert "(try 3 of 8)" in alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert alice_client.get(f"/jobs/{job.pk}/status.json").json()["tries"] == "try 3 of 8"


def test_it_says_nothing_about_tries_on_a_first_try(alice_client, alice):
    job = make_job(JobStatus.FETCHING, user=alice)
    assert "(try " not in alice_client.get(f"/jobs/{job.pk}/").content.decode()


def test_it_says_how_long_photos_with_the_same_model_usually_take(alice_client, alice, catalogue):
    now = timezone.now()
    for seconds in (20, 30, 40, 500):
        done = make_job(JobStatus.COMPLETED, user=alice, model=catalogue["general_2x"])
        Job.objects.filter(pk=done.pk).update(finished_at=now, created_at=now - timedelta(seconds=seconds))
    other = make_job(JobStatus.COMPLETED, user=alice, model=catalogue["face_4x"])
    Job.objects.filter(pk=other.pk).update(finished_at=now, created_at=now - timedelta(seconds=999))
    job = make_job(JobStatus.CONVERTING, user=alice, model=catalogue["general_2x"])
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Photos with this model usually take about 40 seconds." in page


def test_it_makes_no_guess_from_too_few_photos(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice)
    assert "usually take" not in alice_client.get(f"/jobs/{job.pk}/").content.decode()


def test_it_keeps_hitpaws_error_code_for_admins_only(client, alice, admin_user):
    job = make_job(JobStatus.FAILED, user=alice, error_code=110402000, message="The coins ran out.")
    client.force_login(alice)
    assert "110402000" not in client.get(f"/jobs/{job.pk}/").content.decode()
    client.force_login(admin_user)
    assert "HitPaw error code 110402000" in client.get(f"/jobs/{job.pk}/").content.decode()
