"""Taking a photo's details out (EXIF, XMP, IPTC, comments: GPS position, camera, author), pixels untouched.

A share link shows the pictures to anyone, and a phone photo says where it was taken. JPEG, PNG and
WebP are copied block by block with the metadata segments or chunks left out, in one pass over the
file, so the pixels are never decoded and memory stays small whatever the photo's size. What the
picture needs to look right stays: the colour profile (ICC), and a JPEG's orientation, written
back as the only EXIF tag when it is not the default (a portrait phone photo would lie on its side).
Anything after the image's end (a phone's motion-photo video, a second picture with its own EXIF)
is dropped. BMP carries no such details and is copied as it is; any other format (TIFF) is decoded
and written again by Pillow, within the app's pixel limit.
"""

from __future__ import annotations

import struct
from typing import IO

from PIL import Image

from enhancer.media.imaging import LARGEST_PIXELS

BLOCK = 64 * 1024
ORIENTATION = 0x0112


class DetailsNotRemoved(ValueError):
    """The file is not the format it claims, or is damaged: it must not be served as cleaned."""


def sniff_format(head: bytes) -> str | None:
    """The Pillow format name of a file from its first bytes (16 are enough); None if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def remove_details(source: IO[bytes], out: IO[bytes], fmt: str) -> None:
    """Write `source` (a photo in format `fmt`) to `out` (seekable) without its details."""
    writers = {"JPEG": _jpeg, "PNG": _png, "WEBP": _webp, "BMP": _copy}
    try:
        writers.get(fmt, _reencode)(source, out)
    except (struct.error, OSError, Image.DecompressionBombError) as error:
        raise DetailsNotRemoved(str(error)) from error


class _Reader:
    """A file read in blocks; `buffer[pos:]` holds the bytes read but not used yet."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.buffer = b""
        self.pos = 0

    def available(self) -> int:
        return len(self.buffer) - self.pos

    def fill(self, want: int) -> bool:
        """At least `want` unused bytes in the buffer, unless the file ends first."""
        if self.available() >= want:
            return True
        self.buffer, self.pos = self.buffer[self.pos :], 0
        while len(self.buffer) < want:
            block = self.source.read(BLOCK)
            if not block:
                return False
            self.buffer += block
        return True

    def read(self, count: int) -> bytes:
        if not self.fill(count):
            raise DetailsNotRemoved("The file ends too early.")
        self.pos += count
        return self.buffer[self.pos - count : self.pos]

    def byte(self) -> int | None:
        if not self.fill(1):
            return None
        self.pos += 1
        return self.buffer[self.pos - 1]

    def pass_on(self, count: int, out: IO[bytes] | None) -> None:
        """Copy the next `count` bytes to `out` (or skip them when `out` is None), block by block."""
        while count:
            if not self.fill(1):
                raise DetailsNotRemoved("The file ends too early.")
            taken = min(count, self.available())
            if out is not None:
                out.write(self.buffer[self.pos : self.pos + taken])
            self.pos += taken
            count -= taken


# JPEG: segments kept only if the picture needs them to look right; every other APPn (APP1 EXIF
# and XMP, APP13 IPTC, makers' own) and COM comments are left out.
def _jpeg_segment_kept(marker: int, payload: bytes) -> bool:
    if marker == 0xE0:
        return payload.startswith(b"JFIF\x00")
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return payload.startswith(b"Adobe")  # how the colours are coded (CMYK, YCCK)
    if marker == 0xE1:
        return False
    return not (0xE3 <= marker <= 0xEF or marker == 0xFE)


def _jpeg(source: IO[bytes], out: IO[bytes]) -> None:
    reader = _Reader(source)
    if reader.read(2) != b"\xff\xd8":
        raise DetailsNotRemoved("Not a JPEG.")
    out.write(b"\xff\xd8")
    orientation_written = False
    while True:
        marker = _next_marker(reader)
        if marker is None or marker == 0xD9:
            out.write(b"\xff\xd9")  # the end of the image: what follows is not this picture
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out.write(bytes((0xFF, marker)))
            continue
        raw = reader.read(2)
        length = struct.unpack(">H", raw)[0]
        if length < 2:
            raise DetailsNotRemoved("A damaged JPEG segment.")
        payload = reader.read(length - 2)
        if marker == 0xE1 and not orientation_written and payload.startswith(b"Exif\x00\x00"):
            orientation_written = _write_orientation(payload, out)
        elif _jpeg_segment_kept(marker, payload):
            out.write(b"\xff" + bytes((marker,)) + raw + payload)
        if marker == 0xDA:
            _copy_scan(reader, out)


