"""The phone's queued captures: a new project, or a changed one, sent with an idempotency key.

``apply_capture`` checks the capture with the desk page's form (``projects_geo.forms.ProjectForm``:
the same fields, text rules and version), saves it through ``projects_geo.services.save_project``
(boundary validation, units, history) and keeps the answer under the key (``SyncReceipt``): a key
sent again — the answer was lost with the signal — gets the same answer and writes nothing.
A project changed meanwhile (its version moved on) is a conflict: nothing is written and the
answer carries the server's copy, for the person to choose; it is never overwritten silently.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.apierrors import errors_as_list
from common.bilingual import both
from layers.models import Organization
from projects_geo.concurrency import ConflictError, VersionError, parse_version
from projects_geo.forms import ProjectForm
from projects_geo.models import Project
from projects_geo.services import ProjectValidationError, save_project

from .models import SyncReceipt

KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
FIELDS = ("name", "kind", "subtype", "fiscal_year", "plan_reference", "budget")


def _error(status, field, message, **params):
    return status, {"status": "refused", "errors": [{"field": field, **both(message, **params)}]}


def project_summary(project) -> dict:
    return {
        "id": project.pk,
        "version": project.version,
        "name": project.name,
        "kind": project.kind,
        "subtype": project.subtype,
        "fiscal_year": project.fiscal_year,
        "budget": str(project.budget),
        "plan_reference": project.plan_reference,
        "geometry": json.loads(project.geom.geojson) if project.geom else None,
        "url": f"/projects/{project.pk}/",
    }


def check_key(key) -> bool:
    return isinstance(key, str) and bool(KEY_RE.fullmatch(key))


def apply_capture(user, key: str, data: dict) -> tuple[int, dict]:
    """Apply one queued capture exactly once; returns (HTTP status, answer)."""
    if not check_key(key):
        return _error(400, "key", _("Each capture needs an idempotency key of 8–64 letters, digits, - or _."))
    with transaction.atomic():
        with connection.cursor() as cur:  # one request per key at a time
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('field-sync'), hashtext(%s))", [key])
        receipt = SyncReceipt.objects.filter(key=key).first()
        if receipt is not None:
            if receipt.user_id != user.pk:
                return _error(409, "key", _("This idempotency key was used by someone else; send a new one."))
            return receipt.status, {**receipt.body, "repeated": True}
        status, body, project = _apply(user, data)
        SyncReceipt.objects.create(key=key, user=user, status=status, body=body, project=project)
    return status, body


def _target(user, data):
    """(organization, existing project or None, error answer or None)."""
    project_id = data.get("project_id")
    if project_id not in (None, ""):
        if not re.fullmatch(r"\d{1,18}", str(project_id)):
            return None, None, _error(400, "project_id", _("project_id must be a whole number."))
        project = Project.objects.visible_to(user).select_related("organization").filter(pk=int(project_id)).first()
        if project is None:
            return None, None, _error(404, "project_id", _("No such project, or you may not see it."))
        if not access.can_edit_project(user, project):
            return None, None, _error(403, "project_id", _("You may not change this project."))
        return project.organization, project, None
    code = str(data.get("lao") or "")
    organization = Organization.objects.filter(dla_code=code).first() if re.fullmatch(r"\d{7}", code) else None
    if organization is None:
        own = access.organization_of(user)
        organization = own if not code else None
    if organization is None:
        return None, None, _error(400, "lao", _("Choose the LAO the project belongs to."))
    if not access.can_create_project(user, organization):
        return None, None, _error(403, "lao", _("You may not add projects to this LAO."))
    return organization, None, None


def _apply(user, data) -> tuple[int, dict, Project | None]:
    if not isinstance(data, dict):
        return (*_error(400, None, _("The body must be a JSON object.")), None)
    organization, existing, refused = _target(user, data)
    if refused:
        return (*refused, None)
    form_data = {name: data.get(name) for name in FIELDS}
    if existing is not None:
        try:  # the version the phone's copy was made from: required, as on the desk page
            parse_version(data.get("version"))
        except VersionError as exc:
            return 400, {"status": "invalid", "errors": [{"field": "version", **_texts(exc)}]}, None
        for name in FIELDS:  # a field the phone did not send keeps the server's value
            if form_data[name] is None:
                form_data[name] = getattr(existing, name)
        form_data["version"] = data.get("version")
    geometry = data.get("geometry")
    form_data["geom"] = (
        json.dumps(geometry) if isinstance(geometry, dict) else (existing.geom.geojson if existing else "")
    )
    project = existing or Project(organization=organization)
    form = ProjectForm({k: "" if v is None else v for k, v in form_data.items()}, instance=project)
    if not form.is_valid():
        return 400, {"status": "invalid", "errors": _form_errors(form)}, None
    candidate = form.save(commit=False)
    candidate.organization = organization
    try:
        save_project(candidate, user=user, expected_version=form.expected_version)
    except ConflictError as exc:
        current = Project.all_objects.filter(pk=project.pk).first()
        conflict = exc.as_dict()
        body = {
            "status": "conflict",
            "conflict": conflict,
            "errors": [
                {"field": "version", "message_th": conflict["message_th"], "message_en": conflict["message_en"]}
            ],
            "server": project_summary(current) if current is not None else None,
        }
        return 409, body, current
    except VersionError as exc:
        return 400, {"status": "invalid", "errors": [{"field": "version", **_texts(exc)}]}, None
    except ProjectValidationError as exc:
        return 400, {"status": "invalid", "findings": [f.as_dict() for f in exc.result.findings]}, None
    return (
        200,
        {"status": "saved", "project": project_summary(candidate), "findings": candidate.validation_findings},
        candidate,
    )


def _texts(exc) -> dict:
    return {"message_th": exc.message_th, "message_en": exc.message_en}


def _form_errors(form) -> list[dict]:
    out = []
    for field, errors in form.errors.as_data().items():
        for err in errors:
            if isinstance(err, ConflictError | VersionError):
                out.append({"field": "version", **_texts(err)})

            else:
                out.extend(e | {"field": None if field == "__all__" else field} for e in errors_as_list(err))
    return out


def purge_receipts(now=None) -> int:
    """Delete the receipts older than ``GISPLAN_FIELD_RECEIPT_DAYS`` (a phone resends a lost answer
    within hours or days, never after that); run daily on Celery beat. Returns how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.GISPLAN_FIELD_RECEIPT_DAYS)
    deleted, _ = SyncReceipt.objects.filter(created_at__lt=cutoff).delete()
    return deleted
