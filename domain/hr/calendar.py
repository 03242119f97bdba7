"""Working days: Monday to Friday, less the country's public holidays.

Holidays come from the ``holidays`` package (French names). Senegal's Islamic holidays
(Korité, Tabaski, Tamxarit, Maouloud, Magal) follow the moon: the package gives estimated
dates, marked « (estimé) », which the government confirms a few days ahead.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

import holidays

from domain.hr.errors import InvalidLeavePeriod

HALF = Decimal("0.5")
_LANGUAGES = {"FR": "fr", "SN": "fr_SN"}


@lru_cache(maxsize=64)
def _year_holidays(country: str, year: int) -> dict[date, str]:
    found = holidays.country_holidays(country, years=year, language=_LANGUAGES.get(country))
    return dict(found.items())


def public_holidays(country: str, start: date, end: date) -> dict[date, str]:
    """The country's public holidays between ``start`` and ``end`` (inclusive)."""
    days: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        days.update(
            {d: name for d, name in _year_holidays(country, year).items() if start <= d <= end}
        )
    return days


def is_working_day(country: str, day: date) -> bool:
    return day.weekday() < 5 and day not in _year_holidays(country, day.year)


def working_days_between(country: str, start: date, end: date) -> list[date]:
    """Every working day from ``start`` to ``end`` (inclusive)."""
    return [
        start + timedelta(days=n)
        for n in range((end - start).days + 1)
        if is_working_day(country, start + timedelta(days=n))
    ]


def check_period(start: date, end: date, starts_afternoon: bool, ends_morning: bool) -> None:
    if end < start:
        raise InvalidLeavePeriod(
            f"La fin ({end:%d/%m/%Y}) précède le début ({start:%d/%m/%Y}).", field="end_date"
        )
    if start == end and starts_afternoon and ends_morning:
        raise InvalidLeavePeriod(
            "Une absence d'un seul jour ne peut pas commencer l'après-midi et finir le matin.",
            field="ends_morning",
        )


def leave_days(
    country: str, start: date, end: date, *, starts_afternoon: bool, ends_morning: bool
) -> Decimal:
    """Working days taken by a leave from ``start`` to ``end``: a first day taken from the
    afternoon and a last day taken until noon count half (if they are working days)."""
    check_period(start, end, starts_afternoon, ends_morning)
    days = Decimal(len(working_days_between(country, start, end)))
    if starts_afternoon and is_working_day(country, start):
        days -= HALF
    if ends_morning and is_working_day(country, end):
        days -= HALF
    return days


def days_within(
    country: str,
    start: date,
    end: date,
    starts_afternoon: bool,
    ends_morning: bool,
    window: tuple[date, date],
) -> Decimal:
    """The part of a leave falling inside ``window`` (e.g. a month), in working days."""
    first, last = max(start, window[0]), min(end, window[1])
    if last < first:
        return Decimal(0)
    return leave_days(
        country,
        first,
        last,
        starts_afternoon=starts_afternoon and first == start,
        ends_morning=ends_morning and last == end,
    )


def half_day_span(
    start: date, end: date, starts_afternoon: bool, ends_morning: bool
) -> tuple[int, int]:
    """The leave as an inclusive range of half-days (morning = even, afternoon = odd), so
    that a leave ending at noon and another starting that afternoon do not overlap."""
    return (
        start.toordinal() * 2 + (1 if starts_afternoon else 0),
        end.toordinal() * 2 + (0 if ends_morning else 1),
    )


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)
