"""The admin's ways out for a paid photo: Resume, and "HitPaw has it as job X for N coins"."""

import pytest
from django.utils import timezone

from enhancer.models import CoinCharge, Job, JobStatus
from tests.support.jobs import make_job
from tests.support.roles import user_with_role


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with_role("adam", "admins", is_staff=True))
    return client


def run_action(client, action: str, jobs, **extra):
    data = {"action": action, "_selected_action": [str(job.pk) for job in jobs], **extra}
    return client.post("/admin/enhancer/job/", data, follow=True)


def lost_answer_job(user) -> Job:
    return make_job(
        JobStatus.NEEDS_REVIEW,
        user=user,
        submit_started_at=timezone.now(),
        estimated_coins=20,
        message="We do not know whether HitPaw took it.",
    )


def test_an_admin_resumes_a_paid_photo_in_review(admin_client, alice):
    job = make_job(
        JobStatus.NEEDS_REVIEW, user=alice, hitpaw_job_id="hp-1", coins=20, submitted_at=timezone.now()
    )

    response = run_action(admin_client, "resume_jobs", [job])

    assert "1 job(s) will be checked at HitPaw again" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id) == (JobStatus.CONVERTING, "hp-1")


def test_recording_a_lost_charge_asks_for_the_number_then_enters_the_ledger_once(admin_client, alice):
    job = lost_answer_job(alice)

    form = run_action(admin_client, "record_lost_charge", [job]).content.decode()
    assert 'name="hitpaw_job_id"' in form and 'name="coins"' in form
    assert not CoinCharge.objects.exists()

    answer = {"apply": "1", "hitpaw_job_id": "hp-lost", "coins": "20"}
    done = run_action(admin_client, "record_lost_charge", [job], **answer).content.decode()
    run_action(admin_client, "record_lost_charge", [job], **answer)

    assert "HitPaw&#x27;s job hp-lost and its 20 coins are recorded" in done
    assert list(CoinCharge.objects.values_list("job", "hitpaw_job_id", "coins")) == [(job.pk, "hp-lost", 20)]
    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id, job.coins) == (JobStatus.CONVERTING, "hp-lost", 20)


def test_a_reviewer_has_neither_action(client, alice):
    client.force_login(user_with_role("rita", "reviewers", is_staff=True))
    job = lost_answer_job(alice)

    run_action(client, "record_lost_charge", [job], apply="1", hitpaw_job_id="hp-x", coins="20")
    run_action(client, "resume_jobs", [job])

    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id) == (JobStatus.NEEDS_REVIEW, "")
    assert not CoinCharge.objects.exists()
