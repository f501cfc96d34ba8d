"""Photos that carry details a share link must not give away: GPS position, camera, author, comments."""

import io

from PIL import Image, ImageCms, PngImagePlugin

from tests.support.images import image_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112
AUTHOR = "Alice Author"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Alice Author</dc:creator></x:xmpmeta>'
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def details(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: where (GPS), with what (camera), by whom (author)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[0x013B] = AUTHOR
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def photo_with_details(fmt: str = "JPEG", width: int = 120, height: int = 80, **options) -> bytes:
    """A photo in `fmt` with GPS/camera/author EXIF, XMP or text, and an sRGB profile (TIFF: camera and
    author tags, as Pillow writes no GPS there)."""
    image = Image.open(io.BytesIO(image_bytes(width, height, "PNG"))).convert("RGB")
    extra: dict = {"xmp": XMP} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG":
        extra["comment"] = b"Shot at 12 Main Street"
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", AUTHOR)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        extra["pnginfo"] = text
    if fmt == "TIFF":
        extra["tiffinfo"] = {0x010F: "PhoneMaker", 0x013B: AUTHOR}
    out = io.BytesIO()
    image.save(out, fmt, exif=options.pop("exif", details()), icc_profile=SRGB, **extra, **options)
    return out.getvalue()


def gps_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))
