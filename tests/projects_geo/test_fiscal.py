import datetime as dt

import pytest

from projects_geo import fiscal


@pytest.mark.parametrize(
    "day, fy",
    [
        (dt.date(2024, 9, 30), 2567),
        (dt.date(2024, 10, 1), 2568),
        (dt.date(2025, 1, 15), 2568),
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.datetime(2024, 10, 1, 0, 30), 2568),
    ],
)
def test_fiscal_year_of(day, fy):
    assert fiscal.fiscal_year_of(day) == fy


def test_fiscal_year_range_and_round_trip():
    assert fiscal.fiscal_year_range(2568) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))
    start, end = fiscal.fiscal_year_range(2600)
    assert fiscal.fiscal_year_of(start) == fiscal.fiscal_year_of(end) == 2600
    assert fiscal.fiscal_year_of(start - dt.timedelta(days=1)) == 2599


def test_be_ce():
    assert fiscal.ce_to_be(2025) == 2568 and fiscal.be_to_ce(2568) == 2025
    assert fiscal.format_be_date(dt.date(2024, 10, 1)) == "1/10/2567"
    assert fiscal.is_valid_fiscal_year(2550) and fiscal.is_valid_fiscal_year(2600)
    assert not fiscal.is_valid_fiscal_year(2549) and not fiscal.is_valid_fiscal_year(2025)
