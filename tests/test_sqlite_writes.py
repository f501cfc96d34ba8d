"""On SQLite (Django's own engine and options) a transaction waits for the database's one write lock
rather than failing with "database is locked", gives up with that error only after the busy timeout,
and every commit is on disk when it returns: a power cut undoes nothing a person was shown."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock only"),
]

PROJECT = Path(__file__).resolve().parent.parent
FULL = 2  # PRAGMA synchronous: the log is synced at every commit


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


def pragma(name: str):
    """The connection's value of one of SQLite's settings."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


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


def test_a_transaction_gives_up_after_the_busy_timeout(django_user_model):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")  # instead of the configured 20 s
    holder = WriteLockHolder()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            with transaction.atomic():
                django_user_model.objects.create(username="never")
    finally:
        holder.release()
        connection.close()  # the next test's connection has the configured timeout again

    assert not django_user_model.objects.filter(username="never").exists()


def test_every_commit_is_on_disk_when_it_returns():
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == FULL


WRITER = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
for n in range(100):
    with transaction.atomic():
        get_user_model().objects.create(username=f"{NAME}-{n}")
"""


def test_two_processes_writing_at_once_both_commit_everything(django_user_model):
    """As the web server and the task cluster do: neither meets "database is locked"."""
    environ = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    environ.update(
        DJANGO_SETTINGS_MODULE="hitpaw_site.settings",
        DATABASE_URL=f"sqlite:///{Path(connection.settings_dict['NAME']).resolve()}",
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", f"NAME = {name!r}\n{WRITER}"],
            cwd=PROJECT,
            env=environ,
            stderr=subprocess.PIPE,
        )
        for name in ("web", "worker")
    ]
    errors = [writer.communicate(timeout=60)[1].decode() for writer in writers]

    assert [writer.returncode for writer in writers] == [0, 0], errors
    assert django_user_model.objects.count() == 200
