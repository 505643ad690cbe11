"""The home page: an LAO's projects as a table beside a map; a chooser of LAOs for the others.

LAO staff land on their own LAO. Provincial analysts and DLA administrators land on a chooser of
the LAOs they may see (``accounts.access.visible_organizations``) and open one at ``/lao/<code>/``.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from accounts import access
from layers.models import Province

from ..forms import HomeFilterForm
from ..models import Project, Stage
from .common import map_config


@login_required
def home(request):
    organization = access.organization_of(request.user)
    if organization is not None:
        return _lao_page(request, organization)
    return _chooser(request)


@login_required
def lao_home(request, dla_code):
    organization = get_object_or_404(
        access.visible_organizations(request.user).select_related("province", "amphoe"), dla_code=dla_code
    )
    return _lao_page(request, organization)


def _lao_page(request, organization):
    projects = Project.objects.visible_to(request.user).filter(organization=organization)
    years = list(projects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())
    filters = HomeFilterForm(request.GET, years=years)
    rows = filters.filter(projects).select_related("tambon").order_by("-fiscal_year", "name")
    active = {k: v for k, v in request.GET.items() if k in filters.fields and v != ""}
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
    q = request.GET.get("q", "").strip()
    province = request.GET.get("province", "")
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
        },
    )
