"""Tables of a load-test run from its files: locust's per-request records, the steps' measured
windows, the sampler's seconds and gunicorn's log. ``build`` makes a JSON-able dict, ``render``
the text run.py prints (Markdown tables).

    .venv/bin/python benchmarks/load/report.py [/tmp/gisplan-load]   # the tables of its results.json again
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

MAIN_KINDS = (
    "validate",
    "lao page",
    "entry page",
    "save project",
    "record stage",
    "import commit",
    "tile z8",
    "tile z10",
    "tile z12",
    "api list",
    "api summary",
    "report completeness",
    "export geojson",
    "ogc items",
)
STATE_KEYS = ("active", "on_cpu", "wait_lock", "wait_lwlock", "wait_io", "wait_client", "idle_in_tx", "idle")
CPU_KEYS = ("cpu_gunicorn", "cpu_db", "cpu_other_pg", "cpu_locust", "cpu_machine")


def pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return round(sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))], 1)


def latency(rows: list[tuple], seconds: float) -> dict:
    times = sorted(r[3] for r in rows)
    return {
        "n": len(rows),
        "per_s": round(len(rows) / seconds, 1) if seconds else 0.0,
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
        "p99": pct(times, 0.99),
        "failed": sum(r[5] for r in rows),
        "5xx": sum(500 <= r[2] < 600 for r in rows),
        "total_s": round(sum(times) / 1000, 1),
    }


def read_records(path: Path) -> list[tuple]:
    with path.open() as f:
        return [
            (float(r["start"]), r["name"], int(r["status"]), float(r["ms"]), int(r["bytes"]), int(r["failed"]))
            for r in csv.DictReader(f)
        ]


def read_steps(path: Path) -> list[dict]:
    windows, done = {}, {}
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry["event"] == "window":
            windows[entry["step"]] = entry
        elif entry["event"] == "done":
            done[entry["step"]] = entry
        elif entry["event"] == "stop":
            done.setdefault(entry["step"], {})["stop"] = entry["reason"]
    return [{**w, "stop": done.get(i, {}).get("stop"), "complete": i in done} for i, w in sorted(windows.items())]


def sampled(samples: list[dict], start: float, end: float) -> dict:
    rows = [s for s in samples if start <= s["t"] < end]
    if not rows:
        return {}
    out = {"peak_clients": max(s["clients"] for s in rows), "peak_db_clients": max(s["db_clients"] for s in rows)}
    for key in STATE_KEYS + CPU_KEYS:
        out[key] = round(statistics.fmean(s[key] for s in rows), 1)
    out["peak_active"] = max(s["active"] for s in rows)
    pools = [s["pool"] for s in rows if isinstance(s.get("pool"), dict) and "waiting" in s["pool"]]
    if pools:
        out["pool_waiting_max"] = max(p["waiting"] for p in pools)
        out["pool_size_max"] = max(p["size"] for p in pools)
        out["pool_available_min"] = min(p["available"] for p in pools)
    return out


def step_result(step: dict, records: list[tuple], samples: list[dict]) -> dict:
    start, end = step["start"], step["end"]
    rows = [r for r in records if start <= r[0] < end]
    by_kind = defaultdict(list)
    for r in rows:
        by_kind[r[1]].append(r)
    seconds = end - start
    logins = [r for r in records if r[1] == "login" and step["spawn_start"] <= r[0] < start]
    return {
        "users": step["users"],
        "complete": step["complete"],
        "stop": step["stop"],
        "spawn_seconds": round(start - step["spawn_start"], 1),
        "spawn_timed_out": step.get("spawn_timed_out", False),
        "overall": latency(rows, seconds),
        "kinds": {k: latency(v, seconds) for k, v in sorted(by_kind.items())},
        "logins": latency(logins, max(1e-3, start - step["spawn_start"])),
        "sampled": sampled(samples, start, end),
    }


def gunicorn_log(path: Path) -> dict:
    statuses, too_many, tracebacks = defaultdict(int), 0, 0
    if not path.exists():
        return {}
    with path.open(errors="replace") as f:
        for line in f:
            too_many += "too many clients" in line
            tracebacks += line.startswith("Traceback")
            m = re.search(r'"status": (\d{3})', line)
            if m:
                statuses[m.group(1)[0] + "xx"] += 1
    return {"statuses": dict(statuses), "too_many_clients_lines": too_many, "tracebacks": tracebacks}


def build(out: Path, samples: list[dict], fixed: dict | None, *, started: float, locust_exit: int | None) -> dict:
    records = read_records(out / "records.csv")
    steps = [step_result(s, records, samples) for s in read_steps(out / "steps.jsonl")]
    mix = defaultdict(int)
    for r in records:
        mix[r[1]] += 1
    return {
        "started": started,
        "locust_exit": locust_exit,
        "steps": steps,
        "fixed_cost": fixed,
        "mix": dict(sorted(mix.items(), key=lambda kv: -kv[1])),
        "all_requests": latency(records, 0),
        "gunicorn": gunicorn_log(out / "gunicorn.log"),
        "peak_clients": max((s["clients"] for s in samples), default=0),
        "peak_db_clients": max((s["db_clients"] for s in samples), default=0),
    }


# --- text ---------------------------------------------------------------------------------------


def _steps_table(steps: list[dict]) -> list[str]:
    lines = [
        "| users | req/s | p50 ms | p95 ms | p99 ms | failed | 5xx | peak conns (server / load db) "
        "| CPU % gunicorn / load db / other pg / locust / machine (200 = 2 cores) | sign-ins: s, p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in steps:
        o, sm = s["overall"], s["sampled"]
        cpu = " / ".join(str(sm.get(k, "–")) for k in CPU_KEYS)
        lines.append(
            f"| {s['users']}{'' if s['complete'] else ' (cut)'} | {o['per_s']} | {o['p50']} | {o['p95']} | {o['p99']} "
            f"| {o['failed']} | {o['5xx']} | {sm.get('peak_clients', '–')} / {sm.get('peak_db_clients', '–')} "
            f"| {cpu} | {s['spawn_seconds']}, {s['logins']['p95']} |"
        )
    return lines


def _kinds_table(steps: list[dict], kinds=MAIN_KINDS) -> list[str]:
    head = "| kind | " + " | ".join(f"{s['users']} users" for s in steps) + " |"
    lines = [head, "|---" * (len(steps) + 1) + "|"]
    present = [k for k in kinds if any(k in s["kinds"] for s in steps)]
    for kind in present:
        cells = []
        for s in steps:
            k = s["kinds"].get(kind)
            cells.append(f"{k['p50']} / {k['p95']} / {k['p99']} ({k['n']})" if k else "–")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def _where_time_goes(step: dict) -> list[str]:
    sm, kinds = step["sampled"], step["kinds"]
    total = sum(k["total_s"] for k in kinds.values()) or 1.0
    top = sorted(kinds.items(), key=lambda kv: -kv[1]["total_s"])[:8]
    lines = [
        f"At {step['users']} users: server time by kind (sum of response times): "
        + ", ".join(f"{name} {100 * k['total_s'] / total:.0f}%" for name, k in top),
        "pg_stat_activity (mean per second, load db): "
        + ", ".join(f"{key} {sm.get(key, '–')}" for key in STATE_KEYS)
        + f"; peak active {sm.get('peak_active', '–')}",
        "CPU % (100 = one core): " + ", ".join(f"{key[4:]} {sm.get(key, '–')}" for key in CPU_KEYS),
        f"pool (/readyz, one worker per sample): max waiting {sm.get('pool_waiting_max', '–')}, "
        f"max size {sm.get('pool_size_max', '–')}, min available {sm.get('pool_available_min', '–')}",
    ]
    return lines


def render(results: dict) -> str:
    steps = results["steps"]
    out = ["## Steps", *_steps_table(steps), "", "## p50 / p95 / p99 ms (requests) by kind", *_kinds_table(steps)]
    all_kinds = sorted({k for s in steps for k in s["kinds"]})
    out += ["", "## All kinds", *_kinds_table(steps, all_kinds)]
    if steps:
        out += ["", "## Where the time goes", *_where_time_goes(steps[-1])]
    total = sum(results["mix"].values()) or 1
    out += ["", "## Mix (whole run)", ", ".join(f"{k} {100 * n / total:.1f}%" for k, n in results["mix"].items())]
    g = results["gunicorn"]
    out += [
        "",
        f"gunicorn access log: {g.get('statuses')}; 'too many clients' lines: {g.get('too_many_clients_lines')}; "
        f"tracebacks: {g.get('tracebacks')}; peak client connections (server / load db): "
        f"{results['peak_clients']} / {results['peak_db_clients']}",
    ]
    if results.get("fixed_cost"):
        out += [
            "",
            "## Fixed cost per request (one client, keep-alive)",
            "| request | mean | p50 | p95 | over healthz |",
        ]
        out += ["|---|---|---|---|---|"]
        for name, f in results["fixed_cost"].items():
            out.append(f"| {name} | {f['mean_ms']} | {f['p50_ms']} | {f['p95_ms']} | +{f['over_healthz_ms']} |")
    return "\n".join(out)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gisplan-load")
    saved = json.loads((folder / "results.json").read_text())
    print(render(saved))
