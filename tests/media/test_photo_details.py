"""A photo's details (GPS position, camera, author, comments) taken out, its pixels and colours left as they were."""

import io

import pytest
from PIL import Image

from enhancer.media.photo_details import DetailsNotRemoved, remove_details, sniff_format
from tests.support.images import image_bytes
from tests.support.photo_details import AUTHOR, SRGB, details, gps_of, photo_with_details


def cleaned(content: bytes, fmt: str) -> bytes:
    out = io.BytesIO()
    remove_details(io.BytesIO(content), out, fmt)
    return out.getvalue()


def pixels(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        return image.convert("RGB").tobytes()


FORMATS = [
    ("JPEG", {}),
    ("JPEG", {"progressive": True}),
    ("PNG", {}),
    ("WEBP", {}),
    ("WEBP", {"lossless": True}),
    ("TIFF", {}),
]


@pytest.mark.parametrize(("fmt", "options"), FORMATS)
def test_the_gps_position_camera_and_author_are_gone(fmt, options):
    original = photo_with_details(fmt, **options)
    assert AUTHOR.encode() in original

    clean = cleaned(original, fmt)

    assert AUTHOR.encode() not in clean
    assert b"PhoneMaker" not in clean
    assert gps_of(clean) == {}
    with Image.open(io.BytesIO(clean)) as image:
        assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
        if fmt != "TIFF":  # a TIFF's own structure is its EXIF: only its layout tags are left
            assert dict(image.getexif()) == {}


@pytest.mark.parametrize(("fmt", "options"), FORMATS)
def test_the_pixels_and_the_colour_profile_stay(fmt, options):
    original = photo_with_details(fmt, **options)

    clean = cleaned(original, fmt)

    assert pixels(clean) == pixels(original)
    with Image.open(io.BytesIO(clean)) as image:
        assert image.info.get("icc_profile") == SRGB
        assert image.format == fmt


def test_a_jpeg_is_copied_without_decoding_its_pixels():
    original = photo_with_details("JPEG", quality=90)

    clean = cleaned(original, "JPEG")

    scan = original.index(b"\xff\xda")  # the coded image data, byte for byte
    assert original[scan:] in clean  # re-encoding would have changed it


def test_a_portrait_phone_photo_keeps_only_its_orientation():
    original = photo_with_details("JPEG", exif=details(orientation=6))

    clean = cleaned(original, "JPEG")

    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {0x0112: 6}
    assert gps_of(clean) == {}


def test_what_follows_the_end_of_a_jpeg_is_dropped():
    """Phones append motion-photo videos and second pictures (with their own EXIF) after the image."""
    trailer = photo_with_details("JPEG")
    original = image_bytes(64, 48, "JPEG") + trailer

    clean = cleaned(original, "JPEG")

    assert clean.endswith(b"\xff\xd9") and AUTHOR.encode() not in clean
    assert pixels(clean) == pixels(original)


def test_a_bmp_has_no_details_and_is_copied_as_it_is():
    original = image_bytes(30, 20, "BMP")

    assert cleaned(original, "BMP") == original


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"BM\x00\x00", "BMP"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
        (b"<html>", None),
    ],
)
def test_the_format_is_read_from_the_content(head, fmt):
    assert sniff_format(head) == fmt


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_file_that_is_not_what_it_claims_is_refused(fmt):
    with pytest.raises(DetailsNotRemoved):
        cleaned(b"<html>not a photo</html>", fmt)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_cut_off_file_is_refused(fmt):
    original = photo_with_details(fmt)

    with pytest.raises(DetailsNotRemoved):
        cleaned(original[: len(original) // 2], fmt)
