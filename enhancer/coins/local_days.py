"""The local calendar day of a stored time, worked out by the database at its own speed.

Django's `TruncDate` calls a Python function for every row on SQLite: the 90-day usage chart over
100,000 ledger entries took about a second (docs/benchmarks.md). SQLite's own `date()` gives the same
day once told the UTC offset, and the offset only changes at daylight-saving switches, so the
expression carries one offset per stretch between switches. PostgreSQL keeps `TruncDate` (native).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, tzinfo

from django.db.models.functions import TruncDate
from django.utils import timezone

STEP = timedelta(days=1)  # no zone switches its offset twice in one day


class LocalDate(TruncDate):
    """The site's local date of a datetime column, for rows between `start` and `end`."""

    def __init__(self, expression, start: datetime, end: datetime, **extra) -> None:
        self.start, self.end = start, end
        super().__init__(expression, tzinfo=timezone.get_current_timezone(), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.lhs)
        *switches, (_, last) = stretches(self.tzinfo, self.start, self.end)
        whens, when_params = [], []
        for until, seconds in switches:
            whens.append(f"WHEN {column} < %s THEN '{seconds:+d} seconds'")
            when_params += [*params, connection.ops.adapt_datetimefield_value(until)]
        modifier = f"CASE {' '.join(whens)} ELSE '{last:+d} seconds' END" if whens else f"'{last:+d} seconds'"
        return f"date({column}, {modifier})", [*params, *when_params]


@functools.lru_cache(maxsize=64)  # a page compiles its query more than once; the days change daily
def stretches(zone: tzinfo, start: datetime, end: datetime) -> tuple[tuple[datetime | None, int], ...]:
    """`zone`'s UTC offset in seconds over [start, end): (switch instant, offset before it) for each
    daylight-saving switch, then (None, the offset after the last one)."""
    found: list[tuple[datetime | None, int]] = []
    at = start.astimezone(UTC)
    current = _offset(zone, at)
    while at < end:
        following = min(at + STEP, end)
        if _offset(zone, following) != current:
            # The switch is in this day: find its exact second.
            low, high = int(at.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, datetime.fromtimestamp(middle, UTC)) == current:
                    low = middle
                else:
                    high = middle
            switch = datetime.fromtimestamp(high, UTC)
            found.append((switch, current))
            current = _offset(zone, switch)
        at = following
    return (*found, (None, current))


def _offset(zone: tzinfo, at: datetime) -> int:
    offset = at.astimezone(zone).utcoffset()  # an aware time always has one
    return int(offset.total_seconds()) if offset is not None else 0
