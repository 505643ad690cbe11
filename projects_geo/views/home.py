"""The home page: an LAO's projects as a table beside a map; a chooser of LAOs for the others.

LAO staff land on their own LAO. Provincial analysts and DLA administrators land on a chooser of
the LAOs they may see (``accounts.access.visible_organizations``) and open one at ``/lao/<code>/``.
"""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts import access
from common.apierrors import errors_as_list
from common.params import clean_text, keyed, parse_codes
from layers.models import Province

from ..forms import HomeFilterForm
from ..models import Project, Stage
from .common import map_config

MAX_SEARCH = 200  # characters of the chooser's search (LAO names are far shorter)


@login_required
def home(request):
    organization = access.organization_of(request.user)
    if organization is not None:
        return _lao_page(request, organization)
    return _chooser(request)


@login_required
def lao_home(request, dla_code):
    if not re.fullmatch(r"[0-9]{7}", dla_code):  # a DLA code; anything else names no LAO
        raise Http404
    organization = get_object_or_404(
        access.visible_organizations(request.user).select_related("province", "amphoe"), dla_code=dla_code
    )
    return _lao_page(request, organization)


def _lao_page(request, organization):
    projects = Project.objects.visible_to(request.user).filter(organization=organization)
    years = list(projects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())
    filters = HomeFilterForm(request.GET, years=years)
    rows = filters.filter(projects).select_related("tambon").order_by("-fiscal_year", "name")
    # the valid filters only travel on to the map and the download (an invalid one is ignored here too)
    valid = getattr(filters, "cleaned_data", {})
    active = {k: v for k, v in valid.items() if v not in (None, "")}
    return render(
        request,
        "projects_geo/home_lao.html",
        {
            "organization": organization,
            "projects": rows,
            "filters": filters,
            "stages": Stage,
            "can_create": access.can_create_project(request.user, organization),
            "own_lao": access.organization_of(request.user) == organization,
            "map_config": map_config(organization=organization, project_filters=active),
            # the download carries the page's filters, in the export API's parameters
            "export_params": {
                "lao": organization.dla_code,
                **{k: v for k, v in active.items() if k in ("fiscal_year", "kind", "stage")},
            },
        },
    )


def _chooser(request):
    user = request.user
    orgs = access.visible_organizations(user).select_related("province", "amphoe")
    provinces = Province.objects.without_geom().filter(pk__in=orgs.values("province_id")).order_by("name_th")
    q, province, errors = _chooser_filters(request.GET)
    with_projects = request.GET.get("all") != "1"
    if q:
        orgs = orgs.filter(name_th__icontains=q) | orgs.filter(dla_code__startswith=q)
    if province:
        orgs = orgs.filter(province__code=province)
    # the reverse relation does not go through Project.objects: leave deleted projects out here
    orgs = orgs.annotate(n_projects=Count("projects", filter=Q(projects__deleted_at__isnull=True)))
    if with_projects:
        orgs = orgs.filter(n_projects__gt=0)
    page = Paginator(orgs.order_by("province__code", "dla_code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects_geo/chooser.html",
        {
            "page": page,
            "provinces": provinces,
            "q": q,
            "province": province,
            "with_projects": with_projects,
            "has_role": access.is_national(user) or access.profile_of(user) is not None,
            "map_config": map_config(lao_codes=[o.dla_code for o in page.object_list], fit="projects"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _chooser_filters(params) -> tuple[str, str, list[dict]]:
    """The chooser's ``q`` (text without control characters) and ``province`` (a 2-digit code);
    a bad one is left out and reported (in Thai and English) with the page."""
    q, province, errors = "", "", []
    try:
        q = clean_text(params.get("q", ""), max_length=MAX_SEARCH).strip()
    except ValidationError as exc:
        errors += errors_as_list(keyed("q", exc))
    try:
        codes = parse_codes(params.get("province", ""), digits=2, max_items=1)
        province = codes[0] if codes else ""
    except ValidationError as exc:
        errors += errors_as_list(keyed("province", exc))
    return q, province, errors
