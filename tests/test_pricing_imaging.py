"""Coin estimates and size limits before anything is spent, and the Pillow helpers behind them."""

import io

import pytest
from PIL import Image

from enhancer.imaging import NotAnImage, enhance, inspect_image
from enhancer.pricing import estimate_coins, limit_problem, output_megapixels
from tests.images import image_bytes, image_size

# Prices


@pytest.mark.parametrize(
    "output_mp, coins",
    [
        (0.01, 10),
        (7.99, 10),
        (8.0, 20),
        (11.99, 20),
        (12.0, 30),
        (23.99, 30),
        (24.0, 70),
        (47.99, 70),
        (48.0, 140),
        (107.99, 140),
        (108.0, 240),
        (215.99, 240),
        (216.01, 480),
        (432.0, 480),
    ],
)
def test_it_prices_a_standard_model_by_output_megapixels(output_mp, coins):
    assert estimate_coins("standard", output_mp) == coins


@pytest.mark.parametrize(
    "output_mp, coins",
    [(0.01, 20), (7.99, 20), (8.0, 30), (11.99, 30), (12.0, 40), (23.99, 40), (24.0, 60), (34.0, 60)],
)
def test_it_prices_a_generative_model_by_output_megapixels(output_mp, coins):
    assert estimate_coins("generative", output_mp) == coins


def test_it_prices_an_unknown_kind_like_a_standard_model():
    assert estimate_coins("something-new", 10.0) == estimate_coins("standard", 10.0) == 20


def test_it_counts_output_megapixels_after_scaling():
    assert output_megapixels(4000, 3000, 2) == 48.0
    assert output_megapixels(4000, 3000, 1) == 12.0


def test_it_prices_a_4x_enlargement_by_its_output_not_its_input():
    assert estimate_coins("standard", output_megapixels(1000, 1000, 4)) == 30  # 1 MP in, 16 MP out


# Limits


def test_it_accepts_a_standard_photo_up_to_70_megapixels_in():
    assert limit_problem("standard", 10000, 7000, 1) is None


def test_it_refuses_a_standard_photo_over_70_megapixels_in():
    assert limit_problem("standard", 10000, 7001, 1) == (
        "The photo is too large for this model (over 70 megapixels). Try a smaller photo."
    )


def test_it_accepts_a_standard_result_up_to_432_megapixels_out():
    assert limit_problem("standard", 5196, 5196, 4) is None  # 431.97 MP out


def test_it_refuses_a_standard_result_over_432_megapixels_out():
    assert limit_problem("standard", 5200, 5200, 4) == (
        "The enhanced photo would be over 432 megapixels, more than HitPaw allows. "
        "Pick a smaller scale or a smaller photo."
    )


def test_it_accepts_a_generative_result_up_to_34_megapixels():
    assert limit_problem("generative", 2915, 2915, 2) is None  # 33.99 MP out


def test_it_refuses_a_generative_result_over_34_megapixels():
    problem = limit_problem("generative", 2916, 2916, 2)  # 34.01 MP out
    assert problem is not None and "over 34 megapixels" in problem


def test_it_refuses_a_generative_photo_over_34_megapixels_in_before_checking_the_output():
    assert limit_problem("generative", 6000, 6000, 2) == (
        "The photo is too large for this model (over 34 megapixels). Try a smaller photo."
    )


def test_it_holds_an_unknown_kind_to_the_standard_limits():
    assert limit_problem("something-new", 10000, 7000, 1) is None
    assert "over 70 megapixels" in limit_problem("something-new", 10000, 7001, 1)


# Inspecting images


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


def test_it_rejects_an_image_with_far_too_many_pixels(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(NotAnImage) as caught:
        inspect_image(image_bytes(64, 48))
    assert str(caught.value) == "The image has far too many pixels to handle."


# The sandbox's real enhancement


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_it_enhances_by_the_models_scale(scale):
    result = enhance(image_bytes(40, 30), scale, "general_2x", ".png")
    assert image_size(result) == (40 * scale, 30 * scale)


@pytest.mark.parametrize(
    "extension, fmt", [(".jpg", "JPEG"), (".JPEG", "JPEG"), (".png", "PNG"), (".webp", "WEBP")]
)
def test_it_writes_the_result_in_the_requested_format(extension, fmt):
    result = enhance(image_bytes(40, 30, "PNG"), 2, "general_2x", extension)
    assert inspect_image(result).format == fmt


def test_it_writes_a_png_for_an_extension_it_does_not_know():
    assert inspect_image(enhance(image_bytes(), 2, "general_2x", ".heic")).format == "PNG"


def test_it_enhances_a_transparent_png_into_a_jpeg():
    source = io.BytesIO()
    Image.new("RGBA", (20, 10), (255, 0, 0, 128)).save(source, format="PNG")
    result = enhance(source.getvalue(), 2, "general_2x", ".jpg")
    assert inspect_image(result).format == "JPEG"
    assert image_size(result) == (40, 20)


def test_it_enhances_a_palette_image():
    source = io.BytesIO()
    Image.new("P", (16, 16), 3).save(source, format="PNG")
    assert image_size(enhance(source.getvalue(), 4, "face_4x", ".png")) == (64, 64)


def test_it_changes_the_pixels_of_a_same_size_denoise():
    source = image_bytes(40, 30)
    result = enhance(source, 1, "sharpen_denoise", ".png")
    assert image_size(result) == (40, 30)
    with Image.open(io.BytesIO(source)) as before, Image.open(io.BytesIO(result)) as after:
        assert before.convert("RGB").tobytes() != after.convert("RGB").tobytes()
