"""Small pictures for lists: made once from a stored photo, then kept beside it in storage."""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

THUMBNAIL_BOX = (320, 320)
THUMBNAIL_FOLDER = "thumbs"


def thumbnail_name(stored_name: str) -> str:
    """Where the thumbnail of a stored photo lives (a new stored photo gets a new name)."""
    digest = hashlib.sha256(stored_name.encode()).hexdigest()[:32]
    return f"{THUMBNAIL_FOLDER}/{digest}.jpg"


def ensure_thumbnail(stored_name: str) -> str | None:
    """The thumbnail's stored name, made now if it does not exist yet; None if the photo cannot be read."""
    name = thumbnail_name(stored_name)
    if default_storage.exists(name):
        return name
    try:
        content = _render(stored_name)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        # A photo Pillow will not open (damaged, or more pixels than its safety limit) gets no
        # thumbnail; the page shows the photo's name instead.
        log.warning("No thumbnail for %s", stored_name, exc_info=True)
        return None
    return default_storage.save(name, ContentFile(content))


def _render(stored_name: str) -> bytes:
    with default_storage.open(stored_name, "rb") as source, Image.open(source) as image:
        image.draft("RGB", THUMBNAIL_BOX)  # JPEGs decode at a fraction of their size: fast and small
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_BOX)
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        out = BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent pixels on white, as the pages show them."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
