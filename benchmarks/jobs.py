#!/usr/bin/env python
"""Background jobs on a real Celery worker against a large database: a national export and a
100,000-row import, each as a job (submitted as the web views do, run by a separate worker
process) beside the same work done synchronously in this process; prints the time of each, the
job's progress as its status URL reports it, and checks that the job's file is byte-identical and
that the import wrote the same number of rows.

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_load \\
        .venv/bin/python benchmarks/jobs.py [--format geojson] [--import-rows 100000] [--import-lao 2830101]

Needs Redis (the broker: CELERY_BROKER_URL, default database 3 here) and applies the jobs
migration to the database if missing. Removes what it imported (projects with source_ref B…
of the LAO, their tambon shares and history), its jobs and their files.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "jobs"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
os.environ.setdefault("DB_POOL", "false")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
os.environ["MEDIA_ROOT"] = str(OUT / "media")
os.environ["GISPLAN_IMPORT_DIR"] = str(OUT / "imports")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Profile, Role  # noqa: E402
from exchange import exports, imports  # noqa: E402
from exchange.imports import uploads  # noqa: E402
from gisplan.celery import app  # noqa: E402
from jobs.models import Job  # noqa: E402
from jobs.services import status, submit  # noqa: E402
from layers.models import Organization  # noqa: E402
from projects_geo.models import Project  # noqa: E402


def sha(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def user(username, role, org=None):
    model = get_user_model()
    u, _ = model.objects.get_or_create(username=username)
    Profile.objects.update_or_create(user=u, defaults={"role": role, "organization": org})
    return u


def start_worker():
    log = open(OUT / "worker.log", "w")
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "gisplan", "worker", "-c", "1", "-l", "info", "-n", "bench@%h"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        if "ready." in (OUT / "worker.log").read_text():
            return proc
        time.sleep(0.5)
    raise SystemExit("the worker did not start: " + (OUT / "worker.log").read_text()[-2000:])


def follow(job) -> tuple[float, list[str]]:
    """Poll the job's status each second until it ends; (seconds, progress lines every ~5 s)."""
    t0 = time.perf_counter()
    lines, last = [], -10.0
    while True:
        job.refresh_from_db()
        st = status(job)
        now = time.perf_counter() - t0
        if st["state"] in ("done", "failed"):
            lines.append(f"  {now:6.1f} s  {st['state']}  {st['done']:,} / {st['total'] or 0:,}")
            return now, lines
        if now - last >= 5:
            left = f", {st['seconds_left']} s left" if st["seconds_left"] is not None else ""
            lines.append(f"  {now:6.1f} s  {st['phase'] or st['state']}: {st['done']:,} / {st['total'] or 0:,}{left}")
            last = now
        time.sleep(1)


def export_part(fmt: str, dla) -> None:
    qs = Project.objects.all()
    n = qs.count()
    path = OUT / f"sync.{exports.get_format(fmt).extension}"
    t0 = time.perf_counter()
    exports.export_to_file(qs, fmt, path)
    sync_s = time.perf_counter() - t0
    job, _ = submit(dla, "export", {"format": fmt, "encoding": "utf-8", "query": ""}, key=f"bench-{time.time()}")
    job_s, lines = follow(job)
    job.refresh_from_db()
    same = job.state == "done" and sha(job.file.path) == sha(path)
    print(
        f"national export, {fmt}, {n:,} projects: synchronous {sync_s:.1f} s; as a job {job_s:.1f} s "
        f"(submit to done, polled each second); file identical: {same}"
    )
    print("\n".join(lines))


def import_part(rows: int, lao_code: str) -> None:
    org = Organization.objects.get(dla_code=lao_code)
    eng = user("bench_jobs_eng", Role.LAO_ENGINEER, org)
    f = ROOT / "benchmarks" / "out" / f"import_{rows}.zip"
    if not f.exists():
        task = [sys.executable, str(ROOT / "benchmarks" / "export_import" / "task.py")]
        subprocess.run([*task, "make_import_file", str(f), str(rows), lao_code], check=True)
    token, state = uploads.create(
        SimpleUploadedFile(f.name, f.read_bytes()), user_id=eng.pk, lao=lao_code, crs=None, encoding=None
    )
    table = imports.read_upload(token, state)
    state["mapping"] = imports.guess_mapping(table.columns, has_geometry=table.has_geometry)
    state["versions"] = {}
    uploads.save(token, state)

    class Undo(Exception):
        pass

    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            counts = imports.commit_rows(imports.prepare_upload(token, state, org), org, eng, expected_versions={})
            sync_s = time.perf_counter() - t0
            raise Undo
    except Undo:
        pass
    job, _ = submit(eng, "import", {"token": token}, key=f"import:{token}")
    job_s, lines = follow(job)
    job.refresh_from_db()
    written = Project.objects.filter(organization=org, source_ref__startswith="B").count()
    print(
        f"import of {rows:,} points: synchronous (rolled back) {sync_s:.1f} s, {counts['created']:,} created; "
        f"as a job {job_s:.1f} s, {job.result.get('created', 0):,} created ({written:,} rows found); {job.state}"
    )
    print("\n".join(lines))
    with connection.cursor() as cur:
        ids = "SELECT id FROM projects_geo_project WHERE organization_id = %s AND source_ref LIKE 'B%%'"
        cur.execute(f"DELETE FROM projects_geo_projecttambon WHERE project_id IN ({ids})", [org.pk])
        cur.execute(f"DELETE FROM projects_geo_historicalproject WHERE id IN ({ids})", [org.pk])
        cur.execute("DELETE FROM projects_geo_project WHERE organization_id = %s AND source_ref LIKE 'B%%'", [org.pk])
    uploads.discard(token)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", default="geojson")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-lao", default="2830101")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    call_command("migrate", "jobs", verbosity=0)
    app.control.purge()
    dla = user("bench_jobs_dla", Role.DLA_ADMIN)
    worker = start_worker()
    try:
        if not args.skip_export:
            export_part(args.format, dla)
        if not args.skip_import:
            import_part(args.import_rows, args.import_lao)
    finally:
        worker.terminate()
        worker.wait(30)
        Job.objects.filter(owner__username__startswith="bench_jobs_").delete()
        shutil.rmtree(OUT / "media", ignore_errors=True)


if __name__ == "__main__":
    main()
