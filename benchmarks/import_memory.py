#!/usr/bin/env python3
"""Benchmark: peak memory and time of reading hostile CSV and Excel imports (issue 22, item 1).

Builds the files below in a temporary directory and reads each in a child process of its own
through ``exchange.imports.read_source`` — the reader the upload page, the preview and the commit
use — printing for each the outcome (rows read, or the refusal's code), the seconds it took and the
process's peak resident memory (``VmHWM``) before reading (Django set up and the import modules
loaded, as in a worker; a worker that has also loaded GDAL through pyogrio for a GIS import holds
~110 MB more) and after. Not a test; no database is needed.

- ``csv_tiny_rows``: the probe's CSV of one-character rows (22 MB, 12 M rows) grown to the upload
  limit, 49 MB (~25 M rows) → refused at row 200,001.
- ``csv_wide``: 49 MB in 199,999 rows of ~85 two-character cells, the most cells an allowed CSV
  holds → read (the worst accepted CSV).
- ``csv_long_line``: 49 MB on one line → refused at its first line.
- ``csv_open_quote``: a quotation mark opened on the first line and never closed → refused.
- ``xlsx_probe``: the probe's Excel file: ~11 M one-cell rows, ~17 MB zipped, ~280 MB unpacked
  (within the ZIP limits) → refused by the workbook size before parsing.
- ``xlsx_rows``: ~5 M one-cell rows, unpacked just under the workbook limit → refused at row 200,001.
- ``xlsx_gap``: a sheet claiming 16,384 columns whose only row is row 1,048,576 → refused at 200,001
  blank rows.
- ``xlsx_texts``: one million different short texts (shared strings) → refused at 800,001.
- ``xlsx_accepted``: 200,000 rows × 10 columns of realistic values (Thai names, coordinates, budgets)
  → read (the largest accepted Excel import).

Target: every file read or refused with the peak under ~300 MB, refusals within seconds.

    .venv/bin/python benchmarks/import_memory.py [--only csv_wide,xlsx_accepted] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

MB = 1024 * 1024
UPLOAD_BYTES = 49 * MB


# --- building the files ----------------------------------------------------------------------


def csv_tiny_rows(path: Path) -> None:
    block = b"1\n" * (MB // 2)
    with open(path, "wb") as fh:
        fh.write(b"n\n")
        while fh.tell() + len(block) <= UPLOAD_BYTES:
            fh.write(block)
        fh.write(b"1\n" * ((UPLOAD_BYTES - fh.tell()) // 2))


def csv_wide(path: Path) -> None:
    rows = 199_999
    cells = UPLOAD_BYTES // rows // 3  # "ab," per cell
    with open(path, "w", encoding="ascii", newline="") as fh:
        fh.write(",".join(f"c{i}" for i in range(cells)) + "\n")
        for r in range(rows):
            fh.write(",".join(f"{(r + i) % 100:02d}" for i in range(cells)) + "\n")


def csv_long_line(path: Path) -> None:
    with open(path, "wb") as fh:
        for _ in range(UPLOAD_BYTES // MB):
            fh.write(b"ab," * (MB // 3))


def csv_open_quote(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(b'name,budget\n"never closed,1\n')
        for _ in range(UPLOAD_BYTES // MB - 1):
            fh.write(b"x,1\n" * (MB // 4))


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheets><sheet name="projects" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
STRINGS_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode()
NO_STRINGS = [STRINGS_HEAD + b"</sst>"]


def _write_xlsx(path: Path, sheet_chunks, strings_chunks=NO_STRINGS) -> None:
    """An .xlsx (the parts Excel needs, no styles) whose sheet and shared strings are written from
    chunks of XML bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, text in PACKAGE.items():
            out.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", strings_chunks)):
            with out.open(name, "w", force_zip64=True) as dst:
                for chunk in chunks:
                    dst.write(chunk)


SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'.encode()


def _one_cell_rows(unpacked: int):
    yield SHEET_HEAD + b"<sheetData>"
    written, i = 0, 0
    while written < unpacked:
        chunk = b"".join(b"<row><c><v>%d</v></c></row>" % (n % 100_000) for n in range(i, i + 100_000))
        i += 100_000
        written += len(chunk)
        yield chunk
    yield b"</sheetData></worksheet>"


def xlsx_probe(path: Path) -> None:
    _write_xlsx(path, _one_cell_rows(280 * 1000 * 1000))


def xlsx_rows(path: Path) -> None:
    from exchange.imports import limits

    _write_xlsx(path, _one_cell_rows(limits.max_sheet_bytes() - 2 * MB))


def xlsx_gap(path: Path) -> None:
    _write_xlsx(
        path,
        [
            SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>',
            b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
            b"</sheetData></worksheet>",
        ],
    )


