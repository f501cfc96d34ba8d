"""Exponential backoff with jitter: the one rule for how long to wait before trying again.

The client uses it between retries of one call; the job pipeline between tries of a step.
"""

from __future__ import annotations

import random


def jittered_backoff(attempt: int, base: float, cap: float) -> float:
    """Wait about `base * 2**attempt` seconds (jittered between half and all of it), at most `cap`."""
    wait = base * (2 ** min(attempt, 30)) * (0.5 + random.random() / 2)
    return min(wait, cap)
