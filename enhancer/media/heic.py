"""iPhone photos (HEIC/HEIF) turned into JPEG on upload, since HitPaw takes no HEIC.

The size is read from the file's header first (pillow-heif reads it without decoding, already
turned as the file says), and a photo over the model's pixel limit is refused before a single
pixel is decoded. Only then is it decoded, upright, and saved as a JPEG with its details (EXIF,
colour profile) kept and its orientation tag reset, so nothing turns it a second time.
"""

from __future__ import annotations

from pathlib import Path

import pillow_heif

from enhancer.media import imaging

# The brands at bytes 8-12 of an HEIF file's `ftyp` box: still images (HEVC, or any codec).
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
JPEG_QUALITY = 92
ORIENTATION = 0x0112


class NotConverted(ValueError):
    """The HEIC file could not be turned into a JPEG; the message says why in plain words."""


def is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def heif_size(path: str | Path) -> tuple[int, int]:
    """(width, height) of the primary image as it will be shown (turned), decoding nothing."""
    try:
        return pillow_heif.open_heif(path, convert_hdr_to_8bit=True).size
    except (ValueError, OSError, RuntimeError, SyntaxError) as error:
        raise NotConverted(imaging.MSG_BROKEN) from error


def heif_to_jpeg(source: str | Path, target: str | Path, max_pixels: int) -> tuple[int, int]:
    """Write the HEIC at `source` as an upright JPEG at `target`; (width, height) of the JPEG.

    Refuses, before decoding, a photo whose header declares more than `max_pixels`.
    """
    width, height = heif_size(source)
    if width * height > max_pixels:
        raise NotConverted(imaging.too_many_pixels(width, height, max_pixels))
    try:
        heif = pillow_heif.open_heif(source, convert_hdr_to_8bit=True)
        image = imaging.upright(heif.to_pillow())
        exif = image.getexif()
        exif[ORIENTATION] = 1
        details = {"exif": exif.tobytes()}
        if image.info.get("icc_profile"):
            details["icc_profile"] = image.info["icc_profile"]
        image.convert("RGB").save(target, "JPEG", quality=JPEG_QUALITY, **details)
    except (ValueError, OSError, RuntimeError, SyntaxError) as error:
        raise NotConverted(imaging.MSG_BROKEN) from error
    return image.width, image.height
