"""Checking import rows against the database, set-based: boundary validation of every geometry
(``validation.validate_batch``, set-based, in chunks of ``VALIDATION_CHUNK`` rows) and matching with projects
already imported (one query), which decides create / update / unchanged and notes the version of
each matched project (``preview_versions``: what the preview showed, for the commit's check).
"""

from __future__ import annotations

from decimal import Decimal

import shapely
from django.db import connection
from django.utils.translation import gettext_lazy as _

from projects_geo.validation import validate_batch

from .rows import ImportRow

VALIDATION_CHUNK = 50_000


def validate_rows(rows: list[ImportRow], organization) -> None:
    """Add the boundary-validation findings to the rows that parsed (one batch per chunk)."""
    todo = [r for r in rows if r.geometry is not None and r.values.get("kind")]
    for start in range(0, len(todo), VALIDATION_CHUNK):
        part = todo[start : start + VALIDATION_CHUNK]
        items = [
            {
                "geometry": r.geometry,
                "organization": organization,
                "kind": r.values["kind"],
                "fiscal_year": r.values.get("fiscal_year"),
                "exclude_project_id": r.project_id,
                "hint": r.hint,
            }
            for r in part
        ]
        for row, result in zip(part, validate_batch(items)):
            row.units = result.units  # the commit stores these tambon shares, as save_project does
            for f in result.findings:
                row.findings.append(
                    {
                        "code": f.code,
                        "severity": f.severity,
                        "message_th": f.message_th,
                        "message_en": f.message_en,
                        "validation": True,
                    }
                )


def match_existing(rows: list[ImportRow], organization) -> None:
    """Find projects of the LAO already holding the rows' keys; mark rows update / unchanged and
    note each matched project's version (the commit refuses to update one that moved on since)."""
    refs = [r.source_ref for r in rows if r.source_ref]
    if not refs:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT source_ref, id, name, kind, subtype, fiscal_year, plan_reference, budget, ST_AsBinary(geom), "
            "deleted_at, version, funding_source "
            "FROM projects_geo_project WHERE organization_id = %s AND source_ref = ANY(%s)",
            [organization.pk, refs],
        )
        existing = {r[0]: r[1:] for r in cur.fetchall()}
    for row in rows:
        hit = existing.get(row.source_ref)
        if hit is None:
            continue
        pk, name, kind, subtype, fy, plan, budget, wkb, deleted_at, version, funding = hit
        if deleted_at is not None:
            row.add(
                "deleted_project",
                "error",
                _(
                    "Project %(id)s with this reference was deleted; restore it first, "
                    "or give the row another reference."
                ),
                id=pk,
            )
            continue
        row.project_id, row.project_version = pk, version
        v = row.values
        same = (
            (name, kind, subtype, fy, plan or "")
            == (v.get("name"), v.get("kind"), v.get("subtype"), v.get("fiscal_year"), v.get("plan_reference") or "")
            and funding == (v.get("funding_source") or "")
            and v.get("budget") is not None
            and Decimal(budget) == v["budget"]
            and row.geometry is not None
            and shapely.from_wkb(bytes(wkb)).equals_exact(row.geometry, 1e-9)
        )
        row.action = "unchanged" if same else "update"


def preview_versions(rows: list[ImportRow]) -> dict[str, int]:
    """Project id → version of every project the rows matched, as the preview showed them (kept
    with the upload, JSON keys; ``commit_rows(expected_versions=...)`` checks them)."""
    return {str(r.project_id): r.project_version for r in rows if r.project_id is not None}
