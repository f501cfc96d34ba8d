"""Photos uploaded from a computer: checked like fetched ones (type, size, pixels), then stored.

An iPhone's HEIC is turned into a JPEG first (`heic.py`): HitPaw takes no HEIC.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from enhancer.media import heic, imaging, storage

CHUNK = 1024 * 1024
MB = 1024 * 1024  # as the fetcher counts: the 50 MB limit is the same number on both paths


class UploadRefused(ValueError):
    """An upload we will not take; the message says why in plain words, naming the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredUpload:
    name: str  # in storage
    filename: str  # as the person's computer called it
    info: imaging.ImageInfo


def store_upload(uploaded: UploadedFile, *, max_bytes: int, max_pixels: int) -> StoredUpload:
    """Check an uploaded file is a picture HitPaw takes, within the limits, and keep our copy."""
    filename = Path(uploaded.name or "photo").name[:255]
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise UploadRefused(
            f"“{filename}” is {uploaded.size / MB:.1f} MB, over the {max_bytes / MB:g} MB we take."
        )
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / "photo"
        with path.open("wb") as copy:
            for chunk in uploaded.chunks(CHUNK):
                copy.write(chunk)
        with path.open("rb") as copy:
            head = copy.read(16)
        if heic.is_heif(head):
            path = _heif_as_jpeg(path, filename, max_pixels)
        info = _inspect(path, filename, max_pixels)
        name = storage.store(path, "originals", "upload", info.extension)
    return StoredUpload(name=name, filename=filename, info=info)


def _heif_as_jpeg(path: Path, filename: str, max_pixels: int) -> Path:
    """The HEIC at `path` as a JPEG beside it; refused by its header's size before anything is decoded."""
    converted = path.with_suffix(".jpg")
    try:
        heic.heif_to_jpeg(path, converted, max_pixels)
    except heic.NotConverted as problem:
        raise UploadRefused(f"“{filename}”: {problem}") from None
    return converted


def _inspect(path: Path, filename: str, max_pixels: int) -> imaging.ImageInfo:
    inspect_file = getattr(imaging, "inspect_image_file", None)
    try:
        if inspect_file is not None:  # streams from disk, never the whole file in memory
            info = inspect_file(path, max_pixels)
        else:
            info = imaging.inspect_image(path.read_bytes())
    except imaging.NotAnImage as problem:
        raise UploadRefused(f"“{filename}”: {_about_the_file(str(problem))}") from None
    if info.width * info.height > max_pixels:
        raise UploadRefused(
            f"“{filename}” is {info.megapixels:.1f} megapixels ({info.width} × {info.height}), "
            f"over the {max_pixels / 1_000_000:g} megapixels HitPaw takes for this model."
        )
    return info


def _about_the_file(message: str) -> str:
    """The fetcher's words speak of a link; an upload is a file."""
    return message.replace("The link did not lead to a picture", "This file is not a picture")
