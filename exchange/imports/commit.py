"""Writing an import, all or nothing and set-based.

The rows and the tambons boundary validation found for them (with their share of a line's length)
are copied (COPY) into temporary tables; PostGIS then computes the geodesic lengths, inserts the new projects,
updates the matched ones and rewrites their tambon shares — a handful of statements whatever the
number of rows, in one transaction. Any row with an error refuses the whole commit.

Commits of one LAO's imports take turns (an advisory lock on the LAO), and a second commit of the
same upload while the first runs is refused at once (a lock on the upload). Under the lock the
rows are checked against the database as it is now: a row to create must still have no project,
and a project to update must still be at the version the preview showed (``expected_versions``);
otherwise ``CommitConflict`` (Thai and English) and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import shapely
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from accounts.access import acts_on_behalf
from closures.services import CLOSED, closure_for, texts_of
from common.bilingual import both

from .rows import ImportRow

# Advisory-lock classes (the first of PostgreSQL's two int4 keys): commits of a LAO's imports
# (second key: the LAO's id) and the commit of one upload (second key: hashtext of its token).
LAO_LOCK = 0x67690001
UPLOAD_LOCK = 0x67690002
SHOWN_ROWS = 10  # row numbers named in a conflict message
PROGRESS_ROWS = 5000  # rows copied between two progress reports
WRITE_STEPS = 4  # update, insert, tambon shares, history


class CommitRefused(Exception):
    def __init__(self, n_errors: int):
        self.n_errors = n_errors
        super().__init__(f"{n_errors} rows have errors")


class CommitConflict(Exception):
    """The database is no longer as the rows were checked against (or the same upload is being
    committed already): nothing was written. ``message_th``/``message_en`` say what to do."""

    def __init__(self, code: str, message, /, **params):
        texts = message if isinstance(message, dict) else both(message, **params)  # a dict: the two texts
        self.code = code
        self.message_th = texts["message_th"]
        self.message_en = texts["message_en"]
        super().__init__(f"{self.message_en} / {self.message_th}")

    def as_dict(self) -> dict:
        return {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}


RUNNING = _("This import is being written already (by a second click on Import?); this request wrote nothing.")
CHANGED = _(
    "Since the preview, the projects of rows %(rows)s of this file were imported or changed by someone else "
    "(or this import was written already). Nothing was written: look at the preview again, then import."
)

CURRENT = """
SELECT source_ref, id, version, deleted_at FROM projects_geo_project
WHERE organization_id = %s AND source_ref = ANY(%s)
FOR UPDATE
"""


STAGE_TABLE = """
CREATE TEMP TABLE import_stage (
    ord integer PRIMARY KEY, project_id bigint, source_ref text, kind text, subtype text, name text,
    fiscal_year integer, plan_reference text, budget numeric(14, 2), findings jsonb, geom geometry(Geometry, 4326),
    funding_source text NOT NULL DEFAULT ''
) ON COMMIT DROP
"""

# The units of every row come from boundary validation (``validate_batch`` → ``Units``: tambons
# with their share of a line's length, or the nearest tambon for a point just off the coast), the
# same as ``services.save_project`` stores; they are copied in, not computed again.
UNITS_TABLE = """
CREATE TEMP TABLE import_units (
    ord integer, tambon_id bigint, amphoe_id bigint, province_id bigint, share float8
) ON COMMIT DROP
"""

MAIN_UNIT = """
SELECT DISTINCT ON (u.ord) u.ord, u.tambon_id, u.amphoe_id, u.province_id
FROM import_units u WHERE u.share > 0 ORDER BY u.ord, u.share DESC, u.tambon_id
"""

INSERT = f"""
WITH main AS ({MAIN_UNIT}),
ins AS (
    INSERT INTO projects_geo_project (
        organization_id, kind, subtype, name, fiscal_year, plan_reference, source_ref, budget, funding_source, geom,
        length_m, province_id, amphoe_id, tambon_id, validation_findings, created_at, updated_at, created_by_id,
        updated_by_id, on_behalf)
    SELECT %(org)s, s.kind, s.subtype, s.name, s.fiscal_year, s.plan_reference, s.source_ref, s.budget,
           s.funding_source, s.geom,
           CASE WHEN ST_Dimension(s.geom) = 1 THEN ST_Length(s.geom::geography) END,
           m.province_id, m.amphoe_id, m.tambon_id, s.findings, now(), now(), %(user)s, %(user)s, %(on_behalf)s
    FROM import_stage s LEFT JOIN main m ON m.ord = s.ord
    WHERE s.project_id IS NULL
    ORDER BY s.ord
    RETURNING id, source_ref
)
INSERT INTO projects_geo_projecttambon (project_id, tambon_id, share)
SELECT ins.id, u.tambon_id, round(u.share::numeric, 6)::float8
FROM ins JOIN import_stage s ON s.source_ref = ins.source_ref AND s.project_id IS NULL
JOIN import_units u ON u.ord = s.ord
WHERE u.share > 0
"""

UPDATE = f"""
WITH main AS ({MAIN_UNIT})
UPDATE projects_geo_project p SET kind = s.kind, subtype = s.subtype, name = s.name, fiscal_year = s.fiscal_year,
    plan_reference = s.plan_reference, budget = s.budget, funding_source = s.funding_source, geom = s.geom,
    length_m = CASE WHEN ST_Dimension(s.geom) = 1 THEN ST_Length(s.geom::geography) END,
    province_id = m.province_id, amphoe_id = m.amphoe_id, tambon_id = m.tambon_id,
    validation_findings = s.findings, updated_at = now(), updated_by_id = %(user)s, version = p.version + 1,
    on_behalf = %(on_behalf)s
