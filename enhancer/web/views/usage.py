"""The coin usage page: totals for a range, a 90-day chart, breakdowns, and a CSV of the charges."""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from enhancer.jobs import budgets
from enhancer.jobs import usage as ledger_usage
from enhancer.jobs.usage import RANGES, Period
from enhancer.web import charts
from enhancer.web.access import sees_team_usage
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


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    form = RangeForm(request.GET or None)
    span = form.period()
    scope = _scope(request)
    report = ledger_usage.report(span, scope, by_user=scope is None)
    chart = charts.bars([(f"{d.day:%Y-%m-%d}", f"{d.day:%b %-d}", d.coins) for d in report.chart])
    context = {
        "form": form,
        "report": report,
        "chart": chart,
        "chart_svg": charts.svg(chart),
        "chart_total": sum(d.coins for d in report.chart),
        "chart_size": (charts.WIDTH, charts.HEIGHT),
        "team": scope is None,
        "near_limit": budgets.near_limit() if scope is None else [],
        "ranges": RANGES,
        "query": request.GET.urlencode(),
        "usage": ledger_usage.ledger_summary(scope),
    }
    return render(request, "enhancer/usage.html", context)


CSV_COLUMNS = ["when", "photo", "person", "model", "hitpaw_job_number", "estimated_coins", "coins"]


@login_required
@require_GET
def usage_csv(request: HttpRequest) -> HttpResponse:
    """Every charge in the range, one row each, as the usage page counts them."""
    form = RangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        problems = " ".join(message for errors in form.errors.values() for message in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    span = form.period()
    entries = ledger_usage.in_period(ledger_usage.charges(_scope(request)), span).order_by("at", "pk")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coins-{span.first}-to-{span.last}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            _safe(cell)
            for cell in (
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.job_id,
                entry.user.get_username(),
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
