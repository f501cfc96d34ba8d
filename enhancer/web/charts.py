"""A bar chart drawn on the server as SVG geometry: no chart library, nothing for a CDN."""

from __future__ import annotations

from dataclasses import dataclass

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
