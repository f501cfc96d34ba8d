"""A person's submission locks them against their own other submissions only (PostgreSQL row locks).

SQLite has no row locks: there every write transaction waits for the one before it anyway.
"""

import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction

from enhancer.coins import ledger
from enhancer.jobs import intake
from enhancer.models import CoinCharge, JobStatus
from tests.support.jobs import make_job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite queues every write transaction")


@contextmanager
def submitting(person):
    """Another connection, in the middle of one of `person`'s submissions."""
    holding, done = threading.Event(), threading.Event()

    def submission():
        try:
            with transaction.atomic():
                intake._lock_person(person)
                holding.set()
                done.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=submission)
    thread.start()
    assert holding.wait(5)
    try:
        yield
    finally:
        done.set()
        thread.join()


def waiting_at_most(seconds: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{seconds}s'")


def test_a_charge_for_a_person_is_recorded_while_they_are_submitting(alice):
    """The ledger's check that the person exists must not wait for their next photo's submission."""
    job = make_job(JobStatus.SUBMITTING, user=alice)

    with submitting(alice), transaction.atomic():
        waiting_at_most(2)
        ledger.write_charge(job, "hp-1", 40)

    assert CoinCharge.objects.filter(job=job, coins=40).exists()


def test_two_submissions_by_one_person_still_go_one_after_the_other(alice, bob):
    with submitting(alice):
        with transaction.atomic():
            waiting_at_most(1)
            intake._lock_person(bob)  # someone else: no wait
        with pytest.raises(OperationalError), transaction.atomic():
            waiting_at_most(1)
            intake._lock_person(alice)
