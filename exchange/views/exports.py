"""Web endpoint for exports: ``GET /api/projects/export/?format=...&<filters>``.

Signed in by session (the download buttons) or HTTP Basic (scripts, ``curl -u``, GDAL), as the
rest of the API. Starts from ``accounts.Project.objects.visible_to(user)``, applies the shared
filters and streams the file (see ``exchange.exports`` for how each format streams).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from analysis.filters import errors_as_list, filter_projects
from common.apierrors import require_GET  # a 405 with the API's JSON error body
from common.bilingual import both
from common.httpauth import request_user, unauthorized
from exchange.exports import FORMATS, ExportError, export_filename, stream_export
from projects_geo.models import Project


def _error(status, field, message, **params):
    return JsonResponse({"errors": [{"field": field, **both(message, **params)}]}, status=status)


@require_GET
def export_projects(request):
    user = request_user(request)
    if user is None:
        return unauthorized()
    fmt = (request.GET.get("format") or "").lower()
    if fmt not in FORMATS:
        return _error(
            400,
            "format",
            _("Unknown export format “%(format)s”; use one of: %(choices)s."),
            format=fmt,
            choices=", ".join(FORMATS),
        )
    encoding = request.GET.get("encoding") or "utf-8"
    try:  # the filters read only their own parameters (not format / encoding)
        qs = filter_projects(request.GET, Project.objects.visible_to(user))
    except ValidationError as exc:
        return JsonResponse({"errors": errors_as_list(exc)}, status=400)
    try:
        body = stream_export(qs, fmt, encoding=encoding)
    except ExportError:
        return _error(
            400, "encoding", _("Unknown shapefile encoding “%(encoding)s”; use utf-8 or cp874."), encoding=encoding
        )
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(fmt)}"'
    response["X-Accel-Buffering"] = "no"  # let a fronting nginx pass the stream through
    return response
