"""Every page that shows coins reads the ledger: after an admin sends a charged photo again, the
job page, the history, the batch page, the usage page and its CSV, the team page and the budget all
say 140 for a photo charged 70 twice (`Job.coins` holds only the second submission's 70)."""

import csv
import io
import re

import pytest

from enhancer.coins import budgets
from enhancer.hitpaw.client import Submission
from enhancer.jobs import review
from enhancer.models import Batch, CoinCharge, Job, JobStatus, UserBudget
from tests.support.jobs import StubClient, make_job, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged_twice(alice, general_2x):
    """A photo charged 70, sent to review, resubmitted by an admin and charged 70 again."""
    batch = Batch.objects.create(user=alice, model=general_2x)
    job = make_job(JobStatus.SUBMITTING, user=alice, model=general_2x, estimated_coins=70, batch=batch)
    step(job, StubClient(submits=[Submission("hp-first", 70)]))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.NEEDS_REVIEW)
    assert review.resubmit([job.pk], hitpaw_has_no_record=True) == 1
    job = step(job, StubClient(submits=[Submission("hp-second", 70)]))
    assert job.coins == 70  # the current submission's charge only
    assert sorted(CoinCharge.objects.filter(job=job).values_list("coins", flat=True)) == [70, 70]
    return job


def test_the_job_page_and_its_live_status_say_what_the_ledger_says(alice_client, charged_twice):
    page = alice_client.get(f"/jobs/{charged_twice.pk}/").content.decode()
    assert re.search(r"<strong data-coins>140</strong>", page)
    assert alice_client.get(f"/jobs/{charged_twice.pk}/status.json").json()["coins"] == 140


def test_the_history_says_what_the_ledger_says(alice_client, charged_twice):
    assert "<dd data-coins>140</dd>" in alice_client.get("/jobs/").content.decode()
    status = alice_client.get("/jobs/status.json", {"ids": str(charged_twice.pk)}).json()
    assert status["jobs"][0]["coins"] == 140


def test_the_usage_page_and_its_csv_say_what_the_ledger_says(alice_client, charged_twice):
    page = alice_client.get("/usage/").content.decode()
    assert "<dd data-range-total>140</dd>" in page
    rows = list(csv.reader(io.StringIO(alice_client.get("/usage/coins.csv").content.decode("utf-8-sig"))))
    assert sum(int(row[-1]) for row in rows[1:]) == 140


def test_the_team_page_says_what_the_ledger_says(client, admin_user, charged_twice):
    client.force_login(admin_user)
    response = client.get("/team/")
    [person] = response.context["people"]
    assert person.total == 140
    assert re.search(r'<td data-label="Coins">140</td>', response.content.decode())


def test_the_budget_counts_both_charges(alice, charged_twice):
    UserBudget.objects.create(user=alice, monthly_coins=1000)
    assert budgets.user_left(alice).used == 140


def test_the_batch_page_says_what_the_ledger_says(alice_client, charged_twice):
    page = alice_client.get(f"/batches/{charged_twice.batch_id}/").content.decode()
    assert "<span data-coins>140</span>" in page
    status = alice_client.get(f"/batches/{charged_twice.batch_id}/status.json").json()
    assert status["totals"]["coins"] == 140
    assert status["jobs"][0]["coins"] == 140
