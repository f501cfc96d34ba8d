"""With media in a bucket, every page still serves our stored copies, through our own views only.

The same permission checks as with local media, the right content types and sizes, and big results
streamed from the bucket as they arrive (never copied whole into memory first).
"""

import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from enhancer.jobs import thumbnails as job_thumbnails
from enhancer.jobs.hitpaw_links import original_link
from enhancer.models import JobStatus, ShareLink
from tests.support.batches import make_batch
from tests.support.finished import ORIGINAL, RESULT, finished_job
from tests.support.images import image_size

MB = 1024 * 1024
DONE = JobStatus.COMPLETED


@pytest.fixture
def job(s3_bucket, alice, general_2x):
    return finished_job(alice, general_2x)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_job_page_shows_both_pictures_from_the_bucket(alice_client, job, s3_bucket):
    original = alice_client.get(f"/jobs/{job.pk}/original")
    result = alice_client.get(f"/jobs/{job.pk}/result")

    assert s3_bucket.keys() == sorted([job.original.name, job.result.name])
    assert (original.status_code, original["Content-Type"], body(original)) == (200, "image/png", ORIGINAL)
    assert (result.status_code, result["Content-Type"], body(result)) == (200, "image/png", RESULT)
    assert result["Content-Length"] == str(len(RESULT))


def test_the_job_page_links_our_own_views_and_never_the_bucket(alice_client, job, s3_bucket):
    html = alice_client.get(f"/jobs/{job.pk}/").content.decode()

    assert f'src="/jobs/{job.pk}/original"' in html and f'src="/jobs/{job.pk}/result"' in html
    assert "bytes" in html or "KB" in html  # the file sizes, asked of the bucket
    assert s3_bucket.name not in html and s3_bucket.endpoint_url not in html


def test_the_result_downloads_under_the_photos_name(alice_client, job):
    response = alice_client.get(f"/jobs/{job.pk}/result?download=1")

    assert response["Content-Disposition"].startswith("attachment")
    assert job.result_download_name in response["Content-Disposition"]
    assert body(response) == RESULT


def test_another_user_and_a_stranger_get_nothing_from_the_bucket(client, bob, job):
    assert client.get(f"/jobs/{job.pk}/result").status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/result").status_code == 404
    assert client.get(f"/jobs/{job.pk}/thumbnail").status_code == 404


def test_the_thumbnail_is_made_once_and_kept_in_the_bucket(alice_client, job, s3_bucket, monkeypatch):
    monkeypatch.setattr(job_thumbnails, "queue_making", job_thumbnails.make_for_job)  # a worker, at once
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail")["Content-Type"] == "image/svg+xml"  # placeholder
    response = alice_client.get(f"/jobs/{job.pk}/thumbnail")

    assert response["Content-Type"] == "image/jpeg"
    assert image_size(body(response)) == (128, 96)
    made = s3_bucket.keys("thumbs/")
    assert len(made) == 2  # the original's and the result's
    assert alice_client.get(f"/jobs/{job.pk}/thumbnail").status_code == 200
    assert s3_bucket.keys("thumbs/") == made


def test_a_share_link_serves_the_result_from_the_bucket(client, job, alice):
    share = ShareLink.create_for(job, alice)

    response = client.get(f"/s/{share.token}/result")

    assert (response.status_code, response["Content-Type"], body(response)) == (200, "image/png", RESULT)


def test_the_signed_link_hitpaw_fetches_serves_the_original_from_the_bucket(client, job):
    link = original_link(job, "")

    response = client.get(link)

    assert (response.status_code, response["Content-Type"], body(response)) == (200, "image/png", ORIGINAL)
    assert response["Content-Length"] == str(len(ORIGINAL))


def test_download_all_zips_the_batchs_results_from_the_bucket(s3_bucket, alice_client, alice, general_2x):
    batch, _ = make_batch(alice, general_2x, [DONE, DONE], ["red-shoe", "blue-hat"])

    response = alice_client.get(f"/batches/{batch.pk}/download")

    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.namelist() == ["red-shoe-enhanced.png", "blue-hat-enhanced.png"]
    assert image_size(archive.read("blue-hat-enhanced.png")) == (128, 96)


def real_size_jpeg() -> bytes:
    """A 4000 × 3000 photo-like JPEG of about 5 MB (random detail, so it does not compress away)."""
    detail = Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3))
    out = io.BytesIO()
    detail.resize((4000, 3000), Image.Resampling.BILINEAR).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_real_size_result_streams_from_the_bucket_without_being_held_in_memory(alice_client, job):
    photo = real_size_jpeg()
    job.result.save("big.jpg", ContentFile(photo))
    assert len(photo) > 4 * MB

    digest, pieces = hashlib.sha256(), 0
    tracemalloc.start()
    try:
        response = alice_client.get(f"/jobs/{job.pk}/result")
        for piece in response.streaming_content:
            digest.update(piece)
            pieces += 1
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(photo))
    assert digest.hexdigest() == hashlib.sha256(photo).hexdigest()
    assert pieces > 1
    assert peak < MB  # the photo is about 5 MB: it went through in small pieces
