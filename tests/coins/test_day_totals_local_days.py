"""The usage chart puts each charge on its local day, across daylight-saving switches and odd offsets.

The database works the day out (natively on SQLite too, `enhancer/coins/local_days.py`); these tests
hold it to Python's own answer for charges a few minutes either side of midnight and of a switch.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.coins import ledger, usage
from enhancer.coins.local_days import stretches
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import make_job

BERLIN = ZoneInfo("Europe/Berlin")
# Berlin leaves summer time on 2025-10-26 at 01:00 UTC (03:00 summer time becomes 02:00).
SWITCH = datetime(2025, 10, 26, 1, 0, tzinfo=UTC)


def charge_at(user, at: datetime, coins: int) -> None:
    job = make_job(JobStatus.CONVERTING, user=user)
    entry = ledger.record_charge(job, f"hp-{job.pk}", coins)
    CoinCharge.objects.filter(pk=entry.pk).update(at=at)


def chart() -> dict:
    return {day.day: day.coins for day in usage.daily(CoinCharge.objects.all()) if day.coins}


def days_by_python() -> dict:
    expected: dict = {}
    for at, coins in CoinCharge.objects.values_list("at", "coins"):
        day = timezone.localtime(at).date()
        expected[day] = expected.get(day, 0) + coins
    return expected


def test_berlin_has_one_switch_in_the_autumn_at_its_exact_second():
    start, end = datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC)

    assert stretches(BERLIN, start, end) == ((SWITCH, 7200), (None, 3600))


def test_a_zone_without_summer_time_has_one_offset():
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)

    assert stretches(ZoneInfo("Asia/Kathmandu"), start, end) == ((None, 5 * 3600 + 45 * 60),)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"])
def test_charges_near_midnight_and_the_switch_land_on_their_local_day(settings, alice, zone):
    settings.TIME_ZONE = zone
    with freeze_time("2025-11-10 12:00:00"):
        moments = [SWITCH + timedelta(seconds=s) for s in (-61, -1, 0, 1, 3600)]
        for day in (datetime(2025, 8, 20, tzinfo=UTC), datetime(2025, 10, 25, tzinfo=UTC), SWITCH):
            local_midnight = timezone.make_aware(
                datetime.combine(timezone.localtime(day).date(), datetime.min.time())
            )
            moments += [local_midnight + timedelta(minutes=m) for m in (-16, -1, 0, 1, 14, 24 * 60 - 1)]
        for n, at in enumerate(moments):
            charge_at(alice, at, 10 + n)

        assert chart() == days_by_python()
        assert sum(chart().values()) == sum(10 + n for n in range(len(moments)))
