"""The coin usage page: totals for a range, a 90-day chart, breakdowns, and a CSV of the charges."""

from __future__ import annotations

import calendar
import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from enhancer.coins import budgets
from enhancer.coins import usage as ledger_usage
from enhancer.coins.usage import RANGES, Period, person_name
from enhancer.models import TeamBudget, UserBudget
from enhancer.web import charts
from enhancer.web.access import sees_price_checks, sees_team_usage
from enhancer.web.forms import DayField

# The longest range one page or CSV adds up: a year, leap day included. Longer ranges cost seconds
# of database work per request, and nobody reads a report over decades.
MAX_RANGE_DAYS = 366
MSG_RANGE_TOO_LONG = f"Pick at most {MAX_RANGE_DAYS} days at a time (a year)."


class RangeForm(forms.Form):
    range = forms.ChoiceField(choices=list(RANGES.items()), required=False)
    start = DayField(label="From")
    end = DayField(label="To")

    def clean(self):
        data = super().clean()
        first, last = data.get("start"), data.get("end")
        if data.get("range") == "custom" and first and last and abs((last - first).days) >= MAX_RANGE_DAYS:
            raise forms.ValidationError(MSG_RANGE_TOO_LONG, code="too_long")
        return data

    def period(self) -> Period:
        """The range asked for; this month when the form says nothing usable."""
        if not self.is_valid():
            return ledger_usage.period("month")
        data = self.cleaned_data
        return ledger_usage.period(data["range"] or "month", data["start"], data["end"])


def _scope(request: HttpRequest):
    """Whose charges the viewer sees: everyone's for reviewers and admins, otherwise their own."""
    return None if sees_team_usage(request.user) else request.user


# Charges far from their estimate listed on the page at most; the CSV has them all.
MAX_PRICE_FLAGS = 20


def monthly_limit(viewer) -> int | None:
    """The limit the chart's budget line shows: the person's own if they have one, else the team's."""
    if viewer is not None:
        own = UserBudget.objects.filter(user=viewer).values_list("monthly_coins", flat=True).first()
        if own is not None:
            return own
    return TeamBudget.objects.filter(pk=1).values_list("monthly_coins", flat=True).first()


def per_day(monthly: int | None) -> int | None:
    """A monthly limit spread over this month's days, so it can be drawn against coins a day."""
    if not monthly:
        return None
    today = timezone.localdate()
    return max(round(monthly / calendar.monthrange(today.year, today.month)[1]), 1)


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    form = RangeForm(request.GET or None)
    span = form.period()
    scope = _scope(request)
    report = ledger_usage.report(span, scope, by_user=scope is None)
    limit = monthly_limit(scope)
    chart = charts.draw([(d.day, d.coins) for d in report.chart], per_day(limit))
    price_flags = []
    if sees_price_checks(request.user):
        flagged = ledger_usage.off_estimate(ledger_usage.in_period(ledger_usage.charges(scope), span))
        price_flags = list(flagged.select_related("job")[:MAX_PRICE_FLAGS])
    context = {
        "form": form,
        "report": report,
        "chart": chart,
        "chart_svg": charts.svg(chart),
        "chart_total": sum(d.coins for d in report.chart),
        "chart_days": [d for d in reversed(report.chart) if d.coins],
        "chart_size": (charts.WIDTH, charts.HEIGHT),
        "monthly_limit": limit,
        "team": scope is None,
        "near_limit": budgets.near_limit() if scope is None else [],
        "price_flags": price_flags,
        "ranges": RANGES,
        "query": request.GET.urlencode(),
        "usage": ledger_usage.ledger_summary(scope),
    }
    return render(request, "enhancer/usage.html", context)


def csv_columns() -> list[str]:
    """Headers a spreadsheet user reads as they are; the time's column names its time zone."""
    zone = timezone.get_current_timezone_name()
    return [
        "Date",
        f"Time ({zone})",
        "Photo",
        "Person",
        "Model",
        "HitPaw job number",
        "Estimated coins",
        "Coins",
    ]


# Excel opens a CSV as UTF-8 only when it starts with a byte order mark (else "Zoë" shows as "ZoÃ«").
BOM = "\ufeff"


@login_required
@require_GET
def usage_csv(request: HttpRequest) -> HttpResponse:
    """Every charge in the range, one row each, as the usage page counts them."""
    form = RangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        problems = " ".join(str(message) for errors in form.errors.values() for message in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    span = form.period()
    entries = (
        ledger_usage.in_period(ledger_usage.charges(_scope(request)), span)
        .select_related("job")
        .order_by("at", "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coins-{span.first}-to-{span.last}.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(csv_columns())
    for entry in entries:
        at = timezone.localtime(entry.at)
        writer.writerow(
            _safe(cell)
            for cell in (
                at.strftime("%Y-%m-%d"),
                at.strftime("%H:%M:%S"),
                entry.job.photo_name,
                person_name(entry.user),
                str(entry.model),
                entry.hitpaw_job_id,
                "" if entry.estimated_coins is None else entry.estimated_coins,
                entry.coins,
            )
        )
    return response


def _safe(cell):
    """Text a spreadsheet would run as a formula is written as plain text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
