"""``/projects/map.geojson``: the projects a user may see, as map features, with the home filters."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from common.apierrors import errors_as_list
from common.params import keyed, parse_codes, parse_int
from projects_geo.models import Project

from ..forms import HomeFilterForm
from ..mapdata import project_features

MAX_FEATURES = 5000


def _read(name, parse, value, **bounds):
    """``parse(value, **bounds)`` (``common.params``), its error keyed by the parameter ``name``."""
    try:
        return parse(value, **bounds)
    except ValidationError as exc:
        raise keyed(name, exc) from None


@require_GET
@login_required
def projects_geojson(request):
    """Query: ``lao=<dla code>[,<code>…]``, ``fiscal_year``, ``kind``, ``stage`` (0 = none yet), ``exclude=<id>``.

    At most ``MAX_FEATURES`` projects (newest fiscal years first); ``properties.truncated`` says so.
    """
    qs = Project.objects.visible_to(request.user)
    try:
        if "lao" in request.GET:
            qs = qs.filter(organization__dla_code__in=_read("lao", parse_codes, request.GET["lao"], digits=7))
        exclude = _read("exclude", parse_int, request.GET.get("exclude"), minimum=1)
    except ValidationError as exc:
        return JsonResponse({"errors": errors_as_list(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    qs = HomeFilterForm(request.GET).filter(qs)  # no year choices: nothing renders the form here
    collection = project_features(qs, limit=MAX_FEATURES)
    return JsonResponse(collection, content_type="application/geo+json")
