"""The sandbox's real enhancement: upscale by the model's factor, then sharpen or denoise."""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

from enhancer.media.imaging import EXTENSION_FORMATS


def enhance(content: bytes, scale: int, model_name: str, extension: str) -> bytes:
    """Really enhance an image for the sandbox: upscale, then sharpen or denoise by model."""
    with Image.open(io.BytesIO(content)) as source:
        image = source.convert("RGB") if source.mode not in ("RGB", "RGBA", "L") else source.copy()
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.LANCZOS)
    if "denoise" in model_name:
        image = image.filter(ImageFilter.MedianFilter(3))
    image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=80, threshold=2))
    fmt = EXTENSION_FORMATS.get(extension.lower(), "PNG")
    if fmt in ("JPEG", "BMP") and image.mode == "RGBA":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return out.getvalue()
