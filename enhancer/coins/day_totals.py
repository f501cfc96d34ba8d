"""The ledger's sums per local day and person, and per model and person, with past days cached.

The usage pages sum up to 90 days of the team's ledger: with 92,000 charges, summing them on every
page held every other page up under load (docs/benchmarks.md, pages under load).
A day that is over does not change: a charge's `at` is the moment it was written, and the ledger is
never edited. The one way a row can still arrive is a transaction that commits just after midnight,
so the cached sums are filed under the count and last id of the charges in the last hour before the
range ends, and the id of the newest charge before it ends (index reads, not a scan): a late
charge, or a restored database, files them under a new key instead of showing an old sum. Today is
always summed live.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone

from enhancer.coins.local_days import LocalDate
from enhancer.models import CoinCharge

log = logging.getLogger(__name__)

KEY_VERSION = 1
KEEP_SECONDS = 2 * 24 * 3600  # yesterday's key changes at midnight; old keys just expire
LATE_COMMIT = timedelta(hours=1)  # far longer than any transaction that writes a charge


@dataclass
class Sums:
    """Coins per (local day, person), and (coins, charges, estimated coins) per (model, person)."""

    days: dict[tuple[date, int], int] = field(default_factory=dict)
    groups: dict[tuple[int, int], tuple[int, int, int]] = field(default_factory=dict)

    def add(self, other: Sums) -> Sums:
        for key, coins in other.days.items():
            self.days[key] = self.days.get(key, 0) + coins
        for group, (coins, count, estimated) in other.groups.items():
            had = self.groups.get(group, (0, 0, 0))
            self.groups[group] = (had[0] + coins, had[1] + count, had[2] + estimated)
        return self

    def of(self, viewer) -> Sums:
        """Only `viewer`'s charges (None: everyone's)."""
        if viewer is None:
            return self
        return Sums(
            {key: coins for key, coins in self.days.items() if key[1] == viewer.pk},
            {key: sums for key, sums in self.groups.items() if key[1] == viewer.pk},
        )


def sums(first: date, last: date, viewer=None) -> Sums:
    """`viewer`'s charges (None: everyone's) from local day `first` to `last` inclusive.

    The past days' sums are the team's, cached once for everyone; today's are summed for `viewer`.
    """
    today = timezone.localdate()
    closed_last = min(last, today - timedelta(days=1))
    found = _closed(first, closed_last).of(viewer) if first <= closed_last else Sums()
    if last >= today:
        found.add(_summed(max(first, today), last, viewer))
    return found


def _closed(first: date, last: date) -> Sums:
    """Days that are over: from the cache, filed under what the ledger holds at their end."""
    end = _start_of(last + timedelta(days=1))
    late = CoinCharge.objects.filter(at__gte=end - LATE_COMMIT, at__lt=end).aggregate(
        n=Count("pk"), top=Max("pk")
    )
    newest = CoinCharge.objects.filter(at__lt=end).order_by("-at", "-pk").values_list("pk", flat=True).first()
    zone = timezone.get_current_timezone_name()
    key = f"usage-days:{KEY_VERSION}:{zone}:{first}:{last}:{late['n']}:{late['top']}:{newest}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache is a shortcut: with Redis down the ledger still answers
        log.warning("Usage sums: the cache could not be read; summing the ledger", exc_info=True)
        return _summed(first, last)
    if cached is None:
        found = _summed(first, last)
        days = [(day.toordinal(), user, coins) for (day, user), coins in found.days.items()]
        cached = (days, [(*pair, *totals) for pair, totals in found.groups.items()])
        try:
            cache.set(key, cached, KEEP_SECONDS)
        except Exception:
            log.warning("Usage sums: the cache could not be written", exc_info=True)
        return found
    days, groups = cached
    return Sums(
        {(date.fromordinal(day), user): coins for day, user, coins in days},
        {(model, user): (coins, count, estimated) for model, user, coins, count, estimated in groups},
    )


def _summed(first: date, last: date, viewer=None) -> Sums:
    """The ledger (`viewer`'s, or everyone's) grouped by local day, model and person, by the database."""
    start, end = _start_of(first), _start_of(last + timedelta(days=1))
    entries = CoinCharge.objects.filter(at__gte=start, at__lt=end)
    rows = (
        (entries if viewer is None else entries.filter(user=viewer))
        .annotate(day=LocalDate("at", start, end))
        .values_list("day", "model", "user")
        .annotate(coins=Sum("coins"), count=Count("pk"), estimated=Sum("estimated_coins"))
        .order_by()
    )
    found = Sums()
    for day, model, user, coins, count, estimated in rows:
        found.days[day, user] = found.days.get((day, user), 0) + coins
        had = found.groups.get((model, user), (0, 0, 0))
        found.groups[model, user] = (had[0] + coins, had[1] + count, had[2] + (estimated or 0))
    return found


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
