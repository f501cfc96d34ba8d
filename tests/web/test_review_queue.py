"""The review queue: photos needing a check, their facts, and one button per decision, by role."""

import pytest
from django.test import Client

from enhancer.models import CoinCharge, Job, JobStatus
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

QUEUE = "/review/"


@pytest.fixture
def rita_client(db, catalogue):
    browser = Client()
    browser.force_login(user_with_role("rita", "reviewers"))
    return browser


def lost_answer(**fields) -> Job:
    """A photo whose sending went unanswered: HitPaw may or may not have it."""
    return make_job(JobStatus.NEEDS_REVIEW, estimated_coins=20, submit_started_at=None, **fields)


def status_of(job: Job) -> str:
    return Job.objects.get(pk=job.pk).status


def test_the_queue_lists_each_photo_needing_a_check_with_its_facts(adam_client, alice):
    alice.first_name, alice.last_name = "Alice", "Archer"
    alice.save()
    unknown = lost_answer(user=alice)
    numbered = lost_answer(user=alice, hitpaw_job_id="hp-77")
    make_job(JobStatus.COMPLETED, user=alice)

    page = adam_client.get(QUEUE).content.decode()

    assert page.count("data-review-job=") == 2
    assert f'data-review-job="{unknown.pk}"' in page and f'data-review-job="{numbered.pk}"' in page
    assert '<dd data-fact="hitpaw-job">hp-77</dd>' in page
    assert "none: HitPaw's answer was lost" in page
    assert '<dd data-fact="estimate">about 20 coins</dd>' in page
    assert '<dd data-fact="owner">Alice Archer</dd>' in page


def test_reviewers_look_but_have_no_buttons_and_cannot_act(rita_client):
    job = lost_answer()

    page = rita_client.get(QUEUE).content.decode()
    assert f'data-review-job="{job.pk}"' in page and "data-action" not in page

    for action in ("resume", "close", "send-again"):
        assert rita_client.post(f"/review/{job.pk}/{action}").status_code == 403
    assert (
        rita_client.post(f"/review/{job.pk}/charge", {"hitpaw_job_id": "hp-1", "coins": 20}).status_code
        == 403
    )
    assert status_of(job) == JobStatus.NEEDS_REVIEW
    assert not CoinCharge.objects.exists()


def test_staff_do_not_find_the_queue(alice_client):
    job = lost_answer()
    assert alice_client.get(QUEUE).status_code == 404
    assert alice_client.post(f"/review/{job.pk}/close").status_code == 404
    assert status_of(job) == JobStatus.NEEDS_REVIEW


def test_resume_polls_the_hitpaw_job_the_photo_has_without_a_new_charge(adam_client):
    job = lost_answer(hitpaw_job_id="hp-77", coins=20)

    response = adam_client.post(f"/review/{job.pk}/resume", follow=True)

    assert status_of(job) == JobStatus.CONVERTING
    assert Job.objects.get(pk=job.pk).hitpaw_job_id == "hp-77"  # the same HitPaw job, not a new one
    assert "no new charge" in response.content.decode()


def test_hitpaw_has_it_as_job_x_records_the_charge_once_and_resumes(adam_client):
    job = lost_answer()

    adam_client.post(f"/review/{job.pk}/charge", {"hitpaw_job_id": "hp-9", "coins": "30"})
    again = adam_client.post(
        f"/review/{job.pk}/charge", {"hitpaw_job_id": "hp-9", "coins": "30"}, follow=True
    )

    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id, job.coins) == (JobStatus.CONVERTING, "hp-9", 30)
    assert list(CoinCharge.objects.values_list("hitpaw_job_id", "coins")) == [("hp-9", 30)]
    assert "no longer needs a check" in again.content.decode()


def test_a_bad_job_number_or_coins_records_nothing_and_says_why(adam_client):
    job = lost_answer()

    response = adam_client.post(f"/review/{job.pk}/charge", {"hitpaw_job_id": "", "coins": "-3"}, follow=True)

    page = response.content.decode()
    assert "nothing was recorded" in page and "HitPaw job number" in page and "Coins HitPaw charged" in page
    assert status_of(job) == JobStatus.NEEDS_REVIEW
    assert not CoinCharge.objects.exists()


def test_send_again_names_the_price_before_anything_is_sent(adam_client):
    job = lost_answer()

    page = adam_client.get(f"/review/{job.pk}/send-again").content.decode()

    assert "about 20 coins" in page and "second charge" in page
    assert status_of(job) == JobStatus.NEEDS_REVIEW

    adam_client.post(f"/review/{job.pk}/send-again", {"hitpaw_has_no_record": "0"})
    assert status_of(job) == JobStatus.SUBMITTING


def test_send_again_of_a_photo_hitpaw_numbered_needs_the_admin_to_say_hitpaw_has_no_record(adam_client):
    job = lost_answer(hitpaw_job_id="hp-77")

    page = adam_client.get(f"/review/{job.pk}/send-again").content.decode()
    refused = adam_client.post(f"/review/{job.pk}/send-again")

    assert "job number <strong>hp-77</strong>" in page and "Resume (no new charge)" in page
    assert refused.status_code == 400 and "has no record of job hp-77" in refused.content.decode()
    assert status_of(job) == JobStatus.NEEDS_REVIEW

    adam_client.post(f"/review/{job.pk}/send-again", {"hitpaw_has_no_record": "1"})
    job.refresh_from_db()
    assert (job.status, job.hitpaw_job_id) == (JobStatus.SUBMITTING, "")


def test_close_ends_the_check_without_sending(adam_client):
    job = lost_answer()

    adam_client.post(f"/review/{job.pk}/close")

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELED
    assert job.submit_started_at is None and not CoinCharge.objects.exists()
    assert f'data-review-job="{job.pk}"' not in adam_client.get(QUEUE).content.decode()


def test_a_second_click_on_a_photo_already_dealt_with_changes_nothing(adam_client):
    job = lost_answer()
    adam_client.post(f"/review/{job.pk}/close")

    response = adam_client.post(f"/review/{job.pk}/send-again", {"hitpaw_has_no_record": "0"}, follow=True)

    assert status_of(job) == JobStatus.CANCELED
    assert "no longer needs a check" in response.content.decode()


def test_the_system_page_links_the_queue(adam_client):
    lost_answer()
    assert (
        '<a href="/review/">1 photo in the review queue</a>' in adam_client.get("/system/").content.decode()
    )
