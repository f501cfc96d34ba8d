"""The ticker and its batches: due jobs go out once per turn, and only one ticker runs at a time."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from enhancer.jobs import claims, intake, pipeline, scheduler
from enhancer.models import Job, JobStatus, Lease
from tests.support.jobs import (
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    make_job,
    serve_images,
)


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    settings.ENHANCER_BATCH_SIZE = 2
    settings.ENHANCER_TICK_SECONDS = 0.05


@pytest.fixture
def client(monkeypatch):
    stub = StubClient()
    monkeypatch.setattr(scheduler, "get_client", lambda: stub)
    return stub


def batch_of(token):
    return set(Job.objects.filter(lease_token=token).values_list("pk", flat=True))


@pytest.mark.django_db
def test_dispatch_hands_one_token_per_batch_to_the_queue():
    due = [make_job(JobStatus.CONVERTING) for _ in range(5)]
    enqueued = []

    count = scheduler.dispatch_due(enqueued.append)

    assert count == len(enqueued) == 3
    assert set().union(*map(batch_of, enqueued)) == {job.pk for job in due}


@pytest.mark.django_db(transaction=True)
def test_batches_queued_beside_the_jobs_are_written_with_their_claims_or_not_at_all():
    """django-q2's ORM broker: a queue that fails mid-tick leaves no job claimed and waiting a lease."""
    due = [make_job(JobStatus.CONVERTING) for _ in range(3)]

    def queue_breaks(token):
        raise DatabaseError("the queue table is gone")

    with pytest.raises(DatabaseError):
        scheduler.dispatch_due(queue_breaks, queue_in_database=True)

    assert not Job.objects.filter(pk__in=[job.pk for job in due]).exclude(lease_token="").exists()
    assert scheduler.dispatch_due(lambda token: None, queue_in_database=True) == 2  # due again at once


@pytest.mark.django_db(transaction=True)
def test_batches_queued_elsewhere_go_out_only_once_their_claims_are_committed():
    """Redis: a worker may take a batch the moment it is queued, and must find its jobs claimed."""
    due = [make_job(JobStatus.CONVERTING) for _ in range(3)]
    seen = []

    def queue(token):
        seen.append((connection.in_atomic_block, batch_of(token)))

    assert scheduler.dispatch_due(queue) == 2

    assert [in_transaction for in_transaction, _ in seen] == [False, False]
    assert set().union(*(jobs for _, jobs in seen)) == {job.pk for job in due}


@pytest.mark.django_db
def test_dispatch_leaves_jobs_that_are_not_due_or_already_taken():
    later = make_job(JobStatus.CONVERTING, due_at=timezone.now() + timedelta(seconds=30))
    taken = make_job(JobStatus.CONVERTING)
    token = claims.claim_job(taken.pk)
    enqueued = []

    assert scheduler.dispatch_due(enqueued.append) == 0

    assert enqueued == []
    later.refresh_from_db()
    taken.refresh_from_db()
    assert (later.lease_token, taken.lease_token) == ("", token)


@pytest.mark.django_db(transaction=True)  # the ticker closes stale connections
def test_the_ticker_dispatches_what_is_due_then_lets_go_of_its_lease():
    make_job(JobStatus.CONVERTING)
    enqueued = []

    assert scheduler.run_ticker(enqueued.append, run_seconds=0) is True

    assert len(enqueued) == 1
    assert not claims.lease_is_held(scheduler.TICKER)


@pytest.mark.django_db(transaction=True)  # the ticker closes stale connections
def test_a_second_ticker_started_meanwhile_steps_aside():
    make_job(JobStatus.CONVERTING)
    rivals = []

    def enqueue(token):
        rivals.append(scheduler.run_ticker(lambda other: pytest.fail("rival dispatched"), run_seconds=0))

    assert scheduler.run_ticker(enqueue, run_seconds=0) is True

    assert rivals == [False]


@pytest.mark.django_db(transaction=True)  # the ticker closes stale connections
def test_a_ticker_does_nothing_while_another_holds_the_lease():
    make_job(JobStatus.CONVERTING)
    claims.acquire_lease(scheduler.TICKER, "other-ticker", 60)
    enqueued = []

    assert scheduler.run_ticker(enqueued.append, run_seconds=0) is False

    assert enqueued == []
    assert not scheduler.ticker_needed()


@pytest.mark.django_db(transaction=True)  # the ticker closes stale connections
def test_a_new_ticker_takes_over_from_one_that_died():
    claims.acquire_lease(scheduler.TICKER, "dead-ticker", 60)
    Lease.objects.filter(name=scheduler.TICKER).update(until=timezone.now() - timedelta(seconds=1))

    assert scheduler.ticker_needed()
    assert scheduler.run_ticker(lambda token: None, run_seconds=0) is True


