"""The usage sums read past days from the cache, and still equal the ledger to the coin.

`enhancer/coins/day_totals.py` caches the sums of days that are over. These tests hold the report and
the page's today / month / all-time figures to Python's own sum of the ledger after a first page (the
sums cached), after new charges today, after a charge committed just after midnight into yesterday,
and around local midnight and a daylight-saving switch in several zones.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from freezegun import freeze_time

from enhancer.coins import ledger, usage
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import make_job

SWITCH = datetime(2025, 10, 26, 1, 0, tzinfo=UTC)  # Berlin leaves summer time
NOW = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def charge_at(user, at: datetime, coins: int) -> None:
    job = make_job(JobStatus.CONVERTING, user=user, estimated_coins=coins + 1)
    entry = ledger.record_charge(job, f"hp-{job.pk}", coins)
    CoinCharge.objects.filter(pk=entry.pk).update(at=at)


def by_python(viewer=None) -> dict:
    """Coins per local day, straight from the ledger's rows."""
    days: dict = {}
    for at, coins, user in CoinCharge.objects.values_list("at", "coins", "user"):
        if viewer is None or user == viewer.pk:
            day = timezone.localtime(at).date()
            days[day] = days.get(day, 0) + coins
    return days


def ninety_days():
    today = timezone.localdate()
    return usage.period("custom", today - timedelta(days=89), today)


def check_against_ledger(viewer=None) -> None:
    expected = by_python(viewer)
    span = ninety_days()
    report = usage.report(span, viewer, by_user=viewer is None)
    in_span = {day: coins for day, coins in expected.items() if span.first <= day <= span.last}
    assert {day.day: day.coins for day in report.chart if day.coins} == in_span
    assert report.total == sum(in_span.values())
    assert sum(share.coins for share in report.by_model) == report.total
    assert report.estimated == report.total + report.count
    today, month_first = timezone.localdate(), timezone.localdate().replace(day=1)
    summary = usage.ledger_summary(viewer)
    assert summary.total == sum(expected.values())
    assert summary.month == sum(coins for day, coins in expected.items() if month_first <= day <= today)
    assert summary.today == expected.get(today, 0)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"])
def test_cached_sums_equal_the_ledger_around_midnight_and_a_switch(settings, alice, bob, zone):
    settings.TIME_ZONE = zone
    with freeze_time(NOW):
        moments = [SWITCH + timedelta(seconds=s) for s in (-61, -1, 0, 1, 3600)]
        for day in (datetime(2025, 8, 20, tzinfo=UTC), SWITCH, NOW - timedelta(days=1), NOW):
            midnight = timezone.make_aware(
                datetime.combine(timezone.localtime(day).date(), datetime.min.time())
            )
            moments += [midnight + timedelta(minutes=m) for m in (-16, -1, 0, 1, 14, 24 * 60 - 1)]
        for n, at in enumerate(moments):
            charge_at(alice if n % 3 else bob, min(at, NOW), 10 + n)

        for _ in range(2):  # the first time sums and caches, the second reads the cache
            check_against_ledger()
            check_against_ledger(alice)
            check_against_ledger(bob)


def test_new_charges_today_count_at_once_after_the_past_days_were_cached(alice):
    with freeze_time(NOW):
        charge_at(alice, NOW - timedelta(days=3), 70)
        check_against_ledger(alice)

        charge_at(alice, NOW - timedelta(minutes=5), 30)

        check_against_ledger(alice)
        assert usage.ledger_summary(alice).today == 30
        assert usage.ledger_summary(alice).total == 100


def test_a_charge_committed_just_after_midnight_into_yesterday_is_not_missed(alice):
    with freeze_time(NOW):
        charge_at(alice, NOW - timedelta(days=2), 40)
        check_against_ledger(alice)  # yesterday's sums are now cached, without the late charge

        yesterday_end = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
        charge_at(alice, yesterday_end - timedelta(seconds=1), 25)

        check_against_ledger(alice)
        assert usage.report(ninety_days(), alice).total == 65


def test_without_a_working_cache_the_ledger_still_answers(alice, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    with freeze_time(NOW):
        charge_at(alice, NOW - timedelta(days=2), 40)
        charge_at(alice, NOW - timedelta(hours=1), 5)
        monkeypatch.setattr(cache, "get", down)
        monkeypatch.setattr(cache, "set", down)

        check_against_ledger(alice)
        assert usage.ledger_summary(alice).total == 45
