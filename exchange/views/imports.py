"""Web import flow for LAO staff: upload → column mapping → dry-run preview → commit.

Only users who may create projects for the LAO (``accounts.access.can_create_project``) get
through, and the domain functions of ``exchange.imports`` do the work. The file is read at
the upload (its columns, first rows and row count go into the upload's state for the mapping
page), at the dry run (whose report is kept for download until the mapping changes, with the
versions of the projects it matched) and again at the commit — a background job of the ``jobs`` app
(``jobs.views.commit_import``) — which validates against the database as it is then and refuses to
update a project changed since the dry run. Nothing is written before the commit, and the commit
writes all rows or none.
"""

from __future__ import annotations

from decimal import InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import can_create_project, can_import_projects, organization_of, visible_organizations
from common.metrics import IMPORT_SECONDS
from exchange import imports
from exchange.imports import limits, uploads
from layers.models import Organization
from projects_geo.models import Kind, Subtype

PREVIEW_ROWS = 500
CRS_CHOICES = [
    ("", _("as the file says")),
    ("EPSG:4326", "WGS84 lon/lat (EPSG:4326)"),
    ("EPSG:32647", "WGS84 / UTM 47N (EPSG:32647)"),
    ("EPSG:32648", "WGS84 / UTM 48N (EPSG:32648)"),
    ("EPSG:24047", "Indian 1975 / UTM 47N (EPSG:24047)"),
    ("EPSG:24048", "Indian 1975 / UTM 48N (EPSG:24048)"),
]
ENCODING_CHOICES = [("", _("as the file says (UTF-8)")), ("cp874", "Windows-874 / TIS-620 (cp874)"), ("utf-8", "UTF-8")]


def _state(request, token):
    state = uploads.load(token)
    if state is None or state["user_id"] != request.user.pk:
        raise Http404
    org = Organization.objects.get(dla_code=state["lao"])
    if not can_create_project(request.user, org):
        raise PermissionDenied
    return state, org


def _table(token, state):
    return imports.read_upload(token, state)


SAMPLE_ROWS = 5


def _describe(table) -> dict:
    """What the mapping page shows of a file, kept in the upload's state (JSON)."""
    columns = [c for c in table.columns if not c.startswith("_")]

    def cell(v):
        return None if v is None else v if isinstance(v, (str, int, float, bool)) else str(v)

    return {
        "format": table.format,
        "rows": len(table.records),
        "has_geometry": table.has_geometry,
        "columns": columns,
        "sample": [[cell(rec.get(c)) for c in columns] for rec in table.records[:SAMPLE_ROWS]],
    }


def _rows(token, state, org):
    with IMPORT_SECONDS.labels("prepare").time():
        return imports.prepare_upload(token, state, org)


class UploadForm(forms.Form):
    """The upload's options, each one of what the page offers (a LAO code: seven digits 0–9)."""

    lao = forms.RegexField(regex=r"^[0-9]{7}$", required=False)
    crs = forms.ChoiceField(choices=CRS_CHOICES, required=False)
    encoding = forms.ChoiceField(choices=ENCODING_CHOICES, required=False)


def _upload_refusal(request, form, own, orgs):
    """``(error, org)``: why the posted upload cannot be taken (an ImportFileError), or its LAO."""
    if not form.is_valid():
        if "lao" in form.errors:
            return imports.ImportFileError("bad_lao", _("A LAO code has 7 digits 0–9 (e.g. 4830201).")), None
        return imports.ImportFileError(
            "bad_option", _("Choose the coordinate reference system and the text encoding from the lists.")
        ), None
    code = own.dla_code if own else form.cleaned_data["lao"]
    org = orgs.filter(dla_code=code).first() if code else None
    f = request.FILES.get("file")
    if org is None or not can_create_project(request.user, org):
        return imports.ImportFileError("not_allowed", _("You may not import projects for this LAO.")), None
    if f is None:
        return imports.ImportFileError("no_file", _("Choose a file to upload.")), None
    if f.size > limits.max_upload_bytes():
        return imports.ImportFileError(
            "too_large",
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once."),
            size=round(f.size / 1048576, 1),
            max=limits.max_upload_bytes() // 1048576,
        ), None
    return None, org


