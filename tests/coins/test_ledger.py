"""The coin ledger: one entry per charge HitPaw reports, written with the submission, never twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from enhancer.coins import ledger
from enhancer.hitpaw.client import Submission
from enhancer.jobs import claims, pauses, pipeline, review
from enhancer.models import CoinCharge, Job, JobStatus, expected_balance
from tests.support.jobs import StubClient, make_job, step
from tests.support.roles import user_with_role

pytestmark = pytest.mark.django_db


def expire_lease(job):
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_it_writes_a_charge_tied_to_the_job_user_and_model(alice, general_2x):
    job = make_job(JobStatus.SUBMITTING, user=alice, model=general_2x, estimated_coins=10)

    step(job, StubClient(submits=[Submission("hp-1", 20)]))

    [charge] = CoinCharge.objects.all()
    assert (charge.job_id, charge.user, charge.model, charge.hitpaw_job_id) == (
        job.pk,
        alice,
        general_2x,
        "hp-1",
    )
    assert (charge.coins, charge.estimated_coins) == (20, 10)


def test_it_writes_nothing_when_hitpaw_refused_the_photo():
    step(make_job(JobStatus.SUBMITTING), StubClient(submits=[pipeline.HitPawError("no", transient=False)]))

    assert not CoinCharge.objects.exists()


@pytest.mark.django_db(transaction=True)  # the pipeline closes a broken connection
def test_it_writes_no_charge_when_the_submission_could_not_be_recorded(settings):
    settings.ENHANCER_LEASE_SECONDS = 7  # retried until the lease is nearly gone: a short one
    job = make_job(JobStatus.SUBMITTING)
    ledger_broke = mock.patch.object(ledger, "write_charge", side_effect=DatabaseError("disk full"))

    with ledger_broke:
        step(job, StubClient(submits=[Submission("hp-1", 20)]))

    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING  # the job's record and its charge go together, or not at all
    assert not CoinCharge.objects.exists()


def test_it_writes_the_charge_of_a_submission_accepted_after_the_lease_ran_out():
    job = make_job(JobStatus.SUBMITTING)

    def lease_runs_out_meanwhile(call_number):
        expire_lease(job)
        pipeline.advance(job.pk, claims.claim_job(job.pk), StubClient())  # sends the job to review

    step(job, StubClient(submits=[Submission("hp-late", 30)], on_submit=lease_runs_out_meanwhile))

    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-late", 30)]


def test_it_writes_the_charge_even_when_the_job_had_moved_on():
    job = make_job(JobStatus.SUBMITTING)

    def closed_meanwhile(call_number):
        expire_lease(job)
        pipeline.advance(job.pk, claims.claim_job(job.pk), StubClient())
        review.close([job.pk])

    step(job, StubClient(submits=[Submission("hp-late", 30)], on_submit=closed_meanwhile))

    assert list(CoinCharge.objects.values_list("job", "coins")) == [(job.pk, 30)]


def test_it_never_writes_one_charge_twice():
    job = make_job(JobStatus.CONVERTING)

    ledger.record_charge(job, "hp-1", 20)
    ledger.record_charge(job, "hp-1", 20)

    assert CoinCharge.objects.filter(job=job).count() == 1


def test_a_deliberate_resubmission_is_a_second_charge():
    job = make_job(JobStatus.SUBMITTING)
    client = StubClient(submits=[Submission("hp-1", 20), Submission("hp-2", 20)])
    step(job, client)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.NEEDS_REVIEW, hitpaw_job_id="")
    review.resubmit([job.pk])

    step(job, client)

    assert sorted(CoinCharge.objects.values_list("hitpaw_job_id", flat=True)) == ["hp-1", "hp-2"]


def test_the_expected_balance_is_coins_bought_minus_coins_charged():
    ledger.record_top_up(1000, "invoice 7")
    ledger.record_top_up(500)
    ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-1", 20)
    ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-2", 70)

    assert expected_balance() == 1410


def test_a_coins_ran_out_pause_shows_the_expected_balance_beside_hitpaws_answer(client, db):
    ledger.record_top_up(100)
    ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-1", 70)
    pauses.pause("The team's HitPaw coin balance has run out. Ask an admin to top up.", 110402000)
    client.force_login(user_with_role("adam", "admins", is_staff=True))  # admins see the balance

    page = client.get("/jobs/").content.decode()

    assert "balance has run out" in page
    assert "about 30 coins should be left" in page


def test_another_pause_shows_no_balance(alice_client):
    pauses.pause("The API key is wrong.", 100401000)

    assert "data-expected-balance" not in alice_client.get("/jobs/").content.decode()
