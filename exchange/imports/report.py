"""The dry-run report: one line per finding (or one "ok" line per clean row), as CSV with a BOM."""

from __future__ import annotations

import io

from common import csvsafe

from .rows import ImportRow

HEADER = ["row", "status", "action", "source_ref", "name", "code", "severity", "message_th", "message_en"]


def summary(rows: list[ImportRow]) -> dict[str, int]:
    out = {"rows": len(rows), "ok": 0, "warning": 0, "error": 0, "create": 0, "update": 0, "unchanged": 0}
    for r in rows:
        out[r.status] += 1
        if r.status != "error":
            out[r.action] += 1
    return out


def report_lines(rows: list[ImportRow]):
    for r in rows:
        base = [r.number, r.status, r.action if r.status != "error" else "", r.source_ref, r.values.get("name") or ""]
        if not r.findings:
            yield base + ["", "", "", ""]
        for f in r.findings:
            yield base + [f["code"], f["severity"], f["message_th"], f["message_en"]]


def report_csv(rows: list[ImportRow]) -> bytes:
    buf = io.StringIO()
    w = csvsafe.writer(buf)  # no formula cells: names and references are typed by people
    w.writerow(HEADER)
    w.writerows(report_lines(rows))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
