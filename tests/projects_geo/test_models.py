"""Project constraints, stage order rules and the sample projects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from projects_geo.deletion import soft_delete_project
from projects_geo.models import Kind, Project, ProjectStage, Stage, Subtype
from projects_geo.services import save_project
from projects_geo.stages import StageError, record_stage, remove_last_stage
from tests.factories import AMPHOE_KATHU, PATONG, PHUKET, PHUKET_CITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lao):
    return save_project(
        Project(
            organization=lao(PATONG),
            kind=Kind.WATER,
            subtype=Subtype.WELL,
            name="บ่อบาดาลทดสอบ",
            fiscal_year=2568,
            budget=Decimal("100000"),
            geom=Point(98.3000, 7.8950, srid=4326),
        )
    )


def test_save_fills_units_for_a_point(project):
    assert project.tambon.name_th == "ป่าตอง"
    assert project.amphoe.code == AMPHOE_KATHU and project.province.code == PHUKET
    assert project.length_m is None
    assert list(project.tambon_shares.values_list("tambon__code", "share")) == [(project.tambon.code, 1.0)]


def test_save_fills_length_and_shares_for_a_line(lao):
    line = LineString((98.3880, 7.8857), (98.3915, 7.8853), srid=4326)
    p = save_project(
        Project(
            organization=lao(PHUKET_CITY),
            kind=Kind.ROAD,
            subtype=Subtype.CONCRETE_ROAD,
            name="ถนนทดสอบ",
            fiscal_year=2568,
            budget=Decimal("1"),
            geom=line,
        )
    )
    assert p.length_m == pytest.approx(388, abs=5)
    assert sum(p.tambon_shares.values_list("share", flat=True)) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    "geom",
    [
        Polygon(((98.30, 7.89), (98.31, 7.89), (98.31, 7.90), (98.30, 7.89)), srid=4326),
    ],
)
def test_database_refuses_non_point_non_line_geometry(project, geom):
    with pytest.raises(IntegrityError, match="project_geom_point_or_line"):
        with transaction.atomic():
            Project.objects.filter(pk=project.pk).update(geom=geom)
    # The constraint is in the database, not only in Python: raw SQL is refused too.
    with pytest.raises(IntegrityError, match="project_geom_point_or_line"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE projects_geo_project"
                " SET geom = ST_GeomFromText('POLYGON((98.30 7.89, 98.31 7.89, 98.31 7.90, 98.30 7.89))', 4326)"
                " WHERE id = %s",
                [project.pk],
            )


def test_fiscal_year_range_is_enforced(project):
    project.fiscal_year = 2025
    with pytest.raises(ValidationError):
        project.full_clean()
    with pytest.raises(IntegrityError, match="project_fiscal_year_range"):
        with transaction.atomic():
            Project.objects.filter(pk=project.pk).update(fiscal_year=2025)


def test_subtype_must_belong_to_kind(project):
    project.subtype = Subtype.BRIDGE
    with pytest.raises(ValidationError, match="subtype"):
        project.full_clean()


def test_stages_in_order_with_dates_and_amounts(project):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 6, 1))
    record_stage(project, Stage.PLAN_APPROVED, dt.date(2024, 7, 1))
    record_stage(project, Stage.BUDGET_APPROVED, dt.date(2024, 9, 20), Decimal("100000"))
    project.refresh_from_db()
    assert project.current_stage == Stage.BUDGET_APPROVED
    assert list(project.stages.values_list("stage", flat=True)) == [1, 2, 3]
    assert Project.objects.reached_stage(Stage.PLAN_APPROVED).filter(pk=project.pk).exists()
    remove_last_stage(project)
    project.refresh_from_db()
    assert project.current_stage == Stage.PLAN_APPROVED


def test_out_of_order_stage_is_refused(project):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 6, 1))
    with pytest.raises(StageError) as err:
        record_stage(project, Stage.CONTRACT_SIGNED, dt.date(2024, 7, 1), Decimal("1"))
    assert err.value.code == "out_of_order"
    with translation.override("en"):
        with pytest.raises(StageError, match="the next stage of this project is “Plan approved”"):
            record_stage(project, Stage.CONTRACT_SIGNED, dt.date(2024, 7, 1), Decimal("1"))
    with translation.override("th"):
        with pytest.raises(StageError, match="อนุมัติแผน"):
            record_stage(project, Stage.CONTRACT_SIGNED, dt.date(2024, 7, 1), Decimal("1"))
    with pytest.raises(StageError) as err:
        record_stage(project, Stage.IN_PLAN, dt.date(2024, 7, 1))
    assert err.value.code == "already_reached"
    assert ProjectStage.objects.filter(project=project).count() == 1


def test_stage_date_before_previous_is_refused(project):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 6, 1))
    with pytest.raises(StageError) as err:
        record_stage(project, Stage.PLAN_APPROVED, dt.date(2024, 5, 31))
    assert err.value.code == "date_before_previous"
    record_stage(project, Stage.PLAN_APPROVED, dt.date(2024, 6, 1))  # same day is fine


def test_amount_required_where_the_stage_has_one(project):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 6, 1))
    record_stage(project, Stage.PLAN_APPROVED, dt.date(2024, 6, 2))
    with pytest.raises(StageError) as err:
        record_stage(project, Stage.BUDGET_APPROVED, dt.date(2024, 6, 3))
    assert err.value.code == "amount_required"
    with pytest.raises(StageError):
        record_stage(project, Stage.BUDGET_APPROVED, dt.date(2024, 6, 3), Decimal("-5"))
    project.refresh_from_db()
    assert project.current_stage == Stage.PLAN_APPROVED


def test_stage_uniqueness_is_a_database_constraint(project):
    record_stage(project, Stage.IN_PLAN, dt.date(2024, 6, 1))
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            ProjectStage.objects.create(project=project, stage=Stage.IN_PLAN, date=dt.date(2024, 6, 1))


def test_sample_projects_loaded_inside_their_lao_area():
    from io import StringIO

    from django.core.management import call_command

    assert Project.objects.filter(source_ref__startswith="sample:").count() == 10
    for p in Project.objects.select_related("organization", "amphoe", "province"):
        org = p.organization
        assert p.province_id == org.province_id
        if not org.is_pao:
            assert p.amphoe_id == org.amphoe_id, p.name
    patong = Project.objects.get(source_ref="sample:3")
    assert patong.current_stage == Stage.COMPLETED and patong.geom.geom_type == "LineString"
    assert patong.stages.get(stage=Stage.CONTRACT_SIGNED).amount == Decimal("4990000.00")
    out = StringIO()
    call_command("load_sample_projects", stdout=out)
    assert "0 created, 10 already loaded" in out.getvalue()
    assert Project.objects.count() == 10


def test_polygon_is_refused_with_a_message_not_a_database_error(project):
    project.geom = Polygon(((98.30, 7.89), (98.31, 7.89), (98.31, 7.90), (98.30, 7.89)), srid=4326)
    with pytest.raises(ValidationError) as err:
        save_project(project)
    assert "geom" in err.value.message_dict
    project.refresh_from_db()
    assert project.geom.geom_type == "Point"


def _plan(qs) -> str:
    with connection.cursor() as cur:  # inside the test's transaction: only for this plan
        cur.execute("SET LOCAL enable_seqscan = off")
    try:
        return qs.explain()
    finally:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = on")


def test_project_indexes_serve_the_lao_and_the_deleted_without_one_of_their_own(project):
    """organization_id has no index of its own (two indexes start with it) and deleted_at only a
    partial one over the soft-deleted rows; the queries that need them still use an index."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'projects_geo_project'")
        indexes = dict(cur.fetchall())
    assert not [d for d in indexes.values() if d.endswith("(organization_id)")]
    assert [d for d in indexes.values() if "(deleted_at)" in d] == [indexes["project_deleted_idx"]]
    assert indexes["project_deleted_idx"].endswith("WHERE (deleted_at IS NOT NULL)")
    soft_delete_project(project)
    deleted = Project.all_objects.filter(deleted_at__isnull=False)
    assert list(deleted) == [Project.all_objects.get(pk=project.pk)]
    assert "project_deleted_idx" in _plan(deleted)
    plan = _plan(Project.all_objects.filter(organization_id=project.organization_id))
    assert "project_org_fy_idx" in plan or "project_source_ref_unique_per_lao" in plan
