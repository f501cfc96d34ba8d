"""Coin usage from the ledger (by day, model and person, over a period) and the expected balance.

Staff see their own charges; reviewers and admins the team's, with a tally per person; the balance
the app expects (coins bought less coins charged) is for admins, who record the top-ups.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja import Schema as Input
from ninja.errors import HttpError

from enhancer.api.v1 import schemas
from enhancer.api.v1.photos import ERRORS, problems_of
from enhancer.coins import day_totals
from enhancer.coins import usage as ledger_usage
from enhancer.models import expected_balance
from enhancer.web import access
from enhancer.web.views.usage import RangeForm

router = Router(tags=["coins"])

MSG_NO_BALANCE = "Only admins, who record the top-ups, see the balance the app expects."


class Period(Input):
    range: Literal["today", "week", "month", "custom"] = Field(
        "month", description="`custom` takes `start` and `end` (at most 366 days)"
    )
    start: date | None = None
    end: date | None = None


def share_rows(shares: list[ledger_usage.Share]) -> list[dict]:
    return [{"name": share.name, "coins": share.coins, "count": share.count} for share in shares]


@router.get("/usage", response={200: schemas.CoinUsage, **ERRORS}, summary="Coins charged over a period")
def coin_usage(request: HttpRequest, period: Query[Period]):
    given = period.dict(exclude_none=True)
    form = RangeForm({name: str(value) for name, value in given.items()})
    if not form.is_valid():
        raise HttpError(422, problems_of(form))
    span = form.period()
    scope = None if access.sees_team_usage(request.user) else request.user
    report = ledger_usage.report(span, scope, by_user=scope is None)
    per_day: dict[date, int] = {}
    for (day, _), coins in day_totals.sums(span.first, span.last, scope).days.items():
        per_day[day] = per_day.get(day, 0) + coins
    days = [span.first + timedelta(days=n) for n in range((span.last - span.first).days + 1)]
    return {
        "first": span.first,
        "last": span.last,
        "total": report.total,
        "count": report.count,
        "estimated": report.estimated,
        "by_day": [{"day": day, "coins": per_day.get(day, 0)} for day in days],
        "by_model": share_rows(report.by_model),
        "by_person": share_rows(report.by_user) if scope is None else None,
    }


@router.get("/balance", response={200: schemas.Balance, **ERRORS}, summary="The balance the app expects")
def balance(request: HttpRequest):
    if not request.user.has_perm(access.RECORD_TOP_UPS):
        raise HttpError(403, MSG_NO_BALANCE)
    return {"expected_balance": expected_balance()}
