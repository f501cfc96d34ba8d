"""Django's database backends with the few changes that matter under load (see their modules)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from django.db import connections


def durable(using: str = "default") -> AbstractContextManager:
    """Wrap a transaction a power cut must not undo: a new job, the mark before a paid call.

    SQLite syncs other commits lazily, and syncs its log at the end of this block (sqlite/base.py);
    PostgreSQL syncs every commit already. Enter it outside the transaction, which it follows.
    """
    connection = connections[using]
    return connection.durable() if hasattr(connection, "durable") else nullcontext()
