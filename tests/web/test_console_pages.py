"""The admin index for people (technical pages grouped for superusers), and branded error pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import path
from django.views import defaults

from hitpaw_site.urls import urlpatterns as site_urls
from tests.support.roles import user_with_role

TECHNICAL_ENTRIES = ("Scheduled tasks", "Access attempts", "Groups")


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("forbidden/", _forbidden), path("broken/", _broken), *site_urls]


def test_a_superuser_finds_every_technical_page_under_one_heading_last(client, admin_user):
    client.force_login(admin_user)

    page = client.get("/admin/").content.decode()

    assert page.count(">Technical</a>") == 1
    for entry in TECHNICAL_ENTRIES:
        assert page.index(">Technical</a>") < page.index(entry)
    assert page.index(">People</a>") < page.index(">Technical</a>")


def test_an_admin_who_is_not_a_superuser_sees_no_technical_entries(adam_client):
    page = adam_client.get("/admin/").content.decode()

    assert "Technical" not in page
    for entry in TECHNICAL_ENTRIES:
        assert entry not in page
    assert "Photos needing a check" in page and "/system/" in page


def test_the_admin_index_links_the_review_queue_with_its_count(adam_client):
    from enhancer.models import JobStatus
    from tests.support.jobs import make_job

    make_job(JobStatus.NEEDS_REVIEW)

    page = adam_client.get("/admin/").content.decode()

    assert 'href="/review/">Photos needing a check</a></th><td>1 waiting' in page


def test_a_missing_page_is_branded_with_a_way_back(alice_client):
    response = alice_client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "This page isn't here" in page and "Enhance Desk" in page
    assert '<a href="/">Back to the start page</a>' in page


def test_a_missing_page_for_someone_logged_out_still_renders(client, db):
    response = client.get("/jobs/999999/thumbnail-nope")

    assert response.status_code == 404
    assert '<a href="/">Back to the start page</a>' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_refused_page_reads_like_a_refused_role_with_a_way_back(client, db):
    reviewer = user_with_role("rita", "reviewers")
    client.force_login(reviewer)

    response = client.get("/forbidden/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "You can't do this here" in page and "Ask an admin" in page
    assert '<a href="/jobs/">Back to the photos</a>' in page


@pytest.mark.urls(__name__)
def test_a_server_error_is_branded_and_reads_no_database(client, db, django_assert_num_queries):
    client.raise_request_exception = False
    response = client.get("/broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    with django_assert_num_queries(0):
        page = defaults.server_error(RequestFactory().get("/")).content.decode()
    assert '<a href="/">Back to the start page</a>' in page
