"""Field capture pages and endpoints. Who may see or change what: ``accounts.access``; the work:
``field.sync`` (queued captures) and ``field.photos`` (photo uploads and their checks).

- ``/field/``: the phone page (Here / Record the road / photos; offline queue in IndexedDB);
- ``/field/manifest.webmanifest`` and ``/field/sw.js``: the installable app and its service worker
  (served under /field/ so that its scope covers the page);
- ``/field/data.json``: the LAO's boundary and its projects' outlines, cached for offline use;
- ``POST /api/field/captures/``: a queued capture, exactly once per idempotency key;
- ``GET|POST /api/field/projects/<pk>/photos/``: a project's photos / attach one;
- ``/field/photos/<photo_id>/`` and ``…/thumb/``: a photo's file, after the access rules.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access
from common.apierrors import error_response
from common.bilingual import both
from projects_geo.fiscal import current_fiscal_year
from projects_geo.forms import LINE_SUBTYPES
from projects_geo.models import SUBTYPES_BY_KIND, Kind, Project, ProjectStage, Stage

from . import outlines
from .models import Photo
from .photos import PhotoError, attach_photo
from .sync import apply_capture, check_key

JSON = {"json_dumps_params": {"ensure_ascii": False}}
SIGN_IN = _("Sign in on the phone page first: this address takes a signed-in session only.")
NOT_FOUND = _("No such project, or you may not see it.")
# The page's messages (handed to field.js in a json_script block; %(name)s filled in by the script).
MESSAGES = {
    "refusedAccuracy": _("Reading refused: its accuracy of %(acc)s m is worse than %(max)s m. Move into the open."),
    "waiting": _("Accuracy %(acc)s m; waiting for %(good)s m or better (%(n)s of %(need)s readings)."),
    "hereDone": _("Position recorded: ±%(acc)s m from %(n)s readings."),
    "recording": _("Recording the road: %(len)s m, %(n)s points."),
    "paused": _("Paused: %(len)s m so far."),
    "trackDone": _("Road recorded: %(len)s m, %(n)s points after simplifying."),
    "trackShort": _("The track has fewer than two points; walk or drive further before stopping."),
    "noGps": _("This device gives no position."),
    "gpsError": _("No position: %(error)s"),
    "gpsDenied": _("location is not allowed for this site; allow it in the browser's settings"),
    "gpsUnavailable": _("the phone cannot tell where it is just now; it keeps trying"),
    "gpsTimeout": _("no answer from the GPS in time; try again in the open"),
    "online": _("Online"),
    "offline": _("Offline: captures are kept on this phone and sent when the signal returns."),
    "queued": _("%(n)s waiting to be sent"),
    "saved": _("Saved: %(name)s"),
    "refused": _("Not saved: %(name)s"),
    "conflict": _("%(name)s was changed by someone else meanwhile (version %(server)s). Which location do you keep?"),
    "keepMine": _("Keep mine"),
    "keepServer": _("Keep the saved one"),
    "needGeometry": _("Record a position (Here) or a road first."),
    "needName": _("Give the project a name."),
    "photoSent": _("Photo sent: %(name)s"),
    "photoRefused": _("Photo not accepted: %(name)s"),
    "photosChosen": _("%(n)s photo(s) will be sent with this capture."),
    "photoNoProject": _("The project of this photo was not saved, so the photo was not sent."),
    "photoTooBig": _("%(name)s is larger than %(max)s MB and was not added."),
    "queuedOne": _("Kept on this phone; it will be sent when there is a signal."),
    "openProject": _("Open the project"),
    "noFindings": _("No warnings."),
}


def _json(status, body):
    return JsonResponse(body, status=status, **JSON)


def _signed_in(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error_response(401, None, SIGN_IN)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _organization(request):
    """The LAO the page works for: the user's own, or ``?lao=`` for DLA; None when there is none."""
    code = request.GET.get("lao") or ""
    own = access.organization_of(request.user)
    if not code or (own is not None and own.dla_code == code):
        return own
    if len(code) != 7 or not code.isascii() or not code.isdigit():
        return None
    return access.visible_organizations(request.user).filter(dla_code=code).first()


@login_required
@require_GET
def capture_page(request):
    organization = _organization(request)
    config = {
        "lao": organization.dla_code if organization else None,
        "laoName": organization.name_th if organization else "",
        "canCreate": bool(organization) and access.can_create_project(request.user, organization),
        "goodAccuracy": settings.GISPLAN_FIELD_GOOD_ACCURACY_M,
        "maxAccuracy": settings.GISPLAN_FIELD_MAX_ACCURACY_M,
        "simplifyTolerance": settings.GISPLAN_FIELD_SIMPLIFY_M,
        "maxSpeed": settings.GISPLAN_FIELD_MAX_SPEED_MS,
        "maxPhotoMb": settings.GISPLAN_PHOTO_MAX_MB,
        "dataUrl": "/field/data.json" + (f"?lao={organization.dla_code}" if organization else ""),
        "kinds": [[k.value, str(k.label)] for k in Kind],
        "subtypes": {k.value: [[s.value, str(s.label)] for s in subs] for k, subs in SUBTYPES_BY_KIND.items()},
        "lineSubtypes": sorted(LINE_SUBTYPES),
        "stages": [[s.value, str(s.label)] for s in Stage],
        "fiscalYear": current_fiscal_year(),
        "csrf": get_token(request),
        "basemap": settings.BASEMAP_URL,
        "language": "en" if (request.LANGUAGE_CODE or "th").startswith("en") else "th",
    }
    context = {"organization": organization, "config": config, "messages_js": {k: str(v) for k, v in MESSAGES.items()}}
    return render(request, "field/capture.html", context)


