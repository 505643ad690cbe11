"""Uploaded files waiting for mapping, preview and commit: one folder per upload under
``GISPLAN_IMPORT_DIR`` (default ``MEDIA_ROOT/imports``) holding the file, ``state.json`` (owner,
LAO, options, the file's columns and first rows, mapping) and, after a dry run, its report
(``report.csv``). Nothing is written to the database before the commit.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings

DATA_DIR = "file"


def root() -> Path:
    return Path(getattr(settings, "GISPLAN_IMPORT_DIR", "") or Path(settings.MEDIA_ROOT) / "imports")


def _safe_name(name: str) -> str:
    base = Path(name or "upload").name
    return re.sub(r"[^\w.\-]+", "_", base)[-100:] or "upload"


def create(uploaded, *, user_id: int, lao: str, crs: str | None, encoding: str | None) -> tuple[str, dict]:
    """Store an uploaded file (a Django UploadedFile or any object with ``chunks()``/``name``)."""
    token = str(uuid.uuid4())
    folder = root() / token / DATA_DIR  # apart from state.json and report.csv, whatever its name
    folder.mkdir(parents=True)
    name = _safe_name(uploaded.name)
    with open(folder / name, "wb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    state = {
        "user_id": user_id,
        "lao": lao,
        "filename": name,
        "crs": crs or None,
        "encoding": encoding or None,
        "mapping": None,
        "defaults": {},
        "created": time.time(),
    }
    save(token, state)
    return token, state


def load(token: str) -> dict | None:
    path = root() / str(token) / "state.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def save(token: str, state: dict) -> None:
    (root() / str(token) / "state.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


REPORT_NAME = "report.csv"


def save_report(token: str, data: bytes) -> None:
    """Keep the dry run's report for download."""
    (root() / str(token) / REPORT_NAME).write_bytes(data)


def load_report(token: str) -> bytes | None:
    path = root() / str(token) / REPORT_NAME
    return path.read_bytes() if path.exists() else None


def drop_report(token: str) -> None:
    (root() / str(token) / REPORT_NAME).unlink(missing_ok=True)


def file_path(token: str, state: dict) -> Path:
    path = root() / str(token) / DATA_DIR / state["filename"]
    legacy = root() / str(token) / state["filename"]  # uploads stored before the data folder
    return legacy if not path.exists() and legacy.exists() and legacy.name not in ("state.json", REPORT_NAME) else path


def discard(token: str) -> None:
    shutil.rmtree(root() / str(token), ignore_errors=True)


def purge_older_than(seconds: float = 86400) -> int:
    """Remove abandoned uploads (run at each new upload); returns how many."""
    n = 0
    if not root().exists():
        return 0
    for folder in root().iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > seconds:
            shutil.rmtree(folder, ignore_errors=True)
            n += 1
    return n
