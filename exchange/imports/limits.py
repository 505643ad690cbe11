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


def max_columns() -> int:
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_COLUMNS", 200))


def max_sheet_bytes() -> int:
    """The unpacked size of an Excel workbook's parts (its sheets and shared strings)."""
    return int(getattr(settings, "GISPLAN_IMPORT_MAX_SHEET_MB", 150) * 1024 * 1024)


def max_read_seconds() -> float:
    return float(getattr(settings, "GISPLAN_IMPORT_MAX_READ_SECONDS", 90))
