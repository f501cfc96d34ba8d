"""The team view: reviewers see everyone's jobs with filters, and coins by person and month."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.coins import ledger
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import make_job
from tests.support.roles import user_with_role


@pytest.fixture
def rita_client(client, db):
    client.force_login(user_with_role("rita", "reviewers"))
    return client


def listed(response) -> list[int]:
    return [job.pk for job in response.context["page"].object_list]


def test_it_lists_everyones_jobs(rita_client, alice, bob, general_2x):
    mine, theirs = make_job(user=alice, bare=True), make_job(user=bob, bare=True)

    assert sorted(listed(rita_client.get("/team/"))) == sorted([mine.pk, theirs.pk])


def test_it_filters_by_person_status_and_model(rita_client, alice, bob, catalogue):
    wanted = make_job(JobStatus.FAILED, user=alice, model=catalogue["face_2x"], bare=True)
    make_job(JobStatus.FAILED, user=bob, model=catalogue["face_2x"], bare=True)
    make_job(JobStatus.COMPLETED, user=alice, model=catalogue["face_2x"], bare=True)
    make_job(JobStatus.FAILED, user=alice, model=catalogue["general_2x"], bare=True)

    response = rita_client.get(
        "/team/", {"person": alice.pk, "status": "problems", "model": catalogue["face_2x"].name}
    )

    assert listed(response) == [wanted.pk]


def test_it_filters_by_dates_and_link(rita_client, alice, general_2x):
    old = make_job(user=alice, bare=True, img_url="https://photos.example.com/old-shoe.png")
    new = make_job(user=alice, bare=True, img_url="https://photos.example.com/new-shoe.png")
    old.__class__.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()

    assert listed(rita_client.get("/team/", {"since": today.isoformat()})) == [new.pk]
    assert listed(rita_client.get("/team/", {"q": "old-shoe"})) == [old.pk]


def test_a_saved_link_with_the_old_date_names_still_filters(rita_client, alice, general_2x):
    old = make_job(user=alice, bare=True)
    new = make_job(user=alice, bare=True)
    old.__class__.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()

    assert listed(rita_client.get("/team/", {"start": today.isoformat()})) == [new.pk]
    week_ago = (today - timedelta(days=7)).isoformat()
    assert listed(rita_client.get("/team/", {"end": week_ago})) == [old.pk]


def test_it_shows_coins_by_person_and_month(rita_client, alice, bob):
    with freeze_time(datetime(2025, 6, 18, 12, 0)):
        for user, coins, days_ago in [(alice, 10, 0), (alice, 20, 30), (bob, 70, 0), (bob, 5, 400)]:
            entry = ledger.record_charge(make_job(JobStatus.CONVERTING, user=user), f"hp-{coins}", coins)
            CoinCharge.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days_ago))

        response = rita_client.get("/team/")

    months = [f"{m:%b}" for m in response.context["months"]]
    people = {p.name: (p.coins, p.total) for p in response.context["people"]}
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert people == {"bob": ([0, 0, 0, 0, 0, 70], 70), "alice": ([0, 0, 0, 0, 20, 10], 30)}


def test_a_charge_just_after_local_midnight_counts_in_its_local_month(settings, rita_client, alice):
    settings.TIME_ZONE = "Europe/Berlin"  # 23:30 UTC on May 31 is 01:30 on June 1 in Berlin
    with freeze_time(datetime(2025, 6, 18, 12, 0)):
        entry = ledger.record_charge(make_job(JobStatus.CONVERTING, user=alice), "hp-late", 40)
        CoinCharge.objects.filter(pk=entry.pk).update(at=datetime(2025, 5, 31, 23, 30, tzinfo=UTC))
        response = rita_client.get("/team/")

    people = {p.name: p.coins for p in response.context["people"]}
    assert people == {"alice": [0, 0, 0, 0, 0, 40]}


def test_it_names_each_photo_and_each_person_as_the_team_knows_them(rita_client, alice, bob):
    alice.first_name, alice.last_name = "Alice", "Marsh"
    alice.save()
    job = make_job(
        JobStatus.CONVERTING,
        user=alice,
        img_url="https://shop.example/spring/Red%20Shoe.png",
        original="originals/red-shoe.png",
    )
    ledger.record_charge(job, "hp-1", 20)
    ledger.record_charge(make_job(JobStatus.CONVERTING, user=bob), "hp-2", 10)

    response = rita_client.get("/team/")
    page = response.content.decode()

    assert f'src="/jobs/{job.pk}/thumbnail"' in page
    assert "<span>Red Shoe</span>" in page
    assert '<td data-label="Person">Alice Marsh</td>' in page
    assert [person.name for person in response.context["people"]] == ["Alice Marsh", "bob"]