FROM import_stage s LEFT JOIN main m ON m.ord = s.ord
WHERE s.project_id IS NOT NULL AND p.id = s.project_id AND p.organization_id = %(org)s
"""

# One history row per written project (django-simple-history's table, the same columns as a
# save() through the ORM would write): "+" for created, "~" for updated, with the importing user.
HISTORY_COLUMNS = (
    "id, kind, subtype, name, fiscal_year, plan_reference, source_ref, budget, geom, length_m, validation_findings, "
    "funding_source, current_stage, created_at, updated_at, version, deleted_at, amphoe_id, created_by_id, "
    "deleted_by_id, "
    "organization_id, province_id, tambon_id, updated_by_id, on_behalf"
)
HISTORY = f"""
INSERT INTO projects_geo_historicalproject (
    {HISTORY_COLUMNS}, history_date, history_type, history_user_id, history_change_reason)
SELECT {", ".join("p." + c.strip() for c in HISTORY_COLUMNS.split(","))},
       now(), CASE WHEN s.project_id IS NULL THEN '+' ELSE '~' END, %(user)s, 'import'
FROM import_stage s
JOIN projects_geo_project p ON p.organization_id = %(org)s AND p.source_ref = s.source_ref
"""

SHARES = """
INSERT INTO projects_geo_projecttambon (project_id, tambon_id, share)
SELECT s.project_id, u.tambon_id, round(u.share::numeric, 6)::float8
FROM import_units u JOIN import_stage s ON s.ord = u.ord
WHERE s.project_id IS NOT NULL AND u.share > 0
"""


def _lock(cur, organization, upload: str | None) -> None:
    """Take this LAO's import lock (waiting for another commit to end), after the upload's own
    lock, which is not waited for: a second commit of the same upload is refused at once."""
    if upload is not None:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s::int, hashtext(%s))", [UPLOAD_LOCK, str(upload)])
        if not cur.fetchone()[0]:
            raise CommitConflict("commit_running", RUNNING)
    cur.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [LAO_LOCK, organization.pk])


def _check_open(user, organization) -> None:
    """Refuse (CommitConflict "closed") when a closure window is in force for the LAO's province now —
    checked under the lock, inside the transaction: an import that began before a closure starts
    writes nothing once it has started."""
    closure = closure_for(user, organization.province_id)
    if closure is not None:
        raise CommitConflict("closed", texts_of(CLOSED, closure))


def _check_current(cur, todo: list[ImportRow], organization, expected: dict[int, int]) -> None:
    """Refuse (CommitConflict) when a row to create has a project now, or a project to update is
    gone or not at the version in ``expected``; the projects to update stay locked until the end."""
    cur.execute(CURRENT, [organization.pk, [r.source_ref for r in todo]])
    current = {ref: (pk, version, deleted_at) for ref, pk, version, deleted_at in cur.fetchall()}
    stale = []
    for r in todo:
        now = current.get(r.source_ref)
        if r.action == "create":
            ok = now is None
        else:
            ok = now is not None and now[0] == r.project_id and now[2] is None and expected.get(r.project_id) == now[1]
        if not ok:
            stale.append(r.number)
    if stale:
        shown = ", ".join(str(n) for n in stale[:SHOWN_ROWS]) + (", …" if len(stale) > SHOWN_ROWS else "")
        raise CommitConflict("changed_since_preview", CHANGED, rows=shown)


def commit_rows(
    rows: list[ImportRow],
    organization,
    user=None,
    *,
    expected_versions: dict | None = None,
    upload: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Create / update the rows' projects; returns counts. Raises CommitRefused if any row has an
    error, CommitConflict if the database changed since the rows were checked.

    ``expected_versions``: project id → version of the projects the preview matched (``checks.
    preview_versions``); a project to update that is not in it, or at another version, refuses the
    commit. None: the versions the rows were matched with (a command that checks and commits at once).
    ``upload``: the upload's token, so that a second commit of it at the same time is refused.
    ``progress(done, total)``: called as the rows are copied in and after each of the ``WRITE_STEPS``
    set-based statements, each counted as long as the copy (``total`` = rows × (1 + WRITE_STEPS),
    about how the time divides), from inside the one transaction."""
    errors = sum(1 for r in rows if r.status == "error")
    if errors:
        raise CommitRefused(errors)
    todo = [r for r in rows if r.action in ("create", "update")]
    counts = {
        "created": sum(r.action == "create" for r in rows),
        "updated": sum(r.action == "update" for r in rows),
        "unchanged": sum(r.action == "unchanged" for r in rows),
    }
    if not todo:
        return counts
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    params = {"org": organization.pk, "user": user_id, "on_behalf": acts_on_behalf(user, organization)}
    if expected_versions is None:
        expected = {r.project_id: r.project_version for r in todo if r.project_id is not None}
    else:
        expected = {int(k): int(v) for k, v in expected_versions.items()}
    steps = len(todo) * (1 + WRITE_STEPS)
    report = progress or (lambda done, total: None)
    with transaction.atomic(), connection.cursor() as cur:
        _lock(cur, organization, upload)
        _check_open(user, organization)
        _check_current(cur, todo, organization, expected)
        cur.execute("DROP TABLE IF EXISTS import_units, import_stage")
        cur.execute(STAGE_TABLE)  # source_ref is unique within the file (build_rows refuses duplicates)
        raw = cur.cursor  # psycopg cursor: COPY
        with raw.copy(
            "COPY import_stage (ord, project_id, source_ref, kind, subtype, name, fiscal_year, plan_reference, "
            "budget, findings, geom, funding_source) FROM STDIN"
        ) as copy:
            wkbs = shapely.to_wkb(
                shapely.set_srid(np.array([r.geometry for r in todo], dtype=object), 4326), hex=True, include_srid=True
            )
            for i, r in enumerate(todo):
                v = r.values
                warnings = [
                    {k: f[k] for k in ("code", "severity", "message_th", "message_en")}
                    for f in r.findings
                    if f["severity"] == "warning"
                ]
                copy.write_row(
                    (
                        i,
                        r.project_id,
                        r.source_ref,
                        v["kind"],
                        v["subtype"],
                        v["name"],
                        v["fiscal_year"],
                        v.get("plan_reference") or "",
                        v["budget"],
                        json.dumps(warnings, ensure_ascii=False),
                        wkbs[i],
                        v.get("funding_source") or "",
                    )
                )
                if i % PROGRESS_ROWS == PROGRESS_ROWS - 1:
                    report(i + 1, steps)
        report(len(todo), steps)
        cur.execute(UNITS_TABLE)
        with raw.copy("COPY import_units (ord, tambon_id, amphoe_id, province_id, share) FROM STDIN") as copy:
            for i, r in enumerate(todo):
                for t in r.units.tambons if r.units is not None else ():
                    copy.write_row((i, t.tambon_id, t.amphoe_id, t.province_id, t.share))
        cur.execute(
            "DELETE FROM projects_geo_projecttambon "
            "WHERE project_id IN (SELECT project_id FROM import_stage WHERE project_id IS NOT NULL)"
        )
        for n, statement in enumerate((UPDATE, INSERT, SHARES, HISTORY), start=1):
            cur.execute(statement, params)
            report(len(todo) * (1 + n), steps)
        cur.execute("DROP TABLE import_units, import_stage")  # also inside an enclosing transaction
    return counts
