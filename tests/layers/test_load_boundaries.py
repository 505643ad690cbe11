"""load_boundaries: counts, codes, nesting, idempotence, options and clear errors."""

import json
import shutil

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from shapely.geometry import Polygon

from layers.models import Amphoe, Organization, Province, Tambon
from projects_geo.models import Project
from tests.conftest import COUNTRY_GPKG, SAMPLE_BOUNDARIES
from tests.factories import PHANG_NGA, PHUKET

pytestmark = pytest.mark.django_db


def empty_boundaries():
    """Remove everything that references boundaries (rolled back after the test)."""
    Project.objects.all().delete()
    Organization.objects.all().delete()
    Tambon.objects.all().delete()
    Amphoe.objects.all().delete()
    Province.objects.all().delete()


def run(*args, **kwargs):
    from io import StringIO

    out = StringIO()
    call_command("load_boundaries", *map(str, args), stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def test_sample_loads_with_codes_names_and_parents():
    empty_boundaries()
    out = run(SAMPLE_BOUNDARIES)
    assert "province: 2 read, 2 created" in out
    assert "amphoe: 11 read, 11 created" in out
    assert "tambon: 65 read, 65 created" in out
    assert set(Province.objects.values_list("code", flat=True)) == {PHANG_NGA, PHUKET}
    assert Amphoe.objects.count() == 11 and Tambon.objects.count() == 65
    phuket = Province.objects.get(code=PHUKET)
    assert phuket.name_th == "ภูเก็ต" and phuket.name_en == "Phuket"
    assert phuket.geom.geom_type == "MultiPolygon" and phuket.geom.srid == 4326
    for tambon in Tambon.objects.select_related("amphoe__province"):
        assert len(tambon.code) == 6 and tambon.code.startswith(tambon.amphoe.code)
        assert tambon.amphoe.code.startswith(tambon.amphoe.province.code)


def test_every_sample_tambon_nests_inside_its_amphoe_and_province():
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT t.code,
                   ST_Area(ST_Difference(t.geom, a.geom)) / ST_Area(t.geom),
                   ST_Area(ST_Difference(t.geom, p.geom)) / ST_Area(t.geom)
            FROM layers_tambon t JOIN layers_amphoe a ON a.id = t.amphoe_id
            JOIN layers_province p ON p.id = a.province_id
            WHERE p.code IN ('82', '83')
            """
        )
        rows = cur.fetchall()
    assert len(rows) == 65
    outside = [(code, a, p) for code, a, p in rows if a > 1e-6 or p > 1e-6]
    assert outside == []


def test_rerun_changes_nothing():
    before = {t.code: (t.pk, t.geom.wkb.tobytes()) for t in Tambon.objects.filter(amphoe__province__code=PHUKET)}
    out = run(SAMPLE_BOUNDARIES)
    assert "province: 2 read, 0 created, 0 updated, 2 unchanged" in out
    assert "tambon: 65 read, 0 created, 0 updated, 65 unchanged" in out
    after = {t.code: (t.pk, t.geom.wkb.tobytes()) for t in Tambon.objects.filter(amphoe__province__code=PHUKET)}
    assert before == after
    assert Tambon.objects.count() == 7425


@pytest.mark.slow
def test_whole_country_loads_77_928_7425_and_reruns_cleanly():
    empty_boundaries()
    out = run(COUNTRY_GPKG)
    assert "province: 77 read, 77 created" in out
    assert "amphoe: 928 read, 928 created" in out
    assert "tambon: 7425 read, 7425 created" in out
    assert (Province.objects.count(), Amphoe.objects.count(), Tambon.objects.count()) == (77, 928, 7425)
    out = run(COUNTRY_GPKG)
    assert "tambon: 7425 read, 0 created, 0 updated, 7425 unchanged" in out
    # Nesting holds for the country too: no tambon whose code does not start with its amphoe's.
    assert not Tambon.objects.exclude(code__startswith=models_prefix()).exists()


def models_prefix():
    # Tambon.code starts with amphoe.code: checked in SQL through an F() expression.
    from django.db.models import F
    from django.db.models.functions import Left

    return Left(F("amphoe__code"), 4)


def test_only_missing_keeps_existing_units():
    phuket_geom = Province.objects.get(code=PHUKET).geom.wkb.tobytes()
    out = run(COUNTRY_GPKG, level="province", only_missing=True)
    assert "77 already present (kept)" in out
    assert Province.objects.get(code=PHUKET).geom.wkb.tobytes() == phuket_geom


def _write(gdf, path, **kwargs):
    gdf.to_file(path, engine="pyogrio", **kwargs)
    return path


def test_other_field_names_crs_polygon_and_invalid_geometry(tmp_path):
    """A GeoJSON in UTM 47N with its own field names, a plain Polygon and a self-intersecting one."""
    empty_boundaries()
    run(SAMPLE_BOUNDARIES, level="province")
    bowtie = Polygon([(420000, 880000), (425000, 885000), (425000, 880000), (420000, 885000)])
    square = Polygon([(430000, 880000), (435000, 880000), (435000, 885000), (430000, 885000)])
    gdf = gpd.GeoDataFrame(
        {
            "AMP_CODE": ["8398", "8399"],
            "NAME_T": ["ทดสอบหนึ่ง", "ทดสอบสอง"],
            "NAME_E": ["Test one", "Test two"],
            "PROV": [PHUKET, PHUKET],
        },
        geometry=[bowtie, square],
        crs="EPSG:32647",
    )
    path = _write(gdf, tmp_path / "amphoe_utm.geojson")
    out = run(
        path, level="amphoe", code_field="AMP_CODE", name_th_field="NAME_T", name_en_field="NAME_E", parent_field="PROV"
    )
    assert "2 created" in out and "1 invalid geometries repaired" in out
    fixed = Amphoe.objects.get(code="8398")
    assert fixed.geom.valid and fixed.geom.geom_type == "MultiPolygon" and fixed.name_th == "ทดสอบหนึ่ง"
    square_db = Amphoe.objects.get(code="8399")
    assert square_db.province.code == PHUKET
    # Reprojected from UTM 47N: 430000 E 880000 N is about 7.96 N, 98.36 E.
    lon, lat = square_db.geom.extent[:2]
    assert 98.3 < lon < 98.4 and 7.9 < lat < 8.0


def test_cp874_shapefile_with_encoding_option(tmp_path):
    empty_boundaries()
    gdf = gpd.read_file(SAMPLE_BOUNDARIES / "province.shp")
    path = _write(gdf, tmp_path / "province.shp", encoding="cp874")
    (tmp_path / "province.cpg").unlink(missing_ok=True)
    run(path, level="province", encoding="cp874")
    assert Province.objects.get(code=PHANG_NGA).name_th == "พังงา"


def test_missing_crs_needs_source_srs(tmp_path):
    empty_boundaries()
    gdf = gpd.read_file(SAMPLE_BOUNDARIES / "province.shp")
    path = _write(gdf, tmp_path / "province.shp")
    (tmp_path / "province.prj").unlink()
    with pytest.raises(CommandError, match="no coordinate reference system; pass --source-srs"):
        run(path, level="province")
    run(path, level="province", source_srs="EPSG:4326")
    assert Province.objects.count() == 2


def _garbage_shp(d):
    path = d / "broken.shp"
    path.write_bytes(b"this is not a shapefile")
    return path


def _geojson_other_fields(d):
    path = d / "tambon.geojson"
    feature = {
        "type": "Feature",
        "properties": {"x": 1},
        "geometry": {"type": "Polygon", "coordinates": [[[98, 8], [98.1, 8], [98.1, 8.1], [98, 8]]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: d / "nothing-here.gpkg", "no such file or directory"),
        (_garbage_shp, "not a readable vector file"),
        (_geojson_other_fields, "field\\(s\\) ADM3_PCODE, ADM3_TH not found"),
    ],
)
def test_bad_input_gives_a_clear_error_and_writes_nothing(tmp_path, make_bad, message):
    before = Tambon.objects.count()
    path = make_bad(tmp_path)
    with pytest.raises(CommandError, match=message):
        run(path, level="tambon")
    assert Tambon.objects.count() == before


def test_orphan_units_are_refused_atomically(tmp_path):
    gdf = gpd.read_file(SAMPLE_BOUNDARIES / "tambon.shp").head(3).copy()
    gdf.loc[gdf.index[2], "ADM2_PCODE"] = "TH9999"
    gdf.loc[gdf.index[2], "ADM3_PCODE"] = "TH999901"
    gdf.loc[gdf.index[0], "ADM3_TH"] = "เปลี่ยนชื่อ"
    path = _write(gdf, tmp_path / "tambon.shp")
    code0 = gdf.iloc[0]["ADM3_PCODE"][2:]
    with pytest.raises(CommandError, match="parent is not loaded: 999901 \\(parent 9999\\)"):
        run(path, level="tambon")
    assert Tambon.objects.get(code=code0).name_th != "เปลี่ยนชื่อ"


def test_duplicate_codes_are_refused(tmp_path):
    gdf = gpd.read_file(SAMPLE_BOUNDARIES / "province.shp")
    gdf = gpd.GeoDataFrame(pd_concat([gdf, gdf.head(1)]), crs=gdf.crs)
    path = _write(gdf, tmp_path / "province.shp")
    with pytest.raises(CommandError, match="appears more than once"):
        run(path, level="province")


def pd_concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def test_gpkg_level_needs_layer_choice(tmp_path):
    shutil.copy(COUNTRY_GPKG, tmp_path / "country.gpkg")
    with pytest.raises(CommandError, match="no layer 'districts'"):
        run(tmp_path / "country.gpkg", level="amphoe", layer="districts")
