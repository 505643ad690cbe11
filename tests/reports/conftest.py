"""A small hand-built dataset for the reports, replacing the sample projects (rolled back per test).

FY 2568 unless said; Phuket (83) has 19 LAOs, Phang Nga (82) 52.
- A = 4830202 Kathu (83): P1 water point, budget 100,000, stages 1–6 (approved 90,000, contract
  80,000, disbursed 80,000); P2 road line Kathu → Patong (two tambons), budget 500,000, stages 1–3
  (approved 450,000).
- B = 4830201 Patong (83): P3 road (a short line), budget 200,000, no stage at all; P4 water point FY 2567,
  budget 300,000, stages 1–2.
- C = 4820501 (82): P5 water point, budget 50,000, stages 1–4 (approved 50,000, contract 45,000).
Every other LAO has no project. Stage rows of A are recorded in the system on 2024-06-01, C's stage
1 on 2024-07-15 and its stages 2–4 on 2024-08-01 (for the score's timeliness); B's now.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from layers.models import Organization
from projects_geo.models import Kind, Project, ProjectStage, Subtype
from projects_geo.services import save_project
from projects_geo.stages import record_stage
from tests.factories import KATHU, PATONG, TAKUA_PA

KATHU_LONLAT = (98.34037663101948, 7.910297)  # tambon Kathu (830201)
PATONG_LONLAT = (98.30895271398197, 7.902844)  # tambon Patong (830202)
TAKUA_PA_LONLAT = (98.34788050200123, 8.8498335)  # tambon Takua Pa (820501)

DATES = [
    dt.date(2024, 5, 1),
    dt.date(2024, 8, 1),
    dt.date(2024, 9, 15),
    dt.date(2025, 1, 10),
    dt.date(2025, 6, 1),
    dt.date(2025, 9, 1),
]
AMOUNTS = {3: "approved", 4: "contract", 5: "disbursed"}


def _project(lao, kind, geom, budget, fy=2568, stages=0, amounts=None, name="โครงการทดสอบ"):
    subtype = Subtype.WELL if kind == Kind.WATER else Subtype.CONCRETE_ROAD
    p = save_project(
        Project(
            organization=Organization.objects.get(dla_code=lao),
            kind=kind,
            subtype=subtype,
            name=name,
            fiscal_year=fy,
            budget=Decimal(budget),
            geom=geom,
        )
    )
    amounts = amounts or {}
    for s in range(1, stages + 1):
        day = DATES[s - 1] if fy == 2568 else DATES[s - 1].replace(year=DATES[s - 1].year - 1)
        record_stage(p, s, day, Decimal(amounts[s]) if s in amounts else None)
    return p


def _recorded(project, stages, day):
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    ProjectStage.objects.filter(project=project, stage__in=stages).update(recorded_at=when)


@pytest.fixture
def report_data(db):
    Project.objects.all().delete()
    p1 = _project(
        KATHU,
        Kind.WATER,
        Point(*KATHU_LONLAT, srid=4326),
        "100000",
        stages=6,
        amounts={3: "90000", 4: "80000", 5: "80000"},
        name="บ่อบาดาลกะทู้",
    )
    p2 = _project(
        KATHU,
        Kind.ROAD,
        LineString(KATHU_LONLAT, PATONG_LONLAT, srid=4326),
        "500000",
        stages=3,
        amounts={3: "450000"},
        name="ถนนกะทู้–ป่าตอง",
    )
    p3 = _project(
        PATONG,
        Kind.ROAD,
        LineString(PATONG_LONLAT, (PATONG_LONLAT[0] + 0.001, PATONG_LONLAT[1] + 0.001), srid=4326),
        "200000",
        name="ถนนป่าตอง",
    )
    p4 = _project(
        PATONG, Kind.WATER, Point(PATONG_LONLAT[0] + 0.002, PATONG_LONLAT[1], srid=4326), "300000", fy=2567, stages=2
    )
    p5 = _project(
        TAKUA_PA,
        Kind.WATER,
        Point(*TAKUA_PA_LONLAT, srid=4326),
        "50000",
        stages=4,
        amounts={3: "50000", 4: "45000"},
        name="สระน้ำตะกั่วป่า",
    )
    _recorded(p1, [1, 2, 3, 4, 5, 6], dt.date(2024, 6, 1))
    _recorded(p2, [1, 2, 3], dt.date(2024, 6, 1))
    _recorded(p5, [1], dt.date(2024, 7, 15))
    _recorded(p5, [2, 3, 4], dt.date(2024, 8, 1))
    return SimpleNamespace(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5)
