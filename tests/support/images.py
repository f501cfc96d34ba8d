"""Test images made in memory with Pillow."""

import io

from PIL import Image


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    """A small gradient image, encoded as `fmt`."""
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            (x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 128)
            for y in range(height)
            for x in range(width)
        ]
    )
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def image_size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size
