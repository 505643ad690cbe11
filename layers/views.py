"""HTTP endpoints of the reference geography: boundary outlines for the maps (GeoJSON)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from .maplayers import LayerRequestError, boundary_geojson, parse_request


@require_GET
@login_required
def boundaries_geojson(request, level):
    """``/layers/boundaries/<level>.geojson?zoom=Z&bbox=minx,miny,maxx,maxy[&code=…]``."""
    try:
        req = parse_request(level, request.GET)
    except LayerRequestError as exc:
        return JsonResponse(
            {"errors": [{"field": exc.field, "message_th": exc.message_th, "message_en": exc.message_en}]}, status=400
        )
    response = HttpResponse(boundary_geojson(req), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=3600"
    return response
