"""Pages and API of background jobs.

- ``export`` (``GET /api/projects/export/``, the download of every page and of the API): a
  selection of at most ``GISPLAN_EXPORT_JOB_ROWS`` projects is sent at once by
  ``exchange.views.exports.export_projects``; a larger one (or any with ``background=1``) becomes
  a job: ``202 Accepted`` with ``Location`` (the job's status URL) for scripts and QGIS, a
  redirect to the job's page for a browser (``Accept: text/html``).
- ``commit_import`` (``POST projects/import/<token>/commit/``): every import commit is a job.
- ``job_page`` (``/jobs/<id>/``): the progress bar (static/jobs/progress.js polls the status URL).
- ``job_status`` (``/api/jobs/<id>/``) and ``job_file`` (``/api/jobs/<id>/file``): status JSON and
  the finished file, by session or HTTP Basic.
- ``import_api`` (``POST /api/imports/``): a file imported through the API — checked and
  committed at once by a job (no preview), ``202 Accepted`` + ``Location``; rows with errors fail
  the job with the import report as its file.
- ``job_list`` (``/jobs/``) and ``schedule`` (``/jobs/schedule/``, DLA administrators only).
"""

from __future__ import annotations

import re
from decimal import InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.access import can_create_project, can_see_job, can_view_job_schedule, organization_of
from analysis.filters import filter_projects
from closures.middleware import closed_response
from closures.services import SystemClosed, check_open
from common.apierrors import METHOD_NOT_ALLOWED, error_response, require_GET
from common.httpauth import request_user, unauthorized
from exchange import imports
from exchange.exports import FORMATS
from exchange.imports import limits, uploads
from exchange.views.exports import export_projects
from layers.models import Organization
from projects_geo.models import Project

from .models import Job, Kind, State
from .services import JobRefused, status, submit

OWN_PARAMS = ("format", "encoding", "background")  # not filters: the rest of the query is the selection
FILE_GONE = _("This job's file is no longer kept (finished files are kept for %(hours)s hours); export again.")
NOT_READY = _("The job has not finished yet.")
TRUTHY = ("1", "true", "yes")


