"""A lock shared by every worker process on this machine, so only one large sandbox photo is
enhanced at a time: two 192-megapixel results at once would need twice the memory."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

# A worker waits this long for the lock, then gives up (the task is enqueued again), so a queue of
# large photos never holds a worker past django-q2's task timeout.
WAIT_SECONDS = 60.0


class Busy(Exception):
    """Another large photo is still being enhanced on this machine."""


def lock_path() -> str:
    """One file per user on the machine: memory is the machine's, whichever install asks."""
    return os.path.join(tempfile.gettempdir(), f"enhance-desk-sandbox-large-{os.getuid()}.lock")


@contextmanager
def one_large_photo_at_a_time(wait_seconds: float | None = None) -> Iterator[None]:
    """Wait for any other large enhancement on this machine to end, then hold the lock; raise Busy
    after `wait_seconds` (default WAIT_SECONDS). The kernel releases the lock when the process
    ends, so a killed worker never leaves it held."""
    deadline = time.monotonic() + (WAIT_SECONDS if wait_seconds is None else wait_seconds)
    with open(lock_path(), "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
