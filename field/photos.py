"""Photos as evidence: read an upload (type, size and pixel limits; EXIF position and time),
re-encode it without EXIF, make a thumbnail, compare where and when it was taken with the project
and its stage, and store it through the ``photos`` storage.

Refusals raise ``PhotoError`` (a bilingual ``message_th`` / ``message_en``); nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common.bilingual import both
from projects_geo.fiscal import format_be_date

from .models import Photo

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SERVED_LONG_SIDE = 2560  # the served copy is at most this many pixels on its long side
THUMB_LONG_SIDE = 320
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306


class PhotoError(Exception):
    """An upload refused; ``field`` and the message in both languages."""

    def __init__(self, message, field="file", **params):
        self.field = field
        self.messages = both(message, **params)
        super().__init__(self.messages["message_en"])

    def as_dict(self) -> dict:
        return {"field": self.field, **self.messages}


@dataclass
class ReadPhoto:
    served: bytes  # JPEG without EXIF
    thumbnail: bytes
    width: int
    height: int
    location: Point | None
    taken_at: dt.datetime | None


def max_bytes() -> int:
    return int(settings.GISPLAN_PHOTO_MAX_MB * 1024 * 1024)


def read_upload(upload) -> ReadPhoto:
    """Check and read an uploaded file (a Django ``UploadedFile`` or any file object with ``size``)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise PhotoError(
            _("The photo is %(size)s MB; at most %(max)s MB is accepted."),
            size=f"{size / 1048576:.1f}",
            max=f"{settings.GISPLAN_PHOTO_MAX_MB:g}",
        )
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise PhotoError(_("The photo is larger than %(max)s MB."), max=f"{settings.GISPLAN_PHOTO_MAX_MB:g}")
    image = _open(data)
    location, taken_at = _exif_position_and_time(image)
    upright = _upright(image, SERVED_LONG_SIDE)
    served = _jpeg(upright, quality=85)
    small = upright.copy()
    small.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE))  # from the served copy, not the original again
    return ReadPhoto(served, _jpeg(small, quality=75), upright.width, upright.height, location, taken_at)


def _open(data: bytes) -> Image.Image:
    limit = settings.GISPLAN_PHOTO_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in FORMATS:
                raise PhotoError(_("Send a photo as JPEG, PNG or WebP."))
            width, height = image.size
            if width * height > limit:
                raise PhotoError(
                    _("The image is %(w)s × %(h)s pixels; at most %(max)s million pixels are accepted."),
                    w=width,
                    h=height,
                    max=f"{limit / 1e6:g}",
                )
            if image.format == "JPEG":
                # let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the served size
                image.draft("RGB", (SERVED_LONG_SIDE, SERVED_LONG_SIDE))
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(_("The image has too many pixels to be read safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError(_("This file is not a photo that can be read (JPEG, PNG or WebP).")) from None
    return image


def _upright(image: Image.Image, long_side: int) -> Image.Image:
    """An RGB copy turned upright (EXIF orientation), at most ``long_side`` pixels on its long side."""
    copy = ImageOps.exif_transpose(image).convert("RGB")
    copy.thumbnail((long_side, long_side))
    return copy


def _jpeg(image: Image.Image, *, quality: int) -> bytes:
    """JPEG bytes with no EXIF or other metadata (none is passed to the encoder)."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return value[0] / value[1] if value[1] else 0.0
    return float(value)


def _exif_position_and_time(image) -> tuple[Point | None, dt.datetime | None]:
    try:
        exif = image.getexif()
        gps = exif.get_ifd(GPS_IFD)
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001 — a broken EXIF block is no position, not a refusal
        return None, None
    return _position(gps), _time(details.get(DATETIME_ORIGINAL) or exif.get(DATETIME))


def _position(gps) -> Point | None:
    try:
        lat_ref, lat, lon_ref, lon = gps.get(1), gps.get(2), gps.get(3), gps.get(4)
        if not (lat and lon):
            return None
        lat_deg = sum(_rational(v) / f for v, f in zip(lat, (1, 60, 3600), strict=False))
        lon_deg = sum(_rational(v) / f for v, f in zip(lon, (1, 60, 3600), strict=False))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if str(lat_ref).upper().startswith("S"):
        lat_deg = -lat_deg
    if str(lon_ref).upper().startswith("W"):
        lon_deg = -lon_deg
    if not (-90 <= lat_deg <= 90 and -180 <= lon_deg <= 180) or (lat_deg == 0 and lon_deg == 0):
        return None
    return Point(round(lon_deg, 7), round(lat_deg, 7), srid=4326)


def _time(value) -> dt.datetime | None:
    """EXIF's local "YYYY:MM:DD HH:MM:SS" (no zone: read as the site's time zone, Asia/Bangkok)."""
    if not isinstance(value, str):
        return None
    try:
        naive = dt.datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)


def distance_to_project_m(point: Point, project) -> float:
    """Geodesic distance (m) from ``point`` to the project's geometry (PostGIS, on the spheroid)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_Distance(ST_GeomFromEWKB(%s)::geography, geom::geography)"
            " FROM projects_geo_project WHERE id = %s",
            [bytes(point.ewkb), project.pk],
        )
        return float(cur.fetchone()[0])


def findings_for(photo_location, taken_at, project, stage) -> tuple[float | None, list[dict]]:
    """(distance in metres, warnings): taken far from the project, before the stage's date, or with
    no position / time in its EXIF."""
    findings = []
    distance = None
    if photo_location is None:
        findings.append(
            {"code": "no_position", **both(_("The photo carries no GPS position; its place is not checked."))}
        )
    else:
        distance = distance_to_project_m(photo_location, project)
        limit = settings.GISPLAN_PHOTO_MAX_DISTANCE_M
        if distance > limit:
            findings.append(
                {
                    "code": "far_from_project",
                    **both(
                        _("The photo was taken %(distance)s m from the project (more than %(limit)s m)."),
                        distance=f"{distance:,.0f}",
                        limit=f"{limit:g}",
                    ),
                }
            )
    if stage is not None and taken_at is not None and timezone.localdate(taken_at) < stage.date:
        findings.append(
            {
                "code": "before_stage",
                **both(
                    _("The photo was taken on %(taken)s, before the stage “%(stage)s” (%(date)s)."),
                    taken=format_be_date(timezone.localdate(taken_at)),
                    stage=stage.get_stage_display(),
                    date=format_be_date(stage.date),
                ),
            }
        )
    return distance, findings


def attach_photo(project, upload, *, user, stage=None, key: str | None = None, note: str = "") -> tuple[Photo, bool]:
    """Read, check and store a photo of ``project`` (and ``stage``); returns (photo, created).

    ``key``: the phone's idempotency key; a key already used returns that photo (created=False) and
    stores nothing. Raises ``PhotoError`` for a file that is refused.
    """
    if key:
        existing = Photo.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
    read = read_upload(upload)
    distance, findings = findings_for(read.location, read.taken_at, project, stage)
    name = uuid.uuid4().hex
    photo = Photo(
        project=project,
        stage=stage,
        width=read.width,
        height=read.height,
        original_name=os.path.basename(getattr(upload, "name", "") or "")[:200],
        note=note[:300],
        location=read.location,
        taken_at=read.taken_at,
        distance_m=distance,
        findings=findings,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        idempotency_key=key or None,
    )
    photo.image.save(f"{name}.jpg", ContentFile(read.served), save=False)
    photo.thumbnail.save(f"{name}.jpg", ContentFile(read.thumbnail), save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:  # the same key sent twice at once: the other request stored it
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        existing = Photo.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False
    return photo, True
