"""The copies a share link serves: a stored photo without its details, made once and kept in storage.

A popular link must not redo the work for every visitor, so the cleaned copy is stored under a
name worked out from the photo's own stored name (a new photo gets a new name, so a copy is never
stale). Its extension is the photo's real format, read from its first bytes, never from its name.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage

from enhancer.media import storage
from enhancer.media.imaging import FORMATS
from enhancer.media.photo_details import DetailsNotRemoved, remove_details, sniff_format

log = logging.getLogger(__name__)

PUBLIC_FOLDER = "public"
HEAD_BYTES = 16


def real_format(stored_name: str) -> str | None:
    """The format of a stored photo by its content (JPEG, PNG, ...); None if it is none we know."""
    with default_storage.open(stored_name, "rb") as stored:
        return sniff_format(stored.read(HEAD_BYTES))


def public_copy_name(stored_name: str, fmt: str) -> str:
    digest = hashlib.sha256(stored_name.encode()).hexdigest()[:32]
    return f"{PUBLIC_FOLDER}/{digest}{FORMATS[fmt][0]}"


def ensure_public_copy(stored_name: str) -> tuple[str, str]:
    """(stored name, format) of the photo without its details, made now if it is not there yet.

    Raises `DetailsNotRemoved` for a file that cannot be cleaned: it must then not be served."""
    fmt = real_format(stored_name)
    if fmt is None:
        raise DetailsNotRemoved("Not a format we know.")
    name = public_copy_name(stored_name, fmt)
    if default_storage.exists(name):
        return name, fmt
    with tempfile.TemporaryFile() as cleaned:
        with default_storage.open(stored_name, "rb") as source:
            remove_details(source, cleaned, fmt)
        cleaned.seek(0)
        saved = default_storage.save(name, File(cleaned, name=name))
    if saved != name:  # another request made the same copy meanwhile: keep one
        storage.discard(saved)
    return name, fmt
