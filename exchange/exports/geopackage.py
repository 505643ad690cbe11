"""GeoPackage export: one file, one layer per geometry family (``projects_points``, ``projects_lines``
— both always, with no feature when the selection has none — and ``projects_multipoints`` when
present), long field names, UTF-8 text, EPSG:4326, and ``photos``: the field photos of the
selected projects as points where they were taken (``photos.py``). An empty selection is a valid GeoPackage.

Written in chunks by ``ogr.write_layers`` (memory bounded by the chunk size).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .photos import write_photos_layer


def write_geopackage(queryset, path: Path, *, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    from .ogr import write_layers

    path = Path(path)
    if path.exists():
        path.unlink()
    written = write_layers(
        queryset,
        path.parent,
        driver="GPKG",
        names=lambda fam: path.name,
        layer_names=lambda fam: f"projects_{fam}",
        progress=progress,
    )
    written["photos"] = write_photos_layer(queryset, path)
    return written
