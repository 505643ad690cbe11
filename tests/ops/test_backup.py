"""scripts/backup.sh and scripts/restore.sh against the real test database: back it up (with a
project edit and a recorded stage committed on a separate connection, and a few media files),
restore into a fresh database, and prove the two identical with SQL checksums computed the same
way on both sides. Django's test transaction is invisible to pg_dump, so nothing here goes through
it: the sample data is committed by the session set-up, and what this module commits it removes."""

import os
import secrets
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BACKUP_SH = ROOT / "scripts" / "backup.sh"
RESTORE_SH = ROOT / "scripts" / "restore.sh"

# The mark makes pytest-django set up the test database; the tests' own transaction stays unused.
pytestmark = pytest.mark.django_db

# Every column of each row (geometry as hex EWKB, its text form), in a stable order.
ROW_TABLES = {
    "projects_geo_project": "id",
    "projects_geo_projectstage": "id",
    "projects_geo_historicalproject": "history_id",
    "projects_geo_historicalprojectstage": "history_id",
}
BOUNDARY_TABLES = ("layers_province", "layers_amphoe", "layers_tambon")
EDITED_NAME = 'ขุดเจาะบ่อบาดาล (แก้ไข) "backup" \\ tab\tand\nnewline'
MEDIA_FILES = {
    "imports/ไฟล์นำเข้า 2568.zip": secrets.token_bytes(300_000),
    "imports/nested/readme.txt": "ข้อมูลตัวอย่าง\n".encode(),
}


def _conninfo(dbname):
    db = connection.settings_dict
    return {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": dbname,
    }


def _url(dbname):
    db = connection.settings_dict
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
    return f"postgis://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{quote(dbname, safe='')}"


def _run(script, *args, env=None):
    result = subprocess.run(
        ["bash", str(script), *[str(a) for a in args]],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    db = connection.settings_dict
    assert f"{db['USER']}:{db['PASSWORD']}@" not in result.stdout + result.stderr  # never the password
    return result


def _fingerprint(dbname):
    """Count and md5 of every table, computed inside the database; sequences; boundary geometries."""
    with psycopg.connect(**_conninfo(dbname), autocommit=True) as conn:
        fp = {}
        for table, key in ROW_TABLES.items():
            query = sql.SQL("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY {})) FROM {} t")
            fp[f"rows {table}"] = conn.execute(query.format(sql.Identifier(key), sql.Identifier(table))).fetchone()
        fp["project geometries"] = conn.execute(
            "SELECT md5(string_agg(id || ':' || encode(ST_AsEWKB(geom), 'hex'), '|' ORDER BY id))"
            " FROM projects_geo_project"
        ).fetchone()
        for table in BOUNDARY_TABLES:
            query = sql.SQL(
                "SELECT count(*), md5(string_agg(code || ':' || md5(ST_AsEWKB(geom)), '|' ORDER BY code)) FROM {}"
            )
            fp[f"boundaries {table}"] = conn.execute(query.format(sql.Identifier(table))).fetchone()
        # Every table of the database (extensions' own excepted), whatever its columns.
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT EXISTS"
                " (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
                " AND d.deptype = 'e') ORDER BY 1"
            )
        ]
        fp["tables"] = tables
        for table in tables:
            query = sql.SQL("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\")) FROM {} t")
            fp[f"table {table}"] = conn.execute(query.format(sql.Identifier(table))).fetchone()
        fp["sequences"] = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        return fp


def _files(directory):
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _sequence_state(conn, table, column):
    seq = conn.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column]).fetchone()[0]
    last_value, is_called = conn.execute(
        sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(seq))
    ).fetchone()
    return seq, last_value, is_called


@pytest.fixture(scope="module")
def source_db(django_db_setup):
    """Name of the session's test database (its sample data is committed)."""
    return connection.settings_dict["NAME"]


