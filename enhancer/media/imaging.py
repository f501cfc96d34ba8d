"""Pillow helpers: check that a file is a photo we may send to HitPaw, and which format and size it has.

Every limit here comes from the vendor's table (`enhancer.hitpaw.pricing.LIMITS_MP`), never from a
library default: the caller passes `max_pixels` (a model's input limit for originals, its output
limit for results), and the pixel count is read from the file's header before anything is decoded.
Nothing in this module decodes pixels, so inspecting a 432-megapixel result costs a few megabytes of
memory: the checks walk the file's structure (PNG chunks and their checksums, the JPEG markers up
to the end-of-image marker, the sizes the WebP, BMP and TIFF headers declare).

Refused, each with a plain message: formats other than JPEG, PNG, WebP, BMP and TIFF (by content,
never by name or Content-Type), images over the pixel limit, incomplete or damaged files, animations
(APNG, animated WebP; GIF is refused as a format), and files that carry web page code where a
browser could sniff it (image/HTML polyglots, SVG, HTML).
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from enhancer.hitpaw.pricing import LIMITS_MP

# Pillow format -> the extension HitPaw expects and the content type we serve.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
    "BMP": (".bmp", "image/bmp"),
    "TIFF": (".tiff", "image/tiff"),
}
ALLOWED_FORMATS = tuple(FORMATS)
EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".bmp": "BMP"}
EXTENSION_FORMATS.update({".tif": "TIFF", ".tiff": "TIFF"})

# The largest image any HitPaw model takes or gives (432 MP out for the standard models). It is the
# cap when the caller names none, and Pillow's own decompression-bomb threshold is raised to it so
# that Pillow never refuses a legitimate result (its default, about 179 MP, refused 4x results).
LARGEST_PIXELS = int(max(limit for pair in LIMITS_MP.values() for limit in pair) * 1_000_000)
Image.MAX_IMAGE_PIXELS = LARGEST_PIXELS


def _quiet_bomb_warnings() -> None:
    """Pillow warns at open for images between that and twice that; our own check (right after the
    header is read) refuses them with a plain message, so the warning is only noise. The filter is
    put back if something (a test runner's `catch_warnings`) dropped it."""
    for action, _message, category, _module, _line in warnings.filters:
        if action == "ignore" and category is Image.DecompressionBombWarning:
            return
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


_quiet_bomb_warnings()

MSG_UNREADABLE = "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."
MSG_BROKEN = "The picture is incomplete or damaged, so it cannot be used. Try saving or downloading it again."
MSG_ANIMATED = "Animated pictures are not supported. Use a still photo (JPG, PNG, WebP, BMP or TIFF)."
MSG_POLYGLOT = "The picture has web page code hidden in it, so it is not accepted for safety."

MSG_TOO_MUCH_DATA = (
    "The file holds far more data than a picture of its size can, so it is not taken as a photo."
)

# The most a photo's file can weigh: 16 bytes a pixel (twice a 16-bit RGBA TIFF's, several times a
# JPEG's at best quality) and room for what phones append (motion-photo videos, depth maps). A
# 45 MB file that declares 64 × 64 pixels is no photo, whatever its header says.
MOST_BYTES_PER_PIXEL = 16
SPARE_BYTES = 32 * 1024 * 1024

BLOCK = 1024 * 1024
SNIFF_BYTES = 1024  # what browsers look at when they guess a file's type (Internet Explorer: 256)

# Tags that make a browser sniffing a file's first bytes treat it as a web page. Only tags of three
# letters or more: "<b>" or "<p " turn up by chance in compressed data about once in 300 photos.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|svg|object|embed|style|title|meta|"
    rb"link|img|form|table|div|font|pre|plaintext|a\s+href)(?=[\s/>=])",
    re.IGNORECASE,
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class NotAnImage(ValueError):
    """The file is not an image we can send to HitPaw; the message says why in plain words."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000


def inspect_image_file(path: str | os.PathLike, max_pixels: int | None = None) -> ImageInfo:
    """Identify and check the image in the file at `path`, without decoding its pixels."""
    with open(path, "rb") as fp:
        return _inspect(fp, os.fstat(fp.fileno()).st_size, max_pixels)


def inspect_image(content: bytes, max_pixels: int | None = None) -> ImageInfo:
    """The same checks for an image held in memory (small images: tests, the sandbox)."""
    return _inspect(io.BytesIO(content), len(content), max_pixels)


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation tag says (a phone's portrait photo stands up)."""
    try:
        return ImageOps.exif_transpose(image)
    except (ValueError, TypeError, SyntaxError, struct.error, OSError):
        return image  # a damaged EXIF block: use the pixels as stored


# EXIF orientations that turn the photo a quarter (5 to 8): it stands the other way up when shown.
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION = 0x0112


def format_name(image: Image.Image) -> str:
    """Pillow's name for the kind of file it opened; an MPO (a JPEG with previews) is a JPEG."""
    if image.format is None:  # only images made in memory have none
        raise UnidentifiedImageError("no file format")
    return "JPEG" if image.format == "MPO" else image.format


def shown_size(image: Image.Image) -> tuple[int, int]:
    """(width, height) as the photo is shown: a phone's portrait photo stored as 4000 × 3000 with
    EXIF orientation 6 is 3000 × 4000. Read from the header's tag alone, nothing decoded."""
    width, height = image.size
    return (height, width) if _orientation(image) in _QUARTER_TURNS else (width, height)


def _orientation(image: Image.Image) -> int | None:
    """The EXIF orientation tag from what Pillow read of the header (never `getexif()`, which may
    decode a PNG to find its EXIF chunk); None when there is none or it cannot be read. A TIFF's
    size comes from Pillow already turned by its own orientation tag."""
    try:
        raw = image.info.get("exif")
        if not raw:
            return None
        exif = Image.Exif()
        exif.load(raw)
        return exif.get(_ORIENTATION)
    except (ValueError, TypeError, SyntaxError, struct.error, OSError, KeyError, IndexError):
        return None  # a damaged EXIF block: the size as stored


def too_many_pixels(width: int, height: int, max_pixels: int) -> str:
    return (
        f"The photo is {_megapixels(width * height)} megapixels ({width} × {height}), "
        f"more than the {_megapixels(max_pixels, limit=True)} megapixel limit."
    )


def _inspect(fp: BinaryIO, size: int, max_pixels: int | None) -> ImageInfo:
    cap = LARGEST_PIXELS if max_pixels is None else min(max_pixels, LARGEST_PIXELS)
    head = fp.read(SNIFF_BYTES)
    if head.startswith(_JPEG_START):
        # Pillow walks a JPEG's header a byte at a time: check it is a sane length first.
        fp.seek(0)
        end = jpeg_header_end(fp)
        if end is None or end > size:
            raise NotAnImage(MSG_BROKEN)
    fp.seek(0)
    _quiet_bomb_warnings()
    try:
        with Image.open(fp, formats=ALLOWED_FORMATS) as image:
            fmt = format_name(image)
            width, height = image.size
            if width * height > cap:
                raise NotAnImage(too_many_pixels(width, height, cap))
            if size > MOST_BYTES_PER_PIXEL * width * height + SPARE_BYTES:
                raise NotAnImage(MSG_TOO_MUCH_DATA)
            if _MARKUP.search(head):
                raise NotAnImage(MSG_POLYGLOT)
            if fmt in ("PNG", "WEBP") and getattr(image, "n_frames", 1) > 1:
                raise NotAnImage(MSG_ANIMATED)
            if not _complete(fp, fmt, image, size):
                raise NotAnImage(MSG_BROKEN)
            as_shown = shown_size(image)
    except Image.DecompressionBombError as error:
        # Only for headers claiming more than twice LARGEST_PIXELS: Pillow refuses before we can look.
        claimed = re.search(r"\((\d+) pixels\)", str(error))
        pixels = f"{_megapixels(int(claimed[1]))} megapixels" if claimed else "far too many pixels"
        raise NotAnImage(
            f"The photo is {pixels}, more than the {_megapixels(cap, limit=True)} megapixel limit."
        ) from None
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise NotAnImage(_not_allowed(head)) from None
    if fmt not in FORMATS:  # Pillow was asked for these formats only: a safety net
        raise NotAnImage(_unsupported(fmt))
    width, height = as_shown
    return ImageInfo(format=fmt, width=width, height=height)


def header_of(head: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) from the first bytes of an image, or None while they are not enough.

    Only the header is read; nothing is decoded, so a huge image costs nothing here. Raises
    NotAnImage, in plain words, for a file that is no image we take or is too large to measure.
    """
    if head.startswith(_JPEG_START):
        end = jpeg_header_end(io.BytesIO(head))
        if end is None or end > len(head):
            return None  # not all of the header yet (Pillow would walk it again, byte by byte)
    _quiet_bomb_warnings()
    try:
        with Image.open(io.BytesIO(head), formats=ALLOWED_FORMATS) as image:
            fmt = format_name(image)
            return (fmt, *shown_size(image))
    except Image.DecompressionBombError:
        raise NotAnImage(
            f"The photo is over the {_megapixels(LARGEST_PIXELS, limit=True)} megapixel limit."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        named = _not_allowed(head)
        if named != MSG_UNREADABLE:  # a kind of file we know and do not take (GIF, SVG, HEIC...)
            raise NotAnImage(named) from None
        return None  # perhaps only too few bytes yet


def _not_allowed(head: bytes) -> str:
    """Name the format of a file Pillow was not allowed to open, when it is one people meet.

    (A photo damaged so early that Pillow cannot read its header also lands here.)"""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _unsupported("GIF")
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in text:
        return _unsupported("SVG")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return _unsupported("HEIC")
        if brand in (b"avif", b"avis"):
            return _unsupported("AVIF")
    if head.startswith(b"%PDF"):
        return _unsupported("PDF")
    return MSG_UNREADABLE


def _unsupported(fmt: str) -> str:
    return f"This kind of image ({fmt}) is not supported. Use a JPG, PNG, WebP, BMP or TIFF."


def _megapixels(pixels: int, *, limit: bool = False) -> str:
    value = pixels / 1_000_000
    if limit:
        return f"{value:g}"
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"


# --- A JPEG's header, walked in linear time ----------------------------------------------------

_JPEG_START = b"\xff\xd8\xff"
# Fill bytes (0xFF) and stray bytes allowed between a JPEG's markers before its image data. Encoders
# write none or a few; Pillow reads each one by itself in Python, so megabytes of them cost
# seconds of CPU for a file that is no photo.
MAX_JPEG_PADDING = 64 * 1024
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length


def jpeg_header_end(fp: BinaryIO) -> int | None:
    """Where the start-of-scan header of the JPEG in `fp` ends: all Pillow reads to open it.

    None when the file ends first. Segments are skipped by their lengths, so the walk costs
    the number of markers, not the size of the header. Raises NotAnImage (damaged) for more than
    MAX_JPEG_PADDING fill or stray bytes, a bad segment length, or the image ending before its data.
    """
    if fp.read(2) != b"\xff\xd8":
        raise NotAnImage(MSG_BROKEN)
    padding = 0
    while True:
        byte = fp.read(1)
        if not byte:
            return None
        if byte != b"\xff":  # a stray byte: libjpeg and Pillow skip it
            padding += 1
        else:
            marker = fp.read(1)
            while marker == b"\xff" and padding <= MAX_JPEG_PADDING:
                padding += 1
                marker = fp.read(1)
            if not marker:
                return None
            code = marker[0]
            if code == 0xDA or code not in _STANDALONE and code not in (0x00, 0xFF, 0xD8, 0xD9):
                raw = fp.read(2)
                if len(raw) < 2:
                    return None
                length = struct.unpack(">H", raw)[0]
                if length < 2:
                    raise NotAnImage(MSG_BROKEN)
                if code == 0xDA:
                    return fp.tell() + length - 2
                fp.seek(length - 2, os.SEEK_CUR)
            elif code in (0xD8, 0xD9):  # a new image, or the end, before any image data
                raise NotAnImage(MSG_BROKEN)
            else:
                padding += 1
        if padding > MAX_JPEG_PADDING:
            raise NotAnImage(MSG_BROKEN)


# --- Is the whole image there? Cheap structural checks, no decoding --------------------------


def _complete(fp: BinaryIO, fmt: str, image: ImageFile.ImageFile, size: int) -> bool:
    checks = {"PNG": _png_complete, "JPEG": _jpeg_complete, "WEBP": _webp_complete}
    if fmt in checks:
        fp.seek(0)
        return checks[fmt](fp, size)
    if fmt == "BMP":
        return _bmp_complete(image, size)
    if fmt == "TIFF":
        return _tiff_complete(image, size)
    return True


def _png_complete(fp: BinaryIO, size: int) -> bool:
    """Every chunk is whole and its checksum right, up to IEND (what Pillow's verify() checks,
    but reading big chunks in blocks: an encoder may write all the pixels as one IDAT chunk)."""
    if fp.read(8) != _PNG_SIGNATURE:
        return False
    while True:
        header = fp.read(8)
        if len(header) < 8:
            return False
        length, kind = struct.unpack(">I4s", header)
        if length > size:
            return False
        crc = zlib.crc32(kind)
        left = length
        while left:
            block = fp.read(min(left, BLOCK))
            if not block:
                return False
            crc = zlib.crc32(block, crc)
            left -= len(block)
        stored = fp.read(4)
        if len(stored) < 4 or struct.unpack(">I", stored)[0] != crc:
            return False
        if kind == b"IEND":
            return True


def _jpeg_complete(fp: BinaryIO, size: int) -> bool:
    """The marker segments are whole and the image data ends with the end-of-image marker.

    Data after that marker is allowed: phones append motion-photo videos and depth maps there."""
    if fp.read(2) != b"\xff\xd8":
        return False
    while True:
        if not _skip_to_marker(fp):
            return False
        marker = fp.read(1)
        while marker == b"\xff":  # fill bytes
            marker = fp.read(1)
        if not marker or marker == b"\xd9":
            return False  # the file ends, or the image ends, before any image data
        if marker == b"\x01" or b"\xd0" <= marker <= b"\xd7":
            continue  # markers without a length
        raw = fp.read(2)
        if len(raw) < 2:
            return False
        length = struct.unpack(">H", raw)[0]
        if length < 2 or fp.tell() + length - 2 > size:
            return False
        fp.seek(length - 2, os.SEEK_CUR)
        if marker == b"\xda":  # start of scan: the image data runs to the end-of-image marker
            return _find(fp, b"\xff\xd9")


def _skip_to_marker(fp: BinaryIO, garbage: int = 1024) -> bool:
    """Move past the 0xFF that starts the next marker; like libjpeg, tolerate a few stray bytes."""
    for _ in range(garbage + 1):
        byte = fp.read(1)
        if byte == b"\xff":
            return True
        if not byte:
            return False
    return False


def _find(fp: BinaryIO, needle: bytes) -> bool:
    carry = b""
    while block := fp.read(BLOCK):
        if needle in carry + block:
            return True
        carry = block[-(len(needle) - 1) :]
    return False


def _webp_complete(fp: BinaryIO, size: int) -> bool:
    header = fp.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:] != b"WEBP":
        return False
    return struct.unpack("<I", header[4:8])[0] + 8 <= size


def _bmp_complete(image: ImageFile.ImageFile, size: int) -> bool:
    for tile in image.tile:
        # uncompressed rows: offset + stride × height bytes (args are raw mode, stride, orientation)
        if tile.codec_name == "raw" and tile.extents is not None and isinstance(tile.args, tuple):
            stride = tile.args[1]
            height = tile.extents[3] - tile.extents[1]
            if tile.offset + stride * height > size:
                return False
    return True


def _tiff_complete(image: Image.Image, size: int) -> bool:
    """Every strip or tile the header points to lies inside the file."""
    tags = getattr(image, "tag_v2", {})
    for offsets_tag, counts_tag in ((273, 279), (324, 325)):
        offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
        if offsets is None or counts is None:
            continue
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        if any(offset + count > size for offset, count in zip(offsets, counts, strict=False)):
            return False
    return True
