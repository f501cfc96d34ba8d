"""Who reaches what: staff their own jobs, reviewers everyone's (read-only), admins also manage. One row per view and role."""

import csv
import io

import pytest

from enhancer.models import JobStatus, ShareLink
from tests.support.batches import make_batch
from tests.support.finished import finished_job
from tests.support.jobs import make_job
from tests.support.roles import user_with_role


@pytest.fixture
def cast(db, general_2x, django_user_model):
    """Alice (staff) owns a finished, charged (10 coins, in the ledger), shared job; Bob is other staff; Rita reviews; Adam admins;
    Nina was given no role."""
    alice = user_with_role("alice", "staff")
    users = {
        "owner": alice,
        "other staff": user_with_role("bob", "staff"),
        "reviewer": user_with_role("rita", "reviewers"),
        "admin": user_with_role("adam", "admins", is_staff=True),
        "no role": django_user_model.objects.create_user("nina"),
    }
    job = finished_job(alice, general_2x)
    share = ShareLink.create_for(job, alice)
    return users, job, share


SEES = {"owner": 200, "other staff": 404, "reviewer": 200, "admin": 200, "no role": 404}
CHANGES = {"owner": 302, "other staff": 404, "reviewer": 404, "admin": 302, "no role": 404}
# Sharing and trying again publish a photo or may spend coins: a role without the permission gets a
# 403 whatever the id (so it tells nothing about the photo), before the photo is even looked up.
SPENDS_OR_PUBLISHES = {**CHANGES, "reviewer": 403, "no role": 403}
TEAM = {"owner": 404, "other staff": 404, "reviewer": 200, "admin": 200, "no role": 404}

VIEWS = [
    ("get", "/jobs/{job}/", SEES),
    ("get", "/jobs/{job}/status.json", SEES),
    ("get", "/jobs/{job}/original", SEES),
    ("get", "/jobs/{job}/result", SEES),
    ("post", "/jobs/{job}/share", SPENDS_OR_PUBLISHES),
    ("post", "/jobs/{job}/share/{share}/off", CHANGES),
    ("get", "/jobs/{job}/thumbnail", SEES),
    ("post", "/jobs/{job}/cancel", CHANGES),
    ("post", "/jobs/{job}/retry", SPENDS_OR_PUBLISHES),
    ("get", "/team/", TEAM),
]
BATCH_VIEWS = [
    ("get", "/batches/{batch}/", SEES),
    ("get", "/batches/{batch}/status.json", SEES),
    ("get", "/batches/{batch}/download", SEES),
    ("post", "/batches/{batch}/retry", SPENDS_OR_PUBLISHES),
]


@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize(("method", "url", "expected"), VIEWS)
def test_each_view_answers_each_role(client, cast, role, method, url, expected):
    users, job, share = cast
    client.force_login(users[role])

    response = getattr(client, method)(url.format(job=job.pk, share=share.pk), {"days": "30"})

    assert response.status_code == expected[role]


@pytest.mark.parametrize(
    ("role", "rows"), [("owner", 1), ("other staff", 0), ("reviewer", 1), ("admin", 1), ("no role", 0)]
)
def test_the_usage_csv_holds_only_what_the_role_may_see(client, cast, role, rows):
    users, _, _ = cast
    client.force_login(users[role])

    content = client.get("/usage/coins.csv").content.decode()

    assert len(list(csv.DictReader(io.StringIO(content)))) == rows


@pytest.mark.parametrize(
    ("role", "total"), [("owner", 10), ("other staff", 0), ("reviewer", 10), ("admin", 10)]
)
def test_the_usage_page_totals_only_what_the_role_may_see(client, cast, role, total):
    users, _, _ = cast
    client.force_login(users[role])

    assert client.get("/usage/").context["report"].total == total


def test_a_reviewer_sees_a_job_but_gets_no_share_button(client, cast):
    users, job, _ = cast
    client.force_login(users["reviewer"])

    page = client.get(f"/jobs/{job.pk}/").content.decode()

    assert "data-share-form" not in page
    assert "data-share-revoke" not in page


def test_a_staff_flag_alone_no_longer_reads_every_job(client, cast, django_user_model):
    _, job, _ = cast
    flagged = django_user_model.objects.create_user("flag", password="flag-password-1", is_staff=True)
    client.force_login(flagged)

    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_reviewer_cannot_change_anything_in_the_admin(client, cast):
    users, job, _ = cast
    client.force_login(users["reviewer"])

    assert client.get("/admin/").status_code == 302  # to the admin's login: reviewers work outside it


def test_an_admin_manages_the_catalogue_top_ups_and_budgets(client, cast):
    users, _, _ = cast
    client.force_login(users["admin"])

    for page in ("enhancemodel", "topup", "teambudget", "userbudget"):
        assert client.get(f"/admin/enhancer/{page}/add/").status_code in (
            200,
            403 if page == "teambudget" else 200,
        )
    assert client.get("/admin/auth/user/add/").status_code == 200


@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize(("method", "url", "expected"), BATCH_VIEWS)
def test_each_batch_view_answers_each_role(client, cast, general_2x, role, method, url, expected):
    users, _, _ = cast
    batch, _ = make_batch(users["owner"], general_2x, [JobStatus.COMPLETED, JobStatus.FAILED])
    client.force_login(users[role])

    response = getattr(client, method)(url.format(batch=batch.pk))

    assert response.status_code == expected[role]


def test_a_reviewer_sees_no_cancel_or_try_again_on_someone_elses_photo(client, cast, general_2x):
    users, _, _ = cast
    failed = make_job(JobStatus.FAILED, user=users["owner"], model=general_2x)
    client.force_login(users["reviewer"])

    page = client.get(f"/jobs/{failed.pk}/").content.decode()

    assert "Try again" not in page and "Cancel" not in page
