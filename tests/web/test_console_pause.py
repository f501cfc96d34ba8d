"""Pause and resume as buttons with a reason on the System page; what everyone else then sees."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from enhancer.coins import ledger
from enhancer.jobs import pauses
from enhancer.models import Job, JobStatus
from enhancer.ops import health
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

REASON = "Topping up coins, back at 3 pm."


@pytest.fixture
def one_cluster(monkeypatch):
    beat = SimpleNamespace(
        host="worker-a",
        workers=[1],
        timestamp=datetime(2026, 12, 7, 12, 51, 9, 39659, tzinfo=ZoneInfo("UTC")),
    )
    monkeypatch.setattr(health, "cluster_stats", lambda: [beat])


def test_an_admin_pauses_with_a_reason_and_everyone_reads_it(adam_client, alice_client):
    response = adam_client.post("/system/pause", {"reason": REASON}, follow=True)

    assert pauses.current().reason == REASON
    assert f"Paused</strong>: {REASON}" in response.content.decode()
    assert (
        f"New photos are paused for the whole team: {REASON}" in alice_client.get("/jobs/").content.decode()
    )


def test_a_pause_without_a_reason_is_refused_plainly(adam_client):
    response = adam_client.post("/system/pause", {"reason": "   "})

    assert response.status_code == 400
    assert "Say why, so the team knows" in response.content.decode()
    assert pauses.current() is None


def test_resume_lifts_the_pause_and_lets_held_photos_go(adam_client):
    pauses.pause(REASON, None)
    held = make_job(JobStatus.SUBMITTING, due_at=None)

    response = adam_client.post("/system/resume", follow=True)

    assert pauses.current() is None
    assert (
        "New photos are accepted again; 1 photo(s) held by the pause will go now."
        in response.content.decode()
    )
    assert Job.objects.get(pk=held.pk).due_at is not None


def test_the_system_page_offers_the_button_that_fits(adam_client):
    assert "data-pause-form" in adam_client.get("/system/").content.decode()
    pauses.pause(REASON, None)
    page = adam_client.get("/system/").content.decode()
    assert "data-resume" in page and "data-pause-form" not in page


@pytest.mark.parametrize("role", ["staff", "reviewers"])
def test_nobody_but_admins_pauses_or_resumes(client, db, role):
    client.force_login(user_with_role("someone", role))

    assert client.post("/system/pause", {"reason": REASON}).status_code == 404
    assert pauses.current() is None
    pauses.pause(REASON, None)
    assert client.post("/system/resume").status_code == 404
    assert pauses.current() is not None


def test_while_paused_the_enhance_button_is_off_with_the_reason(alice_client, catalogue):
    assert "data-submit disabled" not in alice_client.get("/").content.decode()
    pauses.pause(REASON, None)

    page = alice_client.get("/").content.decode()

    assert 'data-submit disabled data-paused aria-describedby="paused-reason"' in page
    assert f'id="paused-reason" data-paused-reason>New photos are paused for the whole team: {REASON}' in page


COINS_RAN_OUT = ("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)


def test_the_expected_balance_is_shown_to_admins_once_top_ups_were_recorded(adam_client, alice_client):
    ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-1", 2135)
    pauses.pause(*COINS_RAN_OUT)
    assert "should be left" not in adam_client.get("/jobs/").content.decode()  # no top-up: no "-2135"

    ledger.record_top_up(2200)

    assert "about 65 coins should be left" in adam_client.get("/jobs/").content.decode()
    staff_page = alice_client.get("/jobs/").content.decode()
    assert "balance has run out" in staff_page and "should be left" not in staff_page


def test_the_system_page_shows_times_in_the_teams_zone_never_iso(adam_client, one_cluster, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    make_job(JobStatus.NEEDS_REVIEW)

    page = adam_client.get("/system/").content.decode()

    assert "7 Dec 2026, 13:51" in page
    assert "2026-12-07T12:51:09.039659+00:00" not in page
    assert "1 photo in the review queue" in page


def test_the_pause_record_in_the_admin_is_read_only_and_points_to_the_system_page(adam_client):
    pauses.pause(REASON, None)

    page = adam_client.get("/admin/enhancer/submissionpause/").content.decode()

    assert adam_client.get("/admin/enhancer/submissionpause/add/").status_code == 403
    assert adam_client.post("/admin/enhancer/submissionpause/1/change/", {"paused": ""}).status_code == 403
    assert pauses.current() is not None
    assert 'on the <a href="/system/">System page</a>' in page
