#!/usr/bin/env python
"""Accounts and map positions for the deadline-day load test (idempotent).

    .venv/bin/python benchmarks/load/setup_users.py        # DATABASE_URL defaults to gisplan_load

Creates, in the load database, for each province of ``loadcfg.PROVINCES``:

- an LAO engineer ``load-eng-<dla code>`` (enters projects, validates, imports) and an LAO planner
  ``load-plan-<dla code>`` (records the plan stages 1–3, which engineers may not record) for that
  many LAOs of the province (not the PAO; every n-th by DLA code, so the choice is stable);
- provincial analysts ``load-analyst-<province>-<n>`` (also the QGIS/OGC users).

All with password ``gisplan-demo`` and an ACTIVE profile; an existing account is brought back to
that state. One PBKDF2 hash is computed and given to every account (the same salt: these are test
accounts, and hashing 400 passwords would take minutes). Writes ``fixtures.json`` (accounts, random
points inside each LAO's amphoe and each province, the fiscal years) for the locustfile and floor.py.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadcfg  # noqa: E402

sys.path.insert(0, str(loadcfg.ROOT))
os.environ.setdefault("DATABASE_URL", loadcfg.DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Profile, ProfileStatus, Role  # noqa: E402
from layers.models import Organization, OrganizationType, Province  # noqa: E402
from projects_geo import fiscal  # noqa: E402

LAO_POINTS_SQL = """
SELECT o.dla_code, a.code, ST_X(d.geom), ST_Y(d.geom)
FROM layers_organization o
JOIN layers_amphoe a ON a.id = o.amphoe_id
CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(a.geom, %s, 7)) d
WHERE o.dla_code = ANY(%s)
"""
PROVINCE_POINTS_SQL = """
SELECT p.code, ST_X(d.geom), ST_Y(d.geom), ST_XMin(p.geom), ST_YMin(p.geom), ST_XMax(p.geom), ST_YMax(p.geom)
FROM layers_province p CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(p.geom, %s, 7)) d
WHERE p.code = ANY(%s)
"""


def _account(username, password_hash, role, *, organization=None, province=None):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    if user.password != password_hash or not user.is_active:
        user.password, user.is_active = password_hash, True
        user.save(update_fields=["password", "is_active"])
    Profile.objects.update_or_create(
        user=user,
        defaults={"role": role, "organization": organization, "province": province, "status": ProfileStatus.ACTIVE},
    )


def _laos_of(province, n):
    """``n`` LAOs of the province (no PAO), spread evenly over its DLA codes."""
    laos = list(
        Organization.objects.filter(province=province, amphoe__isnull=False)
        .exclude(type=OrganizationType.PAO)
        .order_by("dla_code")
    )
    step = max(1, len(laos) // n)
    return laos[::step][:n]


@transaction.atomic
def create_accounts(password_hash):
    laos, analysts = [], []
    for code, n_laos, n_analysts in loadcfg.PROVINCES:
        province = Province.objects.get(code=code)
        for org in _laos_of(province, n_laos):
            _account(f"load-eng-{org.dla_code}", password_hash, Role.LAO_ENGINEER, organization=org)
            _account(f"load-plan-{org.dla_code}", password_hash, Role.LAO_PLANNER, organization=org)
            laos.append(
                {
                    "code": org.dla_code,
                    "province": code,
                    "engineer": f"load-eng-{org.dla_code}",
                    "planner": f"load-plan-{org.dla_code}",
                }
            )
        for i in range(1, n_analysts + 1):
            username = f"load-analyst-{code}-{i}"
            _account(username, password_hash, Role.PROVINCIAL_ANALYST, province=province)
            analysts.append({"username": username, "province": code})
    return laos, analysts


def add_points(laos, analysts):
    """Random points inside each LAO's amphoe and each province (fixed seed: the same each run)."""
    by_code = {lao["code"]: lao for lao in laos}
    provinces = {}
    with connection.cursor() as cur:
        cur.execute(LAO_POINTS_SQL, [loadcfg.POINTS_PER_LAO, list(by_code)])
        for dla_code, amphoe, x, y in cur.fetchall():
            by_code[dla_code]["amphoe"] = amphoe
            by_code[dla_code].setdefault("points", []).append([round(x, 6), round(y, 6)])
        cur.execute(PROVINCE_POINTS_SQL, [loadcfg.POINTS_PER_PROVINCE, [p[0] for p in loadcfg.PROVINCES]])
        for code, x, y, *bbox in cur.fetchall():
            entry = provinces.setdefault(code, {"bbox": [round(v, 5) for v in bbox], "points": []})
            entry["points"].append([round(x, 6), round(y, 6)])
    for analyst in analysts:
        analyst.update(provinces[analyst["province"]])


def main():
    password_hash = make_password(loadcfg.PASSWORD)
    laos, analysts = create_accounts(password_hash)
    add_points(laos, analysts)
    current = fiscal.current_fiscal_year()
    fixtures = {
        "password": loadcfg.PASSWORD,
        "prefix": loadcfg.PREFIX,
        "current_fiscal_year": current,
        "fiscal_years": list(range(current - 5, current + 1)),
        "laos": laos,
        "analysts": analysts,
    }
    loadcfg.OUT.mkdir(parents=True, exist_ok=True)
    loadcfg.FIXTURES.write_text(json.dumps(fixtures, ensure_ascii=False, indent=1))
    print(f"{len(laos)} LAOs × (engineer + planner), {len(analysts)} analysts; fixtures: {loadcfg.FIXTURES}")


if __name__ == "__main__":
    main()
