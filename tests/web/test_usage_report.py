"""The usage page's ranges, 90-day chart, breakdowns and CSV: all add up to the ledger, to the coin."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.jobs import ledger
from enhancer.models import CoinCharge, JobStatus, TeamBudget, UserBudget
from tests.support.jobs import make_job

NOW = datetime(2025, 6, 18, 12, 0)  # a Wednesday, mid-month


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield timezone.make_aware(NOW)


@pytest.fixture
def charge(catalogue):
    def charge(user, coins, days_ago=0, model="general_2x", hours_ago=0):
        job = make_job(JobStatus.CONVERTING, user=user, model=catalogue[model], estimated_coins=coins)
        entry = ledger.record_charge(job, f"hp-{job.pk}", coins)
        at = timezone.make_aware(NOW) - timedelta(days=days_ago, hours=hours_ago)
        CoinCharge.objects.filter(pk=entry.pk).update(at=at)
        return entry

    return charge


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def chart_coins(page: str) -> dict[str, int]:
    return {day: int(coins) for day, coins in re.findall(r'data-day="([\d-]+)" data-coins="(\d+)"', page)}


def range_total(page: str) -> int:
    return int(re.search(r"data-range-total>(\d+)<", page).group(1))


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_totals_chart_and_csv_agree_to_the_coin_with_the_ledger(alice_client, alice, charge):
    for days_ago, coins in [(0, 10), (0, 20), (1, 30), (6, 70), (40, 140), (89, 240)]:
        charge(alice, coins, days_ago)
    charge(alice, 480, days_ago=90)  # outside the 90 days and the range
    query = {"range": "custom", "start": "2025-03-21", "end": "2025-06-18"}

    page = alice_client.get("/usage/", query).content.decode()
    rows = csv_rows(alice_client.get("/usage/coins.csv", query))

    ledger_sum = 10 + 20 + 30 + 70 + 140 + 240
    assert range_total(page) == ledger_sum
    assert sum(chart_coins(page).values()) == ledger_sum
    assert sum(int(row["coins"]) for row in rows) == ledger_sum
    assert len(chart_coins(page)) == 90
    assert chart_coins(page)["2025-06-18"] == 30
    assert chart_coins(page)["2025-03-21"] == 240


@pytest.mark.parametrize(("name", "expected"), [("today", 30), ("week", 60), ("month", 130)])
def test_it_totals_today_this_week_and_this_month(alice_client, alice, charge, name, expected):
    charge(alice, 10, hours_ago=2)
    charge(alice, 20, hours_ago=11)
    charge(alice, 30, days_ago=2)  # Monday
    charge(alice, 70, days_ago=3)  # last Sunday, this month
    charge(alice, 140, days_ago=18)  # May 31st

    assert range_total(alice_client.get("/usage/", {"range": name}).content.decode()) == expected


def test_it_breaks_the_range_down_by_model(alice_client, alice, charge, catalogue):
    charge(alice, 10)
    charge(alice, 20)
    charge(alice, 40, model="face_4x")

    report = alice_client.get("/usage/").context["report"]

    assert [(row.name, row.coins, row.count) for row in report.by_model] == [
        (str(catalogue["face_4x"]), 40, 1),
        ("General Enhance (2x)", 30, 2),
    ]


def test_staff_see_only_their_own_charges_on_the_page_and_in_the_csv(alice_client, alice, bob, charge):
    charge(alice, 10)
    charge(bob, 480)

    page = alice_client.get("/usage/").content.decode()
    rows = csv_rows(alice_client.get("/usage/coins.csv"))

    assert range_total(page) == 10
    assert [row["person"] for row in rows] == ["alice"]
    assert "By person" not in page


def test_admins_see_everyones_charges_by_person(admin_client, alice, bob, charge):
    charge(alice, 10)
    charge(bob, 480)

    response = admin_client.get("/usage/")

    assert range_total(response.content.decode()) == 490
    assert [(row.name, row.coins) for row in response.context["report"].by_user] == [
        ("bob", 480),
        ("alice", 10),
    ]


def test_the_csv_lists_each_charge_with_its_estimate(alice_client, alice, charge):
    entry = charge(alice, 20)

    [row] = csv_rows(alice_client.get("/usage/coins.csv"))

    assert row == {
        "when": "2025-06-18 12:00:00",
        "photo": str(entry.job_id),
        "person": "alice",
        "model": "General Enhance (2x)",
        "hitpaw_job_number": entry.hitpaw_job_id,
        "estimated_coins": "20",
        "coins": "20",
    }


def test_a_name_that_looks_like_a_formula_is_written_as_text(client, django_user_model, charge):
    sneaky = django_user_model.objects.create_user("=HYPERLINK(1)", password="x-password-1")
    client.force_login(sneaky)
    charge(sneaky, 10)

    [row] = csv_rows(client.get("/usage/coins.csv"))

    assert row["person"] == "'=HYPERLINK(1)"


def test_the_csv_needs_a_login(client):
    assert client.get("/usage/coins.csv").status_code == 302


def test_admins_see_who_is_near_their_limit(admin_client, alice, charge):
    UserBudget.objects.create(user=alice, monthly_coins=100)
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 1000})
    charge(alice, 90)

    page = admin_client.get("/usage/").content.decode()

    assert "Near their monthly limit: alice (10 of 100 coins left)." in page


def test_staff_do_not_see_others_limits(alice_client, alice, charge):
    UserBudget.objects.create(user=alice, monthly_coins=100)
    charge(alice, 90)

    assert "data-near-limit" not in alice_client.get("/usage/").content.decode()


def test_a_range_of_centuries_gets_a_plain_message_and_this_month(alice_client, alice, charge):
    charge(alice, 10)
    wide = {"range": "custom", "start": "2000-01-01", "end": "2099-12-31"}
    page = alice_client.get("/usage/", wide)
    assert page.status_code == 200
    assert "Pick at most 366 days at a time" in page.content.decode()
    assert page.context["report"].period.name == "month"  # the month's figures, not decades'
    csv_answer = alice_client.get("/usage/coins.csv", wide)
    assert csv_answer.status_code == 400
    assert "Pick at most 366 days at a time" in csv_answer.content.decode()


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01", "99999-01-01"])
def test_a_day_at_the_ends_of_the_calendar_gets_a_plain_message(alice_client, end):
    page = alice_client.get("/usage/", {"range": "custom", "start": "2025-06-01", "end": end})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pick a date between 2000 and 2099." in text or "Enter a date like 2024-05-31." in text
    assert alice_client.get("/usage/coins.csv", {"range": "custom", "end": end}).status_code == 400


def test_a_year_long_range_is_still_shown(alice_client, alice, charge):
    charge(alice, 10, days_ago=300)
    page = alice_client.get("/usage/", {"range": "custom", "start": "2024-06-19", "end": "2025-06-18"})
    assert page.context["report"].period.name == "custom"
    assert page.context["report"].total == 10
