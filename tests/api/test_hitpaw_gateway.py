"""HitPaw's two calls served by the desk: the vendor's envelopes and codes, the form's intake, own jobs only."""

import json

import pytest
from django.utils import timezone

from enhancer.api.tokens import make_token
from enhancer.models import Job, JobStatus, SubmissionPause, UserBudget
from tests.support.finished import RESULT, finished_job
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

pytestmark = pytest.mark.django_db

ENHANCE = "/hitpaw/api/photo-enhancer"
STATUS = "/hitpaw/api/task-status"
PHOTO = {"model_name": "general_2x", "img_url": "https://photos.example/cat.jpg", "extension": ".jpg"}


def call(client, path, body, key):
    headers = {"Apikey": key} if key is not None else {}
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def alice_key(alice, catalogue):
    return make_token(alice, "catalogue script")[1]


@pytest.fixture
def bob_key(bob, catalogue):
    return make_token(bob, "bob's script")[1]


def test_a_photo_is_taken_through_the_intake_and_marked_as_sent_by_the_api(client, alice, alice_key, api):
    answer = call(client, ENHANCE, {**PHOTO, "exif": True, "DPI": 300}, alice_key)
    assert answer.status_code == 200
    body = answer.json()
    job = Job.objects.get()
    assert body["code"] == 200 and body["message"] == "OK"
    assert body["job_id"] == body["data"]["job_id"] == f"desk-{job.pk}"
    assert body["consume_coins"] == body["data"]["consume_coins"] == 10  # general_2x's lowest price
    assert (job.user, job.model_name, job.exif, job.dpi, job.sent_by_api) == (
        alice,
        "general_2x",
        True,
        300,
        True,
    )
    assert job.status == JobStatus.QUEUED
    assert not api.calls  # the workers send it, never the view


@pytest.mark.parametrize("key", [None, "", "edk_made-up", "the-team's-hitpaw-key"])
def test_a_missing_or_unknown_key_is_the_vendors_invalid_key(client, key, catalogue):
    answer = call(client, ENHANCE, PHOTO, key)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == 110400000
    assert answer.json()["message"] == "api_key is not valid"
    assert not Job.objects.exists()


def test_a_turned_off_or_expired_token_is_refused(client, alice, catalogue):
    off, off_key = make_token(alice, "old")
    off.turned_off_at = timezone.now()
    off.save()
    _, expired_key = make_token(alice, "expired", expires_at=timezone.now() - timezone.timedelta(days=1))
    for key in (off_key, expired_key):
        answer = call(client, ENHANCE, PHOTO, key)
        assert (answer.status_code, answer.json()["error_code"]) == (400, 110400000)
    assert not Job.objects.exists()


def test_a_session_cookie_is_not_a_key(alice_client, catalogue):
    answer = call(alice_client, ENHANCE, PHOTO, None)
    assert answer.json()["error_code"] == 110400000


def test_a_role_that_may_not_send_photos_is_refused(client, catalogue):
    reviewer = user_with_role("rita", "reviewers")
    _, key = make_token(reviewer, "read only")
    answer = call(client, ENHANCE, PHOTO, key)
    assert answer.status_code == 403
    assert answer.json()["error_code"] == 100403002
    assert not Job.objects.exists()


def test_over_budget_is_coins_not_enough_and_nothing_reaches_hitpaw(client, alice, alice_key, api):
    UserBudget.objects.create(user=alice, monthly_coins=5)  # below general_2x's lowest price
    answer = call(client, ENHANCE, PHOTO, alice_key)
    assert answer.status_code == 402
    assert answer.json()["error_code"] == 110402000
    assert answer.json()["message"] == "The coins are not enough"
    assert not Job.objects.exists()
    assert not api.calls


