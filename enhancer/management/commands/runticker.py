"""The ticker: claim due jobs, queue their batches for the workers, sleep a tick; until SIGTERM.

Run it beside `manage.py qcluster` (`make run` and scripts/run-prod.sh do). Several hosts may run
one each: a job is claimed by a conditional UPDATE, so two tickers never hand out the same job.
"""

import logging
import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_q.brokers import get_broker

from enhancer.jobs import scheduler

log = logging.getLogger("enhancer.jobs.scheduler")


class Command(BaseCommand):
    help = "Hand due jobs to the task cluster every tick, until stopped (SIGTERM or Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick, then stop.")

    def on_signal(self, signum, frame) -> None:
        """Stop after the current tick: its claims are queued, none is left half done."""
        self.stopping = True

    def handle(self, *args, once: bool = False, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        holder = f"{socket.gethostname()}:{os.getpid()}"
        broker = get_broker()
        # Which host ticks, in its own log: the question when jobs stop moving.
        log.info("Ticker started on %s", holder)
        while not self.stopping:
            close_old_connections()
            try:
                scheduler.say_alive(holder)
                scheduler.tick(broker)
            except Exception:
                log.exception("Ticker: this tick failed; trying again next tick")
            if once:
                break
            time.sleep(scheduler.TICK_SECONDS)
        close_old_connections()
        log.info("Ticker stopped on %s", holder)
