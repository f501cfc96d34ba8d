"""The ticker and its batches: due jobs go out once per turn, never more than the workers can start."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from enhancer.jobs import claims, pipeline, scheduler
from enhancer.models import Job, JobStatus
from tests.support.jobs import (
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    in_threads,
    make_job,
    serve_images,
)


@pytest.fixture(autouse=True)
def quick(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(scheduler, "BATCH_SIZE", 2)


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


@pytest.mark.django_db
def test_a_tick_claims_no_more_than_the_workers_can_start(monkeypatch, settings):
    """Backpressure: a batch waits in the queue at most QUEUED_BATCHES_PER_WORKER per worker."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    monkeypatch.setattr(scheduler, "QUEUED_BATCHES_PER_WORKER", 2)
    [make_job(JobStatus.CONVERTING) for _ in range(20)]
    queued = []
    monkeypatch.setattr(scheduler, "async_task", lambda func, token, **options: queued.append((func, token)))

    assert scheduler.tick(QueueOf(size=1)) == 3  # 2 workers x 2, less the one batch waiting
    assert scheduler.tick(QueueOf(size=4)) == 0  # the queue is full: nothing is claimed

    assert [func for func, _ in queued] == ["enhancer.tasks.advance_batch"] * 3
    assert Job.objects.exclude(lease_token="").count() == 3 * scheduler.BATCH_SIZE


class QueueOf:
    """A broker that only says how many tasks wait in it."""

    def __init__(self, size: int) -> None:
        self.size = size

    def queue_size(self) -> int:
        return self.size


@pytest.mark.django_db
def test_paid_results_due_for_saving_go_out_first_in_batches_of_their_own():
    polls = [make_job(JobStatus.CONVERTING, due_at=timezone.now() - timedelta(minutes=5)) for _ in range(3)]
    saves = [make_job(JobStatus.DOWNLOADING) for _ in range(3)]
    enqueued = []

    scheduler.dispatch_due(enqueued.append)

    assert [batch_of(token) for token in enqueued] == [
        {saves[0].pk, saves[1].pk},
        {saves[2].pk},
        {polls[0].pk, polls[1].pk},
        {polls[2].pk},
    ]


@pytest.mark.django_db
def test_a_full_queue_leaves_the_polls_and_still_takes_the_saves():
    make_job(JobStatus.CONVERTING, due_at=timezone.now() - timedelta(minutes=5))
    save = make_job(JobStatus.DOWNLOADING)
    enqueued = []

    assert scheduler.dispatch_due(enqueued.append, batches=1) == 1

    assert batch_of(enqueued[0]) == {save.pk}


@pytest.mark.django_db(transaction=True)
def test_two_tickers_at_once_never_claim_one_job_twice():
    jobs = [make_job(JobStatus.CONVERTING) for _ in range(40)]
    claimed: list[list[set]] = [[], []]

    def ticker(number):
        return scheduler.dispatch_due(lambda token: claimed[number].append(batch_of(token)))

    results = in_threads(2, ticker)

    first = set().union(*claimed[0]) if claimed[0] else set()
    second = set().union(*claimed[1]) if claimed[1] else set()
    assert sum(results) == len(claimed[0]) + len(claimed[1])
    assert not first & second
    assert first | second == {job.pk for job in jobs}


@pytest.mark.django_db
def test_a_batch_of_one_advances_its_job(client):
    job = make_job(JobStatus.SUBMITTING)
    [token] = claims.claim_due_jobs(10, 10)

    assert scheduler.run_batch(token) == 1

    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING
    assert len(client.submit_calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_advances_every_job_it_holds(client):
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
    monkeypatch.setattr(scheduler, "BATCH_SIZE", 8)
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
