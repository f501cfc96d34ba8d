"""A share link gives away the pictures and nothing else: no GPS position, camera or author, unless the
person sharing chose to keep them; typed and named as what they are; kept by no cache; dead with its
maker's account."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from enhancer.media.public_copies import PUBLIC_FOLDER
from enhancer.models import ShareLink
from tests.support.finished import finished_job
from tests.support.photo_details import AUTHOR, gps_of, photo_with_details

PHOTO = "https://shop.example.com/img/product.jpg"


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def job(alice, general_2x):
    """A finished job whose original and result are phone JPEGs with a GPS position and an author."""
    job = finished_job(alice, general_2x, img_url=PHOTO)
    job.original.save("product.jpg", ContentFile(photo_with_details("JPEG")), save=False)
    job.result.save("product-enhanced.jpg", ContentFile(photo_with_details("JPEG", 240, 160)), save=False)
    job.save()
    return job


def share_of(job, user, **options):
    return ShareLink.create_for(job, user, **options)


@pytest.mark.parametrize("which", ["original", "result"])
def test_a_shared_photo_carries_no_gps_camera_or_author(client, job, alice, which):
    share = share_of(job, alice)

    content = content_of(client.get(f"/s/{share.token}/{which}"))

    assert gps_of(content) == {}
    assert AUTHOR.encode() not in content
    with Image.open(io.BytesIO(content)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "xmp" not in image.info
        assert image.size == ((120, 80) if which == "original" else (240, 160))


def test_the_download_of_the_result_carries_no_gps_either(client, job, alice):
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/result?download=1")

    assert gps_of(content_of(response)) == {}
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("which", ["original", "result"])
def test_a_link_that_keeps_the_details_serves_the_photo_as_it_is(client, job, alice, which):
    share = share_of(job, alice, keep_details=True)

    content = content_of(client.get(f"/s/{share.token}/{which}"))

    assert content == getattr(job, which).open("rb").read()
    assert gps_of(content)[1] == "N"


def test_the_person_sharing_chooses_to_keep_the_details_and_it_is_off_by_default(alice_client, job):
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'name="keep_details"' in page
    assert "Keep photo details (GPS position, camera, author)" in page
    assert 'name="keep_details" value="1" checked' not in page

    alice_client.post(f"/jobs/{job.pk}/share", {"days": "30"})
    alice_client.post(f"/jobs/{job.pk}/share", {"days": "30", "keep_details": "1"})

    assert sorted(job.share_links.values_list("keep_details", flat=True)) == [False, True]


def test_the_copy_without_details_is_made_once_per_photo(client, job, alice, monkeypatch):
    share = share_of(job, alice)
    content_of(client.get(f"/s/{share.token}/result"))
    made = []
    monkeypatch.setattr("enhancer.media.public_copies.remove_details", lambda *args: made.append(args))

    for _ in range(3):
        assert gps_of(content_of(client.get(f"/s/{share.token}/result"))) == {}

    assert made == []
    assert len(default_storage.listdir(PUBLIC_FOLDER)[1]) == 1


@pytest.mark.parametrize(
    ("which", "content_type", "filename"),
    [("original", "image/jpeg", "product.jpg"), ("result", "image/jpeg", "product-enhanced.jpg")],
)
def test_each_picture_is_typed_and_named_by_its_real_format(
    client, job, alice, which, content_type, filename
):
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/{which}")

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_png_stored_under_a_jpg_name_is_served_as_png(client, alice, general_2x):
    job = finished_job(alice, general_2x, img_url=PHOTO)
    job.result.save("product-enhanced.jpg", ContentFile(photo_with_details("PNG")), save=True)
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/result")

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="product-enhanced.png"'
    assert gps_of(content_of(response)) == {}


@pytest.mark.parametrize("path", ["", "original", "result", "result?download=1"])
def test_the_share_page_and_its_pictures_are_kept_by_no_cache(client, job, alice, path):
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/{path}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_dead_link_is_kept_by_no_cache_either(client, db):
    assert client.get("/s/not-a-token/")["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["", "original", "result"])
def test_a_deactivated_persons_links_stop_working(client, job, alice, path):
    share = share_of(job, alice)
    alice.is_active = False
    alice.save()

    response = client.get(f"/s/{share.token}/{path}")

    assert response.status_code == 404
    if not path:
        assert "This link does not work" in response.content.decode()


def test_a_deleted_persons_links_stop_working(client, job, bob, alice):
    share = share_of(job, bob)  # made by someone since deleted (an admin sharing for the team)
    bob.delete()

    assert client.get(f"/s/{share.token}/").status_code == 404
    assert client.get(f"/s/{share.token}/result").status_code == 404


def test_a_reactivated_persons_links_work_again(client, job, alice):
    share = share_of(job, alice)
    alice.is_active = False
    alice.save()
    alice.is_active = True
    alice.save()

    assert client.get(f"/s/{share.token}/").status_code == 200


def test_a_photo_that_cannot_be_cleaned_is_not_served_at_all(client, alice, general_2x):
    job = finished_job(alice, general_2x)
    damaged = photo_with_details("PNG")
    job.result.save("cat-enhanced.png", ContentFile(damaged[: len(damaged) // 2]), save=True)
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/result")

    assert response.status_code == 404


def test_with_media_in_a_bucket_the_clean_copy_is_kept_in_the_bucket(client, alice, general_2x, s3_bucket):
    job = finished_job(alice, general_2x, img_url=PHOTO)
    job.result.save("product-enhanced.jpg", ContentFile(photo_with_details("JPEG")), save=True)
    share = share_of(job, alice)

    response = client.get(f"/s/{share.token}/result")

    assert gps_of(content_of(response)) == {}
    assert any(key.startswith(f"{PUBLIC_FOLDER}/") for key in s3_bucket.keys())
