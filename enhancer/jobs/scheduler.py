"""The ticker: one lease-guarded loop that hands due jobs to workers in batches.

No worker sleeps per job and no schedule exists per poll: each job carries its own `due_at`, and
the ticker claims whatever is due every second. It is also the reconciler: a job whose worker
died keeps a past `due_at`, so once its lease runs out the ticker hands it out again.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction

from enhancer.jobs import claims, pipeline
from enhancer.jobs.client_factory import get_client
from enhancer.models import Job

log = logging.getLogger(__name__)

TICKER = "ticker"
KICK = "ticker-kick"
STEPS_IN_A_ROW = 4  # a bound: the pipeline has at most two steps in a row (fetch, send; poll, save)


def dispatch_due(enqueue_batch: Callable[[str], None], *, queue_in_database: bool = False) -> int:
    """Claim every due job (in batches) and hand each batch to `enqueue_batch`.

    The claims are one transaction: on SQLite one turn at the file's write lock, not one per batch
    (while people submitted, one tick's 44 batches waited 4.6 s there; docs/benchmarks.md). With
    `queue_in_database` (django-q2's ORM broker) the batches are queued in that same transaction,
    so they appear together with their claims; a queue elsewhere (Redis) gets them once the claims
    are committed, so no worker reads a job before it is claimed.
    """
    with transaction.atomic():
        tokens = claims.claim_due_jobs(settings.ENHANCER_MAX_CLAIM_PER_TICK, settings.ENHANCER_BATCH_SIZE)
        if queue_in_database:
            for token in tokens:
                enqueue_batch(token)
    if not queue_in_database:
        for token in tokens:
            enqueue_batch(token)
    return len(tokens)


def run_batch(token: str) -> int:
    """Advance every job claimed under `token`, a few at a time in this process's poll threads."""
    job_ids = list(Job.objects.filter(lease_token=token).values_list("pk", flat=True))
    next_step_until = next_step_deadline()
    if len(job_ids) <= 1:
        for job_id in job_ids:
            advance_while_due(job_id, token, next_step_until)
        return len(job_ids)
    list(poll_threads().map(lambda job_id: _advance_in_thread(job_id, token, next_step_until), job_ids))
    return len(job_ids)


def next_step_deadline() -> float:
    """Until when (`time.monotonic`) a batch task may start one more step and still finish it.

    django-q2 kills a task at its timeout; a step killed mid-submission sends its job to review.
    """
    room = settings.Q_CLUSTER["timeout"] - claims.longest_step_seconds() - claims.STEP_MARGIN_SECONDS
    return time.monotonic() + room


_threads_lock = threading.Lock()
_threads: ThreadPoolExecutor | None = None
_threads_pid = 0


def poll_threads() -> ThreadPoolExecutor:
    """This process's poll threads, made on first use and kept for every later batch.

    Each thread keeps its own HitPaw client (its HTTP connections) and, on PostgreSQL, its own
    database connection, so a poll sets up no connection (docs/benchmarks.md).
    """
    global _threads, _threads_pid
    with _threads_lock:
        # A forked worker inherits the parent's executor object but none of its threads.
        if _threads is None or _threads_pid != os.getpid():
            _threads = ThreadPoolExecutor(
                max_workers=settings.ENHANCER_THREADS_PER_BATCH, thread_name_prefix="poll"
            )
            _threads_pid = os.getpid()
        return _threads


def stop_poll_threads() -> None:
    """Close each poll thread's database connections, then end the threads."""
    global _threads
    with _threads_lock:
        threads, _threads = _threads, None
    if threads is None or _threads_pid != os.getpid():
        return
    started = len(threads._threads)  # the executor's own count; no public one exists
    if started:
        # One task per thread: each waits at the barrier, so no thread takes two.
        barrier = threading.Barrier(started)
        for _ in range(started):
            threads.submit(_close_connections_then_wait, barrier)
    threads.shutdown(wait=True)


def _close_connections_then_wait(barrier: threading.Barrier) -> None:
    connections.close_all()
    barrier.wait(timeout=10)


def advance_while_due(job_id: int, token: str, next_step_until: float = math.inf) -> None:
    """Run the job's step, then the next ones as long as each keeps it for the next at once.

    Fetched → sent to HitPaw, and done at HitPaw → result saved, happen back to back in this
    thread under the same lease: no hand-back and claim, no tick, no broker trip in between. A
    step that would start after `next_step_until` is left to the ticker instead.
    """
    for _ in range(STEPS_IN_A_ROW):
        if not pipeline.advance(job_id, token, get_client()):
            return
        if time.monotonic() >= next_step_until:
            break
    claims.hand_back(job_id, token)


# A poll thread whose connection served a job this recently uses it for the next one as it is;
# one idle longer is checked first (a query), and replaced if the database restarted meanwhile.
TRUST_CONNECTION_SECONDS = 5.0
_thread_state = threading.local()


def _advance_in_thread(job_id: int, token: str, next_step_until: float) -> None:
    used_at = getattr(_thread_state, "used_at", None)
    if used_at is None or time.monotonic() - used_at > TRUST_CONNECTION_SECONDS:
        close_old_connections()  # drops a broken or expired connection, keeps a good one
    try:
        advance_while_due(job_id, token, next_step_until)
    except Exception:
        log.exception("Job %s: step crashed; it will be retried when its lease runs out", job_id)
        close_old_connections()  # a connection that broke mid-step is checked, and dropped if broken
    finally:
        _thread_state.used_at = time.monotonic()


def lease_hold_seconds() -> float:
    """How long the ticker lease outlives its last renewal: at most this long after a ticker dies."""
    return max(10.0, settings.ENHANCER_TICK_SECONDS * 5)


def run_ticker(
    enqueue_batch: Callable[[str], None],
    run_seconds: float | None = None,
    wait_for_lease: float = 0.0,
    *,
    queue_in_database: bool = False,
) -> bool:
    """Tick for about `run_seconds` while holding the ticker lease; False if another ticker runs.

    With `wait_for_lease`, first wait up to that long for the lease (tickers queued by an earlier
    version ask for it; the ticker watch now starts a ticker once a dead one's lease runs out).
    """
    holder = claims.new_token()
    interval = settings.ENHANCER_TICK_SECONDS
    hold_for = lease_hold_seconds()
    give_up_at = time.monotonic() + wait_for_lease
    while not claims.acquire_lease(TICKER, holder, hold_for):
        if time.monotonic() >= give_up_at:
            return False
        time.sleep(interval)
    # Which host ticks, in its own log: the question when jobs stop moving. Said before the lease is
    # handed back, so no two hosts' logs ever show two tickers at once.
    log.info("Ticker %s: started on %s (pid %d)", holder, socket.gethostname(), os.getpid())
    run_for = settings.ENHANCER_TICKER_RUN_SECONDS if run_seconds is None else run_seconds
    stop_at = time.monotonic() + run_for
    try:
        while True:
            close_old_connections()
            try:
                dispatch_due(enqueue_batch, queue_in_database=queue_in_database)
            except Exception:
                log.exception("Ticker: dispatch failed; trying again next tick")
            if time.monotonic() >= stop_at:
                break
            time.sleep(interval)
            if not claims.acquire_lease(TICKER, holder, hold_for):
                log.warning("Ticker %s: lost its lease to another ticker; stopping", holder)
                return True
    finally:
        log.info("Ticker %s: stopped", holder)
        claims.release_lease(TICKER, holder)
    return True


def ticker_needed() -> bool:
    """True when no ticker holds the lease and no start was asked for in the last few seconds."""
    global _ticker_seen_at
    if claims.lease_is_held(TICKER):
        _ticker_seen_at = time.monotonic()
        return False
    return claims.acquire_lease(KICK, claims.new_token(), 10)


# A ticker seen holding its lease this recently is taken as still running, so a burst of
# submissions asks the database once a second, not once a photo. Nothing is lost meanwhile: a
# running ticker hands out new jobs within a second by itself, a dead one's lease still looks held
# until it runs out, and every worker's ticker watch replaces a dead ticker either way.
SEEN_RUNNING_SECONDS = 1.0
_ticker_seen_at = float("-inf")


def ticker_seen_running_lately() -> bool:
    """True when this process saw a ticker hold its lease in the last SEEN_RUNNING_SECONDS."""
    return time.monotonic() - _ticker_seen_at < SEEN_RUNNING_SECONDS


def forget_ticker_seen() -> None:
    """Ask the database next time (tests: each starts with no ticker seen)."""
    global _ticker_seen_at
    _ticker_seen_at = float("-inf")


_watch_pid = 0


def watch_ticker(kick: Callable[[], None]) -> None:
    """Start this process's ticker watch: `kick` (a ticker if none runs) now, then every few seconds.

    The ticker is one task on one host, and a killed host chains no successor. Every worker on every
    host watches, so a ticker starts with the first cluster, and another host ticks within a quarter
    lease hold after a dead ticker's lease runs out, not at the next once-a-minute watchdog. A check
    is one query while a ticker runs; the thread keeps its connection.
    """
    global _watch_pid
    with _threads_lock:
        if _watch_pid == os.getpid():
            return
        _watch_pid = os.getpid()
    threading.Thread(target=_watch, args=(kick,), name="ticker-watch", daemon=True).start()


def _watch(kick: Callable[[], None]) -> None:
    while True:
        close_old_connections()
        try:
            kick()
        except Exception:
            log.warning("Ticker watch: could not check the ticker; trying again", exc_info=True)
        time.sleep(lease_hold_seconds() / 4)
