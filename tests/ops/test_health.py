"""Health checks for operators: the broker, the clusters' heartbeats and the ticker's lag."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.tasks import async_task

from enhancer.jobs import claims, scheduler
from enhancer.models import JobStatus
from enhancer.ops import health
from tests.support.jobs import make_job


def stat(host, workers, seconds_ago, now):
    return SimpleNamespace(
        host=host, workers=list(range(workers)), timestamp=now - timedelta(seconds=seconds_ago)
    )


@pytest.fixture
def empty_broker():
    """The real broker, emptied before and after: on Redis its queue outlives the test database."""
    get_broker().purge_queue()
    yield
    get_broker().purge_queue()


@pytest.mark.django_db
def test_it_counts_the_tasks_waiting_in_the_broker(monkeypatch, empty_broker):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    async_task("enhancer.tasks.advance_batch", "a-token", broker=get_broker())

    assert health.broker() == {"ok": True, "broker": "ok", "queued_tasks": 1}


def test_it_says_the_broker_is_unreachable_without_raising(monkeypatch):
    def broken():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(health, "get_broker", broken)

    assert health.broker() == {"ok": False, "broker": "unreachable"}


def test_it_adds_up_workers_of_every_cluster_with_a_fresh_heartbeat(monkeypatch):
    now = timezone.now()
    stats = [stat("worker-a", 4, 1, now), stat("worker-b", 2, 2, now), stat("gone", 4, 60, now)]
    monkeypatch.setattr(health, "cluster_stats", lambda: stats)

    report = health.clusters(now)

    assert report["ok"] is True
    assert (report["clusters_alive"], report["workers_alive"]) == (2, 6)
    assert report["hosts"] == ["worker-a", "worker-b"]
    assert report["last_heartbeat"] == (now - timedelta(seconds=1)).isoformat()


def test_it_fails_when_no_cluster_has_a_fresh_heartbeat(monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(health, "cluster_stats", lambda: [stat("gone", 4, 60, now)])

    report = health.clusters(now)

    assert (report["ok"], report["clusters"], report["workers_alive"]) == (False, "no heartbeat", 0)


@pytest.mark.django_db
def test_it_measures_the_ticker_lag_from_the_oldest_due_job_nobody_holds():
    now = timezone.now()
    make_job(JobStatus.CONVERTING, due_at=now - timedelta(seconds=12))
    held = make_job(JobStatus.CONVERTING, due_at=now - timedelta(seconds=90))
    claims.claim_job(held.pk)
    make_job(JobStatus.COMPLETED, due_at=now - timedelta(seconds=300))

    report = health.ticker(now)

    assert report == {"ticker_running": False, "ticker_lag_seconds": 12.0}


@pytest.mark.django_db
def test_it_reports_a_running_ticker_with_no_lag_when_nothing_is_due():
    claims.acquire_lease(scheduler.TICKER, claims.new_token(), 30)

    assert health.ticker() == {"ticker_running": True, "ticker_lag_seconds": 0.0}