@login_required
@require_GET
def offline_data(request):
    """The LAO's boundary and its projects (outlines and what the phone's edit form needs)."""
    organization = _organization(request)
    if organization is None:
        raise Http404(_("Choose the LAO the project belongs to."))
    projects = Project.objects.visible_to(request.user).filter(organization=organization)
    body = outlines.offline_data(organization, projects, editable=access.can_create_project(request.user, organization))
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def manifest(request):
    data = {
        "name": str(_("gisplan field capture")),
        "short_name": "gisplan",
        "lang": "th",
        "start_url": "/field/",
        "scope": "/field/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "id": "/field/",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """The service worker, from /field/ so that its scope covers the page; the files it caches
    are named with their static URLs (hashed names in production)."""
    source = finders.find("field/sw.js")
    with open(source, encoding="utf-8") as fh:
        text = fh.read()
    assets = [
        static(name)
        for name in (
            "field/field.js",
            "field/field.css",
            "field/geo.js",
            "field/queue.js",
            "gisplan/base.css",
            "leaflet/leaflet.js",
            "leaflet/leaflet.css",
            "field/icon-192.png",
            "field/icon-512.png",
        )
    ]
    text = text.replace("/*ASSETS*/[]", json.dumps(assets))
    response = HttpResponse(text, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/field/"
    response["Cache-Control"] = "no-cache"
    return response


@_signed_in
def captures(request):
    """POST one queued capture; the ``Idempotency-Key`` header (or ``key`` in the body) is required."""
    if request.method != "POST":
        response = error_response(405, None, _("The method %(method)s is not allowed here."), method=request.method)
        response["Allow"] = "POST"
        return response
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return error_response(400, None, _("The body is not valid JSON."))
    key = request.headers.get("Idempotency-Key") or (data.get("key") if isinstance(data, dict) else None)
    status, body = apply_capture(request.user, key, data)
    return _json(status, body)


def photo_dict(photo) -> dict:
    return {
        "id": photo.pk,
        "project_id": photo.project_id,
        "stage": photo.stage.stage if photo.stage_id else None,
        "url": f"/field/photos/{photo.pk}/",
        "thumbnail_url": f"/field/photos/{photo.pk}/thumb/",
        "width": photo.width,
        "height": photo.height,
        "lon": photo.location.x if photo.location else None,
        "lat": photo.location.y if photo.location else None,
        "taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
        "distance_m": round(photo.distance_m, 1) if photo.distance_m is not None else None,
        "findings": photo.findings,
        "note": photo.note,
    }


@_signed_in
def project_photos(request, pk):
    """GET: the project's photos. POST (multipart: ``file``, optional ``stage`` 1–6, ``key``, ``note``): attach one."""
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        return error_response(404, None, NOT_FOUND)
    if request.method == "GET":
        photos = project.photos.select_related("stage").order_by("uploaded_at", "pk")
        return _json(200, {"photos": [photo_dict(p) for p in photos]})
    if request.method != "POST":
        response = error_response(405, None, _("The method %(method)s is not allowed here."), method=request.method)
        response["Allow"] = "GET, POST"
        return response
    if not access.can_add_photo(request.user, project):
        return error_response(403, None, _("You may not add photos to this project."))
    return _upload(request, project)


def _upload(request, project):
    upload = request.FILES.get("file")
    if upload is None:
        return error_response(400, "file", _("Choose a photo to send (the field “file”)."))
    stage = None
    stage_value = request.POST.get("stage") or ""
    if stage_value:
        if stage_value not in {"1", "2", "3", "4", "5", "6"}:
            return error_response(400, "stage", _("stage must be a budget stage number from 1 to 6."))
        stage = ProjectStage.objects.filter(project=project, stage=int(stage_value)).first()
        if stage is None:
            return error_response(400, "stage", _("The project has not reached this budget stage."))
    key = request.headers.get("Idempotency-Key") or request.POST.get("key") or None
    if key is not None and not check_key(key):
        return error_response(400, "key", _("Each capture needs an idempotency key of 8–64 letters, digits, - or _."))
    try:
        photo, created = attach_photo(
            project, upload, user=request.user, stage=stage, key=key, note=request.POST.get("note", "")[:300]
        )
    except PhotoError as exc:
        return _json(400, {"errors": [exc.as_dict()]})
    if photo.project_id != project.pk:
        return _json(409, {"errors": [{"field": "key", **both(_("This idempotency key was used for another photo."))}]})
    return _json(201 if created else 200, {"photo": photo_dict(photo), "repeated": not created})


@never_cache
@require_GET
def photo_file(request, photo_id, thumb=False):
    """A photo's file (re-encoded, no EXIF), only for whoever may read its project."""
    photo = get_object_or_404(Photo.objects.select_related("project"), pk=photo_id)
    if not access.can_view_photo(request.user, photo):
        raise Http404(NOT_FOUND)
    field = photo.thumbnail if thumb else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def photo_thumb(request, photo_id):
    return photo_file(request, photo_id, thumb=True)
