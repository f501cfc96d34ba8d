"""What operators check: the broker, the task clusters' heartbeats and the ticker, as plain dicts.

`/healthz` and the admin System page call these; each answers in milliseconds and never raises,
so a monitor gets a 503 with a reason rather than a crash.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.status import Stat

from enhancer.jobs import claims, pauses, scheduler
from enhancer.models import ACTIVE_STATUSES, Job, JobStatus

log = logging.getLogger(__name__)

# django-q2 keeps each cluster's stat for 3 s and refreshes it about every 0.5 s: a cluster whose
# last word is older than this has stopped (or cannot reach the broker).
HEARTBEAT_STALE_SECONDS = 10


def broker() -> dict:
    """Whether the task broker answers, and how many tasks wait in it."""
    try:
        queue = get_broker()
        queue.ping()
        waiting = queue.queue_size() or 0
    except Exception:  # any failure means "not reachable" to a monitor; the log keeps the detail
        log.warning("Health: the task broker did not answer", exc_info=True)
        return {"ok": False, "broker": "unreachable"}
    return {"ok": True, "broker": "ok", "queued_tasks": waiting}


def clusters(now: datetime | None = None) -> dict:
    """The task clusters alive (by their heartbeat), their workers and the latest heartbeat."""
    now = now or timezone.now()
    try:
        stats = cluster_stats()
    except Exception:
        log.warning("Health: could not read the task clusters' heartbeats", exc_info=True)
        return {"ok": False, "clusters": "unknown", "workers_alive": 0, "last_heartbeat": None}
    alive = [stat for stat in stats if (now - stat.timestamp).total_seconds() <= HEARTBEAT_STALE_SECONDS]
    last = max((stat.timestamp for stat in stats), default=None)
    return {
        "ok": bool(alive),
        "clusters": "ok" if alive else "no heartbeat",
        "clusters_alive": len(alive),
        "workers_alive": sum(len(stat.workers) for stat in alive),
        "last_heartbeat": last.isoformat() if last else None,
        "hosts": sorted({stat.host for stat in alive}),
    }


def cluster_stats() -> list:
    """django-q2's own stat of every running cluster (kept in the broker or the shared cache)."""
    return Stat.get_all()


def ticker(now: datetime | None = None) -> dict:
    """Whether a ticker holds its lease, and how long the oldest due, unclaimed job has waited."""
    now = now or timezone.now()
    oldest = (
        Job.objects.filter(status__in=ACTIVE_STATUSES, due_at__lte=now)
        .filter(claims.lease_free())
        .aggregate(oldest=Min("due_at"))["oldest"]
    )
    lag = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    return {"ticker_running": claims.lease_is_held(scheduler.TICKER), "ticker_lag_seconds": round(lag, 1)}


def last_hitpaw_error() -> dict | None:
    """The latest job HitPaw refused or failed, in the plain words staff saw, and when."""
    job = (
        Job.objects.filter(error_code__isnull=False)
        .order_by("-updated_at")
        .only("pk", "message", "updated_at")
        .first()
    )
    return None if job is None else {"job": job.pk, "message": job.message, "at": job.updated_at}


def jobs_by_state() -> dict[str, int]:
    """How many jobs are in each state, every state listed (zero included).

    COUNT(*), not COUNT(id): PostgreSQL then counts from the (status, due_at) index alone, without
    reading the table (docs/benchmarks.md, pages under load).
    """
    counts = dict(Job.objects.order_by().values_list("status").annotate(n=Count("*")))
    return {status: counts.get(status, 0) for status in JobStatus.values}


def system_report() -> dict:
    """Everything the admin System page shows, in one call."""
    now = timezone.now()
    return {
        "jobs_by_state": jobs_by_state(),
        "broker": broker(),
        "clusters": clusters(now),
        "ticker": ticker(now),
        "last_hitpaw_error": last_hitpaw_error(),
        "pause": pauses.current(),
    }
