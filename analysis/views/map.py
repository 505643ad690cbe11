"""The analysts' map page (``/analysis/``): filters, a drawn polygon or the map extent, the
matching projects on vector tiles with their count and budget totals, and a download link.

Data comes from the API (summary, list), the tiles and (for downloads) the export endpoint, all of
which apply ``accounts.access`` themselves. The first totals (no filter yet: every project the user
may read) are rendered with the page, in the same one-statement summary the API answers with, so
they show before the map's scripts have loaded; the script fetches totals only when a filter changes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from accounts.access import is_national, organization_of, province_of, visible_projects
from analysis.rest.serializers import SummarySerializer
from analysis.summary import summarise
from layers.models import Province
from planning.models import FrameworkItem, FrameworkKind
from projects_geo import fiscal
from projects_geo.models import FundingSource, Kind, Project, Stage, Subtype


def _initial_extent(user):
    """The bounding box the map opens on: the user's LAO area, province, or the whole country."""
    org = organization_of(user)
    unit = org.area_unit if org else (None if is_national(user) else province_of(user))
    if unit is None or not unit.geom:
        return None
    return list(unit.geom.extent)


FRAMEWORK_FILTERS = (
    ("national_strategy", FrameworkKind.NATIONAL_STRATEGY),
    ("nesdp", FrameworkKind.NESDP),
    ("sdg", FrameworkKind.SDG),
)


def _framework_choices():
    """(filter name, label, [(item code, Thai name)]) of each reference framework, newest period's names."""
    out = []
    for name, kind in FRAMEWORK_FILTERS:
        items = {}
        for code, item_name in (
            FrameworkItem.objects.filter(framework__kind=kind)
            .order_by("framework__start_year", "order")
            .values_list("code", "name_th")
        ):
            items[code] = item_name
        if items:
            out.append((name, kind.label, list(items.items())))
    return out


@login_required
def analysis_map(request):
    current = fiscal.current_fiscal_year()
    summary = SummarySerializer(summarise(visible_projects(request.user, Project.objects.all()))).data
    config = {
        "tiles_url": "/tiles/projects/{z}/{x}/{y}.pbf",
        "boundary_tiles_url": "/tiles/boundaries/province/{z}/{x}/{y}.pbf",
        "summary_url": reverse("projects_geo:api-projects-summary"),
        "list_url": reverse("projects_geo:api-projects"),
        "detail_url": "/api/projects/",
        "photos_url": "/api/field/projects/",  # + id + "/photos/": the field app's photos (popups)
        "export_url": reverse("projects_geo:export"),
        "project_url": reverse("projects_geo:project_edit", args=[0]),  # /projects/0/: 0 → the project's id
        "extent": _initial_extent(request.user),
        "cluster_below_zoom": 10,
        "initial_summary": summary,  # the totals with no filter, as /api/projects/summary/ gives them
    }
    return render(
        request,
        "analysis/map.html",
        {
            "config": config,
            "summary": summary,
            "provinces": Province.objects.without_geom().order_by("code").values("code", "name_th", "name_en"),
            "fiscal_years": list(range(current + 1, current - 8, -1)),
            "kinds": Kind.choices,
            "subtypes": Subtype.choices,
            "stages": Stage.choices,
            "funding_sources": FundingSource.choices,
            "frameworks": _framework_choices(),
        },
    )
