"""Vector tile endpoints: ``/tiles/projects/{z}/{x}/{y}.pbf`` (same filters as the API) and
``/tiles/boundaries/{level}/{z}/{x}/{y}.pbf``, each with a TileJSON document
(``/tiles/projects.json``, ``/tiles/boundaries/{level}.json``: zoom range, bounds of what the
user may see, vector layers and their fields; the filters of the query string are carried into
the tile URL). Session or HTTP Basic (see ``httpauth``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_of, visible_projects
from analysis import tiles
from analysis.filters import filter_projects, normalised_names
from analysis.tiles import MAX_ZOOM, TileError, boundary_tile, check_tile, cluster_tile_from_cells, project_tile
from common.apierrors import error_response, errors_as_list, require_GET
from common.httpauth import request_user, unauthorized
from common.params import excerpt
from layers.maplayers import LEVELS
from projects_geo import clustercells
from projects_geo.models import Project

MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _tile_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=MVT_TYPE, status=200 if data else 204)
    response["Cache-Control"] = "private, max-age=60"
    return response


def _no_tile(z, x, y) -> HttpResponse:
    return error_response(
        404,
        None,
        _("There is no tile %(z)s/%(x)s/%(y)s (zoom 0–%(max)s, x and y below 2^zoom)."),
        z=excerpt(z),
        x=excerpt(x),
        y=excerpt(y),
        max=MAX_ZOOM,
    )


@require_GET
def projects_tile(request, z, x, y):
    user = request_user(request)
    if user is None:
        return unauthorized()
    try:
        check_tile(z, x, y)  # before anything reads the numbers (x, y can be any length in the path)
    except TileError:
        return _no_tile(z, x, y)
    try:
        scope = scope_of(user)
        if clustercells.usable(normalised_names(request.GET), scope, z):
            cells = filter_projects(request.GET, clustercells.tile_cells(scope, z, x, y))
            return _tile_response(cluster_tile_from_cells(cells, z, x, y))
        qs = filter_projects(request.GET, visible_projects(user, Project.objects.all()))
        return _tile_response(project_tile(qs, z, x, y))
    except ValidationError as exc:
        return JsonResponse({"errors": errors_as_list(exc)}, status=400, json_dumps_params={"ensure_ascii": False})


@require_GET
def boundaries_tile(request, level, z, x, y):
    if request_user(request) is None:
        return unauthorized()
    if level not in LEVELS:
        raise Http404
    try:
        check_tile(z, x, y)
    except TileError:
        return _no_tile(z, x, y)
    return _tile_response(boundary_tile(level, z, x, y))


THAILAND = (97.3, 5.6, 105.7, 20.5)
TILEJSON = "application/json"


def _tiles_url(request, path: str) -> str:
    """The absolute tile URL template, with the request's query string (the filters)."""
    url = request.build_absolute_uri(path)
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@require_GET
def projects_tilejson(request):
    user = request_user(request)
    if user is None:
        return unauthorized()
    try:
        qs = filter_projects(request.GET, visible_projects(user, Project.objects.all()))
        bounds = tiles.extent_of(qs, THAILAND)
    except ValidationError as exc:
        return JsonResponse({"errors": errors_as_list(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
    template = _tiles_url(request, "/tiles/projects/{z}/{x}/{y}.pbf").replace("%7B", "{").replace("%7D", "}")
    body = tiles.tilejson("projects", template, tiles.project_layers(), bounds)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_GET
def boundaries_tilejson(request, level):
    if request_user(request) is None:
        return unauthorized()
    if level not in LEVELS:
        raise Http404
    template = request.build_absolute_uri(f"/tiles/boundaries/{level}/") + "{z}/{x}/{y}.pbf"
    layers = [{"id": level, "fields": tiles.boundary_tile_fields(level), "minzoom": 0, "maxzoom": MAX_ZOOM}]
    body = tiles.tilejson(level, template, layers, tiles.extent_of(LEVELS[level].objects.all(), THAILAND))
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
