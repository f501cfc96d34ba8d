"""The history page (own jobs, newest first, 20 a page) and the coin usage page (today, month, all time)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from enhancer.coins import ledger
from enhancer.models import CoinCharge, Job, JobStatus
from enhancer.web.views import JOBS_PER_PAGE
from tests.support.charges import charged
from tests.support.jobs import make_job

# Most jobs here are a bare row (no step data, no timeline event) for a cat photo.
CAT = {"bare": True, "img_url": "https://photos.example.com/cat.png"}


def listed_ids(response) -> list[int]:
    return [job.pk for job in response.context["page"].object_list]


def test_it_lists_only_the_users_own_jobs(alice_client, alice, bob, general_2x):
    mine = make_job(user=alice, model=general_2x, bare=True, img_url="https://photos.example.com/mine.png")
    make_job(user=bob, model=general_2x, bare=True, img_url="https://photos.example.com/bobs.png")
    response = alice_client.get("/jobs/")
    page = response.content.decode()
    assert listed_ids(response) == [mine.pk]
    assert "mine.png" in page
    assert "bobs.png" not in page


def test_it_lists_the_newest_job_first(alice_client, alice, general_2x):
    # Created in an order that differs from their times, so the list cannot lean on ids.
    older, newer, middle = (make_job(user=alice, model=general_2x, **CAT) for _ in range(3))
    now = timezone.now()
    for job, age in ((older, 3), (middle, 2), (newer, 1)):
        Job.objects.filter(pk=job.pk).update(created_at=now - timedelta(hours=age))
    assert listed_ids(alice_client.get("/jobs/")) == [newer.pk, middle.pk, older.pk]


def test_it_shows_twenty_jobs_a_page(alice_client, alice, general_2x):
    jobs = [make_job(user=alice, model=general_2x, **CAT) for _ in range(JOBS_PER_PAGE + 5)]
    first = alice_client.get("/jobs/")
    second = alice_client.get("/jobs/?page=2")
    assert JOBS_PER_PAGE == 20
    assert listed_ids(first) == [job.pk for job in reversed(jobs)][:20]
    assert listed_ids(second) == [job.pk for job in reversed(jobs)][20:]
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2">Older</a>' in first.content.decode()


def test_it_shows_the_last_page_for_a_page_number_out_of_range(alice_client, alice, general_2x):
    jobs = [make_job(user=alice, model=general_2x, **CAT) for _ in range(JOBS_PER_PAGE + 1)]
    assert listed_ids(alice_client.get("/jobs/?page=99")) == [jobs[0].pk]


def test_it_shows_each_jobs_status_and_coins_in_the_list(alice_client, alice, general_2x):
    charged(make_job(JobStatus.COMPLETED, user=alice, model=general_2x, coins=70, **CAT))
    page = alice_client.get("/jobs/").content.decode()
    assert "data-status-badge>Done</span>" in page
    assert "<dd data-coins>70</dd>" in page


def test_it_invites_a_user_with_no_jobs_to_start(alice_client):
    assert "No photos yet." in alice_client.get("/jobs/").content.decode()


# A fixed "now" mid-month, so "today", "this month" and "older" are always three different times.
NOW = datetime(2025, 6, 15, 12, 0)


@pytest.fixture
def fixed_now(monkeypatch):
    """Make the usage summary count from NOW; every other caller of localtime is left alone."""
    now = timezone.make_aware(NOW)
    real = timezone.localtime

    def localtime(value=None, timezone=None):
        return real(now if value is None else value, timezone)

    monkeypatch.setattr("django.utils.timezone.localtime", localtime)
    return now


@pytest.fixture
def charges(alice, bob, general_2x, fixed_now):
    def charge(user, coins, at):
        job = make_job(JobStatus.COMPLETED, user=user, model=general_2x, coins=coins, submitted_at=at, **CAT)
        CoinCharge.objects.filter(pk=ledger.record_charge(job, f"hp-{job.pk}", coins).pk).update(at=at)

    charge(alice, 30, fixed_now - timedelta(hours=3))  # today
    charge(alice, 20, fixed_now - timedelta(hours=12, minutes=1))  # yesterday, this month
    charge(alice, 10, fixed_now - timedelta(days=13))  # the 2nd, this month
    charge(alice, 70, fixed_now - timedelta(days=15))  # May 31st, last month
    charge(alice, 140, fixed_now - timedelta(days=365))  # last year
    charge(bob, 480, fixed_now)  # someone else's
    make_job(JobStatus.CONVERTING, user=alice, model=general_2x, **CAT)  # not charged yet


def test_it_totals_coins_for_today_this_month_and_all_time(alice_client, charges):
    usage = alice_client.get("/usage/").context["usage"]
    assert (usage.today, usage.month, usage.total) == (30, 60, 270)


def test_it_shows_the_totals_on_the_usage_page(alice_client, charges):
    page = alice_client.get("/usage/").content.decode()
    assert "<dt>Today</dt><dd data-usage-today>30</dd>" in page
    assert "<dt>This month</dt><dd data-usage-month>60</dd>" in page
    assert "<dt>All time</dt><dd data-usage-total>270</dd>" in page


def test_it_lists_recent_charges_newest_first(alice_client, charges):
    response = alice_client.get("/usage/")
    assert [charge.coins for charge in response.context["usage"].recent] == [30, 20, 10, 70, 140]
    assert 'data-label="Coins">480<' not in response.content.decode()
    assert 'data-label="Coins">30<' in response.content.decode()


def test_it_says_when_no_coins_were_spent(alice_client):
    page = alice_client.get("/usage/").content.decode()
    assert "No coins spent yet." in page
    assert "<dt>All time</dt><dd data-usage-total>0</dd>" in page
