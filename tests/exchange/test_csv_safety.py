"""No CSV the site writes holds a formula (OWASP "CSV injection"): ``common.csvsafe`` and every
CSV writer that uses it — the export, its data dictionary and the import report. (The reports'
CSV and Excel files: tests/reports/test_spreadsheet_safety.py.)"""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile

from common import csvsafe
from exchange.exports.fields import data_dictionary_csv
from layers.models import Organization
from projects_geo.models import Kind, Project, Subtype
from projects_geo.services import save_project
from tests.factories import PATONG, make_engineer

HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,written",
    [
        (HYPERLINK, "'" + HYPERLINK),
        (CMD, "'" + CMD),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("-", "'-"),
        ("- ถนนสายใหม่", "'- ถนนสายใหม่"),
        # numbers stay numbers, also written as text; anything else is left alone
        (-12.5, -12.5),
        (Decimal("-1234.50"), Decimal("-1234.50")),
        (-7, -7),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1.5e3", "-1.5e3"),
        ("ก่อสร้างถนน =1", "ก่อสร้างถนน =1"),
        (" =1", " =1"),
        ("a-b", "a-b"),
        ("", ""),
        (None, None),
        (dt.date(2024, 10, 1), dt.date(2024, 10, 1)),
        ("-١٢", "'-١٢"),  # other digits are not a plain ASCII number
    ],
)
def test_neutralise(value, written):
    assert csvsafe.neutralise(value) == written


def test_the_writer_quotes_formula_text_and_keeps_negative_numbers():
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow(["name", "amount"])
    w.writerows([[HYPERLINK, -12.5], [CMD, Decimal("-3.25")], ["ถนน", 0]])
    assert buf.getvalue().endswith("\r\n")
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [
        ["name", "amount"],
        ["'" + HYPERLINK, "-12.5"],
        ["'" + CMD, "-3.25"],
        ["ถนน", "0"],
    ]


def test_rows_without_formula_text_are_written_as_csv_writes_them():
    """Random rows of awkward text, numbers, dates and None: what ``csvsafe.writer`` writes is what
    ``csv.writer`` writes of the neutralised cells, and no cell read back starts a formula."""
    rnd = random.Random(22)
    alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', " ", "a", "ก", "1", ".", "e", "＝", "'"]

    def cell():
        k = rnd.random()
        if k < 0.1:
            return None
        if k < 0.2:
            return rnd.choice([-12.5, 3, Decimal("-1.50"), 0.0, -7])
        if k < 0.25:
            return dt.date(2024, 1, 1)
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 5)))

    for _ in range(2000):
        rows = [[cell() for _ in range(rnd.randint(1, 5))] for _ in range(rnd.randint(0, 6))]
        ours, plain = io.StringIO(), io.StringIO()
        csvsafe.writer(ours).writerows(rows)
        csv.writer(plain).writerows([[csvsafe.neutralise(v) for v in r] for r in rows])
        assert ours.getvalue() == plain.getvalue()
        for row in csv.reader(io.StringIO(ours.getvalue(), newline="")):
            assert not [c for c in row if csvsafe.is_formula_like(c)], row


# --- the files -------------------------------------------------------------------------------------


@pytest.fixture
def formula_project(db):
    return save_project(
        Project(
            organization=Organization.objects.get(dla_code=PATONG),
            kind=Kind.WATER,
            subtype=Subtype.WELL,
            name=HYPERLINK,
            plan_reference=CMD,
            source_ref="@SUM(1+1)",
            fiscal_year=2568,
            budget=Decimal("250000"),
            geom=Point(98.2960, 7.8960, srid=4326),
        )
    )


def test_export_csv_neutralises_formula_text(client, formula_project):
    client.force_login(make_engineer(PATONG))
    response = client.get("/api/projects/export/", {"format": "csv"})
    assert response.status_code == 200
    rows = _cells(b"".join(response.streaming_content))
    header, body = rows[0], rows[1:]
    got = next(dict(zip(header, r)) for r in body if r[header.index("project_id")] == str(formula_project.pk))
    assert got["name"] == "'" + HYPERLINK
    assert got["plan_reference"] == "'" + CMD
    assert got["source_ref"] == "'@SUM(1+1)"
    assert got["budget"] == "250000.0" and got["fiscal_year"] == "2568"  # numbers untouched
    assert got["wkt"].startswith("POINT") and float(got["lat"]) == pytest.approx(7.896)
    assert not [c for r in body for c in r if csvsafe.is_formula_like(c)]


def test_data_dictionary_csv_has_no_formula_cell():
    rows = _cells(data_dictionary_csv())
    assert rows[0][0] == "shapefile_field" and not [c for r in rows for c in r if csvsafe.is_formula_like(c)]


IMPORT_CSV = (
    "รหัส,ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,ละติจูด,ลองจิจูด\n"
    f'"@SUM(1+1)","{HYPERLINK.replace(chr(34), chr(34) * 2)}",2568,300000,7.896,98.296\n'
    f'-W2,"{CMD}",2568,450000,7.890,98.300\n'
).encode()


def test_import_report_csv_neutralises_formula_text(db, client, settings, tmp_path):
    """An import row named ``=HYPERLINK(...)``: the dry-run report names it without a formula."""
    settings.GISPLAN_IMPORT_DIR = str(tmp_path / "imports")
    client.force_login(make_engineer(PATONG))
    upload = client.post("/projects/import/", {"file": SimpleUploadedFile("projects.csv", IMPORT_CSV)})
    assert upload.status_code == 302, upload.content.decode()[:2000]
    mapping = {
        "map_ref": "รหัส",
        "map_name": "ชื่อโครงการ",
        "map_fiscal_year": "ปีงบประมาณ",
        "map_budget": "งบประมาณ",
        "map_lat": "ละติจูด",
        "map_lon": "ลองจิจูด",
        "default_kind": "water",
        "default_subtype": "pond",
    }
    preview = client.post(upload["Location"], mapping)
    assert preview.status_code == 302
    report = client.get(preview["Location"].replace("preview/", "report.csv"))
    assert report.status_code == 200
    rows = _cells(report.content)
    header, body = rows[0], rows[1:]
    by_name = {r[header.index("name")]: r for r in body}
    assert "'" + HYPERLINK in by_name and "'" + CMD in by_name
    assert by_name["'" + HYPERLINK][header.index("source_ref")] == "'@SUM(1+1)"
    assert by_name["'" + CMD][header.index("source_ref")] == "'-W2"
    assert by_name["'" + HYPERLINK][header.index("row")] == "1"
    assert not [c for r in body for c in r if csvsafe.is_formula_like(c)]
