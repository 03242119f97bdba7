"""Check-in and check-out, late arrivals, missing check-outs, hours, and the monthly
payroll preparation file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import AlreadyCheckedIn, NotCheckedIn
from domain.hr.schemas import AttendanceEvent, EmployeeUpdate, WorkScheduleUpdate
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.factories import make_member
from tests.hr_factories import (
    MONDAY,
    Staff,
    as_user,
    ask_leave,
    make_department,
    make_employee,
    make_linked,
    make_staff,
    open_balance,
)


def at(day: date, hh: int, mm: int = 0) -> ManualClock:
    """A clock at ``hh:mm`` Paris time on ``day`` (winter time: UTC+1)."""
    return ManualClock(datetime.combine(day, time(hh, mm), tzinfo=UTC) - timedelta(hours=1))


def point(
    container: Container, principal: Principal, clock: ManualClock, kind: str, **event: object
) -> object:
    action = hr.check_in if kind == "in" else hr.check_out
    with container.db.unit_of_work(principal.tenant_id) as session:
        return action(session, principal, clock, AttendanceEvent(**event))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def staff(container: Container) -> Staff:
    return make_staff(container)


class TestPointing:
    def test_a_day_with_a_late_arrival_and_a_lunch_break(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        user = as_user(account)
        first = point(container, user, at(MONDAY, 9, 25), "in", source="whatsapp")
        assert first.late_minutes == 25 and first.work_date == MONDAY  # type: ignore[attr-defined]
        point(container, user, at(MONDAY, 12, 30), "out")
        second = point(container, user, at(MONDAY, 13, 30), "in", source="kiosk")
        assert second.late_minutes == 0  # type: ignore[attr-defined]
        closed = point(container, user, at(MONDAY, 17, 45), "out")
        assert hr.hours_of(closed) == Decimal("4.25")  # type: ignore[arg-type]
        with container.db.unit_of_work(staff.tenant_id) as session:
            report = hr.attendance_report(session, user, at(MONDAY, 18), MONDAY, MONDAY)
        (mine,) = report.employees
        day = mine.days[0]
        assert (day.first_check_in, day.last_check_out) == (time(9, 25), time(17, 45))
        assert (day.hours, day.late_minutes, mine.late_arrivals) == (
            Decimal("7.33"),
            25,
            1,
        )  # 3 h 05 + 4 h 15
        assert mine.employee_id == me.id

    def test_within_the_grace_minutes_is_on_time(self, container: Container, staff: Staff) -> None:
        account, _ = make_linked(container, staff)
        record = point(container, as_user(account), at(MONDAY, 9, 10), "in")
        assert record.late_minutes == 0  # type: ignore[attr-defined]

    def test_arriving_after_a_morning_of_leave_is_not_late(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        open_balance(container, staff, me.id, "5")
        tuesday = MONDAY + timedelta(days=1)
        morning = ask_leave(container, staff.hr, me.id, MONDAY, MONDAY, ends_morning=True)
        afternoon = ask_leave(container, staff.hr, me.id, tuesday, tuesday, starts_afternoon=True)
        with container.db.unit_of_work(staff.tenant_id) as session:
            for request in (morning, afternoon):
                hr.approve_leave(session, staff.hr, at(MONDAY, 8), request.id)
        after_lunch = point(container, as_user(account), at(MONDAY, 13, 30), "in")
        assert after_lunch.late_minutes == 0  # type: ignore[attr-defined]
        late_morning = point(container, as_user(account), at(tuesday, 9, 30), "in")
        assert late_morning.late_minutes == 30  # type: ignore[attr-defined]

    def test_a_check_in_belongs_to_the_local_day(self, container: Container) -> None:
        """23:30 UTC on Monday is 00:30 on Tuesday in Paris, still Monday in Dakar."""
        clock = ManualClock(datetime.combine(MONDAY, time(23, 30), tzinfo=UTC))
        days = []
        for country in ("FR", "SN"):
            shop = make_staff(container, country=country)
            account, _ = make_linked(container, shop)
            record = point(container, as_user(account), clock, "in")
            days.append(record.work_date)  # type: ignore[attr-defined]
        assert days == [MONDAY + timedelta(days=1), MONDAY]

    def test_a_second_check_in_while_open_is_refused(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        point(container, as_user(account), at(MONDAY, 8, 55), "in")
        with pytest.raises(AlreadyCheckedIn, match="08:55"):
            point(container, as_user(account), at(MONDAY, 9, 5), "in")

    def test_a_check_out_without_check_in_is_refused(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        with pytest.raises(NotCheckedIn, match="23/03/2026"):
            point(container, as_user(account), at(MONDAY, 17), "out")

    def test_one_points_only_for_oneself_and_hr_corrects(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        other = make_employee(container, staff)
        user = as_user(account)
        with pytest.raises(PermissionDenied):
            point(container, user, at(MONDAY, 9), "in", employee_id=other.id)
        with pytest.raises(PermissionDenied, match="RH"):
            point(container, user, at(MONDAY, 9), "in", at=datetime(2026, 3, 23, 8, 0))
        record = point(
            container,
            staff.hr,
            at(MONDAY, 18),
            "in",
            employee_id=other.id,
            at=datetime(2026, 3, 23, 8, 50),
        )
        assert record.corrected_by == staff.account.user_id  # type: ignore[attr-defined]
        with pytest.raises(InvalidInput, match="future"):
            point(
                container,
                staff.hr,
                at(MONDAY, 18),
                "out",
                employee_id=other.id,
                at=datetime(2026, 3, 23, 19, 0),
            )
        with pytest.raises(InvalidInput, match="suivre"):
            point(
                container,
                staff.hr,
                at(MONDAY, 18),
                "out",
                employee_id=other.id,
                at=datetime(2026, 3, 23, 8, 0),
            )

    def test_a_forgotten_check_out_is_reported_and_does_not_block_the_next_day(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        user, tuesday = as_user(account), MONDAY + timedelta(days=1)
        point(container, user, at(MONDAY, 9), "in")
        point(container, user, at(tuesday, 9), "in")  # Monday is still open
        with container.db.unit_of_work(staff.tenant_id) as session:
            missing = hr.missing_check_outs(session, staff.hr, at(tuesday, 10))
            report = hr.attendance_report(
                session, staff.hr, at(tuesday, 10), MONDAY, tuesday, employee_id=me.id
            )
        assert [(r.employee_id, r.work_date) for r in missing if r.employee_id == me.id] == [
            (me.id, MONDAY)
        ]
        days = {d.day: d.missing_check_out for d in report.employees[0].days}
        assert days == {MONDAY: True, tuesday: False}  # Tuesday is today: still in progress
        point(
            container,
            staff.hr,
            at(tuesday, 10),
            "out",
            employee_id=me.id,
            at=datetime(2026, 3, 23, 17, 0),
        )
        with container.db.unit_of_work(staff.tenant_id) as session:
            assert not [
                r
                for r in hr.missing_check_outs(session, staff.hr, at(tuesday, 10))
                if r.employee_id == me.id
            ]

    def test_weekly_hours_and_a_configurable_schedule(self, container: Container) -> None:
        shop = make_staff(container, country="SN")  # Dakar is UTC+0
        account, _ = make_linked(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            hr.update_work_schedule(
                session, shop.hr, WorkScheduleUpdate(start_time=time(7, 30), grace_minutes=0)
            )
        user = as_user(account)
        for offset in range(3):
            day = MONDAY + timedelta(days=offset)
            clock = ManualClock(datetime.combine(day, time(7, 31), tzinfo=UTC))
            point(container, user, clock, "in")
            clock.advance(timedelta(hours=8, minutes=29))
            point(container, user, clock, "out")
        with container.db.unit_of_work(shop.tenant_id) as session:
            report = hr.attendance_report(session, user, clock, MONDAY, MONDAY + timedelta(days=6))
        (mine,) = report.employees
        assert mine.weekly_hours == {"2026-W13": Decimal("25.44")}
        assert (mine.worked_days, mine.late_arrivals) == (3, 3)


class TestPayrollExport:
    def test_a_month_per_employee_as_csv_and_excel(self, container: Container) -> None:
        shop = make_staff(container)
        sales = make_department(container, shop, "Ventes")
        worker = make_employee(container, shop, "Léa Moreau", department_id=sales)
        idle = make_employee(container, shop, "Paul Idle")
        open_balance(container, shop, worker.id, "10")
        for offset, hour in ((0, 9), (1, 10)):  # Monday on time, Tuesday an hour late
            day = MONDAY + timedelta(days=offset)
            point(container, shop.hr, at(day, hour), "in", employee_id=worker.id)
            point(container, shop.hr, at(day, 17), "out", employee_id=worker.id)
        request = ask_leave(container, shop.hr, worker.id, date(2026, 3, 30), date(2026, 4, 3))
        with container.db.unit_of_work(shop.tenant_id) as session:
            hr.approve_leave(session, shop.hr, at(MONDAY, 12), request.id)
        accountant = make_member(container, shop.account, Role.ACCOUNTANT).principal(
            Role.ACCOUNTANT
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            content, media, name = hr.payroll_export(
                session, accountant, at(date(2026, 4, 2), 9), date(2026, 3, 1), "csv"
            )
            xlsx, _, _ = hr.payroll_export(
                session, accountant, at(date(2026, 4, 2), 9), date(2026, 3, 1), "xlsx"
            )
            with pytest.raises(PermissionDenied):
                hr.payroll_export(
                    session, as_user(shop.account), at(MONDAY, 9), date(2026, 3, 1), "csv"
                )
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        header = rows[0]
        lea = dict(zip(header, next(r for r in rows if r[1] == "Léa Moreau"), strict=True))
        assert name == "paie-2026-03.csv" and media.startswith("text/csv")
        assert (lea["Service"], lea["Jours travaillés"], lea["Heures"]) == ("Ventes", "2", "15")
        assert (lea["Congés payés"], lea["Retards"], lea["Arrêt maladie"]) == ("2", "1", "0")
        assert any(r[1] == "Paul Idle" and r[3] == "0" for r in rows) and idle.code
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
        assert sheet is not None and sheet.title == "Paie 03-2026"
        values = [c.value for c in sheet[2]]
        assert values[1] == "Léa Moreau" and values[4] == 15
        # « 0.## » would show « 15, » and « 0, »: numbers keep Excel's general format.
        assert {c.number_format for c in sheet[2]} == {"General"}

    def test_someone_who_left_without_checking_in_still_has_their_leave(
        self, container: Container
    ) -> None:
        shop = make_staff(container)
        gone = make_employee(container, shop, "Paul Parti")
        open_balance(container, shop, gone.id, "10")
        request = ask_leave(container, shop.hr, gone.id, MONDAY, MONDAY + timedelta(days=2))
        with container.db.unit_of_work(shop.tenant_id) as session:
            hr.approve_leave(session, shop.hr, at(MONDAY, 8), request.id)
            hr.update_employee(session, shop.hr, gone.id, EmployeeUpdate(left_on=date(2026, 3, 27)))
        with container.db.unit_of_work(shop.tenant_id) as session:
            content, _, _ = hr.payroll_export(
                session, shop.hr, at(date(2026, 4, 2), 9), date(2026, 3, 1), "csv"
            )
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        paul = dict(zip(rows[0], next(r for r in rows if r[1] == "Paul Parti"), strict=True))
        assert (paul["Matricule"], paul["Jours travaillés"], paul["Congés payés"]) == (
            gone.code,
            "0",
            "3",
        )
