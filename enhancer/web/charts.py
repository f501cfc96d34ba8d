"""The coins-a-day chart drawn on the server as SVG: bars, a y-axis with values, month labels and the
budget line. No chart library and nothing from a CDN; the page's CSP allows no inline style, so the
look comes from classes in site.css."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# The drawing's own units (its viewBox): the plot, and room for the y-axis values and month labels.
WIDTH, HEIGHT = 900, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 34, 36
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
GAP = 2
TICKS = 4  # about this many steps up the y-axis


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    key: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Month:
    x: float
    label: str


@dataclass(frozen=True)
class Budget:
    y: float
    per_day: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    months: list[Month]
    budget: Budget | None


def step_for(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) that splits 0..top into about `TICKS` parts."""
    rough = max(top / TICKS, 1)
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def draw(days: list[tuple[date, int]], budget_per_day: int | None = None) -> Chart:
    """One bar per (day, coins), on an axis from 0 to a round value above the highest bar and the budget."""
    if not days:
        return Chart([], [], [], None)
    highest = max([coins for _, coins in days] + [budget_per_day or 0]) or 1
    step = step_for(highest)
    top = math.ceil(highest / step) * step

    def y_of(value: int) -> float:
        return round(TOP + PLOT_HEIGHT * (1 - value / top), 2)

    slot = PLOT_WIDTH / len(days)
    bars, months = [], []
    for index, (day, coins) in enumerate(days):
        x = round(LEFT + index * slot, 2)
        height = round(PLOT_HEIGHT * coins / top, 2)
        bars.append(
            Bar(
                x,
                round(TOP + PLOT_HEIGHT - height, 2),
                round(slot - GAP, 2),
                height,
                f"{day:%b %-d}",
                coins,
                f"{day:%Y-%m-%d}",
            )
        )
        if index == 0 or day.day == 1:
            months.append(Month(x, f"{day:%b %Y}" if index == 0 or day.month == 1 else f"{day:%b}"))
    if len(months) > 1 and months[1].x - months[0].x < 60:
        months.pop(0)  # the first month's label would run into the next one's
    ticks = [Tick(y_of(value), value) for value in range(0, top + 1, step)]
    budget = Budget(y_of(budget_per_day), budget_per_day) if budget_per_day else None
    return Chart(bars, ticks, months, budget)


def svg(chart: Chart) -> SafeString:
    """The chart's inside as SVG, made here rather than in the template: 90 bars of seven template
    variables each made the usage page's rendering slow (docs/benchmarks.md, pages: third pass).

    Each bar with coins is focusable and named ("Jun 18: 30 coins"), so its value can be read by
    keyboard and by tap, not only by hovering."""
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis-value" x="{}" y="{}" text-anchor="end">{}</text>',
        ((LEFT, WIDTH - RIGHT, tick.y, tick.y, LEFT - 6, tick.y + 5, tick.value) for tick in chart.ticks),
    )
    months = format_html_join(
        "",
        '<line class="month-mark" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis-month" x="{}" y="{}">{}</text>',
        (
            (m.x, m.x, TOP + PLOT_HEIGHT, TOP + PLOT_HEIGHT + 6, m.x + 2, HEIGHT - 6, m.label)
            for m in chart.months
        ),
    )
    bars = format_html_join(
        "",
        '<rect class="bar"{} x="{}" y="{}" width="{}" height="{}" data-day="{}" data-coins="{}">'
        "<title>{}: {} coins</title></rect>",
        (
            (
                format_html(' tabindex="0" role="img" aria-label="{}: {} coins"', bar.label, bar.value)
                if bar.value
                else "",
                bar.x,
                bar.y,
                bar.width,
                bar.height,
                bar.key,
                bar.value,
                bar.label,
                bar.value,
            )
            for bar in chart.bars
        ),
    )
    budget = (
        format_html(
            '<line class="budget" x1="{}" x2="{}" y1="{}" y2="{}" data-budget-per-day="{}"></line>'
            '<text class="budget-label" x="{}" y="{}" text-anchor="end">Budget: {} a day</text>',
            LEFT,
            WIDTH - RIGHT,
            chart.budget.y,
            chart.budget.y,
            chart.budget.per_day,
            WIDTH - RIGHT - 4,
            chart.budget.y - 5,
            chart.budget.per_day,
        )
        if chart.budget
        else ""
    )
    axis = format_html(
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"></line>', LEFT, LEFT, TOP, TOP + PLOT_HEIGHT
    )
    return format_html("{}{}{}{}{}", grid, axis, bars, budget, months)
