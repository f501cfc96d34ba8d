"""Django's PostgreSQL backend, checking a kept connection only once it has been idle a while.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before each request's first query: one more round
trip on every page and form POST, and under load it waits behind the task cluster's queries like
any other. A connection that finished its last request cleanly less than TRUST_SECONDS ago is used
as it is (the task cluster's poll threads do the same, `jobs/scheduler.py`); one idle longer is
checked as before. Should the database restart within that window, one request meets the error and
Django replaces the connection at its end.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

TRUST_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tidied_at: float | None = None  # the last request boundary that found it fine

    def close_if_unusable_or_obsolete(self) -> None:
        """Django calls this at each request's start and end (`close_old_connections`)."""
        now = time.monotonic()
        trusted = (
            self.tidied_at is not None and now - self.tidied_at < TRUST_SECONDS and not self.errors_occurred
        )
        super().close_if_unusable_or_obsolete()
        self.tidied_at = now if self.connection is not None else None
        if trusted and self.connection is not None:
            self.health_check_done = True
