"""The longest step counts the storing of the largest result, and the lease and task timeout cover it."""

import json

from enhancer.jobs import claims, timing
from tests.test_database_connections import in_a_new_process

GIB = 1024**3
MIB = 1024**2
PRINT_TIMES = (
    "from django.conf import settings; from enhancer.jobs import claims;"
    "print(json.dumps([claims.longest_step_seconds(), settings.ENHANCER_LEASE_SECONDS,"
    " settings.Q_CLUSTER['timeout']]))"
)


def test_saving_the_largest_result_counts_its_storing_at_a_slow_buckets_pace(monkeypatch):
    monkeypatch.setattr(timing, "STORAGE_BYTES_PER_SECOND", 10 * MIB)
    longest = timing.longest_step_seconds(
        connect=5,
        read=15,
        fetch=60,
        result_fetch=60,
        max_image_bytes=50 * MIB,
        max_result_bytes=int(1.5 * GIB),
    )

    assert longest >= 60 + 1536 / 10  # the download, then 1.5 GB written at 10 MB/s


def test_the_settings_longest_step_is_the_same_rule(settings, monkeypatch):
    monkeypatch.setattr(timing, "STORAGE_BYTES_PER_SECOND", 1 * MIB)
    settings.ENHANCER_MAX_RESULT_BYTES = 600 * MIB

    assert claims.longest_step_seconds() >= 600


def test_the_lease_and_the_task_timeout_outlast_the_longest_step():
    longest, lease, task_timeout = json.loads(in_a_new_process(PRINT_TIMES))

    assert lease >= longest + claims.STEP_MARGIN_SECONDS
    assert task_timeout >= longest + claims.STEP_MARGIN_SECONDS
