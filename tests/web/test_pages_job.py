"""The job page, its live status feed and our stored pictures: owners and staff only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.models import Job, JobEvent, JobStatus
from tests.support.charges import charged
from tests.support.finished import finished_job
from tests.support.images import image_bytes, image_size
from tests.support.jobs import make_job

ORIGINAL = image_bytes(64, 48, "PNG")
RESULT = image_bytes(128, 96, "PNG")
# Every job here is a bare row (no step data, no timeline event) for a cat photo.
CAT = {"bare": True, "img_url": "https://photos.example.com/cat.png"}
WAITING = "Waiting to start."


def completed_job(user, model) -> Job:
    job = finished_job(user, model, message="Done. Your enhanced photo is ready.", **CAT)
    JobEvent.objects.create(job=job, status=JobStatus.QUEUED, message="Received.")
    JobEvent.objects.create(job=job, status=JobStatus.COMPLETED, message="Saved the result.")
    return job


@pytest.fixture
def done(alice, general_2x) -> Job:
    return completed_job(alice, general_2x)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_shows_the_owner_their_job(alice_client, done):
    response = alice_client.get(f"/jobs/{done.pk}/")
    assert response.status_code == 200
    assert f"Photo #{done.pk}" in response.content.decode()


def test_its_recent_charges_name_each_photo(alice_client, done):
    page = alice_client.get(f"/jobs/{done.pk}/").content.decode()
    recent = page[page.index("Recent charges") :]

    assert ">cat</a>" in recent
    assert "Photo #" not in recent


@pytest.mark.parametrize("suffix", ["", "status.json", "original", "result", "result?download=1"])
def test_it_hides_a_job_from_another_user(client, bob, done, suffix):
    client.force_login(bob)
    assert client.get(f"/jobs/{done.pk}/{suffix}").status_code == 404


def test_it_answers_a_missing_job_like_a_hidden_one(alice_client, done):
    assert alice_client.get(f"/jobs/{done.pk + 100}/").status_code == 404


def test_it_shows_staff_everyones_jobs_with_the_owners_name(client, admin_user, done):
    client.force_login(admin_user)
    response = client.get(f"/jobs/{done.pk}/")
    assert response.status_code == 200
    assert "by alice" in response.content.decode()
    assert client.get(f"/jobs/{done.pk}/result").status_code == 200


def test_it_shows_a_finished_job_with_coins_status_sizes_and_download(alice_client, done):
    page = alice_client.get(f"/jobs/{done.pk}/").content.decode()
    assert "data-status-badge>Done</span>" in page
    assert "Done. Your enhanced photo is ready." in page
    assert "<strong data-coins>10</strong>" in page
    assert "64 × 48 px" in page
    assert "128 × 96 px" in page
    assert f'href="/jobs/{done.pk}/result?download=1"' in page
    assert "Download the enhanced photo" in page


def test_it_shows_the_timeline(alice_client, done):
    page = alice_client.get(f"/jobs/{done.pk}/").content.decode()
    assert page.index("Received.") < page.index("Saved the result.")


def test_it_shows_pictures_from_our_storage_never_the_vendors_link(alice_client, done):
    done.res_url = "https://hitpaw-results.example.com/abc.png"
    done.save()
    page = alice_client.get(f"/jobs/{done.pk}/").content.decode()
    assert f'src="/jobs/{done.pk}/original"' in page
    assert f'src="/jobs/{done.pk}/result"' in page
    assert "hitpaw-results.example.com" not in page


def test_it_offers_no_download_before_the_job_is_done(alice_client, alice, general_2x):
    job = make_job(
        JobStatus.CONVERTING, user=alice, model=general_2x, message="HitPaw is enhancing your photo.", **CAT
    )
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "data-status-badge>Enhancing</span>" in page
    assert "HitPaw is enhancing your photo." in page
    assert "none yet" in page
    assert "Download the enhanced photo" not in page


def test_it_shows_a_failed_jobs_plain_message(alice_client, alice, general_2x):
    message = "Nothing was found at that link (error 404). The link may have expired."
    job = make_job(JobStatus.FAILED, user=alice, model=general_2x, message=message, **CAT)
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "data-status-badge>Failed</span>" in page
    assert message in page
    assert 'class="message error"' in page
    assert "Download the enhanced photo" not in page


def test_it_reports_the_status_as_json_for_the_live_page(alice_client, done):
    data = alice_client.get(f"/jobs/{done.pk}/status.json").json()
    assert data["status"] == "completed"
    assert data["label"] == "Done"
    assert data["terminal"] is True
    assert data["coins"] == 10
    assert data["message"] == "Done. Your enhanced photo is ready."
    assert [e["message"] for e in data["events"]] == ["Received.", "Saved the result."]
    assert [e["label"] for e in data["events"]] == ["Waiting to start", "Done"]


def test_it_reports_a_running_job_as_not_terminal_with_no_coins(alice_client, alice, general_2x):
    job = make_job(JobStatus.SUBMITTING, user=alice, model=general_2x, message="Sending to HitPaw.", **CAT)
    data = alice_client.get(f"/jobs/{job.pk}/status.json").json()
    assert (data["status"], data["terminal"], data["coins"]) == ("submitting", False, None)


def test_it_serves_our_stored_original(alice_client, done):
    response = alice_client.get(f"/jobs/{done.pk}/original")
    assert response.status_code == 200
    assert streamed(response) == ORIGINAL
    assert response["Content-Type"] == "image/png"


def test_it_serves_our_stored_result_for_viewing(alice_client, done):
    response = alice_client.get(f"/jobs/{done.pk}/result")
    body = streamed(response)
    assert body == RESULT
    assert image_size(body) == (128, 96)
    assert response["Content-Disposition"].startswith("inline")


def test_it_serves_the_result_as_a_named_download(alice_client, done):
    response = alice_client.get(f"/jobs/{done.pk}/result?download=1")
    assert streamed(response) == RESULT
    assert response["Content-Disposition"] == 'attachment; filename="cat-enhanced.png"'


def test_it_answers_404_for_a_picture_not_stored_yet(alice_client, alice, general_2x):
    job = make_job(user=alice, model=general_2x, message=WAITING, **CAT)
    assert alice_client.get(f"/jobs/{job.pk}/original").status_code == 404
    assert alice_client.get(f"/jobs/{job.pk}/result").status_code == 404


def test_it_shows_the_coins_used_today_and_this_month_beside_the_job(alice_client, alice, bob, general_2x):
    now = timezone.now()
    job = charged(
        make_job(
            JobStatus.COMPLETED,
            user=alice,
            model=general_2x,
            message=WAITING,
            coins=30,
            submitted_at=now,
            **CAT,
        )
    )
    charged(
        make_job(
            JobStatus.COMPLETED,
            user=alice,
            model=general_2x,
            message=WAITING,
            coins=20,
            submitted_at=now - timedelta(days=400),
            **CAT,
        )
    )
    charged(
        make_job(
            JobStatus.COMPLETED,
            user=bob,
            model=general_2x,
            message=WAITING,
            coins=480,
            submitted_at=now,
            **CAT,
        )
    )
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<dd data-usage-today>30</dd>" in page
    assert "<dd data-usage-month>30</dd>" in page
    assert "30 coins" in page
    assert "480 coins" not in page