@pytest.fixture(scope="module")
def committed_edit(source_db):
    """A project edit with its history row and a newly recorded stage with its history row,
    committed so that pg_dump sees them; undone afterwards (rows, cluster cells, sequences), so
    later tests see exactly the sample data again."""
    before = _fingerprint(source_db)
    with psycopg.connect(**_conninfo(source_db), autocommit=True) as conn:
        project_id, next_stage = conn.execute(
            "SELECT p.id, coalesce(max(s.stage), 0) + 1 FROM projects_geo_project p"
            " LEFT JOIN projects_geo_projectstage s ON s.project_id = p.id"
            " GROUP BY p.id HAVING coalesce(max(s.stage), 0) < 6 ORDER BY p.id LIMIT 1"
        ).fetchone()
        original = conn.execute(
            "SELECT name, current_stage, version, updated_at FROM projects_geo_project WHERE id = %s",
            [project_id],
        ).fetchone()
        last_cell = conn.execute("SELECT coalesce(max(id), 0) FROM projects_geo_clustercell").fetchone()[0]
        sequences = [
            _sequence_state(conn, table, column)
            for table, column in [
                ("projects_geo_historicalproject", "history_id"),
                ("projects_geo_projectstage", "id"),
                ("projects_geo_historicalprojectstage", "history_id"),
                ("projects_geo_clustercell", "id"),
            ]
        ]
        history_columns = sql.SQL(", ").join(
            sql.Identifier(name)
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'projects_geo_historicalproject'"
                " AND column_name NOT LIKE 'history\\_%' ORDER BY ordinal_position"
            )
        )
        with conn.transaction():
            conn.execute(
                "UPDATE projects_geo_project SET name = %s, current_stage = %s, version = version + 1,"
                " updated_at = now() WHERE id = %s",
                [EDITED_NAME, next_stage, project_id],
            )
            history_id = conn.execute(
                sql.SQL(
                    "INSERT INTO projects_geo_historicalproject ({cols}, history_date, history_change_reason,"
                    " history_type) SELECT {cols}, now(), 'backup test', '~' FROM projects_geo_project WHERE id = %s"
                    " RETURNING history_id"
                ).format(cols=history_columns),
                [project_id],
            ).fetchone()[0]
            stage_id = conn.execute(
                "INSERT INTO projects_geo_projectstage (project_id, stage, date, amount, note, recorded_at)"
                " VALUES (%s, %s, current_date, 1234567.89, 'บันทึกโดยการทดสอบ backup', now()) RETURNING id",
                [project_id, next_stage],
            ).fetchone()[0]
            stage_history_id = conn.execute(
                "INSERT INTO projects_geo_historicalprojectstage (id, stage, date, amount, note, recorded_at,"
                " project_id, recorded_by_id, history_date, history_type) SELECT id, stage, date, amount, note,"
                " recorded_at, project_id, recorded_by_id, now(), '+' FROM projects_geo_projectstage WHERE id = %s"
                " RETURNING history_id",
                [stage_id],
            ).fetchone()[0]
        try:
            yield {"project_id": project_id, "history_id": history_id, "stage_id": stage_id}
        finally:
            with conn.transaction():
                conn.execute(
                    "DELETE FROM projects_geo_historicalprojectstage WHERE history_id = %s", [stage_history_id]
                )
                conn.execute("DELETE FROM projects_geo_projectstage WHERE id = %s", [stage_id])
                conn.execute("DELETE FROM projects_geo_historicalproject WHERE history_id = %s", [history_id])
                conn.execute(
                    "UPDATE projects_geo_project SET name = %s, current_stage = %s, version = %s, updated_at = %s"
                    " WHERE id = %s",
                    [*original, project_id],
                )
                conn.execute("DELETE FROM projects_geo_clustercell WHERE id > %s", [last_cell])
                for seq, last_value, is_called in sequences:
                    conn.execute("SELECT setval(%s, %s, %s)", [seq, last_value, is_called])
    assert _fingerprint(source_db) == before, "the test database differs from the session's sample data"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    for name, content in MEDIA_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


@pytest.fixture(scope="module")
def backup(source_db, committed_edit, media_root, tmp_path_factory):
    """One backup of the test database (with the committed edit) and the source's fingerprint."""
    dest = tmp_path_factory.mktemp("backups")
    result = _run(BACKUP_SH, dest, env={"DATABASE_URL": _url(source_db), "MEDIA_ROOT": str(media_root)})
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert folder.parent == dest and folder.name.startswith(f"{source_db}-")
    return folder, _fingerprint(source_db)


