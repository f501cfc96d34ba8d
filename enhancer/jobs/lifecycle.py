"""The one place a job changes status: the row and its timeline event move together.

Every status change (a pipeline step under its lease, an admin's review action, a new job) goes
through here, so no change is ever missing from the job's timeline, and every deadline is set by
one rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Now
from django.utils import timezone

from enhancer.jobs import statements
from enhancer.models import Job, JobEvent, JobStatus

MSG_RECEIVED = "Received."


def new_deadline(now: datetime | None = None) -> datetime:
    """When a job started (or restarted) at `now` must have finished (tests, reports)."""
    return (now or timezone.now()) + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def fresh_deadline() -> CombinedExpression:
    """A job's deadline from now, by the database's clock, for a write.

    A web host whose clock runs fast must not make a photo late (nor slow one early): every due
    time and deadline a write sets is the database's `Now()`, as the pipeline's are.
    """
    return Now() + timedelta(seconds=settings.ENHANCER_JOB_DEADLINE_SECONDS)


def back_to_work() -> dict:
    """The fields that hand a stopped job back to the workers at once: no lease, no error, counts reset."""
    return {
        "finished_at": None,
        "error_code": None,
        "attempts": 0,
        "lease_token": "",
        "lease_until": None,
        "stalled_claims": 0,
        "due_at": Now(),
    }


def move(
    job_id: int,
    status: str,
    message: str = "",
    *,
    only_if: dict | Q,
    then: Callable[[], None] | None = None,
    **fields,
) -> bool:
    """Move the job to `status` if it still matches `only_if`, recording the step in one transaction.

    `then` runs inside that transaction only if the job moved (the coin ledger's entry for a
    submission), so the step and what goes with it are written together or not at all.
    """
    now = timezone.now()
    values = {"status": status, "message": message, "updated_at": now, **fields}
    # Both statements are built before the transaction: on SQLite it holds the one write lock from
    # its first line, and building SQL costs more CPU than running it (docs/benchmarks.md).
    if isinstance(only_if, Q):
        update = statements.compile_update(Job.objects.filter(only_if, pk=job_id), values, connection)
    else:
        update = statements.update_statement(Job, {"pk": job_id, **only_if}, values)
    event = _event_statement(job_id, status, message, now)
    if then is None and connection.vendor == "postgresql":
        return _move_in_one_statement(update, event)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(*update)
        moved = cursor.rowcount
        if moved:
            cursor.execute(*event)
            if then is not None:
                then()
    return bool(moved)


def _move_in_one_statement(update: tuple[str, tuple], event: tuple[str, tuple]) -> bool:
    """PostgreSQL: the update and its timeline row as one statement, atomic by itself.

    One round trip instead of four (BEGIN, UPDATE, INSERT, COMMIT), for the move every step makes.
    """
    (update_sql, update_params), (_, event_params) = update, event
    sql = f"WITH moved AS ({update_sql} RETURNING 1) {_event_insert(connection.vendor)} SELECT %s, %s, %s, %s FROM moved"
    with connection.cursor() as cursor:
        cursor.execute(sql, (*update_params, *event_params))
        return bool(cursor.rowcount)


def _event_statement(job_id: int, status: str, message: str, at: datetime) -> tuple[str, tuple]:
    """The timeline row's INSERT, as `JobEvent.objects.create` writes it."""
    sql = f"{_event_insert(connection.vendor)} VALUES (%s, %s, %s, %s)"
    return sql, (job_id, status, message, connection.ops.adapt_datetimefield_value(at))


@functools.cache
def _event_insert(vendor: str) -> str:
    """The timeline INSERT's head, per database vendor (its quoting)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(JobEvent._meta.get_field(name).column) for name in _EVENT_FIELDS)
    return f"INSERT INTO {quote(JobEvent._meta.db_table)} ({columns})"


_EVENT_FIELDS = ("job", "status", "message", "at")


def record_received(jobs: Iterable[Job]) -> None:
    """The first event of new jobs, in one INSERT written out as a status change writes its event:
    every form POST makes one, and `bulk_create` took 0.6 ms of CPU for it, against 0.2 ms."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(job.pk, JobStatus.QUEUED, MSG_RECEIVED, at) for job in jobs]
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_event_insert(connection.vendor)} VALUES {values}", [v for row in rows for v in row]
        )
