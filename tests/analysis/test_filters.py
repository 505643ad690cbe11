"""The shared project filters (analysis.filters) with known answers on the ten sample projects.

Sample projects (source_ref sample:N): 1 road Phuket city FY2568 stage 4 2.45M; 2 water pond
Phuket city FY2568 stage 2 0.85M; 3 road Kathu town FY2567 stage 6 5.2M; 4 water check dam
FY2568 stage 3 0.32M; 5 water well FY2569 stage 1 0.48M; 6 PAO road FY2568 stage 5 12.5M;
7 road Takua Pa crossing tambons 820501/820502 FY2568 stage 3 0.96M; 8 water supply FY2569 stage 2
1.75M; 9 canal dredging FY2567 stage 6 0.65M; 10 drainage FY2569 no stage 1.1M.
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from analysis.filters import errors_as_list, filter_projects
from projects_geo.models import Project
from tests.factories import (
    AMPHOE_MUEANG_PHUKET,
    PHANG_NGA,
    PHUKET,
    PHUKET_CITY,
    PHUKET_PAO,
    TAMBON_BANG_NAI_SI,
    TAMBON_TAKUA_PA,
    make_analyst,
)

pytestmark = pytest.mark.django_db


def refs(params):
    qs = filter_projects(params, Project.objects.filter(source_ref__startswith="sample:"))
    return sorted(int(r.split(":")[1]) for r in qs.values_list("source_ref", flat=True))


ALL = list(range(1, 11))


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ALL),
        ({"province": PHUKET}, [1, 2, 3, 4, 5, 6, 10]),
        ({"province": PHANG_NGA}, [7, 8, 9]),
        ({"province": "83,82"}, ALL),
        ({"amphoe": AMPHOE_MUEANG_PHUKET}, [1, 2]),
        ({"amphoe": "8303,8205"}, [5, 6, 7, 9, 10]),
        ({"tambon": "830304"}, [6, 10]),
        # a road crossing two tambons is found from either
        ({"tambon": TAMBON_TAKUA_PA}, [7]),
        ({"tambon": TAMBON_BANG_NAI_SI}, [7]),
        ({"lao": PHUKET_CITY}, [1, 2]),
        ({"lao": PHUKET_PAO}, [6]),
        ({"fiscal_year": "2567"}, [3, 9]),
        ({"fiscal_year": "2567,2569"}, [3, 5, 8, 9, 10]),
        ({"kind": "water"}, [2, 4, 5, 8, 9]),
        ({"kind": "road"}, [1, 3, 6, 7, 10]),
        ({"subtype": "well"}, [5]),
        ({"subtype": "asphalt_road,pond"}, [2, 3, 6]),
        ({"stage": "3"}, [4, 7]),
        ({"stage": "0"}, [10]),
        ({"stage": "0,6"}, [3, 9, 10]),
        ({"reached_stage": "5"}, [3, 6, 9]),
        ({"reached_stage": "1"}, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ({"budget_min": "1000000"}, [1, 3, 6, 8, 10]),
        ({"budget_max": "500000"}, [4, 5]),
        ({"budget_min": "900000", "budget_max": "2000000"}, [7, 8, 10]),
        ({"q": "ถนน"}, [1, 3, 6, 7]),
        ({"q": "คลอง"}, [4, 9]),
        ({"bbox": "98.37,7.86,98.40,7.90"}, [1, 2]),
        ({"bbox": "98.2,8.3,98.4,8.9"}, [7, 8, 9]),
        ({"polygon": "POLYGON((98.32 7.90, 98.34 7.90, 98.34 7.92, 98.32 7.92, 98.32 7.90))"}, [4]),
        (
            {
                "polygon": json.dumps(
                    {"type": "Polygon", "coordinates": [[[98.2, 8.3], [98.4, 8.3], [98.4, 8.9], [98.2, 8.3]]]}
                )
            },
            [8],
        ),
        # combined
        ({"province": PHUKET, "kind": "water", "fiscal_year": "2568"}, [2, 4]),
        ({"kind": "road", "reached_stage": "3", "budget_max": "3000000"}, [1, 7]),
        ({"bbox": "98.2,8.3,98.4,8.9", "kind": "water", "q": "คลอง"}, [9]),
        ({"province": PHUKET, "province_ignored": "x", "stage": "0,1"}, [5, 10]),
    ],
)
def test_filters_known_answers(params, expected):
    assert refs(params) == expected


def test_querydict_repeated_parameters_are_joined():
    assert refs(QueryDict("fiscal_year=2567&fiscal_year=2569&kind=water")) == [5, 8, 9]


def test_visible_projects_then_filters_exact():
    analyst = make_analyst(PHANG_NGA, "analyst82b")
    visible = Project.objects.visible_to(analyst).filter(source_ref__startswith="sample:")
    assert sorted(filter_projects({"kind": "water"}, visible).values_list("source_ref", flat=True)) == [
        "sample:8",
        "sample:9",
    ]
    assert filter_projects({"province": PHUKET}, visible).count() == 0


def test_filter_is_one_sql_query(django_assert_max_num_queries):
    qs = Project.objects.all()
    # code lookups resolve up front (one query per unit parameter); the filter itself is one query
    filtered = filter_projects({"province": PHUKET, "lao": PHUKET_CITY, "kind": "road", "bbox": "98,7,99,9"}, qs)
    with django_assert_max_num_queries(1):
        assert list(filtered.values_list("source_ref", flat=True)) == ["sample:1"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "99,8,98,9"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"polygon": "POINT(98 8)"}, "polygon"),
        ({"polygon": "{not json"}, "polygon"),
        ({"province": "8"}, "province"),
        ({"province": "99"}, "province"),
        ({"amphoe": "9999"}, "amphoe"),
        ({"tambon": "12"}, "tambon"),
        ({"lao": "0000000"}, "lao"),
        ({"fiscal_year": "abc"}, "fiscal_year"),
        ({"fiscal_year": "2024"}, "fiscal_year"),
        ({"kind": "boat"}, "kind"),
        ({"subtype": "tunnel"}, "subtype"),
        ({"stage": "7"}, "stage"),
        ({"reached_stage": "0"}, "reached_stage"),
        ({"budget_min": "-5"}, "budget_min"),
        ({"budget_max": "lots"}, "budget_max"),
        ({"fiscal_year": ",".join(["2568"] * 501)}, "fiscal_year"),  # more values than a list may hold
        ({"sdg": ",".join(["6"] * 501)}, "sdg"),
    ],
)
def test_bad_parameters_raise_bilingual_errors(params, field):
    with pytest.raises(ValidationError) as exc:
        filter_projects(params, Project.objects.all())
    errors = errors_as_list(exc.value)
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message_en"] and errors[0]["message_th"]
    assert errors[0]["message_th"] != errors[0]["message_en"], "Thai translation missing"


def test_unknown_code_message_names_the_code():
    with pytest.raises(ValidationError) as exc:
        filter_projects({"province": "83,99"}, Project.objects.all())
    (error,) = errors_as_list(exc.value)
    assert "99" in error["message_en"] and "99" in error["message_th"]
    assert PHUKET not in error["message_en"]


def test_filter_sets_share_configuration_but_not_state():
    """Each FilterSet's filters are copies that share the class's configuration (no deep copy per
    request) but have their own parent, form field and method proxy: two filter sets at once give
    their own answers, and the class's filters stay untouched."""
    from analysis.filters import ProjectFilterSet

    base = Project.objects.filter(source_ref__startswith="sample:")
    a = ProjectFilterSet(QueryDict("fiscal_year=2567&kind=road"), base)
    b = ProjectFilterSet(QueryDict("bbox=98.2,7.7,98.5,8.2&stage=2"), base)
    assert a.filters["bbox"] is not ProjectFilterSet.base_filters["bbox"]
    assert a.filters["bbox"].extra is ProjectFilterSet.base_filters["bbox"].extra  # shared, not copied
    for fs in (a, b):
        for f in fs.filters.values():
            assert f.parent is fs
            if f.method is not None:
                assert f.filter.f is f  # the method proxy resolves through this copy's parent
    assert a.is_valid() and b.is_valid()
    assert sorted(int(r.split(":")[1]) for r in a.qs.values_list("source_ref", flat=True)) == [3]
    assert sorted(int(r.split(":")[1]) for r in b.qs.values_list("source_ref", flat=True)) == [2]
    assert a.form.fields["kind"] is not b.form.fields["kind"]
    assert all(not hasattr(f, "parent") for f in ProjectFilterSet.base_filters.values())
