"""Our copies of originals and results, in Django's default storage (local media or S3-compatible).

Files are copied from disk in chunks (`django.core.files.File.chunks`), never read whole into
memory, under a name nobody else has: a retried step never overwrites, or is overwritten by, an
earlier try. The caller keeps the name it is given back and `discard`s names it no longer needs.
"""

from __future__ import annotations

import logging
import os
import secrets

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

log = logging.getLogger(__name__)


def store(source_path: str | os.PathLike, folder: str, stem: str, extension: str) -> str:
    """Copy the file at `source_path` into storage as `folder/stem-<random>.ext`; return its name."""
    name = f"{folder.strip('/')}/{stem}-{secrets.token_hex(8)}{extension.lower()}"
    with open(source_path, "rb") as source:
        saved = default_storage.save(name, File(source, name=name))
    flush_to_disk(saved)
    return saved


def flush_to_disk(name: str) -> None:
    """Put a file stored on this machine's disk (and its folder entry) on disk now.

    Its job is marked done right after: a power cut must not leave a done job whose file is empty
    or missing. A bucket (S3) has the file for good once its upload returns.
    """
    if not isinstance(default_storage, FileSystemStorage):
        return
    path = default_storage.path(name)
    for target in (path, os.path.dirname(path)):
        descriptor = os.open(target, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def open_stream(name: str) -> File:
    """Open a stored file to send on as it is read (from a bucket: as it arrives); `.size` is set.

    Not seekable on every backend: for Pillow, which seeks, use `default_storage.open`.
    """
    open_bucket_stream = getattr(default_storage, "open_stream", None)  # enhancer.media.s3
    if open_bucket_stream is not None:
        return open_bucket_stream(name)
    return default_storage.open(name, "rb")


def discard(name: str) -> None:
    """Delete a stored file if it is there; a failure is logged, never raised (best effort)."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except Exception:  # a storage backend may raise anything: the caller must not fail for it
        log.warning("Could not delete %s from storage", name, exc_info=True)
