"""How long one pipeline step may take at most, from the settings that bound it.

Plain arithmetic with no Django in it, so the settings can size the job lease (and with it the
task timeout) from it before Django is set up, and the checks and the ticker use the same rule.
"""

from __future__ import annotations

# A HitPaw call's worst case: three tries of connect + read, and the client's waits between them.
CALL_TRIES = 3
CALL_WAITS_SECONDS = 6
# The slowest pace a file is assumed to be written to storage (a disk, or a slow bucket). On slower
# storage an operator raises ENHANCER_LEASE_SECONDS instead.
STORAGE_BYTES_PER_SECOND = 50 * 1024 * 1024


def hitpaw_call_seconds(connect: float, read: float) -> float:
    return CALL_TRIES * (connect + read) + CALL_WAITS_SECONDS


def storing_seconds(size_bytes: int) -> float:
    """Copying a file of `size_bytes` into storage (a disk, or a slow bucket) at a conservative rate."""
    return size_bytes / STORAGE_BYTES_PER_SECOND


def longest_step_seconds(
    *,
    connect: float,
    read: float,
    fetch: float,
    result_fetch: float,
    max_image_bytes: int,
    max_result_bytes: int,
) -> float:
    """The longest step: a submission, fetching and storing the original, or saving the result.

    Saving the result asks HitPaw for a fresh link, downloads it and stores it: with the largest
    result allowed, storing alone can take longer than the download.
    """
    call = hitpaw_call_seconds(connect, read)
    return max(
        call,
        fetch + storing_seconds(max_image_bytes),
        call + result_fetch + storing_seconds(max_result_bytes),
    )
