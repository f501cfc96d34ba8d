"""Media in an S3-compatible bucket (ENHANCER_S3_BUCKET): private objects under names never reused.

Against a local S3-compatible server on loopback (moto), configured through the environment the way
an operator configures every host.
"""

import os
import tracemalloc

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enhancer.media import storage
from enhancer.media.thumbnails import thumbnail_name
from enhancer.models import JobStatus
from hitpaw_site.settings import media_storage
from tests.support.images import image_size
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

MB = 1024 * 1024


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "download.part"
    path.write_bytes(os.urandom(MB) * 3)
    return path


def test_the_bucket_setting_puts_media_in_the_bucket(s3_bucket, source, settings):
    name = storage.store(source, "results", "job-7", ".jpg")

    assert s3_bucket.keys() == [name]
    assert s3_bucket.read(name) == source.read_bytes()
    assert s3_bucket.content_type(name) == "image/jpeg"
    assert not (settings.MEDIA_ROOT / name).exists()  # nothing on this host's disk


def test_stored_objects_are_private(s3_bucket, source):
    name = storage.store(source, "originals", "job-7", ".png")

    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=name)["Grants"]

    assert [grant["Grantee"].get("URI") for grant in grants] == [None]  # the owner alone, no AllUsers


def test_two_files_saved_under_one_name_never_overwrite_each_other(s3_bucket):
    first = default_storage.save("results/shoe.png", ContentFile(b"first"))
    second = default_storage.save("results/shoe.png", ContentFile(b"second"))

    assert first != second
    assert (s3_bucket.read(first), s3_bucket.read(second)) == (b"first", b"second")


def test_two_tries_of_a_step_never_share_a_name(s3_bucket, source):
    first = storage.store(source, "results", "job-7", ".png")
    second = storage.store(source, "results", "job-7", ".png")

    assert first != second
    assert s3_bucket.keys() == sorted([first, second])


def test_discard_removes_the_object(s3_bucket, source):
    kept, dropped = (
        storage.store(source, "results", "job-7", ".png"),
        storage.store(source, "results", "job-8", ".png"),
    )

    storage.discard(dropped)
    storage.discard("results/never-stored.png")  # quiet about what is not there

    assert s3_bucket.keys() == [kept]


def test_a_stored_file_streams_back_with_its_size(s3_bucket, source):
    name = storage.store(source, "results", "job-7", ".png")

    with storage.open_stream(name) as stream:
        assert stream.size == 3 * MB
        first = stream.read(64 * 1024)
        rest = stream.read()

    assert first + rest == source.read_bytes()


def test_storing_a_big_file_holds_only_a_part_of_it_in_memory(s3_bucket, tmp_path):
    big = tmp_path / "result.part"
    big.write_bytes(os.urandom(MB) * 48)

    tracemalloc.start()
    try:
        name = storage.store(big, "results", "job-7", ".png")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert s3_bucket.read(name) == big.read_bytes()
    assert peak < 32 * MB  # 48 MB sent in 8 MB parts, one at a time (boto3's default: ten at once)


def test_a_missing_object_is_a_missing_file(s3_bucket):
    with pytest.raises(FileNotFoundError):
        storage.open_stream("results/never-stored.png")


@pytest.mark.django_db
def test_a_job_stores_its_original_and_result_in_the_bucket(s3_bucket, monkeypatch, fake_dns):
    job = make_job(JobStatus.QUEUED)
    client = StubClient(statuses=[completed()])
    with serve_images(monkeypatch, fake_dns) as web:
        original = add_image(web, PHOTO_URL, 64, 48, "PNG")
        add_image(web, RESULT_URL, 128, 96, "JPEG")
        for _ in range(4):  # fetch, submit, poll, download
            job = step(job, client)

    assert job.status == JobStatus.COMPLETED, job.message
    photos = [job.original.name, job.result.name]
    assert s3_bucket.keys() == sorted(photos + [thumbnail_name(name) for name in photos])
    assert job.original.name.startswith("originals/") and job.result.name.startswith("results/")
    assert s3_bucket.read(job.original.name) == original
    assert image_size(s3_bucket.read(job.result.name)) == (128, 96)


def test_without_a_bucket_media_stays_in_the_media_folder(monkeypatch):

    monkeypatch.delenv("ENHANCER_S3_BUCKET", raising=False)

    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
