"""The JSON API at /api/v1/: each endpoint for each role, with the pages' permission rules.

Staff reach only their own photos, reviewers see the team's but change nothing, admins do all; a
person with no role sees nothing and may do nothing; another person's photo is a 404; no token
(or a bad one) is a 401; bad input a 422 with a plain `detail`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from enhancer.api.tokens import make_token
from enhancer.api.v1 import cursor
from enhancer.coins import ledger
from enhancer.jobs import pauses
from enhancer.models import Job, JobStatus, ShareLink, TopUp
from enhancer.web.refusals import NO_ENHANCE, NO_ROLE, NO_SHARE
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

API = "/api/v1"


class ApiClient:
    """The test client sending one person's personal token on every call."""

    def __init__(self, raw: str) -> None:
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, **query):
        return self.client.get(API + path, query, **self.auth)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(API + path, body or {}, content_type="application/json", **self.auth)


def api_for(user) -> ApiClient:
    return ApiClient(make_token(user, "script")[1])


@pytest.fixture
def reviewer(db):
    return user_with_role("rita", "reviewers")


@pytest.fixture
def nobody(db):
    """A person an admin has given no role yet."""
    return get_user_model().objects.create_user("nora")


@pytest.fixture
def as_alice(alice):
    return api_for(alice)


@pytest.fixture
def as_bob(bob):
    return api_for(bob)


@pytest.fixture
def as_rita(reviewer):
    return api_for(reviewer)


@pytest.fixture
def as_adam(adam):
    return api_for(adam)


@pytest.fixture
def as_nora(nobody):
    return api_for(nobody)


