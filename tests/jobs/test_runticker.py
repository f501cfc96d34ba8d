"""`manage.py runticker`: claims what is due, queues its batches by name, stops cleanly on SIGTERM."""

import os
import signal
import threading

import pytest
from django.core.management import call_command
from django_q.brokers import get_broker
from django_q.models import Schedule

from enhancer.jobs import claims, scheduler
from enhancer.models import Job, JobStatus, Lease
from tests.support.jobs import make_job


@pytest.fixture
def queued(monkeypatch):
    """The batches the ticker queues, by function name and token, instead of a real broker's."""
    tasks = []
    monkeypatch.setattr(scheduler, "async_task", lambda func, token, **options: tasks.append((func, token)))
    monkeypatch.setattr(scheduler, "free_batches", lambda broker: 10)
    return tasks


@pytest.fixture
def signals_restored():
    """The command sets SIGTERM and SIGINT handlers; the test process gets its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)  # the ticker closes stale connections
def test_one_tick_claims_the_due_jobs_and_queues_their_batches_by_name(queued, signals_restored):
    jobs = [make_job(JobStatus.CONVERTING) for _ in range(3)]

    call_command("runticker", "--once")

    assert [func for func, _ in queued] == ["enhancer.tasks.advance_batch"]
    [(_, token)] = queued
    assert set(Job.objects.filter(lease_token=token).values_list("pk", flat=True)) == {j.pk for j in jobs}
    assert claims.lease_is_held(scheduler.TICKER)  # /healthz: a ticker runs


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_it_after_the_current_tick(queued, signals_restored, monkeypatch):
    monkeypatch.setattr(scheduler, "TICK_SECONDS", 0.05)
    ticks = []
    real_tick = scheduler.tick

    def counted_tick(broker):
        ticks.append(1)
        if len(ticks) == 3:  # mid-run, as an operator's `systemctl stop` would
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM)).start()
        return real_tick(broker)

    monkeypatch.setattr(scheduler, "tick", counted_tick)
    make_job(JobStatus.CONVERTING)

    call_command("runticker")  # returns: exit status 0

    assert 3 <= len(ticks) <= 5
    assert len(queued) == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_batches_are_queued_with_their_claims(signals_restored, settings):
    """django-q2's ORM broker: a real tick writes the batch row beside the claims."""
    if not scheduler.queue_in_database():
        pytest.skip("the queue is in Redis here")
    broker = get_broker()
    broker.purge_queue()
    make_job(JobStatus.CONVERTING)

    call_command("runticker", "--once")

    assert broker.queue_size() == 1
    broker.purge_queue()


@pytest.mark.django_db
def test_no_schedule_or_lease_of_the_old_self_chaining_ticker_is_left_after_migrating():
    assert not Schedule.objects.filter(func__in=["enhancer.tasks.watchdog", "enhancer.tasks.ticker"]).exists()
    assert not Lease.objects.filter(name="ticker-kick").exists()
