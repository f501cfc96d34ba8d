"""Test images made in memory with Pillow."""

import io

from PIL import Image


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    """A gradient image, encoded as `fmt`: red grows across, green down, blue stays at 128.

    Built from one row and one column stretched by Pillow (the same pixels as setting each one),
    so a poster-size image costs Pillow's time, not a Python loop over every pixel."""
    across = Image.new("L", (width, 1))
    across.putdata([x * 255 // max(width - 1, 1) for x in range(width)])
    down = Image.new("L", (1, height))
    down.putdata([y * 255 // max(height - 1, 1) for y in range(height)])
    size, nearest = (width, height), Image.Resampling.NEAREST
    image = Image.merge(
        "RGB", (across.resize(size, nearest), down.resize(size, nearest), Image.new("L", size, 128))
    )
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def image_size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size
