"""Pillow helpers: check that bytes are a usable image, and the sandbox's real enhancement."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageFilter, UnidentifiedImageError

# Pillow format -> the extension HitPaw expects and the content type we serve.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
    "BMP": (".bmp", "image/bmp"),
    "TIFF": (".tiff", "image/tiff"),
}
EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".bmp": "BMP"}
EXTENSION_FORMATS.update({".tif": "TIFF", ".tiff": "TIFF"})


class NotAnImage(ValueError):
    """The bytes are not an image we can send to HitPaw; the message says why in plain words."""


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


def inspect_image(content: bytes) -> ImageInfo:
    """Identify and verify an image without decoding all of its pixels."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt, (width, height) = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        raise NotAnImage("The image has far too many pixels to handle.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise NotAnImage(
            "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."
        ) from None
    if fmt not in FORMATS:
        raise NotAnImage(f"This kind of image ({fmt}) is not supported. Use a JPG, PNG, WebP, BMP or TIFF.")
    return ImageInfo(format=fmt, width=width, height=height)


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
