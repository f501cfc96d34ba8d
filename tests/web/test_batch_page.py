"""The batch page: every photo of one submit with its picture, status and coins, and the totals."""

import pytest

from enhancer.models import JobStatus
from enhancer.web.views import batches as batch_views
from tests.support.batches import make_batch

DONE, FAILED, WORKING = JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CONVERTING


@pytest.fixture
def batch(alice, general_2x):
    return make_batch(alice, general_2x, [DONE, FAILED, WORKING], ["red-shoe", "blue-hat", "green-bag"])


def test_it_lists_every_photo_by_its_name_with_status(alice_client, batch):
    page = alice_client.get(f"/batches/{batch[0].pk}/").content.decode()
    assert page.index("red-shoe") < page.index("blue-hat") < page.index("green-bag")
    assert "Done" in page and "Failed" in page and "Enhancing" in page


def test_it_says_which_photo_failed_and_why(alice_client, batch):
    page = alice_client.get(f"/batches/{batch[0].pk}/").content.decode()
    assert "The link did not lead to a picture we can read" in page


def test_it_shows_totals_of_photos_and_coins(alice_client, batch):
    data = alice_client.get(f"/batches/{batch[0].pk}/status.json").json()
    totals = data["totals"]
    assert (totals["count"], totals["done"], totals["problems"], totals["working"]) == (3, 1, 1, 1)
    assert totals["coins"] == 10 + 10  # the finished photo, and the one being enhanced was charged
    assert totals["finished"] is False


def test_it_shows_a_thumbnail_for_a_photo_with_a_picture(alice_client, batch):
    done = batch[1][0]
    page = alice_client.get(f"/batches/{batch[0].pk}/").content.decode()
    assert f'src="/jobs/{done.pk}/thumbnail"' in page
    assert 'alt="red-shoe"' in page


def test_it_offers_a_refresh_link_while_photos_are_still_working(alice_client, batch):
    page = alice_client.get(f"/batches/{batch[0].pk}/").content.decode()
    assert "Refresh to see the latest" in page


def test_it_stops_offering_refresh_once_every_photo_has_ended(alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [DONE, FAILED])
    page = alice_client.get(f"/batches/{batch.pk}/").content.decode()
    assert "Refresh to see the latest" not in page
    assert 'data-finished="true"' in page


def test_it_reports_each_photo_live_for_the_page_script(alice_client, batch):
    jobs = alice_client.get(f"/batches/{batch[0].pk}/status.json").json()["jobs"]
    assert [(job["id"], job["status"]) for job in jobs] == [(job.pk, job.status) for job in batch[1]]


@pytest.mark.parametrize("suffix", ["", "status.json", "download"])
def test_it_hides_a_batch_from_another_user(client, bob, batch, suffix):
    client.force_login(bob)
    assert client.get(f"/batches/{batch[0].pk}/{suffix}").status_code == 404


def test_it_shows_any_batch_to_an_admin(client, admin_user, batch):
    client.force_login(admin_user)
    assert client.get(f"/batches/{batch[0].pk}/").status_code == 200


@pytest.fixture
def two_per_page(monkeypatch):
    """Pages of two photos, so a batch of five spreads over three pages."""
    monkeypatch.setattr(batch_views, "PHOTOS_PER_PAGE", 2)


@pytest.fixture
def five(alice, general_2x):
    names = ["apple", "pear", "plum", "cherry", "kiwi"]
    return make_batch(alice, general_2x, [DONE, FAILED, WORKING, DONE, FAILED], names)


def test_a_big_batch_shows_its_photos_page_by_page_with_totals_of_all(alice_client, five, two_per_page):
    batch, _ = five
    first = alice_client.get(f"/batches/{batch.pk}/").content.decode()
    last = alice_client.get(f"/batches/{batch.pk}/?page=3").content.decode()

    assert "apple" in first and "pear" in first and "plum" not in first
    assert "Photos 1–2 of 5" in first and 'href="?page=2">Next photos' in first
    assert "kiwi" in last and "apple" not in last and 'href="?page=2">Previous photos' in last
    for page in (first, last):
        assert "Download all (2 photos, zip)" in page and "Retry failed (2)" in page


def test_the_live_status_of_a_page_covers_its_photos_and_totals_all(alice_client, five, two_per_page):
    batch, jobs = five
    page = alice_client.get(f"/batches/{batch.pk}/?page=2").content.decode()
    assert f'data-status-url="/batches/{batch.pk}/status.json?page=2"' in page

    data = alice_client.get(f"/batches/{batch.pk}/status.json?page=2").json()
    assert [job["id"] for job in data["jobs"]] == [jobs[2].pk, jobs[3].pk]
    assert (data["totals"]["count"], data["totals"]["done"], data["totals"]["problems"]) == (5, 2, 2)


def test_a_batch_that_fits_on_one_page_shows_no_pages(alice_client, batch):
    page = alice_client.get(f"/batches/{batch[0].pk}/").content.decode()
    assert "Next photos" not in page and "Photos 1–" not in page
