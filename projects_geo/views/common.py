"""What the map pages share: the map configuration handed to static/projects_geo/maplayers.js."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from ..mapdata import legend


def area_of(organization) -> dict | None:
    """The unit an LAO works in (its province for a PAO, else its amphoe), for highlighting."""
    if organization is None:
        return None
    unit = organization.area_unit
    level = "province" if organization.is_pao or organization.amphoe_id is None else "amphoe"
    thai = (get_language() or "th").startswith("th")
    return {"level": level, "code": unit.code, "name": unit.name_th if thai or not unit.name_en else unit.name_en}


def map_config(
    *, organization=None, lao_codes=None, project_filters=None, current_project_id=None, fit="projects"
) -> dict:
    """JSON configuration of a page's map (read by maplayers.js on django-leaflet's ``map:init``)."""
    params = dict(project_filters or {})
    if organization is not None:
        params["lao"] = organization.dla_code
    elif lao_codes is not None:
        params["lao"] = ",".join(lao_codes)
    if current_project_id:
        params["exclude"] = current_project_id  # the page's own project is drawn by the entry widget
    return {
        "boundariesUrl": reverse("layers:boundaries", args=["LEVEL"]).replace("LEVEL", "{level}"),
        "projectsUrl": reverse("projects_geo:projects_geojson") + ("?" + urlencode(params) if params else ""),
        "area": area_of(organization),
        "legend": legend(),
        "currentProjectId": current_project_id,
        "fit": fit,
        "language": get_language() or settings.LANGUAGE_CODE,
    }
