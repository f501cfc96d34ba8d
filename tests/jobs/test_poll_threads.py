"""Poll threads outlive their batch: each keeps its HitPaw client (and its connections) for the next."""

import threading

import pytest

from enhancer.jobs import claims, client_factory, scheduler
from enhancer.models import JobStatus
from tests.support.jobs import StubClient, make_job


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(scheduler, "THREADS_PER_BATCH", 2)
    monkeypatch.setattr(scheduler, "BATCH_SIZE", 2)
    scheduler.stop_poll_threads()
    yield
    scheduler.stop_poll_threads()


@pytest.fixture
def clients_seen(monkeypatch):
    """Each call's (thread, its real HitPaw client), kept alive so no id is reused; a stub answers."""
    seen = []
    stub = StubClient()

    def recording_client():
        seen.append((threading.current_thread(), client_factory.get_client()))
        return stub

    monkeypatch.setattr(scheduler, "get_client", recording_client)
    return seen


def run_batches(count):
    for _ in range(count):
        make_job(JobStatus.SUBMITTING)
        make_job(JobStatus.SUBMITTING)
        [token] = claims.claim_due_jobs(10, 2)
        assert scheduler.run_batch(token) == 2


@pytest.mark.django_db(transaction=True)
def test_it_runs_every_batch_on_the_same_few_threads(two_threads, clients_seen):
    run_batches(5)

    assert len(clients_seen) == 10
    assert len({thread for thread, _ in clients_seen}) <= 2


@pytest.mark.django_db(transaction=True)
def test_it_gives_each_thread_one_hitpaw_client_for_all_its_batches(two_threads, clients_seen):
    run_batches(5)

    clients = {client for _, client in clients_seen}
    assert len(clients) <= 2


def test_it_makes_one_client_per_thread():
    here = client_factory.get_client()
    elsewhere = []
    worker = threading.Thread(target=lambda: elsewhere.append(client_factory.get_client()))
    worker.start()
    worker.join()

    assert client_factory.get_client() is here
    assert elsewhere[0] is not here
