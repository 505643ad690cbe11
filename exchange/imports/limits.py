"""Limits on uploaded files, from settings (environment variables: docs/operations.md "Settings",
.env.example)."""

from __future__ import annotations

from django.conf import settings


def max_upload_bytes() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_UPLOAD_MB", 50) * 1024 * 1024)


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_UNZIPPED_MB", 300) * 1024 * 1024)


def max_zip_ratio() -> float:
    return float(getattr(settings, "GISPLAN_IMPORT_MAX_ZIP_RATIO", 200))


def max_zip_members() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_ZIP_MEMBERS", 200))


def max_features() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_FEATURES", 200_000))


def max_vertices() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_VERTICES", 50_000))
