"""The batch page: every photo of one submit with its picture, status and coins, and the totals."""

import pytest

from enhancer.models import JobStatus
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
