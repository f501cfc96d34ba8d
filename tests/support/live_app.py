"""Run the whole app the way `make run` does (migrate, a user, `rundesk`), in sandbox mode, in a temp dir.

The browser test talks to it over HTTP only; it never shares pytest-django's test database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from enhancer.management.processes import signal_group

PROJECT_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60
# The first live app of a test run migrates its database; the others start from a copy of it.
MIGRATED_DATABASE: list[Path] = []


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveApp:
    """Enhance Desk in sandbox mode on 127.0.0.1:<port>, with its own SQLite file and media folder."""

    username = "alice"
    password = "alice-browser-password-1"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = workdir / "app.sqlite3"
        self.log_path = workdir / "rundesk.log"
        self._process: subprocess.Popen | None = None
        self._log = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Sandbox mode. Empty rather than unset, so a developer's .env can never add a real key.
        env["HITPAW_API_KEY"] = ""
        for name in ("DJANGO_TEST_DB_NAME", "REDIS_URL", "ENHANCER_SANDBOX_BASE_URL", "PUBLIC_BASE_URL"):
            env.pop(name, None)
        env.update(
            DATABASE_URL=f"sqlite:///{self.db_path}",
            ENHANCER_MEDIA_ROOT=str(self.workdir / "media"),
            PORT=str(self.port),
            ENHANCER_ALLOW_PRIVATE_URLS="true",
            ENHANCER_SANDBOX_CONVERT_SECONDS="2",
            ENHANCER_POLL_INTERVAL_SECONDS="1",
            NO_PROXY="127.0.0.1,localhost",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *args: str) -> None:
        """Run a management command to completion, failing with its output if it fails."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> LiveApp:
        """Migrate, create the staff member, start `rundesk` and wait until /healthz answers."""
        self.migrate()
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
            f"user = get_user_model().objects.create_user({self.username!r}, password={self.password!r}); "
            "user.groups.add(Group.objects.get(name='staff'))",
        )
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "manage.py", "rundesk", "--port", str(self.port)],
            cwd=PROJECT_DIR,
            env=self.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_healthy()
        return self

    def migrate(self) -> None:
        """`manage.py migrate` on a new database, or a copy of what it made for an earlier live app."""
        if MIGRATED_DATABASE and MIGRATED_DATABASE[0].exists():
            shutil.copyfile(MIGRATED_DATABASE[0], self.db_path)
            return
        self.manage("migrate", "--noinput")
        template = self.workdir / "migrated.sqlite3"
        shutil.copyfile(self.db_path, template)
        MIGRATED_DATABASE[:] = [template]

    @property
    def pid(self) -> int:
        """The `rundesk` process."""
        return self._process.pid

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"rundesk exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if json.load(response).get("ok"):
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"rundesk did not answer /healthz in {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """SIGKILL rundesk's group and the groups of every part it started, all at once.

        No test of a live app is about a graceful stop, and waiting for one only makes the suite
        slower. rundesk starts gunicorn, qcluster and the ticker in sessions of their own: note
        their groups first, so that they are killed too."""
        process, self._process = self._process, None
        if process is not None:
            parts = {_group_of(pid) for pid in _descendants(process.pid)} - {process.pid}
            signal_group(process.pid, signal.SIGKILL)  # rundesk first: it restarts no part then
            for group in parts:
                signal_group(group, signal.SIGKILL)
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's output, to explain a failure."""
        if not self.log_path.exists():
            return "(no output)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the app's database, read-only (the app keeps it in WAL mode, so this never blocks it)."""
        connection = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=20)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def _group_of(pid: int) -> int:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return pid


def _descendants(root: int) -> set[int]:
    """Every live process below `root`, read from /proc (empty where there is no /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces; the parent's pid is the 2nd field after ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
