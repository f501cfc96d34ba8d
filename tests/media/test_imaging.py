"""Inspecting images: real sizes up to the vendor's limits, checked from the header before any
decoding, and hostile files (bombs, truncations, animations, polyglots) refused in plain words."""

import io
import time
import warnings

import pytest
from PIL import Image, ImageFile

from enhancer.media.imaging import (
    LARGEST_PIXELS,
    MSG_ANIMATED,
    MSG_BROKEN,
    MSG_POLYGLOT,
    MSG_UNREADABLE,
    NotAnImage,
    header_of,
    inspect_image,
    inspect_image_file,
    upright,
)
from tests.media.images import encode, jpeg_claiming, photo, png_chunk, png_claiming, solid_png

MP = 1_000_000


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel is decoded."""

    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def refusal(content: bytes, **kwargs) -> str:
    with pytest.raises(NotAnImage) as caught:
        inspect_image(content, **kwargs)
    return str(caught.value)


def write(tmp_path, content: bytes, name: str = "photo.bin"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- Reading from a file ----------------------------------------------------------------------


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
def test_it_inspects_an_image_file_of_each_allowed_format(tmp_path, fmt, extension, content_type):
    info = inspect_image_file(write(tmp_path, encode(photo(64, 48), fmt)), max_pixels=70 * MP)
    assert (info.format, info.width, info.height) == (fmt, 64, 48)
    assert (info.extension, info.content_type) == (extension, content_type)


def test_it_refuses_a_file_that_is_not_an_image_in_plain_words(tmp_path):
    with pytest.raises(NotAnImage) as caught:
        inspect_image_file(write(tmp_path, b"<html><body>Not found</body></html>"))
    assert str(caught.value) == MSG_UNREADABLE


# --- Real sizes: the vendor's limits decide, not Pillow's default -----------------------------


def test_pillows_own_threshold_allows_the_largest_vendor_output():
    assert LARGEST_PIXELS == 432 * MP
    assert Image.MAX_IMAGE_PIXELS == LARGEST_PIXELS


def test_it_accepts_a_192_megapixel_result_without_decoding_it(tmp_path, no_decoding):
    """A 4x model's result from a 12 MP photo: Pillow's default (about 179 MP) refused it."""
    path = write(tmp_path, solid_png(16000, 12000), "result.png")
    info = inspect_image_file(path, max_pixels=432 * MP)
    assert (info.format, info.width, info.height, info.megapixels) == ("PNG", 16000, 12000, 192.0)
    assert inspect_image_file(path).width == 16000  # no cap given: the largest vendor limit


def test_it_accepts_a_192_megapixel_jpeg_header(no_decoding):
    assert inspect_image(jpeg_claiming(16000, 12000), max_pixels=432 * MP).megapixels == 192.0


def test_it_refuses_an_original_over_the_input_limit_from_its_header(no_decoding):
    assert refusal(jpeg_claiming(9800, 7350), max_pixels=70 * MP) == (
        "The photo is 72.0 megapixels (9800 × 7350), more than the 70 megapixel limit."
    )


def test_it_names_the_generative_limit():
    assert refusal(png_claiming(6000, 6000), max_pixels=34 * MP) == (
        "The photo is 36.0 megapixels (6000 × 6000), more than the 34 megapixel limit."
    )


def test_it_accepts_an_image_exactly_at_the_limit(no_decoding):
    assert inspect_image(png_claiming(10000, 7000), max_pixels=70 * MP).megapixels == 70.0


def test_without_a_cap_it_refuses_past_the_largest_vendor_output_quietly(no_decoding):
    with warnings.catch_warnings(record=True) as seen:
        message = refusal(png_claiming(21000, 21000))
    assert message == "The photo is 441.0 megapixels (21000 × 21000), more than the 432 megapixel limit."
    assert not [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_cap_above_the_largest_vendor_output_is_held_to_it():
    assert "more than the 432 megapixel limit" in refusal(png_claiming(21000, 21000), max_pixels=10**12)


def test_it_refuses_an_absurd_header_in_plain_words():
    """Past twice Pillow's threshold Pillow refuses before we see the size: still plain words."""
    assert refusal(png_claiming(40000, 40000), max_pixels=70 * MP) == (
        "The photo is 1600.0 megapixels, more than the 70 megapixel limit."
    )


def test_it_refuses_a_decompression_bomb_before_decoding_it(no_decoding):
    bomb = solid_png(10000, 10000)  # 100 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    assert refusal(bomb, max_pixels=70 * MP) == (
        "The photo is 100.0 megapixels (10000 × 10000), more than the 70 megapixel limit."
    )


