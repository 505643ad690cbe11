"""Reference frameworks as data: the shipped default (``planning/data/frameworks.json``) and its loader.

``load_frameworks`` creates the frameworks and items the file has and the database lacks, so it
can run at every ``make data``; what DLA changed in the app stays as it is unless ``reset`` asks
for the file's names and periods back. A framework of a later period (the 14th NESDP, say) is a new
entry in the file or a new row entered by DLA: no migration.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import Framework, FrameworkItem, FrameworkKind

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "frameworks.json"
FRAMEWORK_FIELDS = ("kind", "name_th", "name_en", "start_year", "end_year", "version")
ITEM_FIELDS = ("name_th", "name_en", "order")


class FrameworkFileError(ValueError):
    pass


def read_file(path: Path | str = DEFAULT_FILE) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        frameworks = data["frameworks"]
        for fw in frameworks:
            if fw["kind"] not in FrameworkKind.values:
                raise FrameworkFileError(f"unknown framework kind {fw['kind']!r}")
            for field in ("code", *FRAMEWORK_FIELDS):
                fw[field]  # noqa: B018  (present)
            for item in fw["items"]:
                item["code"], item["name_th"]  # noqa: B018
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FrameworkFileError(f"{path}: {exc}") from exc
    return frameworks


@transaction.atomic
def load_frameworks(path: Path | str = DEFAULT_FILE, *, reset: bool = False) -> dict[str, int]:
    """Load the file; returns counts of frameworks and items created and updated."""
    counts = {"frameworks_created": 0, "frameworks_updated": 0, "items_created": 0, "items_updated": 0}
    for fw in read_file(path):
        values = {k: fw.get(k, "") for k in FRAMEWORK_FIELDS}
        framework, created = Framework.objects.get_or_create(code=fw["code"], defaults=values)
        if created:
            counts["frameworks_created"] += 1
        elif reset and any(getattr(framework, k) != v for k, v in values.items()):
            Framework.objects.filter(pk=framework.pk).update(**values)
            counts["frameworks_updated"] += 1
        for n, item in enumerate(fw["items"], 1):
            item_values = {
                "name_th": item["name_th"],
                "name_en": item.get("name_en", ""),
                "order": item.get("order", n),
            }
            obj, created = FrameworkItem.objects.get_or_create(
                framework=framework, code=str(item["code"]), defaults=item_values
            )
            if created:
                counts["items_created"] += 1
            elif reset and any(getattr(obj, k) != v for k, v in item_values.items()):
                FrameworkItem.objects.filter(pk=obj.pk).update(**item_values)
                counts["items_updated"] += 1
    return counts
