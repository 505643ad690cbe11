"""Completeness table and drill-down: known answers, LAOs with no projects, access, Thai digits, downloads."""

import csv
import io

from openpyxl import load_workbook

from accounts.models import Role
from layers.models import Organization
from reports import completeness
from reports.base import parse_params, thai_digits
from tests.factories import KATHU, PASSWORD, PATONG, PHANG_NGA, PHUKET, make_analyst, make_dla_admin, make_user

# Years 2565..2568 -> y0..y3.


def test_table_counts_laos_per_stage_and_year(report_data):
    dla = make_dla_admin()
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2568"}))
    assert t.years == [2565, 2566, 2567, 2568]
    rows = {r["code"]: r for r in t.rows}
    # Every province with LAOs (Bangkok, 10, is not in DLA's registry), also those without any project.
    assert len(rows) == 76 and "10" not in rows
    assert rows[PHUKET]["laos"] == 19 and rows[PHANG_NGA]["laos"] == 52
    phuket = rows[PHUKET]
    # FY 2568: only Kathu reached stages (Patong's project has no stage at all).
    assert [phuket[f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 1, 1, 1]
    # FY 2567: Patong reached stage 2.
    assert [phuket[f"y2_s{s}"] for s in range(1, 7)] == [1, 1, 0, 0, 0, 0]
    assert all(phuket[f"y{i}_s{s}"] == 0 for i in (0, 1) for s in range(1, 7))
    assert [rows[PHANG_NGA][f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 1, 0, 0]
    assert rows["50"]["laos"] > 0 and all(rows["50"][f"y3_s{s}"] == 0 for s in range(1, 7))
    total = t.total
    assert total["laos"] == Organization.objects.count() == 7849
    assert [total[f"y3_s{s}"] for s in range(1, 7)] == [2, 2, 2, 2, 1, 1]
    assert [total[f"y2_s{s}"] for s in range(1, 7)] == [1, 1, 0, 0, 0, 0]


def test_kind_filter_and_other_years(report_data):
    dla = make_dla_admin()
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2568", "kind": "road"}))
    assert [t.total[f"y3_s{s}"] for s in range(1, 7)] == [1, 1, 1, 0, 0, 0]  # Kathu's road stops at stage 3
    t = completeness.completeness_report(dla, parse_params({"fiscal_year": "2567"}))
    assert t.years == [2564, 2565, 2566, 2567] and t.total["y3_s2"] == 1 and t.total["y3_s3"] == 0


def test_drill_down_lists_the_laos_still_missing_a_stage(report_data):
    analyst = make_analyst(PHUKET)
    years, rows = completeness.lao_status(analyst, parse_params({"fiscal_year": "2568"}), PHUKET)
    assert len(rows) == 19
    by_code = {r["dla_code"]: r for r in rows}
    assert by_code[KATHU]["reached"] == [0, 0, 0, 6]
    assert by_code[PATONG]["reached"] == [0, 0, 2, 0]
    missing_plan_2568 = {r["dla_code"] for r in rows if (2568, 1) in r["missing"]}
    assert len(missing_plan_2568) == 18 and KATHU not in missing_plan_2568 and PATONG in missing_plan_2568


def test_provincial_analyst_and_lao_staff_see_only_their_part(client, report_data):
    analyst = make_analyst(PHUKET)
    t = completeness.completeness_report(analyst, parse_params({"fiscal_year": "2568"}))
    assert [r["code"] for r in t.rows] == [PHUKET] and t.total["laos"] == 19
    patong = make_user("patong", Role.LAO_PLANNER, lao=PATONG)
    t = completeness.completeness_report(patong, parse_params({"fiscal_year": "2568"}))
    assert [r["code"] for r in t.rows] == [PHUKET]
    assert t.total["laos"] == 1 and t.total["y3_s1"] == 0 and t.total["y2_s2"] == 1  # Kathu's numbers are not visible

    client.login(username="patong", password=PASSWORD)
    assert client.get("/reports/completeness/82/").status_code == 404
    page = client.get("/reports/completeness/83/?fiscal_year=2568")
    assert page.status_code == 200
    html = page.content.decode()
    assert PATONG in html and KATHU not in html
    client.logout()
    client.login(username="ana83", password=PASSWORD)
    assert client.get("/reports/completeness/82/").status_code == 404
    page = client.get("/reports/completeness/83/?fiscal_year=2568&missing=2568-1").content.decode()
    assert PATONG in page and KATHU not in page and "6830307" in page


def test_page_with_thai_digits_and_as_of_date(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    html = client.get("/reports/completeness/?fiscal_year=2568&digits=thai").content.decode()
    assert "๒๕๖๘" in html and "๗,๘๔๙" in html and "ข้อมูล ณ วันที่" in html and "รวมทั้งประเทศ" in html
    assert "7,849" not in html
    html = client.get("/reports/completeness/?fiscal_year=2568").content.decode()
    assert "7,849" in html and "/reports/completeness/83/" in html


def test_downloads(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    resp = client.get("/reports/completeness/?fiscal_year=2568&format=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header = rows[0]
    assert len(rows) == 1 + 76 + 1 and rows[-1][1] == "รวมทั้งประเทศ" and rows[-1][2] == "7849"
    col = header.index("อยู่ในแผนพัฒนาท้องถิ่น 2568")
    assert rows[-1][col] == "2"
    resp = client.get("/reports/completeness/83/?fiscal_year=2568&missing=2568-1&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    codes = [r[0].value for r in ws.iter_rows() if r[0].value and str(r[0].value).isdigit()]
    assert len(codes) == 18 and KATHU not in codes


def test_thai_digits_helper():
    assert thai_digits("2568: 7,849") == "๒๕๖๘: ๗,๘๔๙"
