"""The provincial office's follow-up pages: who is behind (page, map, CSV/Excel), the fiscal-year
calendar (DLA's national items, a province's own) and the weekly digest. Who may read and change
what: ``accounts.access`` (``follow_up_province``, ``can_manage_calendar``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from common.params import parse_codes
from layers.models import Province

from . import exports
from .behind import follow_up
from .calendar import items_for
from .digest import weekly_digest
from .forms import CalendarItemForm
from .models import CalendarItem, DigestSubscription


def _province_id(request):
    """The province the page is about: a provincial office's own, DLA's ``?province=`` (None: the
    country). Anyone else: 403; a malformed or unknown code: 404."""
    try:
        codes = parse_codes(request.GET.get("province", ""), digits=2, max_items=1)
    except ValidationError:
        raise Http404 from None
    asked = None
    if codes:
        asked = Province.objects.without_geom().filter(code=codes[0]).values_list("pk", flat=True).first()
        if asked is None:
            raise Http404
    province_id = access.follow_up_province(request.user, asked)
    if province_id is False:
        raise PermissionDenied(_("The follow-up pages are for the provincial office and DLA."))
    return province_id


def _map_features(result) -> list[dict]:
    return [
        {
            "code": r.organization.dla_code,
            "name": r.organization.name_th,
            "status": r.status,
            "label": exports.status_label(r.status),
            "days": r.days_late,
            "lat": r.location.y,
            "lon": r.location.x,
        }
        for r in result.rows
        if r.location is not None
    ]


@login_required
def behind(request):
    province_id = _province_id(request)
    result = follow_up(province_id)
    language = get_language() or "th"
    return render(
        request,
        "monitoring/behind.html",
        {
            "result": result,
            "counts": result.counts(),
            "items": [(i, i.title(language), i.due(result.fiscal_year)) for i in result.items],
            "by_province": result.by_province() if province_id is None else None,
            "rows": result.rows if province_id is not None else [r for r in result.rows if r.status == "late"][:500],
            "national": access.is_national(request.user),
            "provinces": Province.objects.without_geom().order_by("code") if access.is_national(request.user) else [],
            "map_config": {
                "features": _map_features(result),
                "basemap": settings.BASEMAP_URL,
                "attribution": settings.BASEMAP_ATTRIBUTION,
            },
            "province_code": result.province.code if result.province else "",
        },
    )


@login_required
def behind_export(request):
    province_id = _province_id(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    result = follow_up(province_id)
    language = get_language() or "th"
    name = f"behind_{result.province.code if result.province else 'th'}_{result.today.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(result, language), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(result, language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def calendar_page(request):
    level, own = access.scope_of(request.user)
    national = level == "national"
    if level not in ("national", "province"):
        raise PermissionDenied(_("The calendar is kept by DLA and the provincial offices."))
    form = CalendarItemForm(national=national)
    status = 200
    if request.method == "POST":
        form = CalendarItemForm(request.POST, national=national)
        if form.is_valid():
            item = form.save(commit=False)
            item.province_id = (
                (form.cleaned_data["province"].pk if form.cleaned_data["province"] else None) if (national) else own
            )
            if not access.can_manage_calendar(request.user, item.province_id):
                raise PermissionDenied
            item.created_by = request.user
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError:
                form.add_error("key", _("An item with this key exists already."))
            else:
                messages.success(request, _("The calendar item is added."))
                return redirect("monitoring:calendar")
        status = 400
    language = get_language() or "th"
    items = items_for(None if national else own)
    return render(
        request,
        "monitoring/calendar.html",
        {
            "items": [(i, i.title(language), access.can_manage_calendar(request.user, i.province_id)) for i in items],
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def calendar_delete(request, pk):
    item = get_object_or_404(CalendarItem, pk=pk)
    if not access.can_manage_calendar(request.user, item.province_id):
        raise PermissionDenied(_("You may not change this calendar item."))
    item.delete()
    messages.success(request, _("The calendar item is removed."))
    return redirect("monitoring:calendar")


@login_required
def digest(request):
    province_id = _province_id(request)
    subscribed = DigestSubscription.objects.filter(user=request.user).exists()
    if request.method == "POST":
        if subscribed:
            DigestSubscription.objects.filter(user=request.user).delete()
            messages.success(request, _("You no longer get the weekly digest by e-mail."))
        else:
            DigestSubscription.objects.create(user=request.user)
            messages.success(request, _("You will get the weekly digest by e-mail."))
        return redirect("monitoring:digest")
    since, until, lines = weekly_digest(province_id)
    province = Province.objects.without_geom().filter(pk=province_id).first() if province_id else None
    return render(
        request,
        "monitoring/digest.html",
        {"since": since, "until": until, "lines": lines, "province": province, "subscribed": subscribed},
    )
