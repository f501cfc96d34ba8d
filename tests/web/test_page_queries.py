"""Pages stay fast with many photos: the number of queries of each page does not grow with them.

Every page people open often is covered, as staff see it and as an admin sees it (everyone's jobs
and usage, the System page). docs/benchmarks.md ("Pages under load") times them with 100,000 jobs.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enhancer.coins import ledger
from enhancer.models import JobEvent, JobStatus
from tests.support.batches import make_batch
from tests.support.finished import finished_job
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

NINETY_DAYS = "/usage/?range=custom&start={start}&end={end}"


def queries_for(client, url: str) -> int:
    """Queries of a second visit (a first one may make a row once, like the team's budget)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def charged_jobs(user, catalogue, count, start=0):
    models = list(catalogue.values())
    for n in range(start, start + count):
        job = finished_job(user, models[n % len(models)], img_url=f"https://photos.example.com/{n}.png")
        ledger.record_charge(job, f"hp-{n}", 10)


def jobs_in_every_state(user, count):
    states = list(JobStatus)
    for n in range(count):
        make_job(states[n % len(states)], user=user, img_url=f"https://photos.example.com/s{n}.png")


def ninety_days() -> str:
    today = timezone.localdate()
    return NINETY_DAYS.format(start=today - timedelta(days=89), end=today)


@pytest.fixture
def admin(db):
    return user_with_role("adam", "admins", is_staff=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_job_page_makes_as_many_queries_for_a_long_timeline_among_many_photos(
    alice_client, alice, catalogue
):
    job = finished_job(alice, catalogue["general_2x"])
    charged_jobs(alice, catalogue, 2)
    few = queries_for(alice_client, f"/jobs/{job.pk}/")

    charged_jobs(alice, catalogue, 40, start=2)
    JobEvent.objects.bulk_create(
        JobEvent(job=job, status=JobStatus.CONVERTING, message=f"Still enhancing ({n}).") for n in range(30)
    )

    assert queries_for(alice_client, f"/jobs/{job.pk}/") == few


def test_an_admin_opening_someone_elses_job_makes_as_many_queries_among_many_photos(
    admin_client, alice, catalogue
):
    job = finished_job(alice, catalogue["general_2x"])
    working = make_job(JobStatus.CONVERTING, user=alice)  # its page also says how long photos usually take
    charged_jobs(alice, catalogue, 2)
    few = (queries_for(admin_client, f"/jobs/{job.pk}/"), queries_for(admin_client, f"/jobs/{working.pk}/"))

    charged_jobs(alice, catalogue, 40, start=2)

    assert (
        queries_for(admin_client, f"/jobs/{job.pk}/"),
        queries_for(admin_client, f"/jobs/{working.pk}/"),
    ) == few


# (page, photos at first): a page of the history lists at most 20, so it starts with fewer than 20 on it.
@pytest.mark.parametrize(
    "url, first", [("/jobs/", 2), ("/jobs/?status=done&q=photos", 2), ("/jobs/?page=2", 22)]
)
def test_the_history_makes_as_many_queries_for_a_full_page_among_many_photos(
    alice_client, alice, catalogue, url, first
):
    charged_jobs(alice, catalogue, first)
    few = queries_for(alice_client, url)

    charged_jobs(alice, catalogue, 40, start=first)
    jobs_in_every_state(alice, 20)

    assert queries_for(alice_client, url) == few


def test_an_admins_history_makes_as_many_queries_when_the_team_has_many_photos(
    admin_client, admin, alice, catalogue
):
    charged_jobs(admin, catalogue, 2)
    few = queries_for(admin_client, "/jobs/")

    charged_jobs(admin, catalogue, 30, start=2)
    charged_jobs(alice, catalogue, 10, start=100)

    assert queries_for(admin_client, "/jobs/") == few


def test_the_batch_page_makes_as_many_queries_for_thirty_photos_as_for_three(alice_client, alice, general_2x):
    statuses = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CONVERTING]
    small, _ = make_batch(alice, general_2x, statuses)
    big, _ = make_batch(alice, general_2x, statuses * 10, names=[f"big-{n}" for n in range(30)])

    assert queries_for(alice_client, f"/batches/{big.pk}/") == queries_for(
        alice_client, f"/batches/{small.pk}/"
    )


def test_the_batch_page_and_its_live_status_as_an_admin_sees_them_do_not_grow(
    admin_client, alice, general_2x
):
    statuses = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CONVERTING]
    small, _ = make_batch(alice, general_2x, statuses)
    big, _ = make_batch(alice, general_2x, statuses * 10, names=[f"big-{n}" for n in range(30)])

    for page in ("/batches/{}/", "/batches/{}/status.json"):
        assert queries_for(admin_client, page.format(big.pk)) == queries_for(
            admin_client, page.format(small.pk)
        )


@pytest.mark.parametrize("url", ["/usage/", "ninety days"])
def test_the_usage_page_makes_as_many_queries_for_forty_charges_as_for_two(
    alice_client, alice, catalogue, url
):
    url = ninety_days() if url == "ninety days" else url
    charged_jobs(alice, catalogue, 2)
    make_job(JobStatus.FAILED, user=alice)
    few = queries_for(alice_client, url)

    charged_jobs(alice, catalogue, 40, start=2)

    assert queries_for(alice_client, url) == few


@pytest.mark.parametrize("url", ["/usage/", "ninety days"])
def test_the_teams_usage_page_makes_as_many_queries_for_many_charges_and_people(
    admin_client, admin, alice, bob, catalogue, url
):
    url = ninety_days() if url == "ninety days" else url
    charged_jobs(alice, catalogue, 2)
    few = queries_for(admin_client, url)

    charged_jobs(alice, catalogue, 20, start=2)
    charged_jobs(bob, catalogue, 20, start=50)
    charged_jobs(admin, catalogue, 5, start=90)

    assert queries_for(admin_client, url) == few


def test_the_system_page_makes_as_many_queries_for_many_jobs_in_every_state(admin_client, alice):
    jobs_in_every_state(alice, 10)
    make_job(JobStatus.FAILED, user=alice, error_code=110402)
    few = queries_for(admin_client, "/system/")

    jobs_in_every_state(alice, 50)
    make_job(JobStatus.FAILED, user=alice, error_code=110403)

    assert queries_for(admin_client, "/system/") == few
