"""The ticker: one loop (`manage.py runticker`) that hands due jobs to workers in batches.

No worker sleeps per job and no schedule exists per poll: each job carries its own `due_at`, and
the ticker claims whatever is due every tick. It is also the reconciler: a job whose worker died
keeps a past `due_at`, so once its lease runs out the ticker hands it out again. Several tickers
(one per worker host) may run at once: the conditional claim lets only one of them take a job.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django_q.brokers import Broker
from django_q.tasks import async_task

from enhancer.jobs import claims, pipeline
from enhancer.jobs.client_factory import get_client
from enhancer.models import Job, Lease
from enhancer.webhooks import claims as webhook_claims

log = logging.getLogger(__name__)

# Tuning, not an operator's choice: tests change these on the module.
TICK_SECONDS = 1.0
BATCH_SIZE = 8  # jobs per queued task
THREADS_PER_BATCH = 8  # as many as a batch has jobs: no job of a batch waits for a thread
MAX_CLAIM_PER_TICK = 400
# Backpressure: at most this many batches wait in the queue per worker. A job claimed but not yet
# started only waits there, so claiming more would only make its lease run out unused.
QUEUED_BATCHES_PER_WORKER = 2
STEPS_IN_A_ROW = 4  # a bound: the pipeline has at most two steps in a row (fetch, send; poll, save)
TASK_GROUP = "enhancer"
DELIVER_WEBHOOKS = "enhancer.tasks.deliver_webhooks"
# The row a running ticker stamps each tick, so /healthz can say whether one runs. Not a guard:
# several tickers may stamp it; the conditional claims keep them from taking one job twice.
TICKER = "ticker"
ALIVE_SECONDS = 10.0


def queue_in_database() -> bool:
    """django-q2's ORM broker: its queue is a table beside the jobs (no Redis configured)."""
    return "orm" in settings.Q_CLUSTER


def free_batches(broker: Broker) -> int:
    """How many more batches the workers can start soon: their share of the queue, less what waits."""
    room = settings.Q_CLUSTER["workers"] * QUEUED_BATCHES_PER_WORKER
    return max(0, room - broker.queue_size())


def say_alive(holder: str) -> None:
    """Stamp the ticker row: a ticker ran within the last ALIVE_SECONDS."""
    Lease.objects.update_or_create(
        name=TICKER, defaults={"holder": holder, "until": claims.db_now_plus(ALIVE_SECONDS)}
    )


def tick(broker: Broker) -> int:
    """One turn of the ticker: claim what is due (as much as the workers can start), queue it."""

    def enqueue(token: str) -> None:
        async_task("enhancer.tasks.advance_batch", token, group=TASK_GROUP, broker=broker)

    batches = free_batches(broker)
    if not batches:
        return 0
    dispatch_webhooks(broker)
    return dispatch_due(enqueue, queue_in_database=queue_in_database(), batches=batches)


def dispatch_webhooks(broker: Broker) -> None:
    """Claim due webhook deliveries (a lease, like jobs) and queue one task to send them."""
    token = webhook_claims.claim_due()
    if token:
        async_task(DELIVER_WEBHOOKS, token, group=TASK_GROUP, broker=broker)


def dispatch_due(
    enqueue_batch: Callable[[str], None], *, queue_in_database: bool = False, batches: int | None = None
) -> int:
    """Claim due jobs (at most `batches` batches) and hand each batch's token to `enqueue_batch`.

    The claims are one transaction: on SQLite one turn at the file's write lock. With
    `queue_in_database` (django-q2's ORM broker) the batches are queued in that same transaction,
    so they appear together with their claims; a queue elsewhere (Redis) gets them once the claims
    are committed, so no worker reads a job before it is claimed.
    """
    with transaction.atomic():
        tokens = claims.claim_due_jobs(MAX_CLAIM_PER_TICK, BATCH_SIZE, max_batches=batches)
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
            _threads = ThreadPoolExecutor(max_workers=THREADS_PER_BATCH, thread_name_prefix="poll")
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
