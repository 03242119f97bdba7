"""The leave ledger: opening balances, corrections, monthly accrual (idempotent), and
leave types configured per business."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import LeaveTypeCodeTaken
from domain.hr.models import LeaveMovement
from domain.hr.schemas import BalanceAdjustment, LeaveTypeCreate, LeaveTypeUpdate
from domain.kit.errors import InvalidInput, PermissionDenied
from tests.finance_factories import clock_at
from tests.hr_factories import (
    CLOCK,
    MONDAY,
    as_user,
    ask_leave,
    balance,
    make_employee,
    make_linked,
    make_staff,
    make_team,
    open_balance,
)

APRIL = clock_at(date(2026, 4, 2))


class TestAccrual:
    def test_a_month_is_credited_once_and_pro_rata_for_a_new_hire(
        self, container: Container
    ) -> None:
        staff = make_staff(container)
        veteran = make_employee(container, staff, hire_date=date(2020, 1, 1))
        newcomer = make_employee(container, staff, hire_date=date(2026, 3, 17))  # 15 of 31 days
        future = make_employee(container, staff, hire_date=date(2026, 5, 1))
        with container.db.unit_of_work(staff.tenant_id) as session:
            run = hr.accrue_leave(session, staff.hr, APRIL)  # March, the month just ended
            again = hr.accrue_leave(session, staff.hr, APRIL)
        assert (run.month, run.lines, again.lines) == (date(2026, 3, 1), 2, 0)
        assert balance(container, staff, veteran.id) == Decimal("2.08")  # 25 × 3/12 − 25 × 2/12
        assert balance(container, staff, newcomer.id) == Decimal("1.01")  # 2.08 × 15/31
        assert balance(container, staff, future.id) == 0

    def test_a_senegalese_year_adds_up_to_twenty_days(self, container: Container) -> None:
        staff = make_staff(container, country="SN")
        employee = make_employee(container, staff, hire_date=date(2024, 1, 1))
        with container.db.unit_of_work(staff.tenant_id) as session:
            for month in range(1, 13):
                hr.accrue_leave(session, staff.hr, APRIL, date(2025, month, 1))
        assert balance(container, staff, employee.id, "annuel") == 20

    def test_a_month_not_yet_started_is_refused(self, container: Container) -> None:
        staff = make_staff(container)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(InvalidInput, match="pas commencé"):
                hr.accrue_leave(session, staff.hr, APRIL, date(2026, 5, 1))
            with pytest.raises(PermissionDenied):
                hr.accrue_leave(session, as_user(staff.account), APRIL)

    def test_the_database_refuses_a_second_accrual_line(self, container: Container) -> None:
        staff = make_staff(container)
        employee = make_employee(container, staff)
        with container.db.unit_of_work(staff.tenant_id) as session:
            hr.accrue_leave(session, staff.hr, APRIL)
            cp = hr.resolve_leave_type(session, staff.hr, "cp")
            session.add(
                LeaveMovement(
                    tenant_id=staff.tenant_id,
                    employee_id=employee.id,
                    leave_type_id=cp.id,
                    kind="accrual",
                    days=Decimal(2),
                    effective_on=date(2026, 3, 31),
                    accrual_month=date(2026, 3, 1),
                )
            )
            with pytest.raises(Exception, match="uq_leave_movements_accrual"):
                session.flush()
            session.rollback()


class TestAdjustments:
    def test_opening_and_corrections_are_ledger_lines(self, container: Container) -> None:
        staff = make_staff(container)
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "10")
        with container.db.unit_of_work(staff.tenant_id) as session:
            hr.adjust_leave_balance(
                session,
                staff.hr,
                CLOCK,
                employee.id,
                BalanceAdjustment(leave_type="Congés payés", days=Decimal("-1.5"), note="Erreur"),
            )
            lines = hr.leave_movements(session, staff.hr, employee.id, None)
            count = session.scalar(select(func.count()).select_from(LeaveMovement))
        assert [(m.kind, m.days) for m in lines] == [
            ("opening", 10),
            ("adjustment", Decimal("-1.5")),
        ]
        assert count == 2 and balance(container, staff, employee.id) == Decimal("8.5")

    def test_a_type_without_balance_cannot_be_adjusted(self, container: Container) -> None:
        staff = make_staff(container)
        employee = make_employee(container, staff)
        with pytest.raises(InvalidInput, match="n'a pas de solde"):
            open_balance(container, staff, employee.id, "3", "maladie")

    def test_bad_day_counts_are_refused_by_the_schema(self) -> None:
        for days in ("0", "1.234", "400"):
            with pytest.raises(InvalidInput):
                BalanceAdjustment(leave_type="cp", days=Decimal(days))

    def test_balances_show_pending_and_available(self, container: Container) -> None:
        staff = make_staff(container)
        account, me = make_linked(container, staff)
        open_balance(container, staff, me.id, "10")
        ask_leave(container, as_user(account), None, MONDAY, MONDAY)
        with container.db.unit_of_work(staff.tenant_id) as session:
            cp = next(
                b for b in hr.leave_balance(session, as_user(account)) if b.leave_type == "cp"
            )
        assert (cp.balance, cp.pending, cp.available) == (10, 1, 9)


class TestLeaveTypes:
    def test_hr_adds_and_configures_a_type(self, container: Container) -> None:
        staff = make_staff(container)
        with container.db.unit_of_work(staff.tenant_id) as session:
            training = hr.create_leave_type(
                session,
                staff.hr,
                LeaveTypeCreate(
                    code="formation",
                    name="Congé formation",
                    tracks_balance=True,
                    annual_days=Decimal(5),
                ),
            )
            with pytest.raises(LeaveTypeCodeTaken):
                hr.create_leave_type(session, staff.hr, LeaveTypeCreate(code="cp", name="Autre"))
            with pytest.raises(InvalidInput, match="solde"):
                hr.update_leave_type(
                    session, staff.hr, training.id, LeaveTypeUpdate(tracks_balance=False)
                )
            cp = hr.resolve_leave_type(session, staff.hr, None)
            hr.update_leave_type(session, staff.hr, cp.id, LeaveTypeUpdate(annual_days=Decimal(30)))
            codes = [t.code for t in hr.list_leave_types(session, staff.hr)]
        assert codes[-1] == "formation" and cp.annual_days == 30

    def test_two_types_never_share_a_name(self, container: Container) -> None:
        """A name designates a type (« arrêt maladie ») and heads a payroll column."""
        staff = make_staff(container)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(LeaveTypeCodeTaken, match="s'appelle déjà"):
                hr.create_leave_type(
                    session, staff.hr, LeaveTypeCreate(code="cp2", name="conges PAYES")
                )
            rtt = hr.resolve_leave_type(session, staff.hr, "rtt")
            with pytest.raises(LeaveTypeCodeTaken):
                hr.update_leave_type(
                    session, staff.hr, rtt.id, LeaveTypeUpdate(name="Arrêt maladie")
                )
            renamed = hr.update_leave_type(session, staff.hr, rtt.id, LeaveTypeUpdate(name="RTT"))
        assert renamed.name == "RTT"

    def test_only_hr_configures(self, container: Container) -> None:
        staff = make_staff(container)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(PermissionDenied):
                hr.create_leave_type(
                    session, as_user(staff.account), LeaveTypeCreate(code="x1", name="X")
                )


class TestTeamBalances:
    def test_each_one_s_balances_in_statements_that_do_not_grow_with_the_team(
        self, container: Container
    ) -> None:
        team = make_team(container)
        for name in ("Binta Sarr", "Ousmane Ba", "Khady Fall"):
            extra = make_employee(container, team.staff, name)
            open_balance(container, team.staff, extra.id, "4.5")
        seen: list[str] = []

        def statement(conn: object, cursor: object, sql: str, *args: object) -> None:
            seen.append(sql)

        with container.db.unit_of_work(team.staff.tenant_id) as session:
            event.listen(container.db.engine, "before_cursor_execute", statement)
            try:
                together = hr.team_balances(session, team.hr)
            finally:
                event.remove(container.db.engine, "before_cursor_execute", statement)
            one_by_one = [(e, hr.leave_balance(session, team.hr, e.id)) for e, _ in together]
        assert [e.name for e, _ in together] == sorted(e.name for e, _ in together)
        assert len(together) == 6 and together == one_by_one
        assert len([s for s in seen if "leave_movements" in s or "leave_requests" in s]) == 2
