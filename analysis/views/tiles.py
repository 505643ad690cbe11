"""Vector tile endpoints: ``/tiles/projects/{z}/{x}/{y}.pbf`` (same filters as the API) and
``/tiles/boundaries/{level}/{z}/{x}/{y}.pbf``. Session or HTTP Basic (see ``httpauth``)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from accounts.access import scope_of, visible_projects
from analysis.filters import errors_as_list, filter_projects, normalised_names
from analysis.tiles import TileError, boundary_tile, cluster_tile_from_cells, project_tile
from common.httpauth import request_user, unauthorized
from layers.maplayers import LEVELS
from projects_geo import clustercells
from projects_geo.models import Project

MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _tile_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=MVT_TYPE, status=200 if data else 204)
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
def projects_tile(request, z, x, y):
    user = request_user(request)
    if user is None:
        return unauthorized()
    try:
        scope = scope_of(user)
        if clustercells.usable(normalised_names(request.GET), scope, z):
            cells = filter_projects(request.GET, clustercells.tile_cells(scope, z, x, y))
            return _tile_response(cluster_tile_from_cells(cells, z, x, y))
        qs = filter_projects(request.GET, visible_projects(user, Project.objects.all()))
        return _tile_response(project_tile(qs, z, x, y))
    except ValidationError as exc:
        return HttpResponse(
            json.dumps({"errors": errors_as_list(exc)}, ensure_ascii=False), status=400, content_type="application/json"
        )
    except TileError:
        raise Http404 from None


@require_GET
def boundaries_tile(request, level, z, x, y):
    if request_user(request) is None:
        return unauthorized()
    if level not in LEVELS:
        raise Http404
    try:
        return _tile_response(boundary_tile(level, z, x, y))
    except TileError:
        raise Http404 from None