@login_required
def upload(request):
    if not can_import_projects(request.user):  # analysts: refused before any upload
        raise PermissionDenied(gettext("Your role does not import projects."))
    own = organization_of(request.user)
    orgs = visible_organizations(request.user)
    error = None
    if request.method == "POST":
        form = UploadForm(request.POST)
        error, org = _upload_refusal(request, form, own, orgs)
        if error is None:
            uploads.purge_older_than()  # uploads left at the mapping or preview step for over a day
            token, state = uploads.create(
                request.FILES["file"],
                user_id=request.user.pk,
                lao=org.dla_code,
                crs=form.cleaned_data["crs"],
                encoding=form.cleaned_data["encoding"],
            )
            try:
                table = _table(token, state)
            except imports.ImportFileError as exc:
                uploads.discard(token)
                error = exc
            else:
                state["mapping"] = imports.guess_mapping(table.columns, has_geometry=table.has_geometry)
                state["table"] = _describe(table)
                uploads.save(token, state)
                return redirect("projects_geo:import_mapping", token=token)
    elif own is not None and not can_create_project(request.user, own):
        raise PermissionDenied
    return render(
        request,
        "exchange/import_upload.html",
        {
            "own": own,
            "error": error,
            "crs_choices": CRS_CHOICES,
            "encoding_choices": ENCODING_CHOICES,
            "max_mb": limits.max_upload_bytes() // 1048576,
        },
        status=400 if error else 200,
    )


@login_required
def mapping(request, token):
    state, org = _state(request, token)
    table = state.get("table")
    if table is None:  # an upload stored before the state kept the file's description
        try:
            table = state["table"] = _describe(_table(token, state))
        except imports.ImportFileError as exc:
            return render(request, "exchange/import_upload.html", {"error": exc}, status=400)
        uploads.save(token, state)
    if request.method == "POST":
        state["mapping"] = {t: request.POST.get(f"map_{t}") for t in imports.TARGETS if request.POST.get(f"map_{t}")}
        state["defaults"] = {
            k: request.POST.get(f"default_{k}", "")
            for k in ("kind", "subtype", "fiscal_year", "budget", "zone", "datum")
        }
        try:
            imports.upload_defaults(state["defaults"])
        except (ValueError, InvalidOperation):
            messages.error(request, gettext("The default values are not valid numbers."))
        else:
            state.pop("versions", None)
            uploads.save(token, state)
            uploads.drop_report(token)  # the dry run of the old mapping no longer holds
            return redirect("projects_geo:import_preview", token=token)
    targets = [
        (t, label, (state["mapping"] or {}).get(t, ""))
        for t, label in imports.TARGETS.items()
        if table["has_geometry"] is False or t not in ("lat", "lon", "easting", "northing", "zone", "datum", "wkt")
    ]
    return render(
        request,
        "exchange/import_mapping.html",
        {
            "token": token,
            "org": org,
            "state": state,
            "table": table,
            "targets": targets,
            "columns": table["columns"],
            "sample": table["sample"],
            "kinds": Kind.choices,
            "subtypes": Subtype.choices,
            "defaults": state["defaults"],
        },
    )


@login_required
def preview(request, token):
    state, org = _state(request, token)
    try:
        rows = _rows(token, state, org)
    except imports.ImportFileError as exc:
        return render(request, "exchange/import_upload.html", {"error": exc}, status=400)
    uploads.save_report(token, imports.report_csv(rows))
    state["versions"] = imports.preview_versions(rows)  # the commit updates only projects still so
    uploads.save(token, state)
    return render(
        request,
        "exchange/import_preview.html",
        {
            "token": token,
            "org": org,
            "state": state,
            "rows": rows[:PREVIEW_ROWS],
            "more": max(0, len(rows) - PREVIEW_ROWS),
            "summary": imports.summary(rows),
        },
    )


@login_required
def report(request, token):
    state, org = _state(request, token)
    data = uploads.load_report(token)
    if data is None:  # the dry run's report was not kept (or the mapping changed since)
        try:
            data = imports.report_csv(_rows(token, state, org))
        except imports.ImportFileError as exc:
            return render(request, "exchange/import_upload.html", {"error": exc}, status=400)
        uploads.save_report(token, data)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import_report.csv"'
    return response
