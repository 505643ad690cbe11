#!/usr/bin/env python
"""Remove what the load test wrote: every project whose name starts with ``LOADTEST`` (entry form
and imports), with its stages, tambon shares and history rows (projects and stages), and the
sessions of the load accounts. The cluster-cell trigger takes the projects out of the tile cells.

    .venv/bin/python benchmarks/load/cleanup.py           # LOAD_DATABASE_URL, default gisplan_load

Plain SQL on one connection, one transaction; prints what it removed. The load accounts stay
(setup_users.py is idempotent); ``--accounts`` removes them too.
"""

from __future__ import annotations

import argparse
import os
import sys

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loadcfg  # noqa: E402

STATEMENTS = (
    ("targets", "CREATE TEMP TABLE load_targets ON COMMIT DROP AS "
     "SELECT id FROM projects_geo_project WHERE name LIKE %(prefix)s"),
    ("history of stages", "DELETE FROM projects_geo_historicalprojectstage h USING load_targets t "
     "WHERE h.project_id = t.id"),
    ("stages", "DELETE FROM projects_geo_projectstage s USING load_targets t WHERE s.project_id = t.id"),
    ("tambon shares", "DELETE FROM projects_geo_projecttambon s USING load_targets t WHERE s.project_id = t.id"),
    ("history of projects", "DELETE FROM projects_geo_historicalproject WHERE name LIKE %(prefix)s"),
    ("projects", "DELETE FROM projects_geo_project p USING load_targets t WHERE p.id = t.id"),
    ("sessions", "DELETE FROM django_session"),  # only the load database; every session there is the test's
)  # fmt: skip
ACCOUNTS = (
    (
        "profiles",
        "DELETE FROM accounts_profile p USING auth_user u WHERE p.user_id = u.id AND u.username LIKE 'load-%%'",
    ),
    ("accounts", "DELETE FROM auth_user WHERE username LIKE 'load-%%'"),
)


def cleanup(dsn: str = loadcfg.PSYCOPG_DSN, *, accounts: bool = False, quiet: bool = False) -> dict:
    if dsn.rsplit("/", 1)[-1] in ("", "gisplan", "postgres", "template1"):
        raise SystemExit(f"refusing to clean {dsn!r}: not a load-test database")
    done = {}
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        for label, sql in STATEMENTS + (ACCOUNTS if accounts else ()):
            cur.execute(sql, {"prefix": loadcfg.PREFIX + "%"})
            done[label] = cur.rowcount
    if not quiet:
        print("cleanup: " + ", ".join(f"{n} {label}" for label, n in done.items()))
    return done


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", action="store_true", help="also delete the load-* accounts")
    cleanup(accounts=parser.parse_args().accounts)
