"""Sending photos (which may spend coins) needs a role that enhances; sharing needs the share
permission. Reviewers stay read-only; a person with no role is told to ask an admin. A refused
request is a plain 403 page, and nothing is queued, charged or published."""

import html

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from enhancer.models import Job, JobStatus, ShareLink
from tests.support.batches import make_batch
from tests.support.finished import finished_job
from tests.support.images import image_bytes
from tests.support.jobs import make_job
from tests.support.roles import user_with_role

PHOTO = "https://photos.example.com/cat.jpg"
NO_ROLE_PAGE = "You don't have access yet — ask an admin to give you a role."
ROLES = ["no role", "staff", "reviewer", "admin"]
MAY_ENHANCE_AND_SHARE = {"no role": False, "staff": True, "reviewer": False, "admin": True}


@pytest.fixture
def person(db, catalogue, django_user_model):
    def make(role: str):
        if role == "no role":
            return django_user_model.objects.create_user("nina")
        group = {"staff": "staff", "reviewer": "reviewers", "admin": "admins"}[role]
        return user_with_role(role, group, is_staff=role == "admin")

    return make


def logged_in(client, person, role):
    user = person(role)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_the_submit_page_shows_the_form_only_to_roles_that_enhance(client, person, role):
    response = client.get("/")
    assert response.status_code == 302  # not logged in: the login page first

    logged_in(client, person, role)
    response = client.get("/")
    page = html.unescape(response.content.decode())

    if MAY_ENHANCE_AND_SHARE[role]:
        assert response.status_code == 200 and 'name="img_url"' in page
    else:
        assert response.status_code == 403 and 'name="img_url"' not in page
        assert (NO_ROLE_PAGE in page) == (role == "no role")
        assert "New photo" not in page


@pytest.mark.parametrize("role", ROLES)
def test_sending_a_link_needs_a_role_that_enhances(client, person, role):
    logged_in(client, person, role)

    response = client.post("/", {"img_url": PHOTO, "model_name": "general_2x"})

    if MAY_ENHANCE_AND_SHARE[role]:
        assert response.status_code == 302 and Job.objects.count() == 1
    else:
        assert response.status_code == 403
        assert Job.objects.count() == 0


@pytest.mark.parametrize("role", ["no role", "reviewer"])
def test_an_upload_or_a_batch_is_refused_too(client, person, role, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    logged_in(client, person, role)
    photos = [SimpleUploadedFile(f"{n}.png", image_bytes(), "image/png") for n in "ab"]

    uploaded = client.post("/", {"photos": photos, "model_name": "general_2x"})
    linked = client.post("/", {"img_url": f"{PHOTO}\n{PHOTO}?2", "model_name": "general_2x"})

    assert (uploaded.status_code, linked.status_code) == (403, 403)
    assert Job.objects.count() == 0


def test_enhance_again_is_refused_to_a_person_with_no_role(client, person):
    nina = logged_in(client, person, "no role")
    job = finished_job(nina)  # sent before an admin took the role away

    response = client.get(f"/?again={job.pk}")

    assert response.status_code == 403 and 'name="img_url"' not in response.content.decode()


def test_trying_a_photo_again_needs_a_role_that_enhances(client, person):
    nina = logged_in(client, person, "no role")
    failed = make_job(JobStatus.FAILED, user=nina)

    response = client.post(f"/jobs/{failed.pk}/retry")
    send_again = client.post(f"/jobs/{failed.pk}/retry", {"send_again": "1"})

    assert (response.status_code, send_again.status_code) == (403, 403)
    assert client.get(f"/jobs/{failed.pk}/send-again").status_code == 403
    assert list(Job.objects.values_list("pk", "status")) == [(failed.pk, JobStatus.FAILED)]
    page = client.get(f"/jobs/{failed.pk}/").content.decode()
    assert "Try again" not in page and "Enhance again" not in page


def test_retrying_a_batch_needs_a_role_that_enhances(client, person, general_2x):
    nina = logged_in(client, person, "no role")
    batch, jobs = make_batch(nina, general_2x, [JobStatus.COMPLETED, JobStatus.FAILED])

    response = client.post(f"/batches/{batch.pk}/retry")

    assert response.status_code == 403
    assert Job.objects.count() == 2
    assert "data-retry-failed" not in client.get(f"/batches/{batch.pk}/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_sharing_needs_the_share_permission(client, person, role, general_2x):
    user = logged_in(client, person, role)
    job = finished_job(user, general_2x)  # their own photo (a reviewer's from before, say)

    response = client.post(f"/jobs/{job.pk}/share", {"days": "30"})
    page = client.get(f"/jobs/{job.pk}/").content.decode()

    if MAY_ENHANCE_AND_SHARE[role]:
        assert response.status_code == 302 and ShareLink.objects.count() == 1
        assert "data-share-form" in page
    else:
        assert response.status_code == 403 and ShareLink.objects.count() == 0
        assert "data-share-form" not in page


def test_an_admin_shares_someone_elses_photo_and_a_reviewer_cannot(client, person, general_2x):
    alice = user_with_role("alice", "staff")
    job = finished_job(alice, general_2x)

    logged_in(client, person, "reviewer")
    assert client.post(f"/jobs/{job.pk}/share", {"days": "30"}).status_code == 403
    logged_in(client, person, "admin")
    assert client.post(f"/jobs/{job.pk}/share", {"days": "30"}).status_code == 302

    assert ShareLink.objects.count() == 1


def test_a_refusal_page_says_what_to_do(client, person):
    logged_in(client, person, "reviewer")

    page = client.post("/", {"img_url": PHOTO, "model_name": "general_2x"}).content.decode()

    assert "Ask an admin" in page and "Traceback" not in page


def test_a_person_with_no_role_sees_only_what_they_may_use_in_the_menu(client, person):
    logged_in(client, person, "no role")

    page = client.get("/").content.decode()
    menu = page[page.index('<nav id="site-nav"') : page.index("</nav>")]

    for link in ('href="/"', 'href="/jobs/"', 'href="/usage/"', 'href="/team/"', 'href="/system/"'):
        assert link not in menu
    assert "Log out" in menu


def test_staff_see_the_whole_menu_for_their_work(client, person):
    logged_in(client, person, "staff")

    page = client.get("/jobs/").content.decode()

    assert "New photo" in page and "My photos" in page and "Coins used" in page


@pytest.mark.parametrize(
    ("group", "enhances", "shares"),
    [("staff", True, True), ("reviewers", False, False), ("admins", True, True)],
)
def test_the_migration_gives_each_role_what_it_may_do(db, group, enhances, shares):
    permissions = set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert ("add_job" in permissions, "add_sharelink" in permissions) == (enhances, shares)
