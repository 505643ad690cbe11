"""Pages, downloads and the JSON layer of the reports (``/reports/...``); thin views only.

Every view requires a signed-in user and passes that user to the report functions, which start
from the access rules. ``?format=csv`` / ``?format=xlsx`` download the table shown; bad parameters
answer 400 with the message in Thai and English.
"""

from __future__ import annotations

import re

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts.access import is_national, province_of, visible_organizations
from analysis.filters import errors_as_list  # the shared filters' errors, in Thai and English
from common.params import parse_int
from layers.models import Province
from projects_geo import fiscal
from projects_geo.models import Kind, Stage

from . import budget, completeness, dimensions, exports, layers, score
from .base import Column, ParamError, Table, int_param, parse_params, thai_date


def _errors(exc: ValidationError) -> list[dict]:
    if isinstance(exc, ParamError):
        return [exc.as_dict()]
    return errors_as_list(exc)


def _bad_request(request, exc: ValidationError):
    return render(request, "reports/error.html", {"errors": _errors(exc)}, status=400)


def _download(request, table: Table, name: str):
    fmt = request.GET.get("format")
    today = timezone.localdate()
    stamp = f"{fiscal.ce_to_be(today.year)}-{today.month:02d}-{today.day:02d}"  # the file's date in B.E.
    if fmt == "csv":
        resp = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return resp
    if fmt == "xlsx":
        resp = HttpResponse(
            exports.to_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        resp["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return resp
    if fmt:
        raise ParamError("format", "format must be csv or xlsx.", "รูปแบบไฟล์ต้องเป็น csv หรือ xlsx")
    return None


def _common(request, **extra):
    digits = request.GET.get("digits") == "thai"
    ctx = {
        "query": request.GET.urlencode(),
        "digits": digits,
        "as_of_text": thai_date(timezone.localdate(), digits),
        "kinds": Kind.choices,
        "national": is_national(request.user),
    }
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def index(request):
    return render(request, "reports/index.html", _common(request))


@login_required
@require_GET
def budget_view(request):
    level = request.GET.get("level") or "province"
    by_kind = request.GET.get("by_kind") in ("1", "true", "on")
    try:
        if level not in budget.LEVELS:
            raise ParamError(
                "level", f"level must be one of {', '.join(budget.LEVELS)}.", f"ระดับต้องเป็น {', '.join(budget.LEVELS)}"
            )
        params = parse_params(request.GET)
        table = budget.budget_report(request.user, params, level, by_kind)
        response = _download(request, table, f"budget-{level}")
    except ValidationError as exc:
        return _bad_request(request, exc)
    if response:
        return response
    pager = _paginate(request, table)
    map_level = level if level in layers.LEVELS else "province"
    if map_level == "tambon" and not (params.province_codes or not is_national(request.user)):
        map_level = "amphoe"
    map_query = _map_query(request, level=map_level, measure=request.GET.get("measure") or "planned_budget")
    return render(
        request,
        "reports/budget.html",
        _common(
            request,
            table=table,
            level=level,
            by_kind=by_kind,
            params=params,
            levels=budget.LEVELS,
            pager=pager,
            map_query=map_query,
            measures=[k for k, m in layers.MEASURES.items() if m.source == "budget"],
        ),
    )


BUDGET_PAGE_ROWS = 200  # rows of the budget table per page (by LAO: 7,849 rows were 1.9 MB of HTML)


def _paginate(request, table: Table):
    """Keep one page of ``table``'s rows for the page (the downloads hold them all); the totals
    row stays. Returns the page, with ``prev_query`` / ``next_query`` for its links."""
    page = Paginator(table.rows, BUDGET_PAGE_ROWS).get_page(request.GET.get("page"))
    table.rows = list(page.object_list)
    for name, number in (
        ("prev_query", page.has_previous() and page.number - 1),
        ("next_query", page.has_next() and page.number + 1),
    ):
        q = request.GET.copy()
        q["page"] = number
        setattr(page, name, q.urlencode() if number else "")
    return page


def _map_query(request, **overrides):
    q = request.GET.copy()
    for k in ("format", "by_kind"):
        q.pop(k, None)
    for k, v in overrides.items():
        q[k] = v
    return q.urlencode()


@login_required
@require_GET
def completeness_view(request):
    try:
        params = parse_params(request.GET)
        table = completeness.completeness_report(request.user, params)
        if not is_national(request.user) and table.total:
            table.total["name_th"] = _("Total")
        table.thai_digits = request.GET.get("digits") == "thai"
        response = _download(request, table, "completeness")
    except ValidationError as exc:
        return _bad_request(request, exc)
    if response:
        return response
    own = province_of(request.user)
    return render(
        request,
        "reports/completeness.html",
        _common(
            request,
            table=table,
            years=table.years,
            measures=completeness.MEASURES,
            params=params,
            own_province=None if is_national(request.user) else own,
        ),
    )


def _missing_param(missing: str, years: list[int]):
    """``missing=2568-3`` (year-stage) or ``2568-v`` / ``2568-t`` (vision, strategy) → (2568, 3) / (2568, "v")."""
    if not missing:
        return None
    year_text, _sep, measure = missing.partition("-")
    try:
        year = parse_int(year_text)
    except ValidationError:
        year = None
    if year is None or not measure:
        raise ParamError(
            "missing",
            "missing must look like 2568-3 (year-stage, or v / t for vision / strategy).",
            "missing ต้องอยู่ในรูป 2568-3 (ปี-ขั้นตอน หรือ v / t สำหรับวิสัยทัศน์ / ยุทธศาสตร์)",
        )
    if year not in years or measure not in completeness.MEASURE_CODES:
        raise ParamError(
            "missing", "missing names a year or stage outside the report.", "ปีหรือขั้นตอนใน missing อยู่นอกรายงาน"
        )
    return (year, int(measure) if measure.isdigit() else measure)


def _measure_label(code) -> str:
    return str(next(label for c, _key, label in completeness.MEASURES if c == str(code)))


@login_required
@require_GET
def completeness_province_view(request, code):
    if not re.fullmatch(r"[0-9]{2}", code):  # a province code; anything else names no province
        raise Http404(_("No such province."))
    province = get_object_or_404(Province.objects.without_geom(), code=code)
    if not visible_organizations(request.user).filter(province=province).exists():
        raise Http404(_("You may not see this province."))
    try:
        params = parse_params(request.GET)
        years, rows = completeness.lao_status(request.user, params, code)
        want = _missing_param(request.GET.get("missing") or "", years)
        if want:
            rows = [r for r in rows if want in r["missing"]]
        leading = [
            Column("dla_code", _("DLA code"), "text"),
            Column("name_th", _("LAO"), "text"),
            Column("amphoe_name_th", _("Amphoe"), "text"),
        ]
        cols = leading + [
            Column(f"y{i}_{key}", f"{label} {y}", "text")
            for _c, key, label in completeness.MEASURES
            for i, y in enumerate(years)
        ]
        title = _("LAOs of %(province)s by what they have recorded") % {"province": province.name_th}
        if want:
            title = _("LAOs of %(province)s that have not recorded “%(stage)s” in %(year)s") % {
                "province": province.name_th,
                "stage": _measure_label(want[1]),
                "year": want[0],
            }
        table = Table(title, cols, rows)
        completeness.set_dla_header(table, years, leading)
        table.thai_digits = request.GET.get("digits") == "thai"
        response = _download(request, table, f"completeness-{code}")
    except ValidationError as exc:
        return _bad_request(request, exc)
    if response:
        return response
    grid = [
        {"row": r, "cells": [[(y, code, r["has"][(y, code)]) for code in completeness.MEASURE_CODES] for y in years]}
        for r in rows
    ]
    return render(
        request,
        "reports/completeness_province.html",
        _common(
            request,
            table=table,
            grid=grid,
            years=years,
            measures=completeness.MEASURES,
            province=province,
            want=want,
            params=params,
        ),
    )


@login_required
@require_GET
def dimensions_view(request):
    """Budgets and stages by National Strategy, NESDP milestone, SDG or funding source."""
    dimension = request.GET.get("dimension") or "national_strategy"
    level = request.GET.get("level") or "country"
    try:
        params = parse_params(request.GET)
        table = dimensions.dimension_report(request.user, params, dimension, level)
        response = _download(request, table, f"dimension-{dimension}-{level}")
    except ValidationError as exc:
        return _bad_request(request, exc)
    if response:
        return response
    map_base = _map_query(request, level="province", measure="planned_budget")
    for row in table.rows:  # the row's map: the report map filtered by the row's item
        row["map_query"] = f"{map_base}&{dimension}={row['item']}" if row["item"] else ""
    return render(
        request,
        "reports/dimensions.html",
        _common(
            request,
            table=table,
            params=params,
            dimension=dimension,
            level=level,
            dimensions=_dimension_choices(),
            levels=_level_choices(),
        ),
    )


def _dimension_choices():
    return [
        ("national_strategy", _("National Strategy")),
        ("nesdp", _("NESDP milestone")),
        ("sdg", _("SDG")),
        ("funding_source", _("Funding source")),
    ]


def _level_choices():
    return [("country", _("Whole country")), ("province", _("Province")), ("amphoe", _("Amphoe")), ("lao", _("LAO"))]


@login_required
@require_GET
def score_view(request):
    try:
        params = parse_params(request.GET)
        table = score.score_report(request.user, params)
        response = _download(request, table, "score")
    except ValidationError as exc:
        return _bad_request(request, exc)
    if response:
        return response
    return render(
        request,
        "reports/score.html",
        _common(request, table=table, params=params, map_query=_map_query(request, level="province", measure="score")),
    )


def _layer(request):
    params = parse_params(request.GET)
    level = request.GET.get("level") or "province"
    measure = request.GET.get("measure") or "projects"
    stage = int_param(request.GET, "stage", Stage.values)
    year = int_param(request.GET, "year", minimum=fiscal.MIN_FISCAL_YEAR, maximum=fiscal.MAX_FISCAL_YEAR)
    return layers.choropleth(request.user, params, level, measure, stage, year)


@login_required
@require_GET
def layer_json(request):
    """GeoJSON of a choropleth layer with its legend, for the analysts' map."""
    try:
        data = _layer(request)
    except ValidationError as exc:
        return JsonResponse({"errors": _errors(exc)}, status=400)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # framed by our choropleth page; every other page: 'none'
def map_view(request):
    """The folium map as its own HTML document (shown in an iframe; ``download=1`` gives an offline file).

    Folium's inline scripts and styles run under the CSP nonce of this response (none in a download).
    """
    try:
        data = _layer(request)
    except ValidationError as exc:
        return _bad_request(request, exc)
    download = request.GET.get("download") in ("1", "true")
    from . import maps  # folium (and what it pulls in) only for the map frame, not at start-up

    nonce = "" if download else str(request.csp_nonce)
    html = maps.render_map(data, title=data["legend"]["title"], inline=download, nonce=nonce)
    resp = HttpResponse(html, content_type="text/html; charset=utf-8")
    if download:
        resp["Content-Disposition"] = f'attachment; filename="map-{data["level"]}-{data["measure"]}.html"'
    return resp


@login_required
@require_GET
def choropleth_view(request):
    """A page to choose level and measure and see the map (and the JSON the analysts' map uses)."""
    try:
        params = parse_params(request.GET)
        int_param(request.GET, "stage", Stage.values)
    except ValidationError as exc:
        return _bad_request(request, exc)
    level = request.GET.get("level") or "province"
    measure = request.GET.get("measure") or "projects"
    return render(
        request,
        "reports/choropleth.html",
        _common(
            request,
            params=params,
            level=level,
            measure=measure,
            levels=layers.LEVELS,
            measures=[(k, layers.measure_label(k, Stage.IN_PLAN, params.latest_year)) for k in layers.MEASURES],
            stages=list(Stage),
            stage=request.GET.get("stage") or "1",
            map_query=_map_query(request, level=level, measure=measure),
        ),
    )


__all__ = [
    "index",
    "budget_view",
    "completeness_view",
    "dimensions_view",
    "completeness_province_view",
    "score_view",
    "layer_json",
    "map_view",
    "choropleth_view",
]