@pytest.fixture
def restore_db(source_db):
    """Name of a database that does not exist yet; dropped at the end, whatever happened."""
    name = f"{source_db}_restore_{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        with psycopg.connect(**_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _manifest_section(folder, section):
    lines, on = [], False
    for line in (folder / "MANIFEST").read_text().splitlines():
        if line.startswith("["):
            on = line == f"[{section}]"
        elif on and line.strip():
            lines.append(line)
    return lines


def test_backup_writes_dump_media_and_manifest(backup, source_db, committed_edit):
    folder, _ = backup
    assert sorted(p.name for p in folder.iterdir()) == ["MANIFEST", "gisplan.dump", "media.tar.gz"]
    assert (folder / "gisplan.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    with psycopg.connect(**_conninfo(source_db)) as conn:
        migrations = [
            f"{app} {name}" for app, name in conn.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2")
        ]
        counts = {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in ("projects_geo_project", "projects_geo_projectstage", "projects_geo_historicalproject")
        }
    assert _manifest_section(folder, "migrations") == migrations
    manifest_counts = dict(line.split() for line in _manifest_section(folder, "counts"))
    assert {t: int(manifest_counts[t]) for t in counts} == counts
    assert counts["projects_geo_project"] == 10
    assert {"layers_province", "layers_amphoe", "layers_tambon", "layers_organization", "auth_user"} <= set(
        manifest_counts
    )
    sums = dict(reversed(line.split()) for line in _manifest_section(folder, "sha256"))
    assert set(sums) == {"gisplan.dump", "media.tar.gz"}


def test_restore_gives_an_identical_database_and_media(backup, restore_db, committed_edit, tmp_path):
    folder, source = backup
    media = tmp_path / "restored-media"
    result = _run(RESTORE_SH, "--media", media, folder, _url(restore_db))
    assert result.returncode == 0, result.stderr
    assert "row counts and migration state match MANIFEST" in result.stderr

    restored = _fingerprint(restore_db)
    assert restored == source
    assert source["rows projects_geo_project"][0] == 10 and source["boundaries layers_tambon"][0] > 0
    with psycopg.connect(**_conninfo(restore_db)) as conn:
        edit = conn.execute(
            "SELECT name, history_change_reason FROM projects_geo_historicalproject WHERE history_id = %s",
            [committed_edit["history_id"]],
        ).fetchone()
        assert edit == (EDITED_NAME, "backup test")
        assert conn.execute(
            "SELECT 1 FROM projects_geo_projectstage WHERE id = %s", [committed_edit["stage_id"]]
        ).fetchone()
    assert _files(media) == MEDIA_FILES

    # A second restore into the now non-empty database is refused and changes nothing ...
    again = _run(RESTORE_SH, "--media", tmp_path / "media-2", folder, _url(restore_db))
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    assert not (tmp_path / "media-2").exists()
    # ... unless forced: the backup's objects replace those in it, with the same result.
    forced = _run(RESTORE_SH, "--force", "--no-media", folder, _url(restore_db))
    assert forced.returncode == 0, forced.stderr
    assert _fingerprint(restore_db) == source


def test_restore_refuses_a_database_that_is_not_empty(backup, source_db, tmp_path):
    folder, source = backup
    result = _run(RESTORE_SH, "--media", tmp_path / "media", folder, _url(source_db))
    assert result.returncode != 0
    assert f"database '{source_db}'" in result.stderr and "is not empty" in result.stderr
    assert not (tmp_path / "media").exists()
    assert _fingerprint(source_db) == source


def test_restore_refuses_a_backup_whose_files_changed(backup, restore_db, tmp_path):
    folder, _ = backup
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for name in ("MANIFEST", "gisplan.dump"):
        (tampered / name).write_bytes((folder / name).read_bytes())
    (tampered / "media.tar.gz").write_bytes(b"not the archive")
    result = _run(RESTORE_SH, "--no-media", tampered, _url(restore_db))
    assert result.returncode != 0
    assert "checksum mismatch" in result.stderr
    with psycopg.connect(**_conninfo("postgres")) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [restore_db]).fetchone() is None
