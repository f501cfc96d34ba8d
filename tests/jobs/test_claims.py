"""Claims and leases: a job's step runs under one lease at a time, so no photo is sent twice."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pipeline
from enhancer.jobs.pipeline import job_for_step
from enhancer.models import Job, JobStatus
from tests.support.jobs import StubClient, in_threads, make_job, timeline


def expire_lease(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_a_claimed_job_cannot_be_claimed_again_while_its_lease_runs():
    job = make_job(JobStatus.SUBMITTING)

    assert claims.claim_job(job.pk)
    assert claims.claim_job(job.pk) is None


@pytest.mark.django_db
def test_a_lease_held_by_another_worker_blocks_advance():
    job = make_job(JobStatus.SUBMITTING)
    assert claims.claim_job(job.pk)
    client = StubClient()

    pipeline.advance(job.pk, claims.new_token(), client)

    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING
    assert job.submit_started_at is None
    assert client.submit_calls == []


@pytest.mark.django_db
def test_a_worker_whose_lease_ran_out_changes_nothing():
    job = make_job(JobStatus.SUBMITTING)
    token = claims.claim_job(job.pk)
    expire_lease(job)
    client = StubClient()

    pipeline.advance(job.pk, token, client)

    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING
    assert client.submit_calls == []


@pytest.mark.django_db
def test_an_expired_lease_can_be_claimed_by_another_worker():
    job = make_job(JobStatus.SUBMITTING)
    first = claims.claim_job(job.pk)
    expire_lease(job)

    second = claims.claim_job(job.pk)
    pipeline.advance(job.pk, second, StubClient())

    assert second not in (None, first)
    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING


@pytest.mark.django_db
def test_writes_under_a_lost_lease_are_dropped_without_a_trace():
    job = make_job(JobStatus.SUBMITTING)
    stale = claims.claim_job(job.pk)
    expire_lease(job)
    assert claims.claim_job(job.pk)

    assert not claims.update(job.pk, stale, message="stale")
    assert not claims.transition(job.pk, stale, JobStatus.FAILED, "stale")
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING
    assert timeline(job) == ["submitting"]


@pytest.mark.django_db
def test_a_slow_submission_overtaken_by_another_worker_is_not_sent_twice_and_is_polled():
    job = make_job(JobStatus.SUBMITTING)
    other = StubClient()

    def lease_runs_out_meanwhile(call_number):
        expire_lease(job)
        pipeline.advance(job.pk, claims.claim_job(job.pk), other)

    slow = StubClient(submits=[Submission("hp-late", 10)], on_submit=lease_runs_out_meanwhile)
    pipeline.advance(job.pk, claims.claim_job(job.pk), slow)

    job.refresh_from_db()
    assert (len(slow.submit_calls), len(other.submit_calls)) == (1, 0)
    assert job.status == JobStatus.CONVERTING
    assert (job.hitpaw_job_id, job.coins) == ("hp-late", 10)
    assert job.submitted_at is not None and job.lease_token == ""
    assert timeline(job)[-2:] == ["needs_review", "converting"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.NEEDS_REVIEW])
def test_a_finished_job_cannot_be_claimed(status):
    assert claims.claim_job(make_job(status).pk) is None


@pytest.mark.django_db
def test_it_hands_each_due_job_to_exactly_one_batch():
    jobs = [make_job(JobStatus.CONVERTING) for _ in range(5)]

    tokens = claims.claim_due_jobs(limit=10, batch_size=2)

    assert len(tokens) == 3
    batches = [set(Job.objects.filter(lease_token=t).values_list("pk", flat=True)) for t in tokens]
    assert sorted(len(batch) for batch in batches) == [1, 2, 2]
    assert set().union(*batches) == {job.pk for job in jobs}
    assert claims.claim_due_jobs(limit=10, batch_size=2) == []


@pytest.mark.django_db
def test_it_claims_no_more_than_the_limit_oldest_due_first():
    now = timezone.now()
    jobs = [make_job(JobStatus.CONVERTING, due_at=now - timedelta(seconds=n)) for n in range(4)]

    [token] = claims.claim_due_jobs(limit=2, batch_size=10)

    claimed = set(Job.objects.filter(lease_token=token).values_list("pk", flat=True))
    assert claimed == {jobs[3].pk, jobs[2].pk}


@pytest.mark.django_db
def test_it_leaves_jobs_not_yet_due_leased_or_finished_alone():
    make_job(JobStatus.CONVERTING, due_at=timezone.now() + timedelta(minutes=1))
    make_job(JobStatus.CONVERTING, due_at=None)
    make_job(JobStatus.COMPLETED)
    claims.claim_job(make_job(JobStatus.CONVERTING).pk)

    assert claims.claim_due_jobs(limit=10, batch_size=10) == []


@pytest.mark.django_db
def test_it_hands_out_a_job_again_once_its_worker_lease_ran_out():
    job = make_job(JobStatus.CONVERTING)
    [first] = claims.claim_due_jobs(limit=10, batch_size=10)
    expire_lease(job)

    [second] = claims.claim_due_jobs(limit=10, batch_size=10)

    assert second != first
    job.refresh_from_db()
    assert job.lease_token == second


@pytest.mark.django_db(transaction=True)
def test_only_one_of_several_racing_workers_sends_the_photo():
    job = make_job(JobStatus.SUBMITTING)
    racers = 6
    lost = threading.Semaphore(0)

    def hold_until_the_others_tried(call_number):
        for _ in range(racers - 1):
            lost.acquire(timeout=10)

    client = StubClient(on_submit=hold_until_the_others_tried)

    def race(index):
        token = claims.claim_job(job.pk)
        if token is None:
            lost.release()
            return False
        pipeline.advance(job.pk, token, client)
        return True

    winners = in_threads(racers, race)

    assert winners.count(True) == 1
    assert len(client.submit_calls) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.CONVERTING
    assert timeline(job).count("converting") == 1


@pytest.mark.django_db(transaction=True)
def test_racing_tickers_hand_each_due_job_to_exactly_one_batch():
    jobs = [make_job(JobStatus.CONVERTING) for _ in range(24)]

    tokens = [t for batch in in_threads(4, lambda i: claims.claim_due_jobs(100, 5)) for t in batch]

    sizes = [Job.objects.filter(lease_token=token).count() for token in tokens]
    assert all(size > 0 for size in sizes)
    assert sum(sizes) == len(jobs)
    assert len(set(tokens)) == len(tokens)


@pytest.mark.django_db
def test_a_lease_with_room_for_any_step_is_used_as_it_is_and_a_shorter_one_is_renewed(settings):
    """A batch that waited in the queue renews its jobs' leases only when a step might outlast them."""
    job = make_job(JobStatus.CONVERTING)
    token = claims.claim_job(job.pk)
    room = claims.longest_step_seconds() + claims.STEP_MARGIN_SECONDS

    roomy = timezone.now() + timedelta(seconds=room + 5)
    Job.objects.filter(pk=job.pk).update(lease_until=roomy)
    assert claims.hold_for_step(job_for_step(job.pk), token)
    assert Job.objects.get(pk=job.pk).lease_until == roomy  # no write

    short = timezone.now() + timedelta(seconds=room - 5)
    Job.objects.filter(pk=job.pk).update(lease_until=short)
    assert claims.hold_for_step(job_for_step(job.pk), token)
    renewed = Job.objects.get(pk=job.pk).lease_until
    assert renewed >= timezone.now() + timedelta(seconds=settings.ENHANCER_LEASE_SECONDS - 5)


@pytest.mark.django_db
def test_a_step_reads_its_job_with_the_database_clock_and_its_model():
    job = make_job(JobStatus.CONVERTING)

    read = job_for_step(job.pk)

    assert read.pk == job.pk and read.hitpaw_job_id == job.hitpaw_job_id
    assert abs(read.db_now - timezone.now()) < timedelta(seconds=5)  # an aware time, on any database
    assert (read.model.kind, read.model.scale) == (job.model.kind, job.model.scale)
    assert read.model.display_name == job.model.display_name  # anything else loads when asked
    assert job_for_step(job.pk + 1000) is None