# --- Allowed formats --------------------------------------------------------------------------


def test_it_refuses_a_gif_even_a_still_one():
    assert refusal(encode(photo(), "GIF")) == (
        "This kind of image (GIF) is not supported. Use a JPG, PNG, WebP, BMP or TIFF."
    )


@pytest.mark.parametrize(
    "content, name",
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "HEIC"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf" + b"\0" * 64, "AVIF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
)
def test_it_names_formats_people_meet_that_hitpaw_does_not_take(content, name):
    assert (
        refusal(content)
        == f"This kind of image ({name}) is not supported. Use a JPG, PNG, WebP, BMP or TIFF."
    )


@pytest.mark.parametrize("fmt", ["ICO", "PPM", "TGA", "PCX"])
def test_it_does_not_open_formats_outside_the_list_even_when_pillow_could(fmt):
    assert refusal(encode(photo(32, 32), fmt)) == MSG_UNREADABLE


def test_it_refuses_a_web_page_served_as_an_image():
    assert refusal(b"<!DOCTYPE html><html><head><title>Login</title></head></html>") == MSG_UNREADABLE


def test_it_takes_a_multi_picture_jpeg_from_a_camera_as_a_jpeg():
    """Cameras and phones save MPO files (a JPEG with a second picture appended): a JPEG to HitPaw."""
    content = encode(photo(), "MPO", save_all=True, append_images=[photo().rotate(180)])
    assert Image.open(io.BytesIO(content)).format == "MPO"
    info = inspect_image(content)
    assert (info.format, info.extension) == ("JPEG", ".jpg")


# --- Incomplete and damaged files -------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, cut, message",
    [
        ("JPEG", 2, MSG_BROKEN),  # the end-of-image marker is missing
        ("JPEG", 200, MSG_BROKEN),  # cut inside the image data
        ("PNG", 12, MSG_BROKEN),  # the IEND chunk is missing
        ("PNG", 40, MSG_BROKEN),  # cut inside IDAT
        ("BMP", 100, MSG_BROKEN),
        ("TIFF", 100, MSG_BROKEN),
        ("WEBP", 10, MSG_UNREADABLE),  # Pillow reads the whole WebP at open, and cannot
    ],
)
def test_it_refuses_a_truncated_file(fmt, cut, message):
    content = encode(photo(64, 48), fmt)
    assert refusal(content[:-cut]) == message


def test_it_refuses_a_png_whose_data_was_changed_in_transit():
    content = bytearray(encode(photo(64, 48), "PNG"))
    idat = content.index(b"IDAT")
    content[idat + 10] ^= 0xFF
    assert refusal(bytes(content)) == MSG_BROKEN


def test_it_accepts_a_jpeg_with_a_motion_photo_appended():
    """Phones append a short video after the JPEG's end-of-image marker: still a good photo."""
    content = encode(photo(), "JPEG") + b"\0\0\0\x18ftypmp42" + b"\x17" * 5000
    assert inspect_image(content).format == "JPEG"


def test_it_accepts_an_exif_thumbnail_but_still_wants_the_main_image_whole():
    exif = Image.Exif()
    exif[0x010E] = "holiday"
    content = encode(photo(), "JPEG", exif=exif)
    assert inspect_image(content).format == "JPEG"
    assert refusal(content[: len(content) - 40]) == MSG_BROKEN


# --- Animations -------------------------------------------------------------------------------


def frames():
    return [Image.new("RGB", (32, 24), colour) for colour in ("red", "blue", "green")]


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_it_refuses_an_animation(fmt):
    first, *rest = frames()
    content = encode(first, fmt, save_all=True, append_images=rest, duration=100, loop=0)
    assert Image.open(io.BytesIO(content)).n_frames == 3
    assert refusal(content) == MSG_ANIMATED