@pytest.mark.django_db
def test_a_batch_of_one_advances_its_job(client):
    job = make_job(JobStatus.SUBMITTING)
    [token] = claims.claim_due_jobs(10, 10)

    assert scheduler.run_batch(token) == 1

    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING
    assert len(client.submit_calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_advances_every_job_it_holds(client, settings):
    settings.ENHANCER_BATCH_SIZE = 8
    jobs = [make_job(JobStatus.SUBMITTING, img_url=f"https://photos.example/{n}.png") for n in range(6)]
    [token] = claims.claim_due_jobs(10, 8)

    assert scheduler.run_batch(token) == 6

    assert {job.status for job in Job.objects.all()} == {JobStatus.CONVERTING}
    assert sorted(call["img_url"] for call in client.submit_calls) == sorted(job.img_url for job in jobs)


@pytest.mark.django_db(transaction=True)
def test_a_step_that_crashes_leaves_the_rest_of_the_batch_going(client):
    def first_call_crashes(call_number):
        if call_number == 1:
            raise RuntimeError("worker bug")

    client.on_submit = first_call_crashes
    [make_job(JobStatus.SUBMITTING) for _ in range(4)]
    [token] = claims.claim_due_jobs(10, 8)

    scheduler.run_batch(token)

    statuses = sorted(Job.objects.values_list("status", flat=True))
    assert statuses == ["converting"] * 3 + ["submitting"]
    crashed = Job.objects.get(status=JobStatus.SUBMITTING)
    assert crashed.lease_token == token
    Job.objects.filter(pk=crashed.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    pipeline.advance(crashed.pk, claims.claim_job(crashed.pk), client)
    crashed.refresh_from_db()
    assert crashed.status == JobStatus.NEEDS_REVIEW
    assert len(client.submit_calls) == 4


@pytest.mark.django_db(transaction=True)
def test_ticking_and_batches_take_new_jobs_all_the_way_to_completed(client, settings, monkeypatch, fake_dns):
    settings.ENHANCER_POLL_INTERVAL_SECONDS = 0
    settings.ENHANCER_BATCH_SIZE = 8
    client.statuses = [completed()]
    jobs = [make_job(img_url=f"https://photos.example/{n}.png") for n in range(4)]
    with serve_images(monkeypatch, fake_dns) as web:
        for job in jobs:
            add_image(web, job.img_url)
        add_image(web, RESULT_URL, 128, 96)

        for _ in range(6):
            scheduler.dispatch_due(scheduler.run_batch)

    assert {job.status for job in Job.objects.all()} == {JobStatus.COMPLETED}
    assert sorted(call["img_url"] for call in client.submit_calls) == sorted(job.img_url for job in jobs)


@pytest.mark.django_db(transaction=True)
def test_a_fetched_photo_goes_to_hitpaw_and_a_finished_one_is_saved_without_waiting_for_a_turn(
    client, settings, monkeypatch, fake_dns
):
    """Steps due at once follow each other in the same batch: no tick, no broker trip in between."""
    settings.ENHANCER_POLL_INTERVAL_SECONDS = 60
    client.statuses = [completed()]
    new = make_job(img_url="https://photos.example/new.png")
    done = make_job(JobStatus.CONVERTING)
    with serve_images(monkeypatch, fake_dns) as web:
        add_image(web, new.img_url)
        add_image(web, RESULT_URL, 128, 96)

        scheduler.dispatch_due(scheduler.run_batch)  # one turn of the ticker

    new.refresh_from_db()
    done.refresh_from_db()
    assert new.status == JobStatus.CONVERTING and new.hitpaw_job_id  # fetched, then sent
    assert new.lease_token == "" and new.due_at > timezone.now()  # then waits its first poll
    assert done.status == JobStatus.COMPLETED and done.result  # polled, then saved
    assert client.status_calls == [done.hitpaw_job_id]


@pytest.mark.django_db
def test_submissions_while_a_ticker_runs_ask_the_database_once_and_start_none(
    monkeypatch, django_assert_num_queries
):
    started = []
    monkeypatch.setattr("enhancer.tasks.async_task", lambda name, **options: started.append(name))
    claims.acquire_lease(scheduler.TICKER, "running-ticker", 60)

    intake.wake_ticker()
    with django_assert_num_queries(0):
        intake.wake_ticker()
    assert started == []

    Lease.objects.filter(name=scheduler.TICKER).update(until=None)  # that ticker ended
    scheduler.forget_ticker_seen()  # as a second later
    intake.wake_ticker()
    assert started == ["enhancer.tasks.ticker"]


@pytest.mark.django_db(transaction=True)
def test_a_fetched_photo_is_sent_under_the_same_lease_with_no_claim_in_between(client, monkeypatch, fake_dns):
    """The worker that fetched a photo keeps it for the send: the ticker never sees it free."""
    job = make_job(img_url="https://photos.example/new.png")
    token = claims.claim_job(job.pk)
    seen_at_submit = []
    client.on_submit = lambda call: seen_at_submit.append(Job.objects.get(pk=job.pk).lease_token)
    with serve_images(monkeypatch, fake_dns) as web:
        add_image(web, job.img_url)

        scheduler.advance_while_due(job.pk, token)

    job.refresh_from_db()
    assert seen_at_submit == [token]  # still ours while HitPaw was asked
    assert job.status == JobStatus.CONVERTING and job.lease_token == "" and job.stalled_claims == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_out_of_time_hands_a_fetched_photo_back_instead_of_sending_it(client, monkeypatch, fake_dns):
    """A batch task is killed at its timeout: a send it could not finish in time is left to the ticker."""
    job = make_job(img_url="https://photos.example/new.png")
    token = claims.claim_job(job.pk)
    with serve_images(monkeypatch, fake_dns) as web:
        add_image(web, job.img_url)

        scheduler.advance_while_due(job.pk, token, next_step_until=0)  # already past

    job.refresh_from_db()
    assert client.submit_calls == []
    assert job.status == JobStatus.SUBMITTING and job.submit_started_at is None
    assert job.lease_token == "" and job.due_at <= timezone.now()  # the next turn sends it
    assert claims.claim_due_jobs(10, 10)  # and it can
