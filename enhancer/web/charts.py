"""A bar chart drawn on the server as SVG geometry: no chart library, nothing for a CDN."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, GAP = 900, 160, 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    key: str


def bars(points: list[tuple[str, str, int]]) -> list[Bar]:
    """One bar per (key, label, value), scaled so the highest fills the chart's height."""
    if not points:
        return []
    top = max(value for _, _, value in points) or 1
    slot = WIDTH / len(points)
    drawn = []
    for index, (key, label, value) in enumerate(points):
        height = round(HEIGHT * value / top, 2)
        drawn.append(
            Bar(
                round(index * slot, 2),
                round(HEIGHT - height, 2),
                round(slot - GAP, 2),
                height,
                label,
                value,
                key,
            )
        )
    return drawn


def svg(drawn: list[Bar]) -> SafeString:
    """The bars as SVG `<rect>`s, made here: 90 bars of seven template variables each cost the usage
    page about 20 ms of CPU to render (docs/benchmarks.md, pages: third pass)."""
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" data-day="{}" data-coins="{}"><title>{}: {} coins</title></rect>',
        ((bar.x, bar.y, bar.width, bar.height, bar.key, bar.value, bar.label, bar.value) for bar in drawn),
    )
