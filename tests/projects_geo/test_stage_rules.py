"""Budget-stage sanity rules, and the LAO administrator's correction or withdrawal of the last
stage with a reason kept in the history (issue 21, items 2 and 5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from projects_geo.history import project_history
from projects_geo.models import Project, ProjectStage
from projects_geo.stages import StageError, correct_last_stage, record_stage, withdraw_last_stage
from tests.factories import PATONG, make_engineer, make_user, make_water_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    """FY 2568 (1 Oct 2024 – 30 Sep 2025), planned budget 1,200,000, in plan and plan approved."""
    p = make_water_point(PATONG, 98.2960, 7.8960, fiscal_year=2568)
    Project.objects.filter(pk=p.pk).update(budget=Decimal("1200000"))
    p.refresh_from_db()
    record_stage(p, 1, dt.date(2024, 6, 1))
    record_stage(p, 2, dt.date(2024, 8, 1))
    return p


def refused(code, *args, **kwargs):
    with pytest.raises(StageError) as info:
        record_stage(*args, **kwargs)
    assert info.value.code == code
    return info.value


def test_contract_above_the_approved_budget_is_refused_in_thai_and_english(project):
    record_stage(project, 3, dt.date(2024, 9, 1), Decimal("1200000"))
    for lang, words in (("th", "สูงกว่างบประมาณที่ได้รับอนุมัติ"), ("en", "above the approved budget")):
        with translation.override(lang):
            err = refused("contract_above_budget", project, 4, dt.date(2024, 11, 1), Decimal("5000000"))
            assert words in err.messages[0] and "5,000,000.00" in err.messages[0]
    assert project.stages.count() == 3
    record_stage(project, 4, dt.date(2024, 11, 1), Decimal("1150000"))


def test_disbursed_above_the_contract_is_refused(project):
    record_stage(project, 3, dt.date(2024, 9, 1), Decimal("1200000"))
    record_stage(project, 4, dt.date(2024, 11, 1), Decimal("1150000"))
    refused("disbursed_above_contract", project, 5, dt.date(2025, 1, 10), Decimal("9000000"))
    assert project.stages.count() == 4


def test_an_approved_budget_above_the_planned_budget_is_recorded_with_a_warning(project):
    with translation.override("th"):
        row = record_stage(project, 3, dt.date(2024, 9, 1), Decimal("5000000"))
    assert row.pk and len(row.warnings) == 1
    assert "สูงกว่างบประมาณตามแผน" in row.warnings[0] and "1,200,000.00" in row.warnings[0]
    fine = make_water_point(PATONG, 98.2990, 7.8990, fiscal_year=2568, name="อีกบ่อ")
    record_stage(fine, 1, dt.date(2024, 6, 1))
    record_stage(fine, 2, dt.date(2024, 8, 1))
    assert record_stage(fine, 3, dt.date(2024, 9, 1), Decimal("90000")).warnings == []


def test_dates_in_the_future_or_before_the_plan_are_refused(project):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused("date_in_future", project, 3, tomorrow, Decimal("1000000"))
    refused("date_in_future", project, 3, dt.date(2032, 1, 1), Decimal("1000000"))  # 1/1/2575
    # the budget of FY 2568 is not approved before 1 Oct 2023
    refused("date_before_plan", project, 3, dt.date(2023, 9, 1), Decimal("1000000"))
    early = make_water_point(PATONG, 98.2990, 7.8990, fiscal_year=2568, name="แผนเก่า")
    err = refused("date_before_plan", early, 1, dt.date(2015, 1, 1))  # FY 2568's plan is from 2562 on
    assert "2568" in err.messages[0]


def test_the_lao_admin_corrects_the_last_stage_with_a_reason_kept_in_history(project):
    admin = make_user("ladmin", Role.LAO_ADMIN, lao=PATONG)
    record_stage(project, 3, dt.date(2024, 9, 1), Decimal("1200000"))
    with pytest.raises(StageError) as info:
        correct_last_stage(project, date=dt.date(2024, 9, 2), amount=Decimal("1100000"), reason=" ", user=admin)
    assert info.value.code == "no_reason"
    correct_last_stage(project, date=dt.date(2024, 9, 2), amount=Decimal("1100000"), reason="พิมพ์ผิด", user=admin)
    row = ProjectStage.objects.get(project=project, stage=3)
    assert row.amount == Decimal("1100000") and row.date == dt.date(2024, 9, 2)
    entry = next(e for e in project_history(project) if e.action == "stage_changed")
    assert entry.reason == "พิมพ์ผิด" and entry.who == admin
    assert {c.field: (c.old, c.new) for c in entry.changes}["amount"] == ("1,200,000", "1,100,000")
    # a correction follows the same rules
    record_stage(project, 4, dt.date(2024, 11, 1), Decimal("1000000"))
    with pytest.raises(StageError) as info:
        correct_last_stage(project, date=dt.date(2024, 11, 1), amount=Decimal("5000000"), reason="x", user=admin)
    assert info.value.code == "contract_above_budget"


def test_the_lao_admin_withdraws_the_last_stage_with_a_reason(project):
    admin = make_user("ladmin", Role.LAO_ADMIN, lao=PATONG)
    version = Project.objects.get(pk=project.pk).version
    withdraw_last_stage(project, reason="บันทึกผิดโครงการ", user=admin, expected_version=version)
    project.refresh_from_db()
    assert project.current_stage == 1 and project.version == version + 1
    entry = next(e for e in project_history(project) if e.action == "stage_removed")
    assert entry.reason == "บันทึกผิดโครงการ" and entry.stage == 2


def test_correction_page_for_the_lao_admin_only(client, project):
    url = reverse("projects_geo:project_edit", args=[project.pk])
    post = {"action": "stage_correct", "do": "withdraw", "reason": "ผิด", "version": str(project.version)}
    client.force_login(make_engineer(PATONG))
    assert "stage-correct-form" not in client.get(url).content.decode()
    assert client.post(url, post).status_code == 403
    client.force_login(make_user("ladmin", Role.LAO_ADMIN, lao=PATONG))
    page = client.get(url).content.decode()
    assert "stage-correct-form" in page and "แก้ไขหรือถอนขั้นตอนล่าสุด" in page
    missing = client.post(url, {**post, "reason": ""})
    assert missing.status_code == 400 and ProjectStage.objects.filter(project=project).count() == 2
    assert client.post(url, post).status_code == 302
    assert list(ProjectStage.objects.filter(project=project).values_list("stage", flat=True)) == [1]
    history = client.get(reverse("projects_geo:project_history", args=[project.pk])).content.decode()
    assert "ผิด" in history and "history-reason" in history


def test_an_engineer_is_offered_only_the_stage_they_may_record_next(client):
    """Item 5: the next stage is "in plan"; the engineer records only "completed 100%"."""
    project = make_water_point(PATONG, 98.2960, 7.8960)
    url = reverse("projects_geo:project_edit", args=[project.pk])
    client.force_login(make_engineer(PATONG))
    page = client.get(url).content.decode()
    assert 'id="stage-form"' not in page
    assert 'id="next-stage-who"' in page and "เจ้าหน้าที่" in page  # who records it, by role
    for stage in (1, 2, 3, 4, 5):
        record_stage(project, stage, dt.date(2024, 10, stage), Decimal("1000") if stage >= 3 else None)
    page = client.get(url).content.decode()
    assert 'id="stage-form"' in page and 'value="6"' in page
