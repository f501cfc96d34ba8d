"""Run the web server, the task cluster and the ticker together, restarting any that dies; Ctrl-C stops all.

A first run ends with the address and, when there is no user yet, the first admin's login box, so
both stay on screen: request and ticker logs are off unless `--verbose` (`make run VERBOSE=1`).
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from enhancer.management import private_files, processes

STOP_GRACE_SECONDS = 10
# A part that dies this often within a minute is broken (say, the port is taken): give up.
MAX_RESTARTS_PER_MINUTE = 5
# The task cluster and the ticker run below the web server, so a page or a form answers first and
# background work takes the CPU left over (production: the systemd unit's Nice=, README).
BACKGROUND_NICENESS = 10
# How long the address and login box wait for the web server to take connections.
WEB_READY_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn on 127.0.0.1:$PORT; run the django-q2 cluster and the ticker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--verbose", action="store_true", help="Also print every request and the task cluster's progress."
        )

    def handle(self, *args, host: str, port: int, verbose: bool, **options):
        # Before any child starts: the web server and the cluster inherit the umask.
        private_files.create_owner_only()
        private_files.tighten_existing()
        python = sys.executable
        logs = ["--access-logfile", "-"] if verbose else ["--log-level", "warning"]
        commands = {
            "web server": [
                python, "-m", "gunicorn", "hitpaw_site.wsgi",
                "--bind", f"{host}:{port}", "--workers", "2", "--threads", "8",
                *logs, "--graceful-timeout", "5", "--no-control-socket",
            ],
            "task cluster": [python, "manage.py", "qcluster"],
            "ticker": [python, "manage.py", "runticker"],
        }  # fmt: skip
        self._quiet = (
            {} if verbose or "ENHANCER_LOG_LEVEL" in os.environ else {"ENHANCER_LOG_LEVEL": "WARNING"}
        )
        children = {name: self._start(name, command) for name, command in commands.items()}
        self._wait_for_web(host, port, children["web server"])
        mode = "sandbox mode (no coins spent)" if settings.SANDBOX_MODE else "live HitPaw API"
        self.stdout.write(f"Enhance Desk on http://{host}:{port}/ — {mode}. Press Ctrl-C to stop.")
        if not verbose:
            self.stdout.write("Requests and background work are not logged; `make run VERBOSE=1` shows them.")
        call_command("ensure_admin", host=host, port=port, stdout=self.stdout)  # the login box, last
        self.stdout.flush()
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            if not stopping:
                self.stdout.write("Stopping… (letting the web server and the workers finish)")
                self.stdout.flush()
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restarts: dict[str, list[float]] = {name: [] for name in commands}
        while not stopping:
            time.sleep(0.5)
            for name, child in list(children.items()):
                if stopping or child.poll() is None:
                    continue
                processes.signal_group(child.pid, signal.SIGKILL)  # its workers may outlive it: end them too
                now = time.monotonic()
                restarts[name] = [t for t in restarts[name] if now - t < 60] + [now]
                if len(restarts[name]) > MAX_RESTARTS_PER_MINUTE:
                    self._stop(children.values())
                    raise SystemExit(f"The {name} keeps stopping (see above); stopped everything.")
                self.stderr.write(f"The {name} stopped (exit code {child.returncode}); restarting it.")
                children[name] = self._start(name, commands[name])
        self._stop(children.values())
        self.stdout.write("Stopped.")

    def _wait_for_web(self, host: str, port: int, web: subprocess.Popen) -> None:
        """Until the web server takes connections (or has stopped, or WEB_READY_SECONDS pass)."""
        deadline = time.monotonic() + WEB_READY_SECONDS
        while time.monotonic() < deadline and web.poll() is None:
            try:
                with socket.create_connection((host, port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        """Start a part in a process group of its own, led by a wrapper that ends it if we die."""
        # One machine: no warnings about load balancers (enhancer.W005), quiet logs unless --verbose.
        env = {**os.environ, **self._quiet, "ENHANCER_SINGLE_HOST": "true"}
        # The background parts run below the web with coreutils' `nice`, as run-prod.sh does.
        nice = [] if name == "web server" else ["nice", "-n", str(BACKGROUND_NICENESS)]
        wrapper = [sys.executable, "-m", "enhancer.management.processes"]
        return subprocess.Popen([*nice, *wrapper, *command], start_new_session=True, env=env)

    def _stop(self, children):
        """Stop every part: SIGTERM to all groups first, so they wind down together."""
        children = list(children)
        for child in children:
            processes.signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            processes.stop_group(child, max(0.1, deadline - time.monotonic()))