def _wants_page(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _selection(request, user):
    """The export's query without its own parameters, and its queryset (None: the synchronous
    view answers the request, with its own 400 for a bad format, encoding or filter)."""
    query = request.GET.copy()
    for name in OWN_PARAMS:
        query.pop(name, None)
    if (request.GET.get("format") or "").lower() not in FORMATS:
        return query, None
    try:
        return query, filter_projects(query, Project.objects.visible_to(user))
    except ValidationError:
        return query, None


def _refused(request, exc: JobRefused):
    if _wants_page(request) and request.user.is_authenticated:
        texts = exc.texts()
        messages.error(request, f"{texts['message_th']} / {texts['message_en']}")
        return redirect("jobs:list")
    return error_response(exc.status, None, exc.message, **exc.params)


def _accepted(request, job: Job):
    if _wants_page(request) and request.user.is_authenticated:
        return redirect("jobs:page", job_id=job.id)
    response = JsonResponse(status(job), status=202, json_dumps_params={"ensure_ascii": False})
    response["Location"] = request.build_absolute_uri(reverse("jobs:status", args=[job.id]))
    return response


@require_GET
def export(request):
    user = request_user(request)
    if user is None:
        return unauthorized()
    query, qs = _selection(request, user)
    if qs is None:
        return export_projects(request)
    limit = settings.GISPLAN_EXPORT_JOB_ROWS
    background = (request.GET.get("background") or "").lower() in TRUTHY
    if not background and qs[: limit + 1].count() <= limit:
        return export_projects(request)  # the fast path: streamed at once
    params = {
        "format": request.GET["format"].lower(),
        "encoding": request.GET.get("encoding") or "utf-8",
        "query": query.urlencode(),
    }
    if params["encoding"] not in ("utf-8", "cp874") and params["format"] == "shp":
        return export_projects(request)  # its 400 for an unknown encoding
    try:
        job, _created = submit(user, Kind.EXPORT, params, key=request.headers.get("Idempotency-Key"))
    except JobRefused as exc:
        return _refused(request, exc)
    return _accepted(request, job)


API_IMPORT_FIELDS = ("kind", "subtype", "fiscal_year", "budget", "zone", "datum")
NO_FILE = _("Send the file to import as the multipart field “file”.")
BAD_LAO = _("Give the LAO to import for as lao=<its 7-digit DLA code>.")
NOT_YOURS = _("Your account may not import projects for this LAO.")
TOO_LARGE = _("The file is %(size)s MB; at most %(max)s MB can be sent at once.")
BAD_DEFAULTS = _("The default values (fiscal_year, budget, zone) are not valid numbers.")


def _csrf_refused(request):
    """A session-signed request must carry the CSRF token as any form; HTTP Basic need not."""
    if not request.user.is_authenticated:
        return None
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


def _api_import_org(request, user):
    """(organization, None) or (None, the bilingual 4xx answer)."""
    code = (request.POST.get("lao") or "").strip()
    own = organization_of(user)
    if own is not None and not code:
        code = own.dla_code
    if not re.fullmatch(r"[0-9]{7}", code):
        return None, error_response(400, "lao", BAD_LAO)
    org = Organization.objects.filter(dla_code=code).first()
    if org is None or not can_create_project(user, org):
        return None, error_response(403, "lao", NOT_YOURS)
    return org, None


@csrf_exempt  # HTTP Basic clients; a session's request is checked by _csrf_refused
def import_api(request):
    if request.method != "POST":
        return error_response(405, None, METHOD_NOT_ALLOWED, method=request.method)
    user = request_user(request)
    if user is None:
        return unauthorized()
    refused = _csrf_refused(request)
    if refused is not None:
        return refused
    org, refused = _api_import_org(request, user)
    if refused is not None:
        return refused
    try:  # an HTTP Basic client is known only here, after the closure middleware has run
        check_open(user, org.province_id)
    except SystemClosed as exc:
        return closed_response(request, exc)
    upload = request.FILES.get("file")
    if upload is None:
        return error_response(400, "file", NO_FILE)
    if upload.size > limits.max_upload_bytes():
        return error_response(
            413, "file", TOO_LARGE, size=round(upload.size / 1048576, 1), max=limits.max_upload_bytes() // 1048576
        )
    defaults = {k: request.POST.get(k, "") for k in API_IMPORT_FIELDS}
    try:
        imports.upload_defaults(defaults)
    except (ValueError, InvalidOperation):
        return error_response(400, "defaults", BAD_DEFAULTS)
    crs, encoding = request.POST.get("crs") or None, request.POST.get("encoding") or None
    token, state = uploads.create(upload, user_id=user.pk, lao=org.dla_code, crs=crs, encoding=encoding)
    try:
        table = imports.read_upload(token, state)
    except imports.ImportFileError as exc:
        uploads.discard(token)
        return JsonResponse({"errors": [{"field": "file", **exc.as_dict()}]}, status=400)
    state.update(
        source="api",
        defaults=defaults,
        mapping=imports.guess_mapping(table.columns, has_geometry=table.has_geometry),
        table={"rows": len(table.records)},
    )
    uploads.save(token, state)
    try:
        job, _created = submit(user, Kind.IMPORT, {"token": token}, key=request.headers.get("Idempotency-Key"))
    except JobRefused as exc:
        uploads.discard(token)
        return error_response(exc.status, None, exc.message, **exc.params)
    if not _created:
        uploads.discard(token)  # the same request again: its job answers
    return _accepted(request, job)


@login_required
@require_POST
def commit_import(request, token):
    state = uploads.load(token)
    if state is None or state["user_id"] != request.user.pk:
        raise Http404
    if not can_create_project(request.user, Organization.objects.get(dla_code=state["lao"])):
        raise PermissionDenied
    try:
        job, _created = submit(request.user, Kind.IMPORT, {"token": str(token)}, key=f"import:{token}")
    except JobRefused as exc:
        return _refused(request, exc)
    return redirect("jobs:page", job_id=job.id)


def _job_for(user, job_id) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not can_see_job(user, job):
        raise Http404
    return job


@login_required
def job_page(request, job_id):
    job = _job_for(request.user, job_id)
    # a failed import whose upload is still kept: back to its preview (which notes the versions anew)
    retry = job.kind == Kind.IMPORT and job.state == State.FAILED and uploads.load(job.params["token"]) is not None
    return render(request, "jobs/job.html", {"job": job, "status": status(job), "preview_again": retry})


@login_required
def job_list(request):
    jobs = Job.objects.filter(owner=request.user)[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@never_cache
@require_GET
def job_status(request, job_id):
    user = request_user(request)
    if user is None:
        return unauthorized()
    job = _job_for(user, job_id)
    return JsonResponse(status(job), json_dumps_params={"ensure_ascii": False})


@require_GET
def job_file(request, job_id):
    user = request_user(request)
    if user is None:
        return unauthorized()
    job = _job_for(user, job_id)
    if not job.finished or (job.kind == Kind.EXPORT and job.state != State.DONE):
        return error_response(409, None, NOT_READY)
    if not job.file:
        return error_response(410, None, FILE_GONE, hours=settings.GISPLAN_JOB_FILE_HOURS)
    response = FileResponse(
        default_storage.open(job.file.name, "rb"), as_attachment=True, filename=job.file_name or None
    )
    fmt = FORMATS.get(job.params.get("format", ""))
    response["Content-Type"] = fmt.content_type if fmt else "text/csv; charset=utf-8"  # an import's report
    return response


@login_required
def schedule(request):
    if not can_view_job_schedule(request.user):
        raise PermissionDenied
    rows = [
        {"name": name, "task": entry["task"], "schedule": str(entry["schedule"])}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    ]
    return render(request, "jobs/schedule.html", {"rows": rows, "timezone": settings.CELERY_TIMEZONE})