def test_a_paused_team_is_asked_to_try_later(client, alice_key):
    SubmissionPause.objects.update_or_create(pk=1, defaults={"paused": True, "reason": "No coins"})
    answer = call(client, ENHANCE, PHOTO, alice_key)
    assert answer.status_code == 429
    assert answer.json()["error_code"] == 100429000
    assert "paused" in answer.json()["detail"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"model_name": "enhanced_v1"}, 110400005),
        ({"model_name": None}, 110400005),
        ({"img_url": "not a link"}, 100400001),
        ({"img_url": "http://127.0.0.1/admin"}, 100400001),
        ({"extension": ".gif"}, 110400007),
        ({"DPI": "300"}, 100403000),
        ({"exif": "yes"}, 100403000),
    ],
)
def test_bad_fields_answer_the_documented_code_and_take_nothing(client, alice_key, change, code):
    answer = call(client, ENHANCE, {**PHOTO, **change}, alice_key)
    assert answer.json()["error_code"] == code
    assert answer.status_code == int(str(code)[3:6])
    assert not Job.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(client, alice_key):
    answer = client.post(ENHANCE, data="{", content_type="application/json", headers={"Apikey": alice_key})
    assert (answer.status_code, answer.json()["error_code"]) == (400, 100400002)


def test_status_of_a_photo_on_its_way_is_converting(client, alice, alice_key):
    for status in (JobStatus.QUEUED, JobStatus.CONVERTING, JobStatus.DOWNLOADING, JobStatus.NEEDS_REVIEW):
        job = make_job(status, user=alice)
        body = call(client, STATUS, {"job_id": f"desk-{job.pk}"}, alice_key).json()
        assert (body["status"], body["res_url"], body["data"]["status"]) == ("CONVERTING", "", "CONVERTING")


def test_a_failed_photo_is_error_with_its_plain_message(client, alice, alice_key):
    job = make_job(JobStatus.FAILED, user=alice, message="HitPaw could not open the image link.")
    body = call(client, STATUS, {"job_id": f"desk-{job.pk}"}, alice_key).json()
    assert body["status"] == "ERROR"
    assert body["error_message"] == "HitPaw could not open the image link."


def test_a_completed_photo_links_to_our_copy_and_the_ledgers_coins(client, alice, alice_key, general_2x):
    job = finished_job(alice, general_2x)
    body = call(client, STATUS, {"job_id": f"desk-{job.pk}"}, alice_key).json()
    assert body["status"] == "COMPLETED"
    assert body["consume_coins"] == 10  # what the ledger holds (tests/support/charges.py)
    assert body["original_url"] == job.img_url
    assert body["res_url"].startswith("http://testserver/hitpaw/results/")
    client.logout()
    download = client.get(body["res_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == RESULT
    assert download["Content-Type"] == "image/png"


def test_a_tampered_or_old_result_link_finds_nothing(client, alice, alice_key, general_2x, settings):
    job = finished_job(alice, general_2x)
    res_url = call(client, STATUS, {"job_id": f"desk-{job.pk}"}, alice_key).json()["res_url"]
    assert client.get(res_url.replace("/results/", "/results/x")).status_code == 404
    later = timezone.now() + timezone.timedelta(days=31)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(res_url).status_code == 404


def test_a_strangers_job_does_not_exist(client, alice, bob_key):
    job = make_job(JobStatus.COMPLETED, user=alice)
    for job_id in (f"desk-{job.pk}", str(job.pk), "desk-99999999", "desk-x", None):
        answer = call(client, STATUS, {"job_id": job_id}, bob_key)
        assert (answer.status_code, answer.json()["error_code"]) == (400, 110400002)


def test_status_needs_a_working_key(client, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    answer = call(client, STATUS, {"job_id": f"desk-{job.pk}"}, "edk_nope")
    assert answer.json()["error_code"] == 110400000


def test_only_post_is_answered(client):
    assert client.get(ENHANCE).status_code == 405


def test_the_history_and_the_photo_page_say_sent_by_the_api(alice_client, alice, alice_key):
    call(alice_client, ENHANCE, PHOTO, alice_key)
    by_form = make_job(JobStatus.QUEUED, user=alice)
    job = Job.objects.get(sent_by_api=True)
    history = alice_client.get("/jobs/").content.decode()
    assert history.count("Sent by the API") == 1
    assert "Sent by the API" in alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Sent by the API" not in alice_client.get(f"/jobs/{by_form.pk}/").content.decode()
