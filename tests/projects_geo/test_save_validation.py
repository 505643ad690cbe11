"""save_project runs validation: errors block the save, warnings and units are stored."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point

from projects_geo.models import Project
from projects_geo.services import ProjectValidationError, save_project
from tests.factories import MAI_KHAO_SAO, PHANG_NGA, PHUKET, PHUKET_CITY


def new_project(org, geom, kind="water", **kw):
    return Project(
        organization=org,
        kind=kind,
        subtype=kw.pop("subtype", "pond" if kind == "water" else "concrete_road"),
        name="test",
        fiscal_year=kw.pop("fiscal_year", 2569),
        budget=Decimal("1000"),
        geom=geom,
        **kw,
    )


@pytest.mark.django_db
def test_sample_projects_loaded_without_errors():
    assert Project.objects.count() == 10
    assert Project.objects.filter(tambon__isnull=True).count() == 0


@pytest.mark.django_db
def test_error_blocks_the_save(lao):
    project = new_project(lao(PHUKET_CITY), Point(7.8745, 98.3785, srid=4326))
    with pytest.raises(ProjectValidationError) as info:
        save_project(project)
    assert info.value.result.findings[0].code == "swapped_lat_lon"
    assert "geom" in info.value.message_dict
    assert project.pk is None and not Project.objects.filter(name="test").exists()


@pytest.mark.django_db
def test_warnings_and_units_are_stored(lao):
    road = LineString((98.2960, 8.1950), (98.2975, 8.2003), (98.2986, 8.2036), (98.3000, 8.2100), srid=4326)
    project = save_project(new_project(lao(MAI_KHAO_SAO), road, kind="road"))
    project.refresh_from_db()
    codes = [f["code"] for f in project.validation_findings]
    assert "partly_outside_province" in codes and "partly_outside_amphoe" in codes
    assert all(f["severity"] == "warning" and f["message_th"] and f["message_en"] for f in project.validation_findings)
    assert project.province.code == PHUKET or project.province.code == PHANG_NGA
    assert {
        t.tambon.amphoe.province.code for t in project.tambon_shares.select_related("tambon__amphoe__province")
    } == {PHANG_NGA, PHUKET}
    assert project.length_m == pytest.approx(1700, rel=0.2)


@pytest.mark.django_db
def test_editing_a_project_is_not_its_own_duplicate(lao):
    project = Project.objects.filter(source_ref__startswith="sample:", kind="water").first()
    project.name = "renamed"
    save_project(project)
    project.refresh_from_db()
    assert project.validation_findings == []