def test_it_refuses_an_animated_gif_as_a_gif():
    first, *rest = frames()
    content = encode(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    assert "(GIF) is not supported" in refusal(content)


# --- Polyglots: pictures carrying web page code -----------------------------------------------


def test_it_refuses_a_png_with_a_web_page_in_a_text_chunk():
    content = encode(photo(), "PNG")
    text = png_chunk(b"tEXt", b"Comment\0<html><script>fetch('/admin')</script></html>")
    polyglot = content[:33] + text + content[33:]  # right after IHDR, where browsers sniff
    assert inspect_image(content).format == "PNG"
    assert refusal(polyglot) == MSG_POLYGLOT


def test_it_refuses_a_jpeg_with_a_script_in_its_comment():
    content = encode(photo(), "JPEG", comment=b"<script>alert(document.cookie)</script>")
    assert refusal(content) == MSG_POLYGLOT


def test_it_refuses_an_image_that_starts_like_an_image_and_hides_an_iframe():
    content = encode(photo(), "BMP")
    polyglot = content[:2] + content[2:54] + b'<iframe src="https://evil.example/">' + content[90:]
    assert refusal(polyglot) in (MSG_POLYGLOT, MSG_BROKEN, MSG_UNREADABLE)
    assert refusal(encode(photo(), "JPEG", comment=b"<IFRAME SRC=x>")) == MSG_POLYGLOT


def test_xmp_metadata_is_not_mistaken_for_a_web_page():
    xmp = (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        b"<dc:title><rdf:Alt><rdf:li>Beach</rdf:li></rdf:Alt></dc:title>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    assert inspect_image(encode(photo(), "JPEG", xmp=xmp)).format == "JPEG"


# --- Orientation ------------------------------------------------------------------------------


def test_upright_turns_a_photo_as_its_exif_orientation_says():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    with Image.open(io.BytesIO(encode(photo(64, 48), "JPEG", exif=exif))) as image:
        assert image.size == (64, 48)
        assert upright(image).size == (48, 64)


def test_upright_leaves_a_photo_without_orientation_alone():
    image = photo(64, 48)
    assert upright(image).size == (64, 48)


# --- Work linear in the file, bounded by its header ------------------------------------------------

FILL = 5 * 1024 * 1024  # issue 21: a 5 MB JPEG of fill bytes cost 7.6 s of CPU per check


def _with_fill(at: bytes, count: int = FILL, fill: bytes = b"\xff") -> bytes:
    """A real 64 × 64 JPEG with `count` fill bytes put in front of the marker `at`."""
    jpeg = encode(photo(64, 64), "JPEG")
    where = jpeg.index(at, 2)
    return jpeg[:where] + fill * count + jpeg[where:]


@pytest.mark.parametrize(
    "at", [b"\xff\xe0", b"\xff\xc0", b"\xff\xda"], ids=["after SOI", "before SOF", "before SOS"]
)
def test_megabytes_of_fill_bytes_in_a_jpeg_header_are_refused_at_once(at):
    started = time.process_time()
    with pytest.raises(NotAnImage, match="incomplete or damaged"):
        inspect_image(_with_fill(at))
    with pytest.raises(NotAnImage, match="incomplete or damaged"):
        header_of(_with_fill(at, 2 * 1024 * 1024))
    assert time.process_time() - started < 1.0


def test_a_jpeg_with_a_few_fill_bytes_is_still_a_photo():
    assert inspect_image(_with_fill(b"\xff\xc0", 16)).width == 64


def test_reading_a_jpeg_header_as_it_arrives_costs_little_for_each_chunk():
    body = _with_fill(b"\xff\xc0", 2 * 1024 * 1024, fill=b"\x00")  # stray bytes, not fill bytes
    started = time.process_time()
    for end in range(16 * 1024, len(body), 16 * 1024):
        try:
            header_of(body[:end])
        except NotAnImage:
            break
    assert time.process_time() - started < 1.0


def test_a_45_mb_file_that_declares_64_by_64_pixels_is_no_photo(tmp_path):
    jpeg = encode(photo(64, 64), "JPEG")
    padded = tmp_path / "padded.jpg"
    padded.write_bytes(jpeg[:-2] + b"\xff" * (45 * 1024 * 1024) + jpeg[-2:])  # in the image data
    started = time.process_time()
    with pytest.raises(NotAnImage, match="far more data than a picture of its size"):
        inspect_image_file(padded)
    assert time.process_time() - started < 1.0


def _portrait_phone_photo(fmt: str, width: int = 400, height: int = 300, orientation: int = 6) -> bytes:
    """A photo stored landscape with an EXIF tag that says: turn it a quarter to show it."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_portrait_phone_photo_measures_as_it_is_shown(fmt, no_decoding):
    info = inspect_image(_portrait_phone_photo(fmt))
    assert (info.width, info.height) == (300, 400)


@pytest.mark.parametrize(("orientation", "size"), [(1, (400, 300)), (3, (400, 300)), (8, (300, 400))])
def test_only_a_quarter_turn_swaps_the_size(orientation, size):
    info = inspect_image(_portrait_phone_photo("JPEG", orientation=orientation))
    assert (info.width, info.height) == size


def test_the_link_measurer_reads_the_turned_size_from_the_header_alone(no_decoding):
    content = _portrait_phone_photo("JPEG", width=4000, height=3000)
    assert header_of(content) == ("JPEG", 3000, 4000)
