"""LAO names carry their type's prefix wherever shown or exported, names follow the language, and
report headers read well (issue 21, items 7 and 8)."""

import csv
import io

import pytest
from django.utils import translation

from layers.models import Organization, lao_display_name
from reports import budget, completeness
from reports.base import parse_params
from tests.factories import PATONG, PHUKET, PHUKET_CITY, PHUKET_PAO, make_analyst, make_dla_admin

pytestmark = pytest.mark.django_db


def test_the_display_name_has_the_customary_prefix_and_english_where_known():
    assert lao_display_name("provincial_admin_org", "ภูเก็ต", "Phuket", "th") == "อบจ.ภูเก็ต"
    assert lao_display_name("city_municipality", "ภูเก็ต", "Phuket", "th") == "ทน.ภูเก็ต"
    assert lao_display_name("town_municipality", "ป่าตอง", "", "th") == "ทม.ป่าตอง"
    assert lao_display_name("subdistrict_municipality", "เทพกระษัตรี", "", "th") == "ทต.เทพกระษัตรี"
    assert lao_display_name("subdistrict_admin_org", "เทพกระษัตรี", "", "th") == "อบต.เทพกระษัตรี"
    assert lao_display_name("subdistrict_admin_org", "ไม้ขาว", "Mai Khao", "en") == "Mai Khao SAO"
    assert lao_display_name("subdistrict_admin_org", "ไม้ขาว", "", "en") == "อบต.ไม้ขาว"  # no English name
    with translation.override("th"):
        assert Organization.objects.get(dla_code=PATONG).display_name == "ทม.ป่าตอง"


def test_the_completeness_drill_down_tells_the_pao_from_the_city(report_data):
    _years, rows = completeness.lao_status(make_analyst(PHUKET), parse_params({"fiscal_year": "2568"}), PHUKET)
    names = {r["dla_code"]: r["name_th"] for r in rows}
    assert names[PHUKET_PAO] == "อบจ.ภูเก็ต" and names[PHUKET_CITY] == "ทน.ภูเก็ต"
    assert len(set(names.values())) == len(names)  # no name stands for two LAOs


def test_the_budget_report_by_lao_names_the_type_and_reads_well(report_data):
    with translation.override("th"):
        table = budget.budget_report(make_dla_admin(), parse_params({"fiscal_year": "2568"}), level="lao")
        assert "ทม.ป่าตอง" in {r["name_th"] for r in table.rows}
        assert not any(c.label.endswith("% %") for c in table.columns)
        assert "ดำเนินการแล้ว 100% (ร้อยละของโครงการ)" in [c.label for c in table.columns]


def test_the_export_names_the_lao_with_its_type(report_data, client):
    client.force_login(make_dla_admin())
    resp = client.get("/api/projects/export/", {"format": "csv", "lao": PATONG})
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["lao_name"] for r in rows} == {"ทม.ป่าตอง"}


def test_english_pages_name_provinces_and_laos_in_english(report_data):
    with translation.override("en"):
        table = completeness.completeness_report(make_dla_admin(), parse_params({"fiscal_year": "2568"}))
        assert "Phuket" in {r["name_th"] for r in table.rows}
        by_lao = budget.budget_report(make_dla_admin("dla2"), parse_params({"fiscal_year": "2568"}), level="lao")
        names = {r["name_th"] for r in by_lao.rows}
        assert "ทม.ป่าตอง" in names  # the registry has no English LAO names: Thai, with the type
