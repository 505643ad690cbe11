"""A project's history for people: who changed what and when, stages included.

django-simple-history keeps a row per save of ``Project`` and ``ProjectStage``
(``Project.history``, ``ProjectStage.history``); this module turns them into entries, newest
first, each with the changed fields (old → new). Geometry changes are shown by their type,
vertex count, length and WKT. Two queries per project, whatever the number of entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Project, ProjectStage, Stage

# Fields shown in a change; bookkeeping fields (updated_at, version, ...) are left out.
PROJECT_FIELDS = (
    "name",
    "kind",
    "subtype",
    "fiscal_year",
    "plan_reference",
    "budget",
    "organization_id",
    "geom",
    "length_m",
    "province_id",
    "amphoe_id",
    "tambon_id",
    "current_stage",
    "source_ref",
)
STAGE_FIELDS = ("date", "amount", "note")


@dataclass
class Change:
    field: str
    label: str
    old: object
    new: object


@dataclass
class Entry:
    when: object
    who: object
    action: str  # created | changed | deleted | restored | stage_recorded | stage_changed | stage_removed
    label: str
    version: int | None = None
    stage: int | None = None
    changes: list[Change] = field(default_factory=list)

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


def describe_geometry(geom) -> str:
    if geom is None:
        return "—"
    wkt = geom.wkt
    if len(wkt) > 160:
        wkt = wkt[:157] + "…"
    return f"{geom.geom_type} · {geom.num_coords} · {wkt}"


def _value(record, name):
    value = getattr(record, name)
    return value


def _label(model, name):
    return model._meta.get_field(name.removesuffix("_id")).verbose_name


def _same(a, b) -> bool:
    if hasattr(a, "equals_exact") and hasattr(b, "equals_exact"):
        return a.srid == b.srid and a.equals_exact(b, 0)
    return a == b


def _diff(model, fields, old, new) -> list[Change]:
    changes = []
    for name in fields:
        a, b = (_value(old, name) if old is not None else None), _value(new, name)
        if old is not None and _same(a, b):
            continue
        if old is None and b in (None, ""):
            continue
        if name == "geom":
            a, b = (describe_geometry(a) if old is not None else None), describe_geometry(b)
        changes.append(Change(name, str(_label(model, name)), a, b))
    return changes


def project_history(project: Project) -> list[Entry]:
    """Entries for the project and its stages, newest first."""
    records = list(
        Project.history.filter(id=project.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    entries: list[Entry] = []
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
        changes = _diff(Project, PROJECT_FIELDS, previous if action != "created" else None, rec)
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
            )
        )
        last_by_id[rec.id] = rec
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
