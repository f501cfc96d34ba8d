"""Django's SQLite backend, with the database's one write lock handed on promptly.

Every transaction begins IMMEDIATE (`settings.SQLITE_OPTIONS`), so it waits for the write lock at
BEGIN. SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries: under load a web
request slept through dozens of the task cluster's short transactions, and one form POST in twenty
waited 150 ms to 1 s (docs/benchmarks.md). Here BEGIN tries again about every millisecond, for as
long as the busy timeout allows. Statements outside a transaction keep SQLite's handler.

BEGIN goes straight to the `sqlite3` connection: a failed try through Django's cursor left that
cursor in a reference cycle (via the exception's traceback), and the garbage collector, finalizing
it from another thread, deadlocked against this connection until the busy timeout ran out.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

RETRY_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
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
