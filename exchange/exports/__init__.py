"""Exports of a selection of projects: Shapefile (ZIP), GeoJSON, GeoPackage, CSV and KML.

The functions here take a Project queryset that the caller has ALREADY limited with
``accounts.access.visible_projects`` and the shared filters; they never look at a request.
Attributes are read set-based in one SQL statement (``query.py``) through a server-side cursor;
names and meanings of the attributes live in ``fields.py``.

- ``export_to_file(qs, fmt, path, encoding=..., progress=...)`` — for the management command.
- ``stream_export(qs, fmt, encoding=...)`` — an iterator of bytes for a streaming HTTP response.
  GeoJSON, CSV and KML are produced row by row as the response is sent; Shapefile and GeoPackage
  need random access while they are written, so they are built in a temporary file (in chunks,
  flat memory) and then streamed from it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from common.metrics import timed_stream


@dataclass(frozen=True)
class ExportFormat:
    code: str
    extension: str
    content_type: str
    streamed: bool  # produced row by row (True) or built in a temporary file first (False)
    label: str  # shown in download forms


FORMATS = {
    "geojson": ExportFormat("geojson", "geojson", "application/geo+json", True, "GeoJSON"),
    "shp": ExportFormat("shp", "zip", "application/zip", False, "Shapefile (ZIP)"),
    "gpkg": ExportFormat("gpkg", "gpkg", "application/geopackage+sqlite3", False, "GeoPackage"),
    "csv": ExportFormat("csv", "csv", "text/csv; charset=utf-8", True, "CSV"),
    "kml": ExportFormat("kml", "kml", "application/vnd.google-earth.kml+xml", True, "KML"),
}
# (code, label) for the download forms of the pages
FORMAT_CHOICES = [(code, spec.label) for code, spec in FORMATS.items()]


class ExportError(ValueError):
    """A request for an export that cannot be made (unknown format or encoding)."""


def get_format(code: str) -> ExportFormat:
    try:
        return FORMATS[(code or "").lower()]
    except KeyError:
        raise ExportError(f"Unknown export format {code!r}; use one of: {', '.join(FORMATS)}.") from None


def _streamer(fmt: str):
    if fmt == "geojson":
        from .geojson import stream_geojson as f
    elif fmt == "csv":
        from .csvfile import stream_csv as f
    else:
        from .kml import stream_kml as f
    return f


def _check_encoding(spec: ExportFormat, encoding: str) -> None:
    """Refuse an unknown shapefile text encoding before any work is done."""
    if spec.code == "shp":
        from .shapefile import gdal_encoding

        try:
            gdal_encoding(encoding)
        except ValueError as exc:
            raise ExportError(str(exc)) from None


def export_to_file(
    queryset, fmt: str, path, *, encoding: str = "utf-8", progress: Callable[[int], None] | None = None
) -> None:
    """Write the selection to ``path`` in format ``fmt``."""
    spec = get_format(fmt)
    path = Path(path)
    _check_encoding(spec, encoding)
    if spec.code == "shp":
        from .shapefile import write_shapefile_zip

        tmp = path.with_name(path.name + ".part")
        write_shapefile_zip(queryset, tmp, encoding=encoding, progress=progress)
        tmp.replace(path)
    elif spec.code == "gpkg":
        from .geopackage import write_geopackage

        tmp = path.with_name(path.stem + ".part.gpkg")
        write_geopackage(queryset, tmp, progress=progress)
        tmp.replace(path)
    else:
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as out:
            for block in _streamer(spec.code)(queryset, progress=progress):
                out.write(block)
        tmp.replace(path)


def stream_export(queryset, fmt: str, *, encoding: str = "utf-8", block_size: int = 1 << 16) -> Iterator[bytes]:
    """The export as an iterator of bytes (see the module docstring for how each format streams)."""
    spec = get_format(fmt)
    _check_encoding(spec, encoding)
    if spec.streamed:
        return timed_stream(_streamer(spec.code)(queryset), spec.code)
    return timed_stream(_stream_built(queryset, spec, encoding, block_size), spec.code)


def _stream_built(queryset, spec: ExportFormat, encoding: str, block_size: int) -> Iterator[bytes]:
    tmpdir = Path(tempfile.mkdtemp(prefix="gisplan-export-"))
    try:
        path = tmpdir / f"export.{spec.extension}"
        export_to_file(queryset, spec.code, path, encoding=encoding)
        with open(path, "rb") as fh:
            while block := fh.read(block_size):
                yield block
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def export_filename(fmt: str, stem: str = "gisplan_projects") -> str:
    return f"{stem}.{get_format(fmt).extension}"
