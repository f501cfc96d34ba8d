"""The job admin answers questions: read-only records with timeline and previews, coin totals, actions, no deleting."""

import csv
import io

import pytest

from enhancer.models import Job, JobStatus, ShareLink, SubmissionPause, TopUp
from tests.support.charges import charged
from tests.support.finished import finished_job
from tests.support.jobs import make_job


def run_action(client, action: str, jobs):
    data = {"action": action, "_selected_action": [str(job.pk) for job in jobs]}
    return client.post("/admin/enhancer/job/", data, follow=True)


def test_the_job_record_is_read_only_with_no_scheduling_details(admin_client, alice, general_2x):
    job = finished_job(alice, general_2x, hitpaw_job_id="hp-7f3a", estimated_coins=10)

    page = admin_client.get(f"/admin/enhancer/job/{job.pk}/change/").content.decode()

    assert 'name="_save"' not in page
    assert "hp-7f3a" in page
    for hidden in ("Lease token", "Poll count", "Stalled claims", "Lease until"):
        assert hidden not in page


def test_the_job_record_shows_its_timeline_to_the_second_and_its_pictures(admin_client, alice, general_2x):
    job = finished_job(alice, general_2x)
    event = job.events.get()

    page = admin_client.get(f"/admin/enhancer/job/{job.pk}/change/").content.decode()

    assert f"{event.at:%H:%M:%S}" in page
    assert f'src="/jobs/{job.pk}/original"' in page
    assert f'src="/jobs/{job.pk}/result"' in page
    assert f'href="/jobs/{job.pk}/"' in page
    assert admin_client.get(f"/jobs/{job.pk}/result").status_code == 200  # the preview loads


def test_the_list_totals_the_coins_of_the_filtered_jobs(admin_client, alice, bob, general_2x):
    charged(make_job(JobStatus.COMPLETED, user=alice, coins=10, estimated_coins=10, bare=True))
    charged(make_job(JobStatus.COMPLETED, user=alice, coins=30, estimated_coins=20, bare=True))
    charged(make_job(JobStatus.COMPLETED, user=bob, coins=480, estimated_coins=480, bare=True))

    page = admin_client.get("/admin/enhancer/job/", {"user__id__exact": alice.pk}).content.decode()

    assert "Coins for the 2 jobs shown: <strong>40</strong> charged (30 estimated before sending)." in page


@pytest.mark.parametrize("query", ["hp-needle", "needle.png", "ID"])
def test_it_finds_a_job_by_hitpaw_number_link_or_our_number(admin_client, alice, general_2x, query):
    wanted = make_job(JobStatus.CONVERTING, hitpaw_job_id="hp-needle", img_url="https://x.example/needle.png")
    make_job(JobStatus.CONVERTING, hitpaw_job_id="hp-other")

    response = admin_client.get("/admin/enhancer/job/", {"q": str(wanted.pk) if query == "ID" else query})

    assert [job.pk for job in response.context["cl"].result_list] == [wanted.pk]


def test_jobs_cannot_be_deleted(admin_client, alice, general_2x):
    job = make_job(JobStatus.COMPLETED, bare=True)

    assert admin_client.post(f"/admin/enhancer/job/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()


def test_it_tries_again_only_failed_jobs_hitpaw_never_took(admin_client, alice, general_2x):
    never_sent = make_job(JobStatus.FAILED, bare=True)
    charged = make_job(JobStatus.FAILED, hitpaw_job_id="hp-1", coins=10, bare=True)

    page = run_action(admin_client, "retry_failed", [never_sent, charged]).content.decode()

    never_sent.refresh_from_db()
    charged.refresh_from_db()
    assert (never_sent.status, charged.status) == (JobStatus.QUEUED, JobStatus.FAILED)
    assert "1 job(s) skipped" in page


def test_it_turns_off_the_share_links_of_chosen_jobs(admin_client, alice, general_2x, client):
    job = finished_job(alice, general_2x)
    share = ShareLink.create_for(job, alice)

    run_action(admin_client, "revoke_share_links", [job])

    assert not ShareLink.objects.live().exists()
    client.logout()
    assert client.get(f"/s/{share.token}/").status_code == 404


def test_it_exports_chosen_jobs_as_csv(admin_client, alice, general_2x):
    job = make_job(JobStatus.COMPLETED, coins=20, estimated_coins=10, hitpaw_job_id="hp-9", bare=True)

    response = run_action(admin_client, "export_csv", [job])

    [row] = csv.DictReader(io.StringIO(response.content.decode()))
    assert (row["photo"], row["person"], row["estimated_coins"], row["coins"]) == (
        str(job.pk),
        "alice",
        "10",
        "20",
    )


def test_the_admin_carries_the_products_name_and_the_sandbox_banner(admin_client, settings):
    settings.SANDBOX_MODE = True

    page = admin_client.get("/admin/").content.decode()

    assert "Enhance Desk admin" in page
    assert "Sandbox: no coins are spent, results are simulated." in page


def test_background_tasks_sit_under_a_technical_heading_last(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert page.index(">Technical</a>") > page.index(">Enhance Desk</a>")
    assert page.index(">Technical</a>") < page.index("Scheduled tasks</a>")


def test_the_pause_page_says_when_submissions_are_running(admin_client):
    assert "Submissions are running." in admin_client.get("/admin/enhancer/submissionpause/").content.decode()


def test_the_pause_page_shows_the_expected_balance_when_coins_ran_out(admin_client):
    TopUp.objects.create(coins=0)  # the balance is only worked out once a top-up was recorded
    SubmissionPause.objects.create(pk=1, paused=True, reason="The coins ran out.", error_code=110402000)

    page = admin_client.get("/admin/enhancer/submissionpause/").content.decode()

    assert "Submissions are running." not in page
    assert "about 0 coins should be left" in page


def test_the_catalogue_shows_prices_and_limits(admin_client, catalogue):
    page = admin_client.get("/admin/enhancer/enhancemodel/").content.decode()

    assert "10–480 coins a photo by size out; up to 70 MP in and 432 MP out" in page
    assert "20–60 coins a photo by size out; up to 34 MP in and 34 MP out" in page
