"""Coin usage summaries: what HitPaw charged, recently, today and this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone

from enhancer.models import Job


@dataclass(frozen=True)
class Usage:
    recent: list[Job]
    today: int
    month: int
    total: int


def coin_usage(user=None, recent: int = 10) -> Usage:
    """Charges for one user (or everyone when `user` is None)."""
    charged = Job.objects.filter(coins__isnull=False, submitted_at__isnull=False)
    if user is not None:
        charged = charged.filter(user=user)
    now = timezone.localtime()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    return Usage(
        recent=list(charged.select_related("model").order_by("-submitted_at")[:recent]),
        today=_sum(charged, day_start),
        month=_sum(charged, month_start),
        total=charged.aggregate(total=Sum("coins"))["total"] or 0,
    )


def _sum(charged, since: datetime) -> int:
    return charged.filter(submitted_at__gte=since).aggregate(total=Sum("coins"))["total"] or 0
