"""Hostile and huge test images, built in memory without decoding or holding their pixels."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def photo(width: int = 64, height: int = 48) -> Image.Image:
    """A small RGB picture with some detail (a gradient)."""
    return Image.linear_gradient("L").resize((width, height)).convert("RGB")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def solid_png(width: int, height: int) -> bytes:
    """A black bilevel PNG of any size: a few hundred kilobytes even at 192 megapixels.

    The rows are compressed a block at a time, so the pixels never exist in memory."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then one bit per pixel
    rows_per_block = max(1, (1 << 20) // len(row))
    compressor = zlib.compressobj(9)
    parts = []
    for start in range(0, height, rows_per_block):
        parts.append(compressor.compress(row * min(rows_per_block, height - start)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` (its pixel data is a few bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG with its frame header rewritten to claim `width` × `height`."""
    content = bytearray(encode(photo(16, 16), "JPEG"))
    sof = content.index(b"\xff\xc0")
    content[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(content)
