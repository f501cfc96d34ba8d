"""Thumbnails: made once per photo on the workers, served from storage; a page never decodes one."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from enhancer.jobs import intake
from enhancer.jobs import thumbnails as job_thumbnails
from enhancer.media import thumbnails
from enhancer.models import Job, JobStatus
from tests.media.images import solid_png
from tests.support.batches import make_batch
from tests.support.images import image_bytes, image_size
from tests.support.jobs import (
    PHOTO_URL,
    RESULT_URL,
    StubClient,
    add_image,
    completed,
    make_job,
    serve_images,
    step,
)


def is_placeholder(response) -> bool:
    return response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


@pytest.fixture
def queued(monkeypatch):
    """The jobs whose thumbnails a page asked the workers for."""
    asked = []
    monkeypatch.setattr(job_thumbnails, "queue_making", asked.append)
    return asked


@pytest.fixture
def decoded(monkeypatch):
    """The sizes of the images whose pixels were about to be decoded (they are not)."""
    seen = []

    def refuse(self, *args, **kwargs):
        seen.append(self.size)
        raise AssertionError(f"decoded a {self.size} image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)
    return seen


def test_a_photo_declaring_70_megapixels_is_never_decoded_by_the_page_nor_the_worker(
    alice_client, alice, queued, decoded
):
    job = make_job(JobStatus.CONVERTING, user=alice)
    big = solid_png(10_000, 7_000)
    assert len(big) < 1024 * 1024  # a small file that claims a huge picture
    job.original.save("huge.png", ContentFile(big))

    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")

    assert is_placeholder(response)
    assert response["Cache-Control"] == "private, no-store"
    assert queued == [job.pk]
    job_thumbnails.make_for_job(job.pk)  # the worker's task: over the pixel cap, so no thumbnail
    assert not default_storage.exists(thumbnails.thumbnail_name(job.original.name))
    assert is_placeholder(alice_client.get(f"/jobs/{job.pk}/thumbnail"))
    assert queued == [job.pk]  # asked for once, not on every page view
    assert decoded == []


def test_the_worker_makes_a_small_jpeg_and_the_page_serves_it(alice_client, alice, general_2x, queued):
    _, (job,) = make_batch(alice, general_2x, [JobStatus.COMPLETED])
    job.result.save("big.png", ContentFile(image_bytes(1200, 900)))
    assert is_placeholder(alice_client.get(f"/jobs/{job.pk}/thumbnail"))

    job_thumbnails.make_for_job(job.pk)
    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")

    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg"
    assert image_size(content) == (320, 240)


def test_the_pipeline_makes_each_thumbnail_once_as_it_stores_the_photo(
    alice_client, alice, general_2x, monkeypatch, fake_dns
):
    made = []
    real_render = thumbnails.render
    monkeypatch.setattr(thumbnails, "render", lambda photo: made.append(1) or real_render(photo))
    with serve_images(monkeypatch, fake_dns) as web:
        add_image(web, PHOTO_URL, 640, 480)
        add_image(web, RESULT_URL, 1280, 960)
        [job] = intake.create_jobs(alice, [PHOTO_URL], general_2x)
        client = StubClient(statuses=[completed()])
        for _ in range(4):
            job = step(job, client)
    assert job.status == JobStatus.COMPLETED, job.message
    assert len(made) == 2  # the original's and the result's, each once
    assert default_storage.exists(thumbnails.thumbnail_name(job.original.name))

    def refuse(*args, **kwargs):
        raise AssertionError("the page decoded a photo")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")
    assert image_size(b"".join(response.streaming_content)) == (320, 240)
    job_thumbnails.make_for_job(job.pk)
    assert len(made) == 2


def test_it_shows_the_originals_thumbnail_before_there_is_a_result(alice_client, alice, queued):
    job = make_job(JobStatus.CONVERTING, user=alice)
    job.original.save("shoe.png", ContentFile(image_bytes(64, 48)))
    job_thumbnails.make_for_job(job.pk)
    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_it_answers_not_found_when_there_is_no_picture_yet(alice_client, alice):
    job = make_job(JobStatus.QUEUED, user=alice)
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404


def test_a_picture_it_cannot_read_keeps_the_placeholder(alice_client, alice, queued):
    job = make_job(JobStatus.CONVERTING, user=alice)
    job.original.save("broken.png", ContentFile(b"not a picture"))
    job_thumbnails.make_for_job(job.pk)
    assert is_placeholder(alice_client.get(f"/jobs/{job.pk}/thumbnail"))


def test_it_hides_another_users_thumbnail(client, bob, alice, general_2x, queued):
    _, (job,) = make_batch(alice, general_2x, [JobStatus.COMPLETED])
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404
    assert queued == []


def test_uploading_a_70_megapixel_png_decodes_nothing_in_the_web_requests(
    alice_client, catalogue, settings, monkeypatch, queued, decoded
):
    """The upload is checked from its header, and its page and thumbnail are served without decoding."""
    settings.SANDBOX_MODE = True  # uploads on: HitPaw fetches them from our own address
    settings.PUBLIC_BASE_URL = ""
    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"
    upload = SimpleUploadedFile("huge.png", solid_png(10_000, 7_000), content_type="image/png")

    response = alice_client.post("/", {"img_url": "", "model_name": "general_2x", "photos": [upload]})

    job = Job.objects.get()
    assert response.status_code == 302 and (job.original_width, job.original_height) == (10_000, 7_000)
    assert alice_client.get(f"/jobs/{job.pk}/").status_code == 200
    assert is_placeholder(alice_client.get(f"/jobs/{job.pk}/thumbnail"))
    assert queued == [job.pk]
    assert decoded == []
