"""load_lao_registry on the real DLA registry (7,849 organisations)."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from layers.models import Organization, OrganizationType
from tests.conftest import REGISTRY_CSV
from tests.factories import PATONG, PHUKET

pytestmark = pytest.mark.django_db

NO_LATITUDE = "5460116"  # Nuea subdistrict municipality, Kalasin: its registry row has a longitude only
EXPECTED_TYPES = {
    "subdistrict_admin_org": 5300,
    "subdistrict_municipality": 2247,
    "town_municipality": 195,
    "provincial_admin_org": 76,
    "city_municipality": 30,
    "special_admin_area": 1,
}


def run(*args):
    out = StringIO()
    call_command("load_lao_registry", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_registry_counts_and_types():
    assert Organization.objects.count() == 7849
    counts = {t: Organization.objects.filter(type=t).count() for t in OrganizationType.values}
    assert counts == EXPECTED_TYPES


def test_amphoe_resolved_for_at_least_99_percent_and_within_its_province():
    resolved = Organization.objects.filter(amphoe__isnull=False)
    assert resolved.count() / Organization.objects.count() >= 0.99
    from django.db.models import F

    assert not resolved.exclude(amphoe__province=F("province")).exists()
    patong = Organization.objects.get(dla_code=PATONG)
    assert patong.amphoe.name_en == "Kathu" and patong.province.code == PHUKET
    assert patong.name_th == "ป่าตอง" and patong.type == OrganizationType.TOWN_MUNICIPALITY


def test_never_invents_a_location():
    with open(REGISTRY_CSV, encoding="utf-8-sig") as fh:
        rows = {r["dlaCode"]: r for r in csv.DictReader(fh)}
    with_both = {c for c, r in rows.items() if r["centerLat"].strip() and r["centerLon"].strip()}
    assert (
        set(Organization.objects.filter(office_location__isnull=False).values_list("dla_code", flat=True)) == with_both
    )
    # A row with only a longitude keeps no location.
    assert rows[NO_LATITUDE]["centerLon"] and not rows[NO_LATITUDE]["centerLat"]
    assert Organization.objects.get(dla_code=NO_LATITUDE).office_location is None
    loc = Organization.objects.get(dla_code=PATONG).office_location
    assert loc.y == pytest.approx(7.898071193) and loc.x == pytest.approx(98.30392675)


def test_rerun_changes_nothing():
    out = run()
    assert "7849 rows read, 0 created, 0 updated, 7849 unchanged" in out


def test_changed_row_is_updated(tmp_path):
    text = REGISTRY_CSV.read_text(encoding="utf-8-sig").replace(
        ",ป่าตอง,,town_municipality", ",ป่าตองใหม่,,town_municipality"
    )
    path = tmp_path / "registry.csv"
    path.write_text(text, encoding="utf-8")
    out = run(path)
    assert "0 created, 1 updated, 7848 unchanged" in out
    assert Organization.objects.get(dla_code=PATONG).name_th == "ป่าตองใหม่"


def test_bad_registry_is_refused_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    text = REGISTRY_CSV.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",subdistrict_municipality,", ",village,")
    lines[2] = lines[2].replace("คลองพน", "คลองพนแก้ไข")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown type 'village'"):
        run(path)
    assert not Organization.objects.filter(name_th="คลองพนแก้ไข").exists()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        run(wrong)
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")
