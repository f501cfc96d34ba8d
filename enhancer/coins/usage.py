"""Coin usage summaries: what HitPaw charged, recently, today and this month, and the ledger's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Q, Sum
from django.utils import timezone

from enhancer.coins import day_totals
from enhancer.coins.local_days import LocalDate
from enhancer.models import CoinCharge, EnhanceModel


@dataclass(frozen=True)
class Usage:
    recent: list[CoinCharge]
    today: int
    month: int
    total: int


def coin_usage(user=None, recent: int = 10) -> Usage:
    """The ledger's charges for one user (or everyone when `user` is None): the latest, and the
    coins of today, this month and all time (a photo sent again counts each time it was charged)."""
    entries = CoinCharge.objects.all() if user is None else CoinCharge.objects.filter(user=user)
    now = timezone.localtime()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    return Usage(
        recent=list(entries.select_related("job", "model").order_by("-at", "-pk")[:recent]),
        today=_sum(entries.filter(at__gte=day_start)),
        month=_sum(entries.filter(at__gte=month_start)),
        total=_sum(entries),
    )


def _sum(entries) -> int:
    return entries.aggregate(total=Sum("coins"))["total"] or 0


# --- The ledger's view: what HitPaw charged, by range, day, model and person -----------------------

RANGES = {"today": "Today", "week": "This week", "month": "This month", "custom": "Chosen dates"}
CHART_DAYS = 90


@dataclass(frozen=True)
class Period:
    """A range of whole local days, `first` to `last` inclusive."""

    name: str
    first: date
    last: date

    @property
    def label(self) -> str:
        return RANGES[self.name]

    def bounds(self) -> tuple[datetime, datetime]:
        """The first instant and the instant after the last day, in the site's time zone."""
        return _start_of(self.first), _start_of(self.last + timedelta(days=1))


def period(name: str, first: date | None = None, last: date | None = None) -> Period:
    """The named range as of today (a chosen range needs `first` and `last`)."""
    today = timezone.localdate()
    if name == "today":
        return Period(name, today, today)
    if name == "week":
        return Period(name, today - timedelta(days=today.weekday()), today)
    if name == "custom" and first and last:
        return Period(name, min(first, last), max(first, last))
    return Period("month", today.replace(day=1), today)


def charges(viewer=None):
    """Ledger entries of `viewer` (None: everyone's)."""
    entries = CoinCharge.objects.select_related("model", "user")
    return entries if viewer is None else entries.filter(user=viewer)


def in_period(entries, span: Period):
    start, end = span.bounds()
    return entries.filter(at__gte=start, at__lt=end)


@dataclass(frozen=True)
class Share:
    name: str
    coins: int
    count: int


@dataclass(frozen=True)
class Day:
    day: date
    coins: int


@dataclass(frozen=True)
class Report:
    period: Period
    total: int
    count: int
    estimated: int
    by_model: list[Share]
    by_user: list[Share]
    chart: list[Day]


def report(span: Period, viewer=None, *, by_user: bool = False) -> Report:
    """Totals, breakdowns and the daily chart for `viewer`'s charges (None: everyone's).

    Both come from the ledger's sums per local day, model and person, the days that are over
    read from the cache (`day_totals`): summing 90 days of a team's 92,000 charges on every page
    held the other pages up under load (docs/benchmarks.md).
    """
    today = timezone.localdate()
    chart_first = today - timedelta(days=CHART_DAYS - 1)
    found = day_totals.sums(span.first, span.last, viewer)
    same = (span.first, span.last) == (chart_first, today)
    charted = found if same else day_totals.sums(chart_first, today, viewer)
    per_day: dict[date, int] = {}
    for (day, _), coins in charted.days.items():
        per_day[day] = per_day.get(day, 0) + coins
    groups = [
        {"model": model, "user": user, "coins": coins, "count": count}
        for (model, user), (coins, count, _) in found.groups.items()
    ]
    return Report(
        period=span,
        total=sum(row["coins"] for row in groups),
        count=sum(row["count"] for row in groups),
        estimated=sum(estimated for _, _, estimated in found.groups.values()),
        by_model=_shares(groups, "model", _model_names),
        by_user=_shares(groups, "user", _people) if by_user else [],
        chart=[
            Day(day, per_day.get(day, 0))
            for day in (chart_first + timedelta(days=n) for n in range(CHART_DAYS))
        ],
    )


