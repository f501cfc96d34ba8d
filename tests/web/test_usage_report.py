"""The usage page's ranges, 90-day chart, breakdowns and CSV: all add up to the ledger, to the coin."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.coins import ledger
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


def chart_coins(page: str) -> dict[str, int]:
    return {day: int(coins) for day, coins in re.findall(r'data-day="([\d-]+)" data-coins="(\d+)"', page)}


def range_total(page: str) -> int:
    return int(re.search(r"data-range-total>(\d+)<", page).group(1))


def csv_rows(response) -> list[dict]:
    """The CSV's rows by header, read as a spreadsheet would: UTF-8 after its byte order mark."""
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


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
    assert sum(int(row["Coins"]) for row in rows) == ledger_sum
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
    assert [row["Person"] for row in rows] == ["alice"]
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
        "Date": "2025-06-18",
        "Time (UTC)": "12:00:00",
        "Photo": entry.job.photo_name,
        "Person": "alice",
        "Model": "General Enhance (2x)",
        "HitPaw job number": entry.hitpaw_job_id,
        "Estimated coins": "20",
        "Coins": "20",
    }


def test_the_csv_names_photos_and_people_and_states_the_time_zone(alice_client, alice, catalogue, settings):
    settings.TIME_ZONE = "Europe/London"  # 12:00 UTC in June is 13:00 in London
    alice.first_name, alice.last_name = "Zoë", "Åberg"
    alice.save()
    uploaded = make_job(
        JobStatus.CONVERTING, user=alice, model=catalogue["general_2x"], upload_name="Café menu.JPG"
    )
    linked = make_job(
        JobStatus.CONVERTING,
        user=alice,
        model=catalogue["general_2x"],
        img_url="https://shop.example/spring/Red%20Shoe.png?w=1",
    )
    ledger.record_charge(uploaded, "hp-1", 20)
    ledger.record_charge(linked, "hp-2", 10)

    response = alice_client.get("/usage/coins.csv")
    rows = csv_rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert list(rows[0]) == [
        "Date",
        "Time (Europe/London)",
        "Photo",
        "Person",
        "Model",
        "HitPaw job number",
        "Estimated coins",
        "Coins",
    ]
    assert [(row["Photo"], row["Person"], row["Time (Europe/London)"]) for row in rows] == [
        ("Café menu", "Zoë Åberg", "13:00:00"),
        ("Red Shoe", "Zoë Åberg", "13:00:00"),
    ]


def test_a_name_that_looks_like_a_formula_is_written_as_text(client, django_user_model, charge):
    sneaky = django_user_model.objects.create_user("=HYPERLINK(1)", password="x-password-1")
    client.force_login(sneaky)
    charge(sneaky, 10)

    [row] = csv_rows(client.get("/usage/coins.csv"))

    assert row["Person"] == "'=HYPERLINK(1)"


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


def test_recent_charges_name_the_photo_with_its_thumbnail(alice_client, alice, catalogue):
    job = make_job(
        JobStatus.COMPLETED,
        user=alice,
        model=catalogue["general_2x"],
        img_url="https://shop.example/spring/Red%20Shoe.png",
        original="originals/red-shoe.png",
    )
    ledger.record_charge(job, "hp-1", 20)

    page = alice_client.get("/usage/").content.decode()
    recent = page[page.index("data-recent-charges") :]

    assert "<span data-photo-name>Red Shoe</span>" in recent
    assert f'src="/jobs/{job.pk}/thumbnail"' in recent
    assert f">#{job.pk}<" not in page


def test_a_photo_with_nothing_stored_is_named_without_a_thumbnail(alice_client, alice, charge):
    entry = charge(alice, 20)

    page = alice_client.get("/usage/").content.decode()

    assert f"<span data-photo-name>{entry.job.photo_name}</span>" in page
    assert f"/jobs/{entry.job_id}/thumbnail" not in page


def test_the_team_sees_each_persons_full_name(admin_client, alice, charge):
    alice.first_name, alice.last_name = "Alice", "Marsh"
    alice.save()
    charge(alice, 20)

    response = admin_client.get("/usage/")

    assert [row.name for row in response.context["report"].by_user] == ["Alice Marsh"]
    assert '<td data-label="Person">Alice Marsh</td>' in response.content.decode()


def axis_values(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'class="axis-value"[^>]*>(\d+)<', page)]


def test_the_chart_has_a_y_axis_month_labels_and_the_budget_line(alice_client, alice, charge):
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 900})  # 30 a day in June
    charge(alice, 70, days_ago=1)
    charge(alice, 10, days_ago=40)

    page = alice_client.get("/usage/").content.decode()

    assert axis_values(page) == [0, 20, 40, 60, 80]  # round steps up past the highest day, 70
    assert re.findall(r'class="axis-month"[^>]*>([^<]+)<', page) == ["Mar 2025", "Apr", "May", "Jun"]
    assert 'data-budget-per-day="30"' in page
    assert "Budget: 30 a day" in page
    assert "the monthly budget of 900 coins" in page


def test_a_persons_own_limit_is_their_budget_line(alice_client, alice, charge):
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 9000})
    UserBudget.objects.create(user=alice, monthly_coins=300)
    charge(alice, 20)

    assert 'data-budget-per-day="10"' in alice_client.get("/usage/").content.decode()


def test_no_budget_draws_no_budget_line(alice_client, alice, charge):
    charge(alice, 20)

    page = alice_client.get("/usage/").content.decode()

    assert "data-budget-per-day" not in page
    assert axis_values(page) == [0, 5, 10, 15, 20]


def test_each_days_coins_can_be_read_without_a_mouse(alice_client, alice, charge):
    charge(alice, 30, days_ago=1)
    charge(alice, 10, days_ago=1)

    page = alice_client.get("/usage/").content.decode()

    # the day's bar is reached with Tab (or a tap) and says its value; days with nothing are skipped
    assert re.findall(r'tabindex="0" role="img" aria-label="([^"]+)"', page) == ["Jun 17: 40 coins"]
    assert "<td>Tue Jun 17, 2025</td><td>40</td>" in page  # and the table under the chart
    assert "Latest: Jun 17, 40 coins." in page


def test_admins_see_charges_far_from_their_estimate(admin_client, alice, catalogue):
    def charged(coins, estimate, name):
        job = make_job(
            JobStatus.COMPLETED,
            user=alice,
            model=catalogue["general_2x"],
            img_url=f"https://shop.example/{name}.png",
            estimated_coins=estimate,
        )
        return ledger.record_charge(job, f"hp-{job.pk}", coins)

    far_over = charged(240, 140, "poster")
    far_under = charged(20, 30, "mug")
    charged(30, 30, "hat")  # as estimated
    charged(25, 20, "scarf")  # exactly a quarter more: within the price table's rounding

    page = admin_client.get("/usage/").content.decode()
    flags = re.findall(r'data-price-flag="(\d+)"><a [^>]+>([^<]+)</a> \([^)]+\): ([^<]+)</li>', page)

    assert [(int(pk), name, text) for pk, name, text in flags] == [
        (far_under.pk, "mug", "Charged 20, estimated 30 — the price table may be out of date."),
        (far_over.pk, "poster", "Charged 240, estimated 140 — the price table may be out of date."),
    ]


def test_staff_and_reviewers_are_not_shown_the_price_check(alice_client, alice, charge):
    entry = charge(alice, 240)
    CoinCharge.objects.filter(pk=entry.pk).update(estimated_coins=140)

    assert "data-price-flags" not in alice_client.get("/usage/").content.decode()
