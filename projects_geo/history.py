"""A project's history for people: who changed what and when, stages included.

django-simple-history keeps a row per save of ``Project`` and ``ProjectStage``
(``Project.history``, ``ProjectStage.history``); this module turns them into entries, newest
first, each with the changed fields (old → new), shown as people read them: labels for codes,
the names of the LAO and the units (with the LAO's type), amounts and lengths formatted, dates in
B.E.; a geometry by its type, vertex count and length, with both versions as GeoJSON for the page's
small map. Three queries per project (the names at once), whatever the number of entries.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from pyproj import Geod

from common.thai_format import format_be_date, format_number
from layers.models import Amphoe, Organization, Province, Tambon

from .models import Kind, Project, ProjectStage, Stage, Subtype

_GEOD = Geod(ellps="WGS84")
_UNIT_MODELS = {"organization_id": Organization, "province_id": Province, "amphoe_id": Amphoe, "tambon_id": Tambon}

# Fields shown in a change; bookkeeping fields (updated_at, version, ...) are left out.
PROJECT_FIELDS = (
    "name",
    "kind",
    "subtype",
    "fiscal_year",
    "plan_reference",
    "budget",
    "funding_source",
    "organization_id",
    "geom",
    "length_m",
    "province_id",
    "amphoe_id",
    "tambon_id",
    "current_stage",
    "source_ref",
)
STAGE_FIELDS = ("date", "amount", "note", "funding_source")


@dataclass
class Change:
    field: str
    label: str
    old: object
    new: object
    old_geojson: str = ""  # a geometry change: both versions, for the small map
    new_geojson: str = ""


@dataclass
class Entry:
    when: object
    who: object
    action: str  # created | changed | deleted | restored | stage_recorded | stage_changed | stage_removed
    label: str
    version: int | None = None
    stage: int | None = None
    changes: list[Change] = field(default_factory=list)
    reason: str = ""  # the reason given for a correction or withdrawal of a stage
    on_behalf: bool = False  # recorded by the provincial office on behalf of the LAO

    @property
    def geometry_changed(self) -> bool:
        return any(c.field == "geom" for c in self.changes)


ACTION_LABELS = {
    "created": _("Created"),
    "changed": _("Changed"),
    "deleted": _("Deleted"),
    "restored": _("Restored"),
    "stage_recorded": _("Stage recorded"),
    "stage_changed": _("Stage changed"),
    "stage_removed": _("Stage removed"),
}


_GEOMETRY_LABELS = {
    "Point": _("point"),
    "MultiPoint": _("points"),
    "LineString": _("line"),
    "MultiLineString": _("lines"),
}


def describe_geometry(geom) -> str:
    """ "line · 12 vertices · 1,234.5 m" (a point: its latitude and longitude)."""
    if geom is None:
        return "—"
    kind = str(_GEOMETRY_LABELS.get(geom.geom_type, geom.geom_type))
    if geom.geom_type == "Point":
        return f"{kind} · {geom.y:.6f}, {geom.x:.6f}"
    parts = [kind, _("%(n)s vertices") % {"n": format_number(geom.num_coords)}]
    if "Line" in geom.geom_type:
        metres = sum(_GEOD.line_length(*zip(*line.coords, strict=True)) for line in _lines(geom))
        parts.append(_("%(m)s m") % {"m": format_number(round(metres, 1))})
    return " · ".join(str(p) for p in parts)


def _lines(geom):
    return [geom] if geom.geom_type == "LineString" else list(geom)


def _show(name, value, names):
    """A stored value as people read it."""
    if value is None or value == "":
        return None
    if name in _UNIT_MODELS:
        return names.get((name, value), value)
    if name == "kind":
        return str(Kind(value).label) if value in Kind.values else value
    if name == "subtype":
        return str(Subtype(value).label) if value in Subtype.values else value
    if name == "current_stage":
        return str(Stage(value).label) if value in Stage.values else value
    if isinstance(value, dt.date):
        return format_be_date(value)
    if name == "length_m":
        return _("%(m)s m") % {"m": format_number(round(float(value), 1))}
    if isinstance(value, (Decimal, float)):
        return format_number(value)
    return value


def _names(records) -> dict:
    """{(field, id): name} of the LAOs and units the records mention (one query per kind of unit)."""
    ids: dict[str, set] = {name: set() for name in _UNIT_MODELS}
    for rec in records:
        for name in _UNIT_MODELS:
            if getattr(rec, name, None):
                ids[name].add(getattr(rec, name))
    out = {}
    for name, model in _UNIT_MODELS.items():
        for obj in model.objects.filter(pk__in=ids[name]).defer(*_heavy(model)):
            out[(name, obj.pk)] = obj.display_name if model is Organization else obj.name_th
    return out


def _heavy(model):
    return [f.name for f in model._meta.get_fields() if f.name in ("geom", "office_location")]


def _value(record, name):
    value = getattr(record, name)
    return value


def _label(model, name):
    return model._meta.get_field(name.removesuffix("_id")).verbose_name


def _same(a, b) -> bool:
    if hasattr(a, "equals_exact") and hasattr(b, "equals_exact"):
        return a.srid == b.srid and a.equals_exact(b, 0)
    return a == b


def _diff(model, fields, old, new, names=None) -> list[Change]:
    changes = []
    names = names or {}
    for name in fields:
        a, b = (_value(old, name) if old is not None else None), _value(new, name)
        if old is not None and _same(a, b):
            continue
        if old is None and b in (None, ""):
            continue
        if name == "geom":
            change = Change(name, str(_label(model, name)), None, describe_geometry(b))
            change.old = describe_geometry(a) if old is not None else None
            change.old_geojson = json.dumps(json.loads(a.geojson)) if a is not None else ""
            change.new_geojson = json.dumps(json.loads(b.geojson)) if b is not None else ""
            changes.append(change)
            continue
        old_shown = _show(name, a, names) if old is not None else None
        changes.append(Change(name, str(_label(model, name)), old_shown, _show(name, b, names)))
    return changes


def project_history(project: Project) -> list[Entry]:
    """Entries for the project and its stages, newest first."""
    records = list(
        Project.history.filter(id=project.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    entries: list[Entry] = []
    names = _names(records)
    previous = None
    for rec in records:
        if rec.history_type == "+":
            action = "created"
        elif rec.history_type == "-":
            action = "deleted"
        elif previous is not None and previous.deleted_at is None and rec.deleted_at is not None:
            action = "deleted"
        elif previous is not None and previous.deleted_at is not None and rec.deleted_at is None:
            action = "restored"
        else:
            action = "changed"
        changes = _diff(Project, PROJECT_FIELDS, previous if action != "created" else None, rec, names)
        if action == "changed" and not changes:
            previous = rec
            continue  # a save that changed nothing worth showing
        entries.append(
            Entry(
                rec.history_date,
                rec.history_user,
                action,
                str(ACTION_LABELS[action]),
                version=rec.version,
                changes=changes,
                on_behalf=rec.on_behalf,
            )
        )
        previous = rec

    stage_records = list(
        ProjectStage.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("stage", "history_date", "history_id")
    )
    last_by_id: dict[int, object] = {}
    for rec in stage_records:
        before = last_by_id.get(rec.id)
        action = {"+": "stage_recorded", "-": "stage_removed"}.get(rec.history_type, "stage_changed")
        changes = _diff(ProjectStage, STAGE_FIELDS, before if action == "stage_changed" else None, rec)
        entries.append(
            Entry(
                rec.history_date,
                rec.history_user,
                action,
                f"{ACTION_LABELS[action]}: {Stage(rec.stage).label}",
                stage=rec.stage,
                changes=changes,
                reason=rec.history_change_reason or "",
                on_behalf=rec.on_behalf,
            )
        )
        last_by_id[rec.id] = rec
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


@dataclass
class OnBehalfChange:
    when: object
    who: object
    project_id: int
    project_name: str
    organization_id: int
    label: str


def changes_on_behalf(organization_ids, *, limit: int = 500) -> list[OnBehalfChange]:
    """Changes recorded by the provincial office on behalf of these LAOs (projects and stages),
    newest first; at most ``limit``. Two queries."""
    projects = (
        Project.history.filter(on_behalf=True, organization_id__in=organization_ids)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    out = [
        OnBehalfChange(
            r.history_date,
            r.history_user,
            r.id,
            r.name,
            r.organization_id,
            str(ACTION_LABELS["created" if r.history_type == "+" else "changed"]),
        )
        for r in projects
    ]
    stages = (
        ProjectStage.history.filter(on_behalf=True, project__organization_id__in=organization_ids)
        .select_related("history_user", "project")
        .order_by("-history_date")[:limit]
    )
    for r in stages:
        action = {"+": "stage_recorded", "-": "stage_removed"}.get(r.history_type, "stage_changed")
        out.append(
            OnBehalfChange(
                r.history_date,
                r.history_user,
                r.project_id,
                r.project.name,
                r.project.organization_id,
                f"{ACTION_LABELS[action]}: {Stage(r.stage).label}",
            )
        )
    out.sort(key=lambda c: c.when, reverse=True)
    return out[:limit]
