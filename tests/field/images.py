"""Photos for the field tests, made with Pillow: JPEGs with an EXIF GPS position and time, a file
that is not an image, a file over the size limit and a decompression bomb."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD, EXIF_IFD = 0x8825, 0x8769


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def jpeg_bytes(lat=None, lon=None, taken="2025:01:15 10:30:00", size=(640, 480), colour=(40, 120, 200)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make: must not survive in the served copy
    if lat is not None:
        exif[GPS_IFD] = {1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)}
    if taken:
        exif[EXIF_IFD] = {36867: taken}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def bomb_png(side=30000) -> bytes:
    """A PNG of side × side pixels that is a few hundred kB: far more pixels than the limit."""
    image = Image.new("1", (side, side), 0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
