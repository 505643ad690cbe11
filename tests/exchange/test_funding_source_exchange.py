"""The funding source (project and approved-budget stage) in every export format — the shapefile
in UTF-8 and CP874 with its dictionary — and read back by the import's column mapping."""

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pyogrio
import pytest

from exchange.exports import export_to_file
from exchange.imports import commit_rows, prepare, read_source
from exchange.imports.mapping import guess_mapping
from exchange.imports.rows import parse_funding_source
from layers.models import Organization
from projects_geo.models import Project
from projects_geo.stages import StageError, record_stage
from tests.factories import PATONG, make_water_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(db):
    """A well paid from the specific subsidy whose approved budget came from accumulated reserves,
    and one with no funding source recorded."""
    a = make_water_point(PATONG, 98.2964, 7.8961, name="บ่อบาดาลอุดหนุนเฉพาะกิจ")
    Project.objects.filter(pk=a.pk).update(funding_source="specific_subsidy")
    a.refresh_from_db()
    record_stage(a, 1, dt.date(2024, 11, 1))
    record_stage(a, 2, dt.date(2024, 11, 2))
    record_stage(a, 3, dt.date(2024, 11, 3), Decimal("95000"), funding_source="reserves")
    b = make_water_point(PATONG, 98.2984, 7.8961, name="บ่อบาดาลไม่ระบุแหล่งเงิน")
    return Project.objects.filter(pk__in=[a.pk, b.pk]), a, b


def test_a_stage_funding_source_only_with_the_approved_budget(funded):
    _, a, b = funded
    with pytest.raises(StageError):
        record_stage(b, 1, dt.date(2024, 11, 1), funding_source="loan")
    assert a.stages.get(stage=3).funding_source == "reserves"


@pytest.mark.parametrize("encoding", ["utf-8", "cp874"])
def test_shapefile_carries_funding_source_in_both_encodings(funded, tmp_path, encoding):
    qs, a, b = funded
    zpath = tmp_path / "p.zip"
    export_to_file(qs, "shp", zpath, encoding=encoding)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path / "x")
        dictionary = zf.read("data_dictionary.csv").decode("utf-8-sig")
    assert "fund_src,funding_source" in dictionary and "s3_fund,stage3_funding_source" in dictionary
    assert "เงินอุดหนุนเฉพาะกิจ".encode(encoding) in (tmp_path / "x" / "projects_points.dbf").read_bytes()
    df = pyogrio.read_dataframe(tmp_path / "x" / "projects_points.shp")
    got = {int(r.proj_id): (r.fund_src, r.fund_th, r.s3_fund) for r in df.itertuples()}
    assert got[a.pk] == ("specific_subsidy", "เงินอุดหนุนเฉพาะกิจ", "reserves")
    assert not isinstance(got[b.pk][0], str) or got[b.pk][0] == ""  # empty / NULL: not recorded


def test_geojson_gpkg_csv_kml_carry_funding_source(funded, tmp_path):
    qs, a, _ = funded
    export_to_file(qs, "geojson", tmp_path / "p.geojson")
    props = {
        f["properties"]["project_id"]: f["properties"]
        for f in json.loads((tmp_path / "p.geojson").read_text())["features"]
    }
    assert props[a.pk]["funding_source"] == "specific_subsidy" and props[a.pk]["stage3_funding_source"] == "reserves"
    assert props[a.pk]["funding_source_th"] == "เงินอุดหนุนเฉพาะกิจ"
    export_to_file(qs, "gpkg", tmp_path / "p.gpkg")
    df = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="projects_points")
    assert "specific_subsidy" in set(df["funding_source"])
    export_to_file(qs, "csv", tmp_path / "p.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "p.csv").read_bytes().decode("utf-8-sig"))))
    assert {r["funding_source_th"] for r in rows} == {"เงินอุดหนุนเฉพาะกิจ", ""}
    export_to_file(qs, "kml", tmp_path / "p.kml")
    kml = (tmp_path / "p.kml").read_text(encoding="utf-8")
    assert "specific_subsidy" in kml and "เงินสะสม" not in kml  # codes and the project's Thai label


def test_import_maps_and_reads_funding_source():
    assert guess_mapping(["ชื่อโครงการ", "แหล่งเงิน", "งบประมาณ"])["funding_source"] == "แหล่งเงิน"
    assert guess_mapping(["name", "funding_source"])["funding_source"] == "funding_source"
    assert guess_mapping(["name", "fund_src"])["funding_source"] == "fund_src"  # our shapefile's name
    assert parse_funding_source("เงินอุดหนุนทั่วไป") == "general_subsidy"
    assert parse_funding_source("General subsidy") == "general_subsidy"
    assert parse_funding_source("loan") == "loan"
    assert parse_funding_source("อุดหนุนเฉพาะกิจ") == "specific_subsidy"
    assert parse_funding_source("เงินบริจาค") is None


def test_import_commits_funding_source_and_notices_its_change(tmp_path):
    org = Organization.objects.get(dla_code=PATONG)
    path = tmp_path / "p.csv"
    head = "รหัส,ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,แหล่งเงิน,ละติจูด,ลองจิจูด\n"
    path.write_text(head + "F1,ขุดสระแหล่งเงินทดสอบ,2568,300000,เงินอุดหนุนทั่วไป,7.896,98.296\n", encoding="utf-8")
    table = read_source(path, filename="p.csv")
    mapping = guess_mapping(table.columns, has_geometry=False)
    rows = prepare(table, mapping, org, {"kind": "water", "subtype": "pond"})
    assert rows[0].status != "error", rows[0].findings
    commit_rows(rows, org)
    project = Project.objects.get(organization=org, source_ref="F1")
    assert project.funding_source == "general_subsidy"
    assert project.history.first().funding_source == "general_subsidy"
    # the same row with another funding source is an update, not "unchanged"
    path.write_text(head + "F1,ขุดสระแหล่งเงินทดสอบ,2568,300000,เงินกู้,7.896,98.296\n", encoding="utf-8")
    table = read_source(path, filename="p.csv")
    rows = prepare(table, mapping, org, {"kind": "water", "subtype": "pond"})
    assert rows[0].action == "update"
    commit_rows(rows, org)
    assert Project.objects.get(pk=project.pk).funding_source == "loan"
    # an unknown source is an error of that row, in Thai and English
    path.write_text(head + "F2,ขุดสระ 2,2568,300000,เงินบริจาค,7.897,98.297\n", encoding="utf-8")
    rows = prepare(read_source(path, filename="p.csv"), mapping, org, {"kind": "water", "subtype": "pond"})
    codes = {f["code"] for f in rows[0].findings}
    assert "funding_source_unknown" in codes
