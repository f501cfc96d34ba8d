"""Run the web server and the task cluster together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Serve the site with gunicorn on 127.0.0.1:$PORT and run the django-q2 cluster beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args, host: str, port: int, **options):
        python = sys.executable
        web = [
            python, "-m", "gunicorn", "hitpaw_site.wsgi",
            "--bind", f"{host}:{port}", "--workers", "2", "--threads", "8",
            "--access-logfile", "-", "--graceful-timeout", "5",
        ]  # fmt: skip
        cluster = [python, "manage.py", "qcluster"]
        children = [subprocess.Popen(cmd, start_new_session=True) for cmd in (web, cluster)]
        mode = "sandbox mode (no coins spent)" if settings.SANDBOX_MODE else "live HitPaw API"
        self.stdout.write(f"Enhance Desk on http://{host}:{port}/ — {mode}. Press Ctrl-C to stop.")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        self._stop(children)
        if not stopping:
            raise SystemExit("A part of Enhance Desk stopped unexpectedly; stopped the rest too.")

    def _stop(self, children):
        """SIGTERM each process group, then SIGKILL what is left (qcluster can hang on SIGTERM)."""
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()


def _signal_group(child, sig):
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass
