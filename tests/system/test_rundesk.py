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


def leaders(app: LiveApp, part: str) -> set[int]:
    """The process groups `rundesk` started for a part ("qcluster", "runticker"): their leaders."""
    return {pid for pid in _descendants(app.pid) if part in command_line(pid) and os.getpgid(pid) == pid}


def cluster_leaders(app: LiveApp) -> set[int]:
    return leaders(app, "qcluster")


def health(app: LiveApp) -> dict:
    with urllib.request.urlopen(f"{app.url}/healthz", timeout=5) as response:
        return json.load(response)


def ticker_holder(app: LiveApp) -> str:
    """Which ticker (host:pid) said it ran within the last few seconds ("" when none did)."""
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
    os.kill(first, signal.SIGKILL)

    restarted = wait_for(lambda: cluster_leaders(app) - {first})

    assert restarted, app.log_tail()
    assert "The task cluster stopped (exit code -9); restarting it." in app.log_tail()
    assert health(app)["ok"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the processes")
def test_it_runs_a_ticker_and_restarts_it_killed_with_sigkill(app):
    old_ticker = wait_for(lambda: ticker_holder(app))
    assert old_ticker, app.log_tail()
    (first,) = leaders(app, "runticker")
    os.kill(first, signal.SIGKILL)

    new_ticker = wait_for(lambda: ticker_holder(app) not in ("", old_ticker), seconds=40)

    assert new_ticker, app.log_tail()
    assert "The ticker stopped (exit code -9); restarting it." in app.log_tail()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the processes")
def test_nothing_it_started_outlives_it_when_it_is_killed_with_sigkill(app):
    children = _descendants(app.pid)
    assert any("gunicorn" in command_line(pid) for pid in children)
    assert any("qcluster" in command_line(pid) for pid in children)
    assert any("runticker" in command_line(pid) for pid in children)

    os.kill(app.pid, signal.SIGKILL)

    all_gone = wait_for(lambda: not [pid for pid in children if command_line(pid)], seconds=15)
    assert all_gone, [command_line(pid) for pid in children if command_line(pid)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to read the processes' priority")
def test_the_task_cluster_and_the_ticker_run_below_the_web_server(app):
    """Pages answer first: the cluster's and the ticker's processes are niced."""
    wait_for(lambda: leaders(app, "runticker"))
    groups = cluster_leaders(app) | leaders(app, "runticker")
    background = [pid for pid in _descendants(app.pid) if os.getpgid(pid) in groups]
    web = [pid for pid in _descendants(app.pid) if "gunicorn" in command_line(pid)]

    assert len(groups) == 2
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in background} == {10}
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in web} == {os.getpriority(os.PRIO_PROCESS, 0)}


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to read the processes' umask")
def test_its_parts_create_files_owner_only_and_the_database_is_tightened(app):
    """Other local users read neither the database (sessions, password hashes) nor new files."""
    parts = [
        pid
        for pid in _descendants(app.pid)
        if any(part in command_line(pid) for part in ("gunicorn", "qcluster", "runticker"))
    ]

    assert parts and {_umask(pid) for pid in parts} == {0o077}
    assert stat.S_IMODE(app.db_path.stat().st_mode) == 0o600  # `migrate` made it with the usual umask


def _umask(pid) -> int:
    line = next(
        line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Umask:")
    )
    return int(line.split()[1], 8)
