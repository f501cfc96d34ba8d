"""The sandbox's enhancement reads a file, writes a stream, and stands a photo upright first."""

import io

from PIL import Image

from enhancer.media.imaging import inspect_image
from enhancer.sandbox.enhance import enhance, enhance_file
from tests.media.images import encode, photo


def test_it_reads_a_path_and_writes_a_stream(tmp_path):
    source = tmp_path / "photo.jpg"
    source.write_bytes(encode(photo(40, 30), "JPEG"))
    out = io.BytesIO()
    enhance_file(source, 2, "general_2x", ".png", out)
    info = inspect_image(out.getvalue())
    assert (info.format, info.width, info.height) == ("PNG", 80, 60)


def test_it_applies_the_exif_orientation_before_enlarging():
    exif = Image.Exif()
    exif[0x0112] = 6  # a phone held upright: stored on its side
    result = enhance(encode(photo(40, 30), "JPEG", exif=exif), 2, "general_2x", ".jpg")
    with Image.open(io.BytesIO(result)) as image:
        assert image.size == (60, 80)
        assert image.getexif().get(0x0112) in (None, 1)  # not turned a second time by a viewer
