"""The sandbox's real enhancement: upscale by the model's factor, then sharpen or denoise.

It takes any photo HitPaw takes (up to 432 MP out), on this app's own workers, so memory is kept
bounded. Above `LARGE_OUTPUT_PIXELS` a result is made with less work: one such photo at a time on
the machine (`one_large_photo_at_a_time`), a cheap filter, no sharpening or denoising, and the
result made in strips of rows straight into its own image, so the peak is about the result's own
size (Pillow keeps RGB at 4 bytes a pixel) rather than two or three copies of it. Figures:
docs/benchmarks.md, from benchmarks/sandbox_memory.py.
"""

from __future__ import annotations

import io
import os
from typing import IO

from PIL import Image, ImageFilter

from enhancer.media.imaging import EXTENSION_FORMATS, upright
from enhancer.sandbox.one_at_a_time import one_large_photo_at_a_time

# A 12 MP phone photo at 2x (48 MP) and 4x (192 MP) is over this; anything at 24 MP out or under
# gets the full treatment (Lanczos and sharpening need a few copies of the result in memory).
LARGE_OUTPUT_PIXELS = 24_000_000
STRIP_ROWS = 512  # result rows made at once in the reduced path


def enhance_file(
    source: str | os.PathLike | IO[bytes], scale: int, model_name: str, extension: str, out: IO[bytes]
) -> None:
    """Really enhance an image for the sandbox: stand it upright as its EXIF says, upscale, then
    sharpen or denoise by model, and write it to `out` in the format `extension` names."""
    fmt = EXTENSION_FORMATS.get(extension.lower(), "PNG")
    with Image.open(source) as opened:
        width, height = opened.size  # from the header: nothing decoded yet
        if width * height * scale * scale > LARGE_OUTPUT_PIXELS:
            with one_large_photo_at_a_time():
                _enlarge_reduced(_decoded(opened, fmt), scale, fmt, out)
            return
        image = _decoded(opened, fmt)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.LANCZOS)
    if "denoise" in model_name:
        image = image.filter(ImageFilter.MedianFilter(3))
    image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=80, threshold=2))
    image.save(out, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))


def enhance(content: bytes, scale: int, model_name: str, extension: str) -> bytes:
    """`enhance_file` for an image held in memory (small images: tests)."""
    out = io.BytesIO()
    enhance_file(io.BytesIO(content), scale, model_name, extension, out)
    return out.getvalue()


def _decoded(opened: Image.Image, fmt: str) -> Image.Image:
    """The photo's pixels, upright, in a mode the output format can hold."""
    image = upright(opened)
    if image.mode not in ("RGB", "RGBA", "L") or (fmt in ("JPEG", "BMP") and image.mode == "RGBA"):
        return image.convert("RGB")
    return image.copy() if image is opened else image


def _enlarge_reduced(image: Image.Image, scale: int, fmt: str, out: IO[bytes]) -> None:
    """Enlarge by strips of result rows, each resampled from the source rows around it (the filter
    reads past a strip's edges, so no seams), then save without extra copies: baseline JPEG (a
    progressive one holds every coefficient of the whole image in memory too)."""
    size = (image.width * scale, image.height * scale)
    result = Image.new(image.mode, size)
    for top in range(0, size[1], STRIP_ROWS):
        bottom = min(top + STRIP_ROWS, size[1])
        box = (0, top / scale, image.width, bottom / scale)
        result.paste(image.resize((size[0], bottom - top), Image.Resampling.BILINEAR, box=box), (0, top))
    del image
    options = {"JPEG": {"quality": 90}, "PNG": {"compress_level": 1}}.get(fmt, {})
    result.save(out, format=fmt, **options)
