"""How many link measurements (`/measure.json`) one person and one web process may run.

Each measurement holds a web thread while a stranger's server answers (up to `MEASURE_SECONDS`):
without limits, a handful of calls to a slow server held every thread of a web process. So each
person gets `PER_MINUTE` calls a minute (counted in the shared cache, across processes and hosts)
and `PER_PERSON_AT_ONCE` at a time, and each process runs at most `PER_PROCESS_AT_ONCE` at once,
leaving its other threads to the pages. A refused call costs nothing and says why in plain words.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

PER_MINUTE = 600  # a whole 500-link paste measured, two at a time; each call's CPU and time are bounded
PER_PERSON_AT_ONCE = 2
PER_PROCESS_AT_ONCE = 2
MEASURE_SECONDS = 5.0  # the whole measurement, every redirect and read included

MSG_TOO_MANY = "You have checked many links in the last minute. Wait a minute, then try again."
MSG_ONE_AT_A_TIME = "Your other links are still being checked. Wait for them, then try again."
MSG_BUSY = "The server is checking other links right now. Try again in a few seconds."

_process_slots = threading.BoundedSemaphore(PER_PROCESS_AT_ONCE)


class Busy(Exception):
    """A measurement refused for now; `message` says why, `retry_after` in how many seconds to retry."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@contextmanager
def measure_slot(person_id: int) -> Iterator[None]:
    """Hold one of the person's and the process's measuring slots, or raise Busy."""
    minute = int(time.time() // 60)
    if _count_up(f"enhancer:measures:{person_id}:{minute}", 120) > PER_MINUTE:
        raise Busy(MSG_TOO_MANY, 60 - int(time.time()) % 60)
    running = f"enhancer:measuring:{person_id}"
    try:
        if _count_up(running, int(MEASURE_SECONDS * 4)) > PER_PERSON_AT_ONCE:
            raise Busy(MSG_ONE_AT_A_TIME, int(MEASURE_SECONDS))
        if not _process_slots.acquire(blocking=False):
            raise Busy(MSG_BUSY, 2)
        try:
            yield
        finally:
            _process_slots.release()
    finally:
        try:
            cache.decr(running)
        except ValueError:  # expired meanwhile: nothing left to count down
            pass


def _count_up(key: str, seconds: int) -> int:
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return 1
