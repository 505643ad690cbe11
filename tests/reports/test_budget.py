"""Budget-stage report: known answers on the hand-built dataset, levels, kinds, access, downloads."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from accounts.models import Role
from projects_geo.models import ProjectTambon
from reports import budget
from reports.base import parse_params
from tests.factories import (
    KATHU,
    PASSWORD,
    PATONG,
    PHANG_NGA,
    PHUKET,
    TAMBON_KATHU,
    TAMBON_PATONG,
    make_analyst,
    make_dla_admin,
    make_user,
)

D = Decimal


def rows_by_code(table):
    return {r["code"]: r for r in table.rows}


def test_province_level_counts_sums_and_stage_shares(report_data):
    dla = make_dla_admin()
    t = budget.budget_report(dla, parse_params({"fiscal_year": "2568"}), "province")
    rows = rows_by_code(t)
    assert set(rows) == {PHANG_NGA, PHUKET}
    phuket = rows[PHUKET]
    assert phuket["projects"] == 3
    assert phuket["planned_budget"] == D("800000.00")
    assert phuket["approved_budget"] == D("540000.00")
    assert phuket["contract_value"] == D("80000.00")
    assert phuket["disbursed"] == D("80000.00")
    assert (phuket["stage_0"], phuket["stage_3"], phuket["stage_6"]) == (1, 1, 1)
    assert (
        phuket["pct_stage_0"] == D("33.3") and phuket["pct_stage_6"] == D("33.3") and phuket["pct_stage_1"] == D("0.0")
    )
    phangnga = rows[PHANG_NGA]
    assert (phangnga["projects"], phangnga["planned_budget"], phangnga["contract_value"]) == (
        1,
        D("50000.00"),
        D("45000.00"),
    )
    assert phangnga["disbursed"] is None and phangnga["stage_4"] == 1 and phangnga["pct_stage_4"] == D("100.0")
    total = t.total
    assert total["projects"] == 4
    assert total["planned_budget"] == D("850000.00")
    assert total["approved_budget"] == D("590000.00")
    assert total["contract_value"] == D("125000.00")
    assert total["disbursed"] == D("80000.00")
    assert total["pct_stage_6"] == D("25.0")


def test_several_years_and_kind_split(report_data):
    dla = make_dla_admin()
    t = budget.budget_report(dla, parse_params({"fiscal_year": "2567,2568"}), "province", by_kind=True)
    phuket = [r for r in t.rows if r["code"] == PHUKET]
    by_kind = {r["kind"]: r for r in phuket}
    assert by_kind[None]["projects"] == 4 and by_kind[None]["planned_budget"] == D("1100000.00")
    assert by_kind["water"]["projects"] == 2 and by_kind["water"]["planned_budget"] == D("400000.00")
    assert by_kind["water"]["stage_2"] == 1 and by_kind["water"]["stage_6"] == 1
    assert by_kind["road"]["projects"] == 2 and by_kind["road"]["approved_budget"] == D("450000.00")
    assert t.total["projects"] == 5


def test_kind_filter_and_lao_level(report_data):
    dla = make_dla_admin()
    t = budget.budget_report(dla, parse_params({"fiscal_year": "2568", "kind": "road"}), "lao")
    rows = rows_by_code(t)
    assert set(rows) == {KATHU, PATONG}
    assert rows[KATHU]["planned_budget"] == D("500000.00") and rows[PATONG]["stage_0"] == 1
    assert t.total["projects"] == 2


def test_tambon_level_shares_a_line_by_length(report_data):
    dla = make_dla_admin()
    shares = {
        pt.tambon.code: D(str(pt.share))
        for pt in ProjectTambon.objects.filter(project=report_data.p2).select_related("tambon")
    }
    assert set(shares) >= {TAMBON_KATHU, TAMBON_PATONG} and len(shares) >= 2
    t = budget.budget_report(dla, parse_params({"fiscal_year": "2568", "kind": "road"}), "tambon")
    rows = rows_by_code(t)
    # Patong's tambon holds the road point P3 (200,000) and its share of the line.
    assert rows[TAMBON_PATONG]["projects"] == 2
    assert rows[TAMBON_PATONG]["planned_budget"] == (D("200000") + D("500000") * shares[TAMBON_PATONG]).quantize(
        D("0.01")
    )
    assert rows[TAMBON_KATHU]["planned_budget"] == (D("500000") * shares[TAMBON_KATHU]).quantize(D("0.01"))
    # The line is counted once in the total and its money adds up.
    assert t.total["projects"] == 2
    assert abs(sum(r["planned_budget"] for r in t.rows) - D("700000")) <= D("0.05")


def test_lao_staff_see_only_their_lao(report_data):
    patong = make_user("patong", Role.LAO_FINANCE, lao=PATONG)
    t = budget.budget_report(patong, parse_params({}), "province")
    assert [r["code"] for r in t.rows] == [PHUKET]
    assert t.total["projects"] == 2 and t.total["planned_budget"] == D("500000.00")
    analyst = make_analyst(PHANG_NGA)
    t = budget.budget_report(analyst, parse_params({}), "province")
    assert [r["code"] for r in t.rows] == [PHANG_NGA] and t.total["projects"] == 1


def test_page_csv_and_excel(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    page = client.get("/reports/budget/?fiscal_year=2568")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ภูเก็ต" in html and "850,000.00" in html and "/reports/map/frame/?" in html

    resp = client.get("/reports/budget/?fiscal_year=2568&format=csv")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[1] == "จังหวัด" and "งบประมาณตามแผน" in header
    body = {r[0]: r for r in rows[1:]}
    assert body[PHUKET][header.index("งบประมาณตามแผน")] == "800000.00"
    total = rows[-1]
    assert total[1] == "รวม" and total[header.index("จำนวนโครงการ")] == "4"

    resp = client.get("/reports/budget/?fiscal_year=2568&format=xlsx&by_kind=1")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header_idx = next(i for i, r in enumerate(values) if r[0] == "รหัส")
    header = values[header_idx]
    total = values[-1]
    assert total[1] == "รวม" and total[header.index("จำนวนโครงการ")] == 4
    assert total[header.index("งบประมาณตามแผน")] == 850000.0
    assert ws.cell(header_idx + 2, header.index("งบประมาณตามแผน") + 1).number_format == "#,##0.00"


def test_bad_parameters_answer_400_in_thai_and_english(client, report_data):
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    for query in ("fiscal_year=68", "kind=bridge", "level=village", "province=8", "format=pdf"):
        resp = client.get(f"/reports/budget/?{query}")
        assert resp.status_code == 400, query
        html = resp.content.decode()
        assert "ต้อง" in html or "ไม่ใช่" in html
    assert client.get("/reports/budget/").status_code == 200


def test_shared_analyst_filters_apply_to_the_reports(client, report_data):
    """The reports take the analysts' API filters too (here lao= and bbox=), with bilingual 400s."""
    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    table = budget.budget_report(
        make_dla_admin("dla2"), parse_params({"fiscal_year": "2568", "lao": KATHU}), level="lao"
    )
    assert set(rows_by_code(table)) == {KATHU}
    resp = client.get("/reports/budget/?bbox=not,a,box")
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "bbox" in html
    with_lang = client.get("/reports/budget/?bbox=not,a,box", HTTP_ACCEPT_LANGUAGE="en")
    assert with_lang.status_code == 400


def test_reports_need_sign_in(client):
    resp = client.get("/reports/budget/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_as_of_date_follows_the_page_language(client, report_data):
    from django.utils import timezone

    make_dla_admin()
    client.login(username="dla", password=PASSWORD)
    today = timezone.localdate()
    thai = client.get("/reports/budget/").content.decode()
    assert f"{today.day} " in thai and str(today.year + 543) in thai
    client.cookies["django_language"] = "en"
    english = client.get("/reports/budget/").content.decode()
    assert f"{today.day} {today.strftime('%B')} {today.year + 543} B.E." in english
