"""`make run`'s supervisor: a part that dies comes back, and nothing outlives the supervisor."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.live_app import LiveApp, _descendants

pytestmark = pytest.mark.cluster


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cluster_leaders(app: LiveApp) -> set[int]:
    """The qcluster processes `rundesk` started itself (not their workers)."""
    return {
        pid for pid in _descendants(app.pid) if "qcluster" in command_line(pid) and os.getpgid(pid) == pid
    }


def health(app: LiveApp) -> dict:
    with urllib.request.urlopen(f"{app.url}/healthz", timeout=5) as response:
        return json.load(response)


def ticker_holder(app: LiveApp) -> str:
    """Who holds the ticker lease right now ("" when nobody does)."""
    rows = app.query("SELECT holder FROM enhancer_lease WHERE name = 'ticker' AND until > datetime('now')")
    return rows[0][0] if rows else ""


def wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


@pytest.fixture
def app(tmp_path):
    live = LiveApp(tmp_path).start()
    yield live
    live.stop()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the processes")
def test_it_restarts_a_task_cluster_killed_with_sigkill(app):
    (first,) = cluster_leaders(app)
    old_ticker = wait_for(lambda: ticker_holder(app))
    os.kill(first, signal.SIGKILL)

    restarted = wait_for(lambda: cluster_leaders(app) - {first})

    assert restarted, app.log_tail()
    assert "The task cluster stopped (exit code -9); restarting it." in app.log_tail()
    new_ticker = wait_for(lambda: ticker_holder(app) not in ("", old_ticker), seconds=40)
    assert new_ticker, "the new cluster never started a ticker of its own"
    assert health(app)["ok"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the processes")
def test_nothing_it_started_outlives_it_when_it_is_killed_with_sigkill(app):
    children = _descendants(app.pid)
    assert any("gunicorn" in command_line(pid) for pid in children)
    assert any("qcluster" in command_line(pid) for pid in children)

    os.kill(app.pid, signal.SIGKILL)

    all_gone = wait_for(lambda: not [pid for pid in children if command_line(pid)], seconds=15)
    assert all_gone, [command_line(pid) for pid in children if command_line(pid)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to read the processes' priority")
def test_the_task_cluster_runs_below_the_web_server(app):
    """Pages answer first: the cluster's processes and, under autogroup, its session are niced."""
    (leader,) = cluster_leaders(app)
    cluster = [pid for pid in _descendants(app.pid) if os.getpgid(pid) == leader]
    web = [pid for pid in _descendants(app.pid) if "gunicorn" in command_line(pid)]

    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in cluster} == {10}
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in web} == {os.getpriority(os.PRIO_PROCESS, 0)}
    if Path(f"/proc/{leader}/autogroup").exists():  # Linux's autogroup shares the CPU between sessions first
        assert _session_niceness(leader) == 10
        assert _session_niceness(web[0]) == _session_niceness(os.getpid())


def _session_niceness(pid):
    """The niceness of a process's autogroup; the boot-time group (read as empty) weighs as nice 0."""
    fields = Path(f"/proc/{pid}/autogroup").read_text().split()  # "/autogroup-42 nice 10", or nothing
    return int(fields[-1]) if fields else 0


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to read the processes' umask")
def test_its_parts_create_files_owner_only_and_the_database_is_tightened(app):
    """Other local users read neither the database (sessions, password hashes) nor new files."""
    parts = [
        pid
        for pid in _descendants(app.pid)
        if "gunicorn" in command_line(pid) or "qcluster" in command_line(pid)
    ]

    assert parts and {_umask(pid) for pid in parts} == {0o077}
    assert stat.S_IMODE(app.db_path.stat().st_mode) == 0o600  # `migrate` made it with the usual umask


def _umask(pid) -> int:
    line = next(
        line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Umask:")
    )
    return int(line.split()[1], 8)
