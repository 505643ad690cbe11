"""Thai fiscal years and the Buddhist Era: the one place that knows the calendar.

The Thai government fiscal year runs 1 October – 30 September and is named by the Buddhist-Era
year in which it ends: FY 2568 = 2024-10-01 … 2025-09-30. B.E. = C.E. + 543.
"""

from __future__ import annotations

import datetime as dt

from common.thai_format import BE_OFFSET

FISCAL_YEAR_START_MONTH = 10
MIN_FISCAL_YEAR = 2550
MAX_FISCAL_YEAR = 2600


def be_to_ce(year_be: int) -> int:
    return int(year_be) - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    return int(year_ce) + BE_OFFSET


def fiscal_year_of(day: dt.date) -> int:
    """The B.E. fiscal year a date falls in."""
    if isinstance(day, dt.datetime):
        day = day.date()
    year_ce = day.year + 1 if day.month >= FISCAL_YEAR_START_MONTH else day.year
    return ce_to_be(year_ce)


def fiscal_year_range(year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a B.E. fiscal year."""
    end_ce = be_to_ce(year_be)
    return dt.date(end_ce - 1, FISCAL_YEAR_START_MONTH, 1), dt.date(end_ce, FISCAL_YEAR_START_MONTH - 1, 30)


def current_fiscal_year(today: dt.date | None = None) -> int:
    return fiscal_year_of(today or dt.date.today())


def is_valid_fiscal_year(year_be: int) -> bool:
    return MIN_FISCAL_YEAR <= int(year_be) <= MAX_FISCAL_YEAR


def format_be_date(day: dt.date) -> str:
    """A date as Thai readers write it with the B.E. year: 1/10/2567."""
    return f"{day.day}/{day.month}/{ce_to_be(day.year)}"