# --- tokens -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer edk_not-a-token", "Token abc", "Basic YTpi"])
def test_no_working_token_is_a_401_with_a_plain_detail(db, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(f"{API}/photos", **extra)
    assert response.status_code == 401
    assert "personal token" in response.json()["detail"]


def test_a_turned_off_token_is_a_401(alice):
    token, raw = make_token(alice, "old")
    token.delete()
    assert ApiClient(raw).get("/photos").status_code == 401


def test_an_expired_token_is_a_401(alice):
    _, raw = make_token(alice, "old", expires_at=timezone.now() - timedelta(minutes=1))
    assert ApiClient(raw).get("/photos").status_code == 401


def test_a_session_is_not_enough(alice_client):
    """The API is for scripts: without a token a signed-in browser is refused (no CSRF to hold)."""
    assert alice_client.post(f"{API}/photos", {}, content_type="application/json").status_code == 401


# --- photos: list, get --------------------------------------------------------------------------------


def test_staff_list_only_their_own_photos(as_alice, alice, bob):
    mine = make_job(JobStatus.COMPLETED, user=alice)
    make_job(JobStatus.COMPLETED, user=bob)
    response = as_alice.get("/photos")
    assert response.status_code == 200
    body = response.json()
    assert [photo["id"] for photo in body["items"]] == [mine.pk]
    assert body["items"][0]["person"] == "alice" and body["next_cursor"] is None and body["next"] is None


def test_reviewers_and_admins_list_the_teams_photos(as_rita, as_adam, alice, bob):
    made = {make_job(user=alice).pk, make_job(user=bob).pk}
    for caller in (as_rita, as_adam):
        assert {photo["id"] for photo in caller.get("/photos").json()["items"]} == made


def test_a_person_with_no_role_lists_nothing(as_nora, alice):
    make_job(user=alice)
    assert as_nora.get("/photos").json()["items"] == []


def test_the_historys_filters(as_alice, alice):
    done = make_job(JobStatus.COMPLETED, user=alice, img_url="https://shop.example/red-shoe.jpg")
    make_job(JobStatus.FAILED, user=alice)
    assert [p["id"] for p in as_alice.get("/photos", status="done").json()["items"]] == [done.pk]
    assert [p["id"] for p in as_alice.get("/photos", q="red-shoe").json()["items"]] == [done.pk]
    assert as_alice.get("/photos", model="general_2x").json()["items"]
    today = timezone.localdate()
    assert len(as_alice.get("/photos", since=str(today), until=str(today)).json()["items"]) == 2
    assert as_alice.get("/photos", since=str(today + timedelta(days=1))).json()["items"] == []


def test_only_reviewers_and_admins_choose_whose_photos(as_alice, as_rita, alice, bob):
    bobs = make_job(user=bob)
    make_job(user=alice)
    assert as_alice.get("/photos", person=bob.pk).status_code == 403
    assert [p["id"] for p in as_rita.get("/photos", person=bob.pk).json()["items"]] == [bobs.pk]


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"model": "no_such_model"}, {"since": "yesterday"}, {"limit": 0}, {"limit": 101}],
)
def test_bad_filters_are_a_422_with_a_plain_detail(as_alice, query):
    response = as_alice.get("/photos", **query)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_cursor_pagination_walks_every_photo_once_newest_first(as_alice, alice):
    made = [make_job(user=alice).pk for _ in range(7)]
    Job.objects.filter(pk=made[3]).update(created_at=Job.objects.get(pk=made[4]).created_at)  # a tie
    seen, query = [], {"limit": 3}
    while True:
        body = as_alice.get("/photos", **query).json()
        assert len(body["items"]) <= 3
        seen += [photo["id"] for photo in body["items"]]
        if body["next_cursor"] is None:
            break
        assert body["next"].endswith(f"cursor={body['next_cursor']}") or "cursor=" in body["next"]
        query = {"limit": 3, "cursor": body["next_cursor"]}
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    expected = list(
        Job.objects.filter(pk__in=made).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    assert seen == expected


def test_a_forged_cursor_is_a_422(as_alice):
    response = as_alice.get("/photos", cursor="W10:1abc:forged")
    assert response.status_code == 422
    assert response.json()["detail"] == cursor.MSG_BAD_CURSOR


def test_get_one_photo_by_role(as_alice, as_bob, as_rita, as_adam, as_nora, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    ledger.record_charge(job, "hp-1", 5)
    for caller in (as_alice, as_rita, as_adam):
        response = caller.get(f"/photos/{job.pk}")
        assert response.status_code == 200
        assert response.json()["coins"] == 5 and response.json()["status"] == JobStatus.COMPLETED
    for stranger in (as_bob, as_nora):
        assert stranger.get(f"/photos/{job.pk}").status_code == 404
    assert as_alice.get("/photos/999999").status_code == 404


def test_download_the_result_by_role(as_alice, as_bob, as_rita, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    job.result.save("shoe-enhanced.png", ContentFile(b"our stored copy"), save=True)
    for caller in (as_alice, as_rita):
        response = caller.get(f"/photos/{job.pk}/result")
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"our stored copy"
        assert "attachment" in response["Content-Disposition"]
    assert as_bob.get(f"/photos/{job.pk}/result").status_code == 404
    waiting = make_job(user=alice)
    response = as_alice.get(f"/photos/{waiting.pk}/result")
    assert response.status_code == 404 and response.json()["detail"] == "This photo has no result yet."


# --- photos: create -----------------------------------------------------------------------------------


def test_staff_send_a_photo_by_link_through_intake(as_alice, alice, general_2x):
    response = as_alice.post("/photos", {"img_urls": ["https://shop.example/a.jpg"], "model": "general_2x"})
    assert response.status_code == 201, response.content
    body = response.json()
    (photo,) = body["photos"]
    job = Job.objects.get(pk=photo["id"])
    assert job.user == alice and job.status == JobStatus.QUEUED and body["batch_id"] is None
    assert photo["link"] == "https://shop.example/a.jpg" and photo["model"] == "general_2x"
    assert job.sent_by_api


def test_a_retry_with_the_same_idempotency_key_sends_nothing_again(as_alice, alice, general_2x):
    links = {"img_urls": ["https://shop.example/a.jpg", "https://shop.example/b.jpg"], "model": "general_2x"}
    key = {"HTTP_IDEMPOTENCY_KEY": "catalogue-run-2026-12-07"}
    first = as_alice.client.post(
        f"{API}/photos", links, content_type="application/json", **as_alice.auth, **key
    )
    again = as_alice.client.post(
        f"{API}/photos", links, content_type="application/json", **as_alice.auth, **key
    )

    assert first.status_code == 201 and again.status_code == 200, again.content
    assert [p["id"] for p in again.json()["photos"]] == [p["id"] for p in first.json()["photos"]]
    assert again.json()["batch_id"] == first.json()["batch_id"]
    assert Job.objects.filter(user=alice).count() == 2

    other = {"HTTP_IDEMPOTENCY_KEY": "catalogue-run-2026-12-08"}
    fresh = as_alice.client.post(
        f"{API}/photos", links, content_type="application/json", **as_alice.auth, **other
    )
    assert fresh.status_code == 201 and Job.objects.filter(user=alice).count() == 4


def test_an_idempotency_key_is_each_persons_own(as_alice, as_bob, alice, bob, general_2x):
    link = {"img_urls": ["https://shop.example/a.jpg"], "model": "general_2x"}
    key = {"HTTP_IDEMPOTENCY_KEY": "same-words"}
    for person in (as_alice, as_bob):
        response = person.client.post(
            f"{API}/photos", link, content_type="application/json", **person.auth, **key
        )
        assert response.status_code == 201
    assert Job.objects.filter(user=alice).count() == 1 and Job.objects.filter(user=bob).count() == 1


def test_several_links_make_a_batch_and_bad_lines_are_left_out(as_alice, general_2x):
    links = ["https://shop.example/a.jpg", "https://shop.example/b.png", "not a link"]
    body = as_alice.post("/photos", {"img_urls": links, "model": "general_2x"}).json()
    assert len(body["photos"]) == 2 and body["batch_id"] is not None
    assert "not a web link" in body["skipped"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"img_urls": [], "model": "general_2x"},
        {"img_urls": ["not a link"], "model": "general_2x"},
        {"img_urls": ["https://shop.example/a.jpg"], "model": "no_such_model"},
        {"img_urls": ["https://shop.example/a.jpg"], "model": "general_2x", "dpi": 5},
        {"img_urls": "https://shop.example/a.jpg", "model": "general_2x"},
        {"model": "general_2x"},
    ],
)
def test_bad_input_is_a_422_and_queues_nothing(as_alice, general_2x, body):
    response = as_alice.post("/photos", body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert not Job.objects.exists()


def test_roles_that_do_not_enhance_are_refused_before_anything_is_read(as_rita, as_nora, general_2x):
    body = {"img_urls": ["https://shop.example/a.jpg"], "model": "general_2x"}
    assert as_rita.post("/photos", body).json() == {"detail": NO_ENHANCE}
    assert as_rita.post("/photos", body).status_code == 403
    assert as_nora.post("/photos", body).json() == {"detail": NO_ROLE}
    assert not Job.objects.exists()


def test_a_pause_is_a_409_and_spends_nothing(as_alice, general_2x):
    pauses.pause("HitPaw is down for maintenance.", None)
    response = as_alice.post("/photos", {"img_urls": ["https://shop.example/a.jpg"], "model": "general_2x"})
    assert response.status_code == 409
    assert "paused" in response.json()["detail"]
    assert not Job.objects.exists()


# --- photos: cancel, resume ---------------------------------------------------------------------------


def test_owner_and_admin_cancel_reviewer_and_stranger_get_404(as_alice, as_bob, as_rita, as_adam, alice):
    job = make_job(user=alice)
    assert as_rita.post(f"/photos/{job.pk}/cancel").status_code == 404
    assert as_bob.post(f"/photos/{job.pk}/cancel").status_code == 404
    response = as_alice.post(f"/photos/{job.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == JobStatus.CANCELED
    other = make_job(user=alice)
    assert as_adam.post(f"/photos/{other.pk}/cancel").json()["status"] == JobStatus.CANCELED


def test_a_photo_already_sent_cannot_be_canceled(as_alice, alice):
    job = make_job(JobStatus.CONVERTING, user=alice, submit_started_at=timezone.now())
    response = as_alice.post(f"/photos/{job.pk}/cancel")
    assert response.status_code == 409
    assert "already sent" in response.json()["detail"]


def test_resume_a_paid_photo_and_refuse_one_that_is_not(as_alice, as_rita, alice):
    paid = make_job(
        JobStatus.TIMED_OUT, user=alice, hitpaw_job_id="hp-9", submitted_at=timezone.now(), coins=4
    )
    assert as_rita.post(f"/photos/{paid.pk}/resume").status_code == 404
    response = as_alice.post(f"/photos/{paid.pk}/resume")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == JobStatus.CONVERTING
    unpaid = make_job(JobStatus.FAILED, user=alice)
    refused = as_alice.post(f"/photos/{unpaid.pk}/resume")
    assert refused.status_code == 409 and "cannot be resumed" in refused.json()["detail"]


# --- batches ------------------------------------------------------------------------------------------


def test_batches_by_role_with_their_photos_and_totals(as_alice, as_bob, as_rita, alice, general_2x):
    links = ["https://shop.example/a.jpg", "https://shop.example/b.jpg"]
    batch_id = as_alice.post("/photos", {"img_urls": links, "model": "general_2x"}).json()["batch_id"]
    first = Job.objects.filter(batch_id=batch_id).order_by("position").first()
    Job.objects.filter(pk=first.pk).update(status=JobStatus.COMPLETED)
    ledger.record_charge(first, "hp-2", 3)
    for caller in (as_alice, as_rita):
        assert [b["id"] for b in caller.get("/batches").json()["items"]] == [batch_id]
        body = caller.get(f"/batches/{batch_id}").json()
        assert body["totals"]["count"] == 2 and body["totals"]["done"] == 1 and body["totals"]["coins"] == 3
        assert [p["status"] for p in body["photos"]] == [JobStatus.COMPLETED, JobStatus.QUEUED]
    assert as_bob.get("/batches").json()["items"] == []
    assert as_bob.get(f"/batches/{batch_id}").status_code == 404


# --- share links ----------------------------------------------------------------------------------


def test_owner_makes_lists_and_turns_off_a_share_link(as_alice, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    response = as_alice.post("/shares", {"photo_id": job.pk, "days": 7})
    assert response.status_code == 201, response.content
    share = response.json()
    assert share["live"] and share["url"].startswith("http") and "/s/" in share["url"]
    assert [s["id"] for s in as_alice.get("/shares").json()["items"]] == [share["id"]]
    assert [s["id"] for s in as_alice.get("/shares", photo_id=job.pk).json()["items"]] == [share["id"]]
    off = as_alice.post(f"/shares/{share['id']}/off")
    assert off.status_code == 200 and not off.json()["live"] and off.json()["state"] == "Turned off"
    assert not ShareLink.objects.get(pk=share["id"]).is_live


def test_share_link_rules_by_role(as_alice, as_bob, as_rita, as_adam, as_nora, alice):
    job = make_job(JobStatus.COMPLETED, user=alice)
    assert as_rita.post("/shares", {"photo_id": job.pk, "days": 7}).json() == {"detail": NO_SHARE}
    assert as_nora.post("/shares", {"photo_id": job.pk, "days": 7}).json() == {"detail": NO_ROLE}
    assert as_bob.post("/shares", {"photo_id": job.pk, "days": 7}).status_code == 404
    made = as_adam.post("/shares", {"photo_id": job.pk, "days": 1})
    assert made.status_code == 201
    share_id = made.json()["id"]
    assert as_bob.get("/shares").json()["items"] == []
    assert as_bob.get("/shares", photo_id=job.pk).status_code == 404
    assert as_bob.post(f"/shares/{share_id}/off").status_code == 404
    assert as_rita.post(f"/shares/{share_id}/off").status_code == 404
    assert as_alice.post(f"/shares/{share_id}/off").status_code == 200
    assert as_alice.post("/shares/999999/off").status_code == 404


def test_share_needs_a_finished_photo_and_a_known_length(as_alice, alice):
    waiting = make_job(user=alice)
    assert as_alice.post("/shares", {"photo_id": waiting.pk, "days": 7}).status_code == 409
    done = make_job(JobStatus.COMPLETED, user=alice)
    response = as_alice.post("/shares", {"photo_id": done.pk, "days": 5})
    assert response.status_code == 422 and "days" in response.json()["detail"]
    assert not ShareLink.objects.exists()


# --- coins --------------------------------------------------------------------------------------------


def test_coin_usage_by_day_model_and_person(as_alice, as_rita, alice, bob):
    ledger.record_charge(make_job(JobStatus.COMPLETED, user=alice), "hp-a", 4)
    ledger.record_charge(make_job(JobStatus.COMPLETED, user=bob), "hp-b", 6)
    today = str(timezone.localdate())
    mine = as_alice.get("/coins/usage", range="today").json()
    assert mine["total"] == 4 and mine["count"] == 1 and mine["by_person"] is None
    assert mine["by_day"] == [{"day": today, "coins": 4}]
    assert mine["by_model"][0]["coins"] == 4
    team = as_rita.get("/coins/usage", range="custom", start=today, end=today).json()
    assert team["total"] == 10
    assert {row["name"]: row["coins"] for row in team["by_person"]} == {"alice": 4, "bob": 6}
    month = as_alice.get("/coins/usage").json()
    assert month["first"] <= today == month["last"] and month["total"] == 4


@pytest.mark.parametrize(
    "query",
    [
        {"range": "decade"},
        {"range": "custom", "start": "2025-01-01", "end": "2026-06-01"},
        {"range": "custom", "start": "not a day"},
    ],
)
def test_bad_periods_are_a_422(as_alice, query):
    response = as_alice.get("/coins/usage", **query)
    assert response.status_code == 422 and response.json()["detail"]


def test_the_expected_balance_is_for_admins(as_alice, as_rita, as_adam, alice):
    TopUp.objects.create(coins=100)
    ledger.record_charge(make_job(JobStatus.COMPLETED, user=alice), "hp-c", 7)
    assert as_adam.get("/coins/balance").json() == {"expected_balance": 93}
    assert as_alice.get("/coins/balance").status_code == 403
    assert as_rita.get("/coins/balance").status_code == 403


# --- the schema and its docs ------------------------------------------------------------------------


def test_the_schema_and_docs_are_served_without_a_token(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.") and f"{API}/photos" in schema["paths"]
    schemathesis.openapi.from_dict(schema).validate()  # against the OpenAPI specification's own schema
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