def xlsx_texts(path: Path) -> None:
    n = 1_000_000
    strings = [
        STRINGS_HEAD,
        *(b"".join(b"<si><t>%d</t></si>" % k for k in range(i, i + 100_000)) for i in range(0, n, 100_000)),
        b"</sst>",
    ]
    sheet = [SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>']
    _write_xlsx(path, sheet, strings)


def _col(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def xlsx_accepted(path: Path) -> None:
    rows = 200_000
    header = ["รหัส", "ชื่อโครงการ", "ประเภท", "ลักษณะ", "ปีงบประมาณ", "งบประมาณ", "ละติจูด", "ลองจิจูด", "แผน", "หมายเหตุ"]
    kinds = ["แหล่งน้ำ", "ถนน", "well", "concrete_road", "หมายเหตุทั่วไป"]
    fixed = header + kinds  # shared strings 0..14, then a name and a plan reference per row

    def strings():
        yield STRINGS_HEAD
        yield "".join(f"<si><t>{s}</t></si>" for s in fixed).encode()
        for start in range(0, rows, 10_000):
            yield "".join(
                f"<si><t>ขุดสระน้ำสาธารณะ หมู่ {r % 20 + 1} บ้านที่ {r}</t></si><si><t>แผน 2566-2570/{r}</t></si>"
                for r in range(start, start + 10_000)
            ).encode()
        yield b"</sst>"

    def sheet():
        yield SHEET_HEAD + b"<sheetData>"
        yield (
            '<row r="1">' + "".join(f'<c r="{_col(i)}1" t="s"><v>{i}</v></c>' for i in range(10)) + "</row>"
        ).encode()
        for start in range(0, rows, 10_000):
            parts = []
            for r in range(start, start + 10_000):
                n = r + 2
                water = r % 2 == 0
                values = [
                    ("n", r + 1),
                    ("s", 15 + 2 * r),
                    ("s", 10 if water else 11),
                    ("s", 12 if water else 13),
                    ("n", 2568),
                    ("n", 100_000 + r),
                    ("n", f"{7.8 + (r % 1000) * 0.0001:.6f}"),
                    ("n", f"{98.3 + (r // 1000) * 0.0001:.6f}"),
                    ("s", 16 + 2 * r),
                    ("s", 14),
                ]
                cells = "".join(
                    f'<c r="{_col(i)}{n}"' + (' t="s"' if t == "s" else "") + f"><v>{v}</v></c>"
                    for i, (t, v) in enumerate(values)
                )
                parts.append(f'<row r="{n}">{cells}</row>')
            yield "".join(parts).encode()
        yield b"</sheetData></worksheet>"

    _write_xlsx(path, sheet(), strings())


FILES = {
    "csv_tiny_rows": ("csv", csv_tiny_rows),
    "csv_wide": ("csv", csv_wide),
    "csv_long_line": ("csv", csv_long_line),
    "csv_open_quote": ("csv", csv_open_quote),
    "xlsx_probe": ("xlsx", xlsx_probe),
    "xlsx_rows": ("xlsx", xlsx_rows),
    "xlsx_gap": ("xlsx", xlsx_gap),
    "xlsx_texts": ("xlsx", xlsx_texts),
    "xlsx_accepted": ("xlsx", xlsx_accepted),
}


# --- measuring -------------------------------------------------------------------------------


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def read_one(path: str) -> None:
    """In the child: read ``path`` as the upload flow does and print the figures as JSON."""
    import django

    django.setup()
    from exchange.imports import ImportFileError, read_source  # openpyxl is loaded by the first Excel file

    before = _hwm_mb()
    t0 = time.perf_counter()
    try:
        table = read_source(path, filename=Path(path).name)
        outcome = f"read {len(table.records):,} rows × {len(table.columns)} columns"
        sample = table.records[len(table.records) - 1]  # the rows are usable
        assert isinstance(sample, dict)
    except ImportFileError as exc:
        outcome = f"refused ({exc.code}): {exc.message_en}"
    seconds = time.perf_counter() - t0
    print(json.dumps({"outcome": outcome, "seconds": seconds, "before_mb": before, "peak_mb": _hwm_mb()}))


def measure(path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--read", str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--read", help=argparse.SUPPRESS)
    ap.add_argument("--only", help="comma-separated names of the files to build and read")
    ap.add_argument("--keep", help="build the files in this folder and keep them")
    args = ap.parse_args()
    if args.read:
        read_one(args.read)
        return
    import django

    django.setup()
    names = args.only.split(",") if args.only else list(FILES)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="gisplan-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'file':<15} {'size':>9} {'unpacked':>9} {'seconds':>8} {'peak MB':>8} {'rise MB':>8}  outcome")
    try:
        for name in names:
            ext, build = FILES[name]
            path = folder / f"{name}.{ext}"
            if not path.exists():
                build(path)
            size = path.stat().st_size / MB
            unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist()) / MB if ext == "xlsx" else size
            r = measure(path)
            print(
                f"{name:<15} {size:>7.1f}MB {unpacked:>7.1f}MB {r['seconds']:>8.2f} {r['peak_mb']:>8.0f} "
                f"{r['peak_mb'] - r['before_mb']:>8.0f}  {r['outcome']}",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
