"""On SQLite a transaction waits for the database's one write lock at BEGIN: it must get the lock
once it is free, give up with the usual error after the busy timeout, and leave statements outside
a transaction waiting as long as before."""

import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

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


def busy_timeout_ms() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
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
