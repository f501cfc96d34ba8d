"""On SQLite a transaction waits for the database's one write lock at BEGIN: it must get the lock
once it is free, give up with the usual error after the busy timeout, and leave statements outside
a transaction waiting as long as before. Commits are synced lazily, but never those a power cut
must not undo: a new job, a cancel, the mark before a paid call."""

import os
import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from enhancer.db_backends import durable
from enhancer.hitpaw.client import Submission
from enhancer.jobs import intake
from enhancer.models import JobStatus
from tests.support.jobs import StubClient, default_model, make_job, step

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock only"),
]


class WriteLockHolder:
    """Another connection (another process, in real life) holding the write lock."""

    def __init__(self) -> None:
        self.raw = sqlite3.connect(
            connection.settings_dict["NAME"], isolation_level=None, timeout=5, check_same_thread=False
        )
        self.raw.execute("BEGIN IMMEDIATE")

    def release_after(self, seconds: float) -> threading.Thread:
        thread = threading.Thread(target=lambda: (time.sleep(seconds), self.release()))
        thread.start()
        return thread

    def release(self) -> None:
        self.raw.execute("COMMIT")
        self.raw.close()


def pragma(name: str) -> int:
    """The connection's value of one of SQLite's settings."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def busy_timeout_ms() -> int:
    return pragma("busy_timeout")


def test_a_transaction_waits_for_the_write_lock_and_then_commits(django_user_model):
    connection.ensure_connection()
    holder = WriteLockHolder()
    releaser = holder.release_after(0.3)
    started = time.monotonic()

    with transaction.atomic():
        django_user_model.objects.create(username="waited")

    releaser.join()
    assert time.monotonic() - started >= 0.25  # it waited for the lock rather than failing
    assert django_user_model.objects.filter(username="waited").exists()


def test_a_transaction_gives_up_after_the_busy_timeout(monkeypatch, django_user_model):
    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    holder = WriteLockHolder()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            with transaction.atomic():
                django_user_model.objects.create(username="never")
    finally:
        holder.release()

    assert not django_user_model.objects.filter(username="never").exists()
    assert busy_timeout_ms() == 200  # restored: the connection is fine for the next statement


def test_statements_outside_a_transaction_keep_the_busy_timeout(django_user_model):
    configured = int(connection.settings_dict["OPTIONS"]["timeout"] * 1000)
    connection.ensure_connection()
    holder = WriteLockHolder()
    releaser = holder.release_after(0.2)
    with transaction.atomic():  # began only after waiting for the holder
        assert busy_timeout_ms() == configured
    releaser.join()

    django_user_model.objects.create(username="autocommit")  # no transaction: SQLite's own wait

    assert busy_timeout_ms() == configured


NORMAL = 1  # PRAGMA synchronous: a commit is synced by the next checkpoint, not at once


class WhatHappened:
    """In order: each write (the SQL up to its WHERE), each sync of a file to disk, each paid call."""

    def __init__(self, monkeypatch) -> None:
        self.events: list[str] = []
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            real_fsync(fd)
            self.events.append(f"synced {os.readlink(f'/proc/self/fd/{fd}')}")

        monkeypatch.setattr(os, "fsync", fsync)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            self.events.append(sql.split("WHERE")[0])
        return result

    def paid_call(self, number: int) -> None:
        self.events.append("paid call")

    def index(self, predicate, after: int = -1) -> int:
        """The first event after `after` that `predicate` accepts."""
        found = next((i for i, event in enumerate(self.events) if i > after and predicate(event)), None)
        assert found is not None, f"not found after event {after}: {self.events}"
        return found


def log_synced(event: str) -> bool:
    return event == f"synced {connection.settings_dict['NAME']}-wal"


def writes(column: str):
    return lambda event: f'"{column}"' in event


def test_commits_are_synced_lazily_and_a_durable_block_syncs_the_log_after_them(
    monkeypatch, django_user_model
):
    happened = WhatHappened(monkeypatch)
    assert pragma("synchronous") == NORMAL
    with connection.execute_wrapper(happened), durable():
        django_user_model.objects.create(username="kept")
        assert not any(log_synced(event) for event in happened.events)

    assert log_synced(happened.events[-1])


def test_the_mark_before_a_paid_call_is_on_disk_before_the_call(monkeypatch):
    """After a power cut the job goes to review, never out to HitPaw again."""
    happened = WhatHappened(monkeypatch)
    job = make_job(JobStatus.SUBMITTING)
    with connection.execute_wrapper(happened):
        job = step(
            job, StubClient(submits=[Submission(job_id="hp-1", coins=20)], on_submit=happened.paid_call)
        )

    assert job.status == JobStatus.CONVERTING
    marked = happened.index(writes("submit_started_at"))
    synced = happened.index(log_synced, after=marked)
    assert happened.index(lambda event: event == "paid call") > synced


def test_a_new_job_and_a_cancel_are_on_disk_when_the_person_is_told(monkeypatch, django_user_model):
    happened = WhatHappened(monkeypatch)
    user = django_user_model.objects.create(username="ann")
    with connection.execute_wrapper(happened):
        (job,) = intake.create_jobs(user, ["https://photos.example.com/a.jpg"], default_model())
        created_synced = happened.index(log_synced, after=happened.index(writes("img_url")))
        intake.cancel(job)

    happened.index(log_synced, after=happened.index(writes("status"), after=created_synced))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED
