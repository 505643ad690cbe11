"""Saving projects: the one path by which forms, API, imports and sample data write a project.

``save_project`` validates the geometry (``validation.validate``): an error finding blocks the
save with ``ProjectValidationError``; otherwise the warnings are stored in
``validation_findings`` and the units the geometry lies in (province, amphoe, tambon shares), the
geodesic length of lines and who changed it are saved, in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.access import acts_on_behalf
from closures.services import check_open

from .concurrency import UNCHECKED, ConflictError, VersionError, check_version  # noqa: F401  (part of this API)
from .models import Project, ProjectTambon
from .validation import validate


class ProjectValidationError(ValidationError):
    """Validation found errors; ``.result`` is the ``ValidationResult`` (findings, suggestions)."""

    def __init__(self, result):
        self.result = result
        super().__init__({"geom": [ValidationError(f.as_dict()["message"], code=f.code) for f in result.errors]})


def geodesic_length_m(geom) -> float | None:
    """Length of a line on the WGS84 spheroid (metres); None for points."""
    if geom.dims != 1:
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Length(ST_GeomFromEWKB(%s)::geography)", [bytes(geom.ewkb)])
        return float(cur.fetchone()[0])


def fill_units(project: Project, units) -> None:
    """Set province/amphoe/tambon (from the validation's ``Units``) and length on the unsaved project."""
    main = units.main
    project.tambon_id = main.tambon_id if main else None
    project.amphoe_id = main.amphoe_id if main else None
    project.province_id = main.province_id if main else None
    project.length_m = geodesic_length_m(project.geom)
    project._units = units


@transaction.atomic
def save_project(project: Project, *, user=None, result=None, expected_version=UNCHECKED) -> Project:
    """Validate, fill the units, save the project and its tambon shares atomically.

    ``result`` — a ``ValidationResult`` already computed for this project (e.g. by
    ``validate_batch``) — skips validating again. Raises ``ProjectValidationError`` on an error finding.
    ``expected_version``: the ``Project.version`` the caller's form was built from; when the row
    has moved on since, ``ConflictError`` is raised and nothing is written (optimistic locking).
    Required for a person's change of an existing project: ``None`` or ``""`` (a form that sent no
    version) is a ``VersionError``; only callers acting for no one leave it out (``UNCHECKED``).
    """
    check_version(project, expected_version)
    if user is not None and project.organization_id:
        check_open(user, project.organization.province_id)  # a closure window (DLA still writes)
    if project.geom is not None and project.geom.srid is None:
        project.geom.srid = 4326
    if result is None:
        result = validate(
            project.geom,
            project.organization,
            project.kind,
            fiscal_year=project.fiscal_year,
            exclude_project_id=project.pk,
        )
    if not result.ok:
        raise ProjectValidationError(result)
    if result.geometry is not None:
        project.geom = result.geometry
    project.validation_findings = [f.as_dict() for f in result.warnings]
    fill_units(project, result.units)
    # the provincial office entering data for an LAO of its province is marked so (history, page, exports)
    project.on_behalf = acts_on_behalf(user, project.organization) if project.organization_id else False
    if user is not None and getattr(user, "is_authenticated", False):
        if project.pk is None:
            project.created_by = user
        project.updated_by = user
        project._history_user = user  # who, in the project's history (also outside a request)
    project.full_clean(exclude=["organization"] if project.organization_id else None)
    project.save()
    ProjectTambon.objects.filter(project=project).delete()
    ProjectTambon.objects.bulk_create(
        [ProjectTambon(project=project, tambon_id=t.tambon_id, share=round(t.share, 6)) for t in project._units.tambons]
    )
    return project
