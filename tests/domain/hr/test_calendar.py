"""Working days, public holidays, half days and monthly accrual: pure rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.hr.calendar import (
    days_within,
    half_day_span,
    leave_days,
    month_bounds,
    public_holidays,
)
from domain.hr.errors import InvalidLeavePeriod
from domain.hr.service import monthly_accrual


def days(country: str, start: date, end: date, am: bool = False, pm: bool = False) -> Decimal:
    return leave_days(country, start, end, starts_afternoon=am, ends_morning=pm)


class TestLeaveDays:
    def test_weekends_are_not_counted(self) -> None:
        # Friday 20 to Tuesday 24 March 2026: Fri, Mon, Tue.
        assert days("FR", date(2026, 3, 20), date(2026, 3, 24)) == 3

    def test_french_public_holidays_are_not_counted(self) -> None:
        # 11–15 May 2026: Ascension on Thursday 14.
        assert days("FR", date(2026, 5, 11), date(2026, 5, 15)) == 4
        # 14 July is not a holiday in Senegal.
        assert days("FR", date(2026, 7, 13), date(2026, 7, 14)) == 1
        assert days("SN", date(2026, 7, 13), date(2026, 7, 14)) == 2

    def test_senegal_estimated_islamic_holidays_are_not_counted(self) -> None:
        # Tabaski estimated on Wednesday 27 May 2026; Independence day on 4 April (Saturday).
        assert days("SN", date(2026, 5, 25), date(2026, 5, 29)) == 3  # Pentecost Monday too
        names = public_holidays("SN", date(2026, 5, 27), date(2026, 5, 27))
        assert "Tabaski" in names[date(2026, 5, 27)] and "estimé" in names[date(2026, 5, 27)]

    def test_half_days_at_either_end(self) -> None:
        monday, wednesday = date(2026, 3, 23), date(2026, 3, 25)
        assert days("FR", monday, wednesday, am=True) == Decimal("2.5")
        assert days("FR", monday, wednesday, pm=True) == Decimal("2.5")
        assert days("FR", monday, wednesday, am=True, pm=True) == 2
        assert days("FR", monday, monday, am=True) == Decimal("0.5")

    def test_a_half_day_on_a_day_off_changes_nothing(self) -> None:
        assert days("FR", date(2026, 3, 21), date(2026, 3, 23), am=True) == 1  # Saturday start

    def test_end_before_start_is_refused_in_french(self) -> None:
        with pytest.raises(InvalidLeavePeriod, match="précède"):
            days("FR", date(2026, 3, 24), date(2026, 3, 23))

    def test_one_day_cannot_start_afternoon_and_end_morning(self) -> None:
        with pytest.raises(InvalidLeavePeriod):
            days("FR", date(2026, 3, 23), date(2026, 3, 23), am=True, pm=True)

    def test_days_within_a_month_keep_only_the_inner_half_days(self) -> None:
        # 30 March (Mon, afternoon) to 2 April (Thu, morning): March gets 1.5, April 1.5.
        start, end = date(2026, 3, 30), date(2026, 4, 2)
        march = days_within("FR", start, end, True, True, month_bounds(date(2026, 3, 1)))
        april = days_within("FR", start, end, True, True, month_bounds(date(2026, 4, 1)))
        assert (march, april) == (Decimal("1.5"), Decimal("1.5"))
        assert days_within("FR", start, end, True, True, month_bounds(date(2026, 5, 1))) == 0


class TestHalfDaySpans:
    def test_morning_and_afternoon_of_one_day_do_not_overlap(self) -> None:
        day = date(2026, 3, 23)
        morning = half_day_span(date(2026, 3, 20), day, False, True)
        afternoon = half_day_span(day, date(2026, 3, 24), True, False)
        assert morning[1] < afternoon[0]
        whole = half_day_span(day, day, False, False)
        assert whole[0] <= morning[1] and afternoon[0] <= whole[1]


class TestMonthlyAccrual:
    @pytest.mark.parametrize(("annual", "expected"), [("25", "25"), ("20", "20"), ("2.5", "2.5")])
    def test_twelve_months_add_up_to_the_annual_right(self, annual: str, expected: str) -> None:
        total = sum(monthly_accrual(Decimal(annual), m) for m in range(1, 13))
        assert total == Decimal(expected)

    def test_french_paid_leave_is_about_2_08_a_month(self) -> None:
        assert {monthly_accrual(Decimal(25), m) for m in range(1, 13)} == {
            Decimal("2.08"),
            Decimal("2.09"),
        }

    def test_month_bounds(self) -> None:
        assert month_bounds(date(2028, 2, 17)) == (date(2028, 2, 1), date(2028, 2, 29))
        assert month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