def daily(entries, days: int = CHART_DAYS) -> list[Day]:
    """Coins per local day for the last `days` days, today last, days with no charge as 0, summed
    by the database from `entries` (the usage page reads `day_totals` instead)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    span = Period("custom", first, today)
    sums = (
        in_period(entries, span)
        .annotate(day=LocalDate("at", *span.bounds()))
        .values("day")
        .annotate(coins=Sum("coins"))
        .order_by()
    )
    by_day = {row["day"]: row["coins"] for row in sums}
    return [Day(first + timedelta(days=n), by_day.get(first + timedelta(days=n), 0)) for n in range(days)]


def _shares(tallies: list[dict], key: str, names) -> list[Share]:
    """Coins and charges per `key` (model or user), most coins first, then by name."""
    coins: dict[int, int] = {}
    counts: dict[int, int] = {}
    for row in tallies:
        coins[row[key]] = coins.get(row[key], 0) + row["coins"]
        counts[row[key]] = counts.get(row[key], 0) + row["count"]
    named = names(list(coins))
    return sorted(
        (Share(named[pk], coins[pk], counts[pk]) for pk in coins),
        key=lambda share: (-share.coins, share.name),
    )


def _model_names(pks: list[int]) -> dict[int, str]:
    """Models named as staff know them (a 2x and a 4x model share a display name)."""
    return {model.pk: str(model) for model in EnhanceModel.objects.filter(pk__in=pks)} if pks else {}


def _people(pks: list[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=pks)
    return {user.pk: person_name(user) for user in users} if pks else {}


def person_name(user) -> str:
    """A person as their teammates know them: their full name, or their username when they have none."""
    return user.get_full_name().strip() or user.get_username()


def off_estimate(entries):
    """Charges that differ from their estimate by more than a quarter of it, either way.

    A run of these says the price table no longer matches what HitPaw charges."""
    return (
        entries.filter(estimated_coins__isnull=False)
        .alias(coins_x4=F("coins") * 4, low=F("estimated_coins") * 3, high=F("estimated_coins") * 5)
        .filter(Q(coins_x4__gt=F("high")) | Q(coins_x4__lt=F("low")))
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Summary:
    recent: list[CoinCharge]
    today: int
    month: int
    total: int


def ledger_summary(viewer=None, recent: int = 50) -> Summary:
    """Today, this month and all time from the ledger, with the latest charges.

    The sums come from `day_totals` (past days cached), from the day of the first charge to
    tomorrow, so a charge stamped by a host whose clock runs ahead still counts in all time.
    """
    mine = charges(viewer)
    first = CoinCharge.objects.order_by("at").values_list("at", flat=True).first()
    if first is None:
        return Summary([], 0, 0, 0)
    today = timezone.localdate()
    month_first = today.replace(day=1)
    first_day = min(timezone.localtime(first).date(), month_first)
    found = day_totals.sums(first_day, today + timedelta(days=1), viewer)
    total = month = today_coins = 0
    for (day, _), coins in found.days.items():
        total += coins
        month += coins if month_first <= day <= today else 0
        today_coins += coins if day == today else 0
    return Summary(list(mine.select_related("job")[:recent]), today_coins, month, total)


@dataclass(frozen=True)
class PersonMonths:
    name: str
    coins: list[int]
    total: int


def by_person_and_month(months: int = 6) -> tuple[list[date], list[PersonMonths]]:
    """Everyone's coins per calendar month, the last `months` months, oldest first.

    The database sums coins per person and local day (`LocalDate`, native on SQLite), and the days
    are added up into months here: `TruncMonth` with a time zone calls Python once per row on
    SQLite, 0.8 s for 90 days of a team's 92,000 charges (docs/benchmarks.md)."""
    this_month = timezone.localdate().replace(day=1)
    firsts = [this_month]
    for _ in range(months - 1):
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    span = Period("custom", firsts[0], timezone.localdate())
    rows = (
        in_period(CoinCharge.objects.all(), span)
        .annotate(day=LocalDate("at", *span.bounds()))
        .values("user__username", "user__first_name", "user__last_name", "day")
        .annotate(coins=Sum("coins"))
        .order_by()
    )
    table: dict[str, dict[date, int]] = {}
    names: dict[str, str] = {}
    for row in rows:
        username = row["user__username"]
        full_name = f"{row['user__first_name']} {row['user__last_name']}".strip()
        names[username] = full_name or username
        per_month = table.setdefault(username, {})
        month = row["day"].replace(day=1)
        per_month[month] = per_month.get(month, 0) + row["coins"]
    people = [
        PersonMonths(names[username], [per_month.get(first, 0) for first in firsts], sum(per_month.values()))
        for username, per_month in table.items()
    ]
    return firsts, sorted(people, key=lambda person: (-person.total, person.name))
