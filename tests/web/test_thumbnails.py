"""Thumbnails: small, made once from our stored copy, then served from storage."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enhancer.media import thumbnails
from enhancer.models import JobStatus
from tests.support.batches import make_batch
from tests.support.images import image_bytes, image_size
from tests.support.jobs import make_job


def test_it_serves_a_small_jpeg_of_the_result(alice_client, alice, general_2x):
    _, (job,) = make_batch(alice, general_2x, [JobStatus.COMPLETED])
    job.result.save("big.png", ContentFile(image_bytes(1200, 900)))
    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg"
    assert image_size(content) == (320, 240)


def test_it_makes_the_thumbnail_only_once(alice_client, alice, general_2x, monkeypatch):
    _, (job,) = make_batch(alice, general_2x, [JobStatus.COMPLETED])
    alice_client.get(f"/jobs/{job.pk}/thumbnail")
    monkeypatch.setattr(thumbnails, "_render", lambda name: (_ for _ in ()).throw(AssertionError("again")))
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 200
    assert default_storage.exists(thumbnails.thumbnail_name(job.result.name))


def test_it_shows_the_original_before_there_is_a_result(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice)
    job.original.save("shoe.png", ContentFile(image_bytes(64, 48)))
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 200


def test_it_answers_not_found_when_there_is_no_picture_yet(alice_client, alice):
    job = make_job(JobStatus.QUEUED, user=alice)
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404


def test_it_answers_not_found_for_a_picture_it_cannot_read(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice)
    job.original.save("broken.png", ContentFile(b"not a picture"))
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404


def test_it_hides_another_users_thumbnail(client, bob, alice, general_2x):
    _, (job,) = make_batch(alice, general_2x, [JobStatus.COMPLETED])
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404
