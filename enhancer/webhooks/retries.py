"""When a failed delivery is tried again, and when the desk stops trying (no Django)."""

from __future__ import annotations

from datetime import datetime, timedelta

# After the 1st, 2nd, … failed attempt; the last step repeats until the window closes.
BACKOFF = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
]
GIVE_UP_AFTER = timedelta(hours=24)  # a delivery is tried for a day after its event
TURN_OFF_AFTER = timedelta(hours=24)  # an endpoint failing every delivery for a day is turned off


def next_try(attempts: int, now: datetime, created_at: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None: give up (past 24 hours)."""
    due = now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return due if due <= created_at + GIVE_UP_AFTER else None


def should_turn_off(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= TURN_OFF_AFTER
