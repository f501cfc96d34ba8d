"""Retry failed: only a batch's failed photos are sent again, each new try taking its old one's place."""

import pytest

from enhancer.jobs import intake, pauses
from enhancer.models import Job, JobStatus
from tests.support.batches import make_batch
from tests.support.jobs import handed_to_the_ticker

DONE, FAILED = JobStatus.COMPLETED, JobStatus.FAILED


def test_it_sends_again_only_the_failed_photos(alice_client, alice, general_2x):
    batch, (done, failed, review) = make_batch(alice, general_2x, [DONE, FAILED, JobStatus.NEEDS_REVIEW])
    response = alice_client.post(f"/batches/{batch.pk}/retry", follow=True)
    assert "1 photo is being tried again." in response.content.decode()
    retry = Job.objects.get(retry_of=failed)
    assert (retry.status, retry.img_url, retry.batch, retry.position) == (
        JobStatus.QUEUED,
        failed.img_url,
        batch,
        failed.position,
    )
    assert Job.objects.count() == 4
    assert handed_to_the_ticker()


def test_it_shows_the_new_try_in_place_of_the_failed_one(alice_client, alice, general_2x):
    batch, (done, failed) = make_batch(alice, general_2x, [DONE, FAILED])
    alice_client.post(f"/batches/{batch.pk}/retry")
    shown = [job["id"] for job in alice_client.get(f"/batches/{batch.pk}/status.json").json()["jobs"]]
    assert shown == [done.pk, Job.objects.get(retry_of=failed).pk]


def test_it_does_not_send_a_photo_twice_when_retry_is_pressed_twice(alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [FAILED])
    alice_client.post(f"/batches/{batch.pk}/retry")
    response = alice_client.post(f"/batches/{batch.pk}/retry", follow=True)
    assert "There is nothing to try again" in response.content.decode()
    assert Job.objects.count() == 2


def test_it_offers_retry_failed_only_when_a_photo_failed(alice_client, alice, general_2x):
    fine, _ = make_batch(alice, general_2x, [DONE])
    broken, _ = make_batch(alice, general_2x, [DONE, FAILED])
    assert "Retry failed" not in alice_client.get(f"/batches/{fine.pk}/").content.decode()
    assert "Retry failed (1)" in alice_client.get(f"/batches/{broken.pk}/").content.decode()


def test_it_refuses_to_retry_while_submissions_are_paused(alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [FAILED])
    pauses.pause("coins ran out", 110402000)
    with pytest.raises(intake.SubmissionRefused):
        intake.retry_failed(batch)
    assert Job.objects.count() == 1


def test_it_lets_no_one_else_retry_a_batch(client, bob, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [FAILED])
    client.force_login(bob)
    assert client.post(f"/batches/{batch.pk}/retry").status_code == 404
    assert Job.objects.count() == 1
