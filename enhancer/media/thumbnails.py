"""Small pictures for lists: made once per stored photo on the workers, then kept beside it.

A web request never decodes a photo: it serves the stored thumbnail, or a static placeholder while
there is none (`PENDING`). The workers make a thumbnail right after storing a photo, decoding as
little as they can: a JPEG at a fraction of its size (`Image.draft`), and nothing at all for an
image that would still decode to more than `MAX_DECODE_PIXELS` (it keeps the placeholder).
The thumbnail's name follows from the photo's, so no model field records it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from enhancer.media.imaging import ALLOWED_FORMATS, upright

log = logging.getLogger(__name__)

THUMBNAIL_BOX = (320, 320)
THUMBNAIL_FOLDER = "thumbs"
# The most pixels a worker decodes for one thumbnail (after a JPEG's reduced decoding): about
# 200 MB as RGBA. A 2x result of a 12 MP photo (48 MP) still gets one; a 70 MP PNG does not.
MAX_DECODE_PIXELS = 64_000_000
# The static file shown while a photo has no thumbnail (or will never get one).
PENDING = "enhancer/thumbnail-pending.svg"


class TooLarge(ValueError):
    """More pixels to decode than MAX_DECODE_PIXELS."""


def thumbnail_name(stored_name: str) -> str:
    """Where the thumbnail of a stored photo lives (a new stored photo gets a new name)."""
    digest = hashlib.sha256(stored_name.encode()).hexdigest()[:32]
    return f"{THUMBNAIL_FOLDER}/{digest}.jpg"


def stored_thumbnail(stored_name: str) -> str | None:
    """The thumbnail's stored name if it has been made; never decodes anything (for the web)."""
    name = thumbnail_name(stored_name)
    return name if default_storage.exists(name) else None


def make_thumbnail(stored_name: str, source: str | os.PathLike | None = None) -> str | None:
    """Make and store the thumbnail of a stored photo, once (for the workers).

    `source` is a local copy of the same file when the caller has one (the pipeline's download),
    to save reading it back from storage. Returns None, logged, for a photo that gets no
    thumbnail (over the pixel cap, or unreadable); never raises, so a pipeline step never fails
    for a thumbnail.
    """
    name = thumbnail_name(stored_name)
    try:
        if default_storage.exists(name):
            return name
        if source is not None:
            with open(source, "rb") as photo:
                content = render(photo)
        else:
            with default_storage.open(stored_name, "rb") as photo:
                content = render(photo)
        return default_storage.save(name, ContentFile(content))
    except TooLarge as error:
        log.info("No thumbnail for %s: %s", stored_name, error)
    except (UnidentifiedImageError, Image.DecompressionBombError, ValueError, SyntaxError, OSError):
        log.warning("No thumbnail for %s", stored_name, exc_info=True)
    except Exception:  # a storage backend may raise anything: the step goes on without one
        log.exception("No thumbnail for %s", stored_name)
    return None


def render(photo) -> bytes:
    """A JPEG at most THUMBNAIL_BOX in size, from an open image file; refuses (TooLarge) before
    decoding an image of more than MAX_DECODE_PIXELS."""
    with Image.open(photo, formats=ALLOWED_FORMATS) as image:
        image.draft("RGB", THUMBNAIL_BOX)  # JPEGs decode at 1/2, 1/4 or 1/8 of their size
        width, height = image.size  # what decoding will make, after the draft
        if width * height > MAX_DECODE_PIXELS:
            raise TooLarge(f"{width} × {height} pixels to decode, more than {MAX_DECODE_PIXELS}")
        image.getexif()  # read before resizing: the orientation is applied to the small copy
        image.thumbnail(THUMBNAIL_BOX, reducing_gap=2.0)
        small = upright(image)
        if small.mode not in ("RGB", "L"):
            small = _flatten(small)
        out = BytesIO()
        small.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent pixels on white, as the pages show them."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