def _next_marker(reader: _Reader) -> int | None:
    """The next marker's code, past its 0xFF and any fill bytes; None at the end of the file."""
    while True:
        if not reader.fill(1):
            return None
        at = reader.buffer.find(b"\xff", reader.pos)
        if at == -1:  # stray bytes between segments, as libjpeg tolerates: skipped in bulk
            reader.pos = len(reader.buffer)
            continue
        reader.pos = at + 1
        code = reader.byte()
        while code == 0xFF:
            code = reader.byte()
        if code is not None:
            return code
        return None


def _copy_scan(reader: _Reader, out: IO[bytes]) -> None:
    """Copy a scan's coded data up to the next marker (0xFF not followed by 0x00 or a restart)."""
    while reader.fill(2):
        at = reader.buffer.find(b"\xff", reader.pos)
        while at != -1 and at + 1 < len(reader.buffer):
            following = reader.buffer[at + 1]
            if following != 0x00 and not 0xD0 <= following <= 0xD7:
                out.write(reader.buffer[reader.pos : at])
                reader.pos = at
                return
            at = reader.buffer.find(b"\xff", at + 2)
        stop = len(reader.buffer) - 1 if at != -1 else len(reader.buffer)  # a last 0xFF waits
        out.write(reader.buffer[reader.pos : stop])
        reader.pos = stop
        if reader.available() and not reader.fill(2):
            break
    out.write(reader.buffer[reader.pos :])  # the file ends inside the scan: keep what there is
    reader.pos = len(reader.buffer)


def _write_orientation(payload: bytes, out: IO[bytes]) -> bool:
    """Write an EXIF segment holding only the orientation, if the photo's is not the default."""
    exif = Image.Exif()
    try:
        exif.load(payload)
        orientation = int(exif.get(ORIENTATION, 1))
    except Exception:  # damaged EXIF from a camera: treat as no orientation, never fail the copy
        return False
    if orientation == 1 or not 2 <= orientation <= 8:
        return False
    only = Image.Exif()
    only[ORIENTATION] = orientation
    body = only.tobytes()
    out.write(b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body)
    return True


# PNG: text and EXIF chunks are left out; everything the picture needs (iCCP, gAMA, ...) stays.
PNG_DETAILS = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def _png(source: IO[bytes], out: IO[bytes]) -> None:
    reader = _Reader(source)
    signature = reader.read(8)
    if signature != b"\x89PNG\r\n\x1a\n":
        raise DetailsNotRemoved("Not a PNG.")
    out.write(signature)
    while True:
        header = reader.read(8)
        length, kind = struct.unpack(">I4s", header)
        kept = kind not in PNG_DETAILS
        if kept:
            out.write(header)
        reader.pass_on(length + 4, out if kept else None)  # the data and its checksum
        if kind == b"IEND":
            return


# WebP: the EXIF and XMP chunks are left out, their flags cleared in the extended header, and the
# container's size written again once the copy is done.
WEBP_DETAILS = {b"EXIF", b"XMP "}
VP8X_EXIF_AND_XMP = 0x08 | 0x04


def _webp(source: IO[bytes], out: IO[bytes]) -> None:
    reader = _Reader(source)
    header = reader.read(12)
    if header[:4] != b"RIFF" or header[8:] != b"WEBP":
        raise DetailsNotRemoved("Not a WebP.")
    declared = struct.unpack("<I", header[4:8])[0]
    start = out.tell()
    out.write(header)
    left = declared - 4
    while left >= 8:
        chunk = reader.read(8)
        kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        padded = size + (size & 1)
        left -= 8 + padded
        if kind in WEBP_DETAILS:
            reader.pass_on(padded, None)
        elif kind == b"VP8X":
            body = bytearray(reader.read(padded))
            body[0] &= ~VP8X_EXIF_AND_XMP & 0xFF
            out.write(chunk + bytes(body))
        else:
            out.write(chunk)
            reader.pass_on(padded, out)
    end = out.tell()
    out.seek(start + 4)
    out.write(struct.pack("<I", end - start - 8))
    out.seek(end)


def _copy(source: IO[bytes], out: IO[bytes]) -> None:
    while block := source.read(BLOCK):
        out.write(block)


def _reencode(source: IO[bytes], out: IO[bytes]) -> None:
    """Decode and write again, keeping only the pixels and the colour profile."""
    with Image.open(source) as image:
        if image.width * image.height > LARGEST_PIXELS:
            raise DetailsNotRemoved("More pixels than any photo the app takes.")
        fmt = image.format
        profile = image.info.get("icc_profile")
        clean = image.copy()  # a plain image: none of the file's tags come along
        clean.info = {}
    options = {"icc_profile": profile} if profile else {}
    if fmt == "TIFF":
        options["compression"] = "tiff_adobe_deflate"
    clean.save(out, fmt, **options)
