"""``/projects/map.geojson``: the projects a user may see, as map features, with the home filters."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from projects_geo.models import Project

from ..forms import HomeFilterForm
from ..mapdata import project_features

MAX_FEATURES = 5000


@require_GET
@login_required
def projects_geojson(request):
    """Query: ``lao=<dla code>[,<code>…]``, ``fiscal_year``, ``kind``, ``stage`` (0 = none yet), ``exclude=<id>``.

    At most ``MAX_FEATURES`` projects (newest fiscal years first); ``properties.truncated`` says so.
    """
    qs = Project.objects.visible_to(request.user)
    if "lao" in request.GET:
        qs = qs.filter(organization__dla_code__in=[c for c in request.GET["lao"].split(",") if c])
    if request.GET.get("exclude", "").isdigit():
        qs = qs.exclude(pk=int(request.GET["exclude"]))
    qs = HomeFilterForm(request.GET).filter(qs)  # no year choices: nothing renders the form here
    collection = project_features(qs, limit=MAX_FEATURES)
    return JsonResponse(collection, content_type="application/geo+json")
