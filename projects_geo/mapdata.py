"""Projects as map features: a GeoJSON FeatureCollection with the attributes popups and the legend use.

Takes a queryset already narrowed by ``accounts.access.visible_projects`` and the page filters;
one query (geometry serialised by PostGIS, tambon names joined), labels in the active language.
"""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.thai_format import format_baht
from layers.models import lao_display_name

from .models import Kind, Stage, Subtype

# colours shared with the legend (static/projects_geo/maplayers.js reads them from the config)
KIND_COLOURS = {Kind.WATER.value: "#1f78b4", Kind.ROAD.value: "#b15928"}
STAGE_COLOURS = {0: "#9e9e9e", 1: "#fdd835", 2: "#fb8c00", 3: "#e53935", 4: "#8e24aa", 5: "#3949ab", 6: "#2e7d32"}


def legend() -> dict:
    """Kinds and stages with their colours and labels in the active language."""
    return {
        "kinds": [{"value": k.value, "label": str(k.label), "colour": KIND_COLOURS[k.value]} for k in Kind],
        "stages": [{"value": 0, "label": _("No stage yet"), "colour": STAGE_COLOURS[0]}]
        + [{"value": s.value, "label": str(s.label), "colour": STAGE_COLOURS[s.value]} for s in Stage],
    }


def project_features(queryset, *, limit: int | None = None) -> dict:
    """FeatureCollection of ``queryset``'s projects (one SQL query); at most ``limit`` of them."""
    thai = (get_language() or "th").startswith("th")
    # Labels translated and the edit URL reversed once, not once per feature (up to 5,000).
    kinds, subtypes, stages = ({k: str(v) for k, v in c.choices} for c in (Kind, Subtype, Stage))
    edit_url = reverse("projects_geo:project_edit", args=[0]).replace("/0/", "/{}/")
    rows = (
        queryset.order_by("-fiscal_year", "name")
        .annotate(geojson=AsGeoJSON("geom", precision=6))
        .values(
            "id",
            "name",
            "kind",
            "subtype",
            "fiscal_year",
            "current_stage",
            "budget",
            "geojson",
            "tambon__name_th",
            "tambon__name_en",
            "organization__dla_code",
            "organization__name_th",
            "organization__name_en",
            "organization__type",
        )
    )
    if limit is not None:
        rows = rows[: limit + 1]
    features = []
    rows = list(rows)
    truncated = limit is not None and len(rows) > limit
    for r in rows[:limit]:
        tambon = r["tambon__name_th"] if thai or not r["tambon__name_en"] else r["tambon__name_en"]
        stage = r["current_stage"] or 0
        features.append(
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": json.loads(r["geojson"]),
                "properties": {
                    "id": r["id"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "kind_label": kinds.get(r["kind"], r["kind"]),
                    "subtype_label": subtypes.get(r["subtype"], r["subtype"]),
                    "fiscal_year": r["fiscal_year"],
                    "stage": stage,
                    "stage_label": stages[stage] if stage else "",
                    "budget": format_baht(r["budget"]),
                    "tambon": tambon or "",
                    "lao": r["organization__dla_code"],
                    "lao_name": lao_display_name(
                        r["organization__type"], r["organization__name_th"], r["organization__name_en"]
                    ),
                    "url": edit_url.format(r["id"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "properties": {"truncated": truncated}}
