"""`make run` on a fresh machine (issue 23): the login box is the last thing printed, after the address; no
warning about load balancers; requests are not logged unless VERBOSE=1."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest

from tests.support.live_app import PROJECT_DIR, LiveApp

pytestmark = pytest.mark.cluster
LAST_LINES = 15


class MakeRun(LiveApp):
    """`make run` itself (the install step taken as done), with its own empty database."""

    def __init__(self, workdir, *make_args: str) -> None:
        super().__init__(workdir)
        self.make_args = make_args

    def env(self) -> dict[str, str]:
        env = super().env()
        # As a newcomer runs it: no secret key set, strict fetching, default log levels.
        for name in (
            "DJANGO_SECRET_KEY",
            "DJANGO_DEBUG",
            "ENHANCER_LOG_LEVEL",
            "ENHANCER_SINGLE_HOST",
            "VERBOSE",
        ):
            env.pop(name, None)
        env["ENHANCER_ALLOW_PRIVATE_URLS"] = "false"
        return env

    def start(self) -> MakeRun:
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                ".venv/.installed-run",
                "run",
                f"PORT={self.port}",
                *self.make_args,
            ],
            cwd=PROJECT_DIR,
            env=self.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_healthy()
        return self

    def serving(self) -> list[str]:
        """What it printed once both parts are up (the ticker, started by the cluster, holds its lease)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.query("SELECT holder FROM enhancer_lease WHERE name = 'ticker'"):
                break
            time.sleep(0.3)
        time.sleep(2)  # anything the cluster prints as it settles
        return self.log_path.read_text(errors="replace").splitlines()

    def visit(self, *paths: str) -> None:
        for path in paths:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
                response.read()


@pytest.fixture
def make_run(tmp_path):
    runs = []

    def start(*make_args: str) -> MakeRun:
        runs.append(MakeRun(tmp_path / f"run{len(runs)}", *make_args))
        runs[-1].workdir.mkdir()
        return runs[-1].start()

    yield start
    for run in runs:
        run.stop()


def test_the_login_box_is_printed_last_after_the_address_and_requests_are_not_logged(make_run):
    app = make_run()
    app.visit("/accounts/login/", "/healthz")
    lines = app.serving()
    last = "\n".join(lines[-LAST_LINES:])

    assert "  password: " in last, "\n".join(lines[-40:])
    assert "  username: admin" in last
    address = next(i for i, line in enumerate(lines) if line.startswith("Enhance Desk on http://127.0.0.1:"))
    assert address < next(i for i, line in enumerate(lines) if line.startswith("  password: "))
    everything = "\n".join(lines)
    assert "enhancer.W005" not in everything and "load balancer" not in everything
    assert "GET /accounts/login/" not in everything
    assert "Ticker" not in everything


def test_verbose_prints_every_request(make_run):
    app = make_run("VERBOSE=1")
    app.visit("/accounts/login/")
    assert "GET /accounts/login/" in "\n".join(app.serving())
