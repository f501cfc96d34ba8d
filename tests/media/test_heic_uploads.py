"""iPhone photos (HEIC): turned into upright JPEGs on upload, their size known before sending, and
one over the limit refused from its header alone. The HEIC files are written here by pillow-heif."""

import io

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from enhancer.media.uploads import UploadRefused, store_upload
from enhancer.models import Job, JobStatus

ORIENTATION = 0x0112


def heic_bytes(width=64, height=48, orientation=1) -> bytes:
    """A HEIC as a phone makes it: the pixels as the sensor saw them, and how to turn them."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 2))  # the top-left quarter is blue
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=90, exif=exif.tobytes())
    return out.getvalue()


def heic_upload(name="IMG_0001.HEIC", **size):
    return SimpleUploadedFile(name, heic_bytes(**size), content_type="image/heic")


def test_a_heic_upload_becomes_an_upright_jpeg_with_its_size_and_estimate(alice_client, catalogue, sandbox):
    photo = heic_upload(width=64, height=48, orientation=6)  # a portrait photo, stored on its side

    response = alice_client.post("/", {"img_url": "", "model_name": "general_2x", "photos": [photo]})

    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.extension, job.upload_name) == (JobStatus.SUBMITTING, ".jpg", "IMG_0001.HEIC")
    assert (job.original_width, job.original_height, job.estimated_coins) == (48, 64, 10)
    with Image.open(job.original) as stored:
        assert (stored.format, stored.size) == ("JPEG", (48, 64))
        assert stored.getexif().get(ORIENTATION, 1) == 1  # turned once, never again
        top_right = stored.convert("RGB").getpixel((40, 4))  # the blue corner, turned a quarter right
    assert top_right[2] > 150 and top_right[0] < 100


def test_a_heic_over_the_limit_is_refused_from_its_header_without_decoding(monkeypatch):
    def decoded(*args, **kwargs):
        raise AssertionError("the photo was decoded")

    monkeypatch.setattr(pillow_heif.HeifFile, "to_pillow", decoded)
    photo = heic_upload(width=64, height=48)

    with pytest.raises(UploadRefused) as refused:
        store_upload(photo, max_bytes=50 * 1024 * 1024, max_pixels=2000)

    assert refused.value.message == (
        "“IMG_0001.HEIC”: The photo is 0.0031 megapixels (64 × 48), more than the 0.002 megapixel limit."
    )


def test_a_damaged_heic_is_refused_in_plain_words():
    broken = heic_bytes()[:200]
    with pytest.raises(UploadRefused, match="“cut.heic”: The picture is incomplete or damaged"):
        store_upload(SimpleUploadedFile("cut.heic", broken), max_bytes=10**8, max_pixels=10**8)
