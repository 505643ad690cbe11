"""Shapefile export: a ZIP holding one shapefile per geometry family, the data dictionary, .prj, .cpg.

``projects_points.*`` (Point), ``projects_lines.*`` (LineString/MultiLineString) — both always, with
no feature when the selection has none — and, only when the selection has any,
``projects_multipoints.*``. Field names are the ≤10-byte ``shp`` names of
``fields.py``; ``data_dictionary.csv`` in the ZIP says what each means in Thai and English.
The ``.cpg`` says the dBASE encoding: UTF-8 by default, ``CP874`` (Windows-874 / TIS-620) on
request for older Thai GIS software. dBASE strings hold at most 254 bytes; GDAL cuts longer ones
on a character boundary (a Thai character is 3 bytes in UTF-8, 1 in CP874).
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from .fields import data_dictionary_csv
from .ogr import write_layers

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "cp874": "CP874",
    "tis-620": "CP874",
    "tis620": "CP874",
    "windows-874": "CP874",
}
DICTIONARY_NAME = "data_dictionary.csv"


def gdal_encoding(encoding: str | None) -> str:
    key = (encoding or "utf-8").strip().lower()
    if key not in ENCODINGS:
        raise ValueError(f"Unknown shapefile encoding {encoding!r}: use utf-8 or cp874.")
    return ENCODINGS[key]


def write_shapefile_zip(
    queryset, out, *, encoding: str = "utf-8", progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write the ZIP to ``out`` (a path or a binary file object); returns rows per family."""
    enc = gdal_encoding(encoding)
    with tempfile.TemporaryDirectory(prefix="gisplan-shp-") as tmp:
        tmpdir = Path(tmp)
        written = write_layers(
            queryset,
            tmpdir,
            driver="ESRI Shapefile",
            names=lambda fam: f"projects_{fam}.shp",
            encoding=enc,
            shapefile_names=True,
            progress=progress,
        )
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for path in sorted(tmpdir.iterdir()):
                zf.write(path, path.name)
            zf.writestr(DICTIONARY_NAME, data_dictionary_csv())
    return written
