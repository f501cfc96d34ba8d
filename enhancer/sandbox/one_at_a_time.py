"""A lock shared by every worker process on this machine, so only one large sandbox photo is
enhanced at a time: two 192-megapixel results at once would need twice the memory."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def lock_path() -> str:
    """One file per user on the machine: memory is the machine's, whichever install asks."""
    return os.path.join(tempfile.gettempdir(), f"enhance-desk-sandbox-large-{os.getuid()}.lock")


@contextmanager
def one_large_photo_at_a_time() -> Iterator[None]:
    """Wait for any other large enhancement on this machine to end, then hold the lock.

    The kernel releases it when the process ends, so a killed worker never leaves it held."""
    with open(lock_path(), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
