"""The Pillow helpers behind the size checks: formats, sizes, and pictures we cannot read."""

import pytest

from enhancer.media.imaging import NotAnImage, inspect_image
from tests.support.images import image_bytes


@pytest.mark.parametrize(
    "fmt, extension, content_type",
    [
        ("JPEG", ".jpg", "image/jpeg"),
        ("PNG", ".png", "image/png"),
        ("WEBP", ".webp", "image/webp"),
        ("BMP", ".bmp", "image/bmp"),
        ("TIFF", ".tiff", "image/tiff"),
    ],
)
def test_it_identifies_each_supported_format_and_its_size(fmt, extension, content_type):
    info = inspect_image(image_bytes(64, 48, fmt))
    assert (info.format, info.width, info.height) == (fmt, 64, 48)
    assert (info.extension, info.content_type) == (extension, content_type)


def test_it_reports_megapixels():
    assert inspect_image(image_bytes(400, 300)).megapixels == 0.12


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, world", b"<html><body>Not found</body></html>", b"\x89PNG\r\n\x1a\n" + b"\0" * 40],
)
def test_it_rejects_bytes_that_are_not_an_image_with_a_plain_message(content):
    with pytest.raises(NotAnImage) as caught:
        inspect_image(content)
    assert (
        str(caught.value) == "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."
    )


def test_it_rejects_a_truncated_png():
    content = image_bytes(64, 48, "PNG")
    with pytest.raises(NotAnImage):
        inspect_image(content[: len(content) // 2])


def test_it_rejects_a_gif_by_name():
    with pytest.raises(NotAnImage) as caught:
        inspect_image(image_bytes(64, 48, "GIF"))
    assert (
        str(caught.value) == "This kind of image (GIF) is not supported. Use a JPG, PNG, WebP, BMP or TIFF."
    )


def test_it_rejects_an_image_with_far_too_many_pixels():
    with pytest.raises(NotAnImage) as caught:
        inspect_image(image_bytes(64, 48), max_pixels=3000)
    assert str(caught.value) == (
        "The photo is 0.0031 megapixels (64 × 48), more than the 0.003 megapixel limit."
    )
