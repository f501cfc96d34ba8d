"""Django's SQLite backend, with the database's one write lock handed on promptly.

Every transaction begins IMMEDIATE (`settings.SQLITE_OPTIONS`), so it waits for the write lock at
BEGIN. SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries: under load a web
request slept through dozens of the task cluster's short transactions, and one form POST in twenty
waited 150 ms to 1 s (docs/benchmarks.md). Here BEGIN tries again about every millisecond, for as
long as the busy timeout allows. Statements outside a transaction keep SQLite's handler.

BEGIN goes straight to the `sqlite3` connection: a failed try through Django's cursor left that
cursor in a reference cycle (via the exception's traceback), and the garbage collector, finalizing
it from another thread, deadlocked against this connection until the busy timeout ran out.

Commits are synced to disk lazily (WAL with `synchronous = NORMAL`): a crashed app or a killed
worker loses nothing, and a power cut may lose the last moments' commits, never a part of one, so
the database comes back as it was a moment earlier. Syncing every commit held the one write lock
through an fsync each time: 1,000 photos took 44 s instead of 33–35 s (docs/benchmarks.md). The
commits a power cut must not undo (a new job, the mark before a paid call) are made in `durable()`,
which syncs the log after them, outside the lock.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.sqlite3 import base

RETRY_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        raw = super().get_new_connection(conn_params)
        raw.execute("PRAGMA synchronous = NORMAL")
        return raw

    @contextmanager
    def durable(self) -> Iterator[None]:
        """Commits made in this block are on disk when it ends: the log is synced once, after them.

        Synced outside the write lock, so the other writers go on meanwhile, and syncs asked for at
        once share the disk's flush (`synchronous = FULL` for them held the lock through each:
        1,000 photos took 39 s against 37). Inside a transaction (a test's), its commit is to come.
        """
        yield
        if not self.in_atomic_block:
            sync_log(self.settings_dict["NAME"])

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode != "IMMEDIATE":
            super()._start_transaction_under_autocommit()
            return
        raw = self.connection
        busy_ms = int(self.settings_dict["OPTIONS"].get("timeout", 5) * 1000)  # sqlite3's default: 5 s
        raw.execute("PRAGMA busy_timeout = 0")  # a busy BEGIN fails at once; we wait here instead
        try:
            with self.wrap_database_errors:
                _begin_immediate(raw, give_up_at=time.monotonic() + busy_ms / 1000)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {busy_ms}")


def _begin_immediate(raw: sqlite3.Connection, give_up_at: float) -> None:
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= give_up_at:
                raise
        time.sleep(RETRY_SECONDS)


def sync_log(database: str) -> None:
    """Put every commit so far on disk: fsync the write-ahead log, as `synchronous = FULL` would.

    As SQLite's own sync, it relies on a sector's write never damaging its neighbours (SQLite's
    default, powersafe overwrite).
    """
    try:
        log = os.open(f"{database}-wal", os.O_RDONLY)
    except FileNotFoundError:  # no log: an in-memory database
        return
    try:
        os.fsync(log)
    finally:
        os.close(log)
