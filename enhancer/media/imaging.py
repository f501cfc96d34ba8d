"""Pillow helpers: check that bytes are a usable image, and which format and size it has."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

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
