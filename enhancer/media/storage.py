"""Our own copies of originals and results, each under a name no other try can reuse."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

log = logging.getLogger(__name__)


def store(source_path: Path, folder: str, stem: str, extension: str) -> str:
    """Copy a file into storage under a unique name (streamed in chunks); return that name."""
    name = f"{folder}/{stem}-{uuid.uuid4().hex[:12]}{extension}"
    with open(source_path, "rb") as source:
        return default_storage.save(name, File(source))


def discard(name: str) -> None:
    """Delete a stored file we no longer need; a failure only leaves an orphan behind."""
    try:
        default_storage.delete(name)
    except OSError:
        log.warning("Could not delete %s from storage", name)
