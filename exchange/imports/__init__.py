"""Bulk imports of projects from engineers' files: read → map columns → dry-run preview → commit.

- ``readers.read_source(path, filename=, crs=, encoding=)`` → ``SourceTable`` (GPX, KML, GeoJSON,
  zipped shapefile, CSV, Excel); whole-file problems raise ``ImportFileError`` (Thai + English).
- ``mapping.guess_mapping(columns)`` → target → column, from Thai and English headers.
- ``prepare(table, mapping, organization, defaults)`` → rows parsed, validated (set-based) and
  matched with earlier imports; ``report.report_csv(rows)`` is the downloadable report.
- ``commit.commit_rows(rows, organization, user, expected_versions=, upload=)`` writes all rows or
  none, and nothing when the database changed since the preview (``checks.preview_versions``).
- ``prepare_upload(token, state, organization)`` → the rows of a stored upload (``uploads``) with
  its mapping and default values: what the preview shows and what the commit (a background job,
  ``jobs``) writes.
The functions take paths, tables and model instances, never a request.
"""

from __future__ import annotations

from common.thai_format import parse_amount

from . import uploads
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


def upload_defaults(raw: dict) -> dict:
    """The mapping page's default values as the rows take them (ValueError/InvalidOperation if bad)."""
    out = {k: v for k, v in raw.items() if v not in (None, "")}
    for key in ("fiscal_year", "zone"):
        if key in out:
            out[key] = int(out[key])
    if "budget" in out:
        out["budget"] = parse_amount(out["budget"])  # "250,000" as in the files
    return out


def read_upload(token: str, state: dict) -> SourceTable:
    """The stored upload's file, read with the options it was uploaded with."""
    return read_source(
        uploads.file_path(token, state), filename=state["filename"], crs=state["crs"], encoding=state["encoding"]
    )


def prepare_upload(token: str, state: dict, organization) -> list[ImportRow]:
    """The rows of a stored upload, with its mapping and default values (``prepare``)."""
    return prepare(read_upload(token, state), state["mapping"] or {}, organization, upload_defaults(state["defaults"]))


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
    "prepare_upload",
    "read_upload",
    "preview_versions",
    "read_source",
    "report_csv",
    "summary",
    "upload_defaults",
    "validate_rows",
]
