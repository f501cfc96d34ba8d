"""The sandbox's real enhancement: upscale by the model's factor, then sharpen or denoise."""

from __future__ import annotations

import io
import os
from typing import BinaryIO

from PIL import Image, ImageFilter

from enhancer.media.imaging import EXTENSION_FORMATS, upright


def enhance_file(
    source: str | os.PathLike | BinaryIO, scale: int, model_name: str, extension: str, out: BinaryIO
) -> None:
    """Really enhance an image for the sandbox: stand it upright as its EXIF says, upscale, then
    sharpen or denoise by model, and write it to `out` in the format `extension` names."""
    with Image.open(source) as opened:
        image = upright(opened)
        image = image.convert("RGB") if image.mode not in ("RGB", "RGBA", "L") else image.copy()
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.LANCZOS)
    if "denoise" in model_name:
        image = image.filter(ImageFilter.MedianFilter(3))
    image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=80, threshold=2))
    fmt = EXTENSION_FORMATS.get(extension.lower(), "PNG")
    if fmt in ("JPEG", "BMP") and image.mode == "RGBA":
        image = image.convert("RGB")
    image.save(out, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))


def enhance(content: bytes, scale: int, model_name: str, extension: str) -> bytes:
    """`enhance_file` for an image held in memory (small images: tests)."""
    out = io.BytesIO()
    enhance_file(io.BytesIO(content), scale, model_name, extension, out)
    return out.getvalue()
