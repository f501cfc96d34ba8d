"""A real django-q2 cluster (`manage.py qcluster`) and its ticker (`manage.py runticker`) as
subprocesses, sharing the test database.

Both run in one session of their own so that `kill()` reaches every process they forked: SIGKILL
to the whole group at once, the way a machine loses power. That is also how a test's cluster ends
when the test is done: no test here is about a graceful stop (runticker's own is tested in
tests/jobs/test_runticker.py), and waiting for one only makes the suite slower. Its log goes to a file; `describe_jobs` and `wait_for_jobs` put its
tail into every failure. `QCluster` is the bare runner (any environment); `Cluster` points it
at the test database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from django.db import connection

from enhancer.management.processes import signal_group
from enhancer.models import TERMINAL_STATUSES, Job
from tests.support.tuned_manage import CONSTANTS_ENV

PROJECT_DIR = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.2
LOG_TAIL_LINES = 60

# Short cadences so a test sees many steps quickly; every one can be overridden per cluster.
FAST_SETTINGS = {
    "ENHANCER_POLL_INTERVAL_SECONDS": "0.5",
    "ENHANCER_LEASE_SECONDS": "8",
    "ENHANCER_READ_TIMEOUT": "2",
    "ENHANCER_CONNECT_TIMEOUT": "2",
    "ENHANCER_JOB_DEADLINE_SECONDS": "300",
}
# Tuning constants shortened the same way in the cluster's processes (tests/support/tuned_manage.py).
FAST_CONSTANTS = {
    "enhancer.jobs.pipeline.BACKOFF_BASE_SECONDS": 0.2,
    "enhancer.jobs.pipeline.BACKOFF_MAX_SECONDS": 2,
}


def database_url() -> str:
    """The test process's own database (after pytest-django set it up), as a DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"
    raise RuntimeError(f"No cluster test support for the {db['ENGINE']} database backend.")


class QCluster:
    """`manage.py qcluster` and `runticker` with the environment given, in one session; a context manager."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Self:
        """Start the cluster (appending to the same log across restarts)."""
        assert self.process is None, "the cluster is already running"
        self.starts += 1
        with self.log_path.open("a") as log:
            log.write(f"\n===== cluster start #{self.starts} at {time.strftime('%H:%M:%S')} =====\n")
            log.flush()
            # The shell becomes qcluster (`self.process`); the ticker beside it is in its group.
            self.process = subprocess.Popen(
                [
                    "sh",
                    "-c",
                    'exec "$0" -m tests.support.tuned_manage runticker & exec "$0" -m tests.support.tuned_manage qcluster',
                    sys.executable,
                ],
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """Crash: SIGKILL the whole process group at once, no goodbyes."""
        if self.process is None:
            return
        signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no cluster log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.kill()


class Cluster(QCluster):
    """`manage.py qcluster` against the test database and a fake HitPaw server; a context manager."""

    def __init__(
        self,
        fake_url: str,
        media_root: Path,
        log_path: Path,
        *,
        constants: dict[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        env = dict(os.environ)
        env.pop("DJANGO_TEST_DB_NAME", None)
        env.update(
            DATABASE_URL=database_url(),
            HITPAW_API_KEY="test-key",
            HITPAW_BASE_URL=fake_url,
            ENHANCER_ALLOW_PRIVATE_URLS="true",
            ENHANCER_MEDIA_ROOT=str(media_root),
            NO_PROXY="127.0.0.1,localhost",
            PYTHONUNBUFFERED="1",
            **FAST_SETTINGS,
        )
        env.update({name: str(value) for name, value in settings.items()})
        env[CONSTANTS_ENV] = json.dumps({**FAST_CONSTANTS, **(constants or {})})
        super().__init__(env, log_path)


def describe_jobs(job_ids: Iterable[int]) -> str:
    """One line per job: what a failing test should show first."""
    rows = Job.objects.filter(pk__in=list(job_ids)).order_by("pk")
    return "\n".join(
        f"  job {job.pk}: {job.status} (code {job.error_code}, attempts {job.attempts}, "
        f"polls {job.poll_count}) {job.message!r} <- {job.img_url}"
        for job in rows
    )


def wait_until(
    condition: Callable[[], bool], timeout: float, cluster: Cluster, what: str, job_ids: Iterable[int] = ()
) -> None:
    """Poll `condition` every 0.2 s; on timeout fail with the jobs' states and the cluster's log."""
    job_ids = list(job_ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL_SECONDS)
    if condition():
        return
    raise AssertionError(
        f"Timed out after {timeout:.0f} s waiting for {what}.\n"
        f"Jobs:\n{describe_jobs(job_ids)}\n"
        f"Cluster log (last {LOG_TAIL_LINES} lines):\n{cluster.log_tail()}"
    )


def wait_for_jobs(job_ids: Iterable[int], cluster: Cluster, timeout: float = 90) -> dict[int, Job]:
    """Wait until every job is terminal (completed, failed, timed out, needs review, canceled)."""
    job_ids = list(job_ids)

    def all_terminal() -> bool:
        return not Job.objects.filter(pk__in=job_ids).exclude(status__in=TERMINAL_STATUSES).exists()

    wait_until(all_terminal, timeout, cluster, f"{len(job_ids)} job(s) to finish", job_ids)
    return Job.objects.in_bulk(job_ids)
