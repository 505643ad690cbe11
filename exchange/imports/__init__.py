"""Bulk imports of projects from engineers' files: read → map columns → dry-run preview → commit.

- ``readers.read_source(path, filename=, crs=, encoding=)`` → ``SourceTable`` (GPX, KML, GeoJSON,
  zipped shapefile, CSV, Excel); whole-file problems raise ``ImportFileError`` (Thai + English).
- ``mapping.guess_mapping(columns)`` → target → column, from Thai and English headers.
- ``prepare(table, mapping, organization, defaults)`` → rows parsed, validated (set-based) and
  matched with earlier imports; ``report.report_csv(rows)`` is the downloadable report.
- ``commit.commit_rows(rows, organization, user, expected_versions=, upload=)`` writes all rows or
  none, and nothing when the database changed since the preview (``checks.preview_versions``).
The functions take paths, tables and model instances, never a request.
"""

from __future__ import annotations

from .checks import match_existing, preview_versions, validate_rows
from .commit import CommitConflict, CommitRefused, commit_rows
from .errors import ImportFileError
from .mapping import TARGETS, clean_mapping, guess_mapping
from .readers import SourceTable, read_source
from .report import report_csv, summary
from .rows import ImportRow, build_rows


def prepare(table: SourceTable, mapping: dict, organization, defaults: dict | None = None) -> list[ImportRow]:
    """Every row parsed, boundary-validated (one batch) and matched with earlier imports."""
    rows = build_rows(table, clean_mapping(mapping, table.columns), organization, defaults)
    match_existing(rows, organization)  # first: a matched row is not a duplicate of its own project
    validate_rows(rows, organization)
    return rows


__all__ = [
    "CommitConflict",
    "CommitRefused",
    "ImportFileError",
    "ImportRow",
    "SourceTable",
    "TARGETS",
    "build_rows",
    "clean_mapping",
    "commit_rows",
    "guess_mapping",
    "match_existing",
    "prepare",
    "preview_versions",
    "read_source",
    "report_csv",
    "summary",
    "validate_rows",
]
