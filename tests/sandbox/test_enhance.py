"""The sandbox's real enhancement: enlarged by the model's scale, written in the format asked for."""

import io

import pytest
from PIL import Image

from enhancer.media.imaging import inspect_image
from enhancer.sandbox.enhance import enhance
from tests.support.images import image_bytes, image_size


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
