"""Factories for HR tests, through the HR services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.models import Employee, LeaveRequest
from domain.hr.schemas import (
    BalanceAdjustment,
    DepartmentCreate,
    EmployeeCreate,
    LeaveRequestCreate,
)
from domain.kit.clock import Clock
from domain.kit.principal import Principal, Role
from tests.factories import Account, make_member, make_tenant, unique
from tests.finance_factories import clock_at

# A Monday in a week with no public holiday, in France and in Senegal.
MONDAY = date(2026, 3, 23)
CLOCK = clock_at(date(2026, 3, 16))


@dataclass(frozen=True)
class Staff:
    """A business with HR set up: its admin account and principal."""

    account: Account

    @property
    def admin(self) -> Principal:
        return self.account.principal()

    @property
    def hr(self) -> Principal:
        return self.account.principal(Role.HR)

    @property
    def tenant_id(self) -> UUID:
        return self.account.tenant_id


def make_staff(container: Container, *, country: str = "FR") -> Staff:
    return Staff(make_tenant(container, country=country))


def make_employee(
    container: Container,
    staff: Staff,
    name: str | None = None,
    *,
    clock: Clock = CLOCK,
    **fields: Any,
) -> Employee:
    fields.setdefault("hire_date", date(2025, 1, 6))
    with container.db.unit_of_work(staff.tenant_id) as session:
        return hr.create_employee(
            session, staff.admin, clock, EmployeeCreate(name=name or unique("Employé"), **fields)
        )


def make_department(
    container: Container, staff: Staff, name: str | None = None, parent_id: UUID | None = None
) -> UUID:
    with container.db.unit_of_work(staff.tenant_id) as session:
        department = hr.create_department(
            session,
            staff.admin,
            DepartmentCreate(name=name or unique("Service"), parent_id=parent_id),
        )
        return department.id


def make_linked(
    container: Container,
    staff: Staff,
    *roles: Role,
    name: str | None = None,
    **fields: Any,
) -> tuple[Account, Employee]:
    """A member account (roles, default employee) and the employee record linked to it."""
    account = make_member(container, staff.account, *(roles or (Role.EMPLOYEE,)))
    employee = make_employee(container, staff, name, user_id=account.user_id, **fields)
    return account, employee


def as_user(account: Account, *roles: Role) -> Principal:
    return account.principal(*(roles or (Role.EMPLOYEE,)))


def open_balance(
    container: Container, staff: Staff, employee_id: UUID, days: str, leave_type: str = ""
) -> None:
    with container.db.unit_of_work(staff.tenant_id) as session:
        country_default = hr.resolve_leave_type(session, staff.admin, leave_type or None).code
        hr.adjust_leave_balance(
            session,
            staff.admin,
            CLOCK,
            employee_id,
            BalanceAdjustment(leave_type=country_default, days=Decimal(days), kind="opening"),
        )


def ask_leave(
    container: Container,
    principal: Principal,
    employee_id: UUID | None,
    start: date,
    end: date,
    **fields: Any,
) -> LeaveRequest:
    with container.db.unit_of_work(principal.tenant_id) as session:
        return hr.request_leave(
            session,
            principal,
            LeaveRequestCreate(employee_id=employee_id, start_date=start, end_date=end, **fields),
        )


def balance(container: Container, staff: Staff, employee_id: UUID, code: str = "") -> Decimal:
    with container.db.unit_of_work(staff.tenant_id) as session:
        found = hr.leave_balance(session, staff.admin, employee_id)
        wanted = code or found[0].leave_type
        return next(b.balance for b in found if b.leave_type == wanted)


@dataclass(frozen=True)
class Team:
    """A Senegalese team: Fatou manages Awa through the org chart, with the plain employee
    role; Awa has 10 days of paid leave; Moussa has no account."""

    staff: Staff
    fatou: Account
    awa: Account
    awa_record: Employee
    moussa: Employee

    @property
    def hr(self) -> Principal:
        return self.staff.hr


def make_team(container: Container) -> Team:
    staff = make_staff(container, country="SN")
    fatou, boss = make_linked(container, staff, name="Fatou Diop", job_title="Gérante")
    awa, awa_record = make_linked(container, staff, name="Awa Ndiaye", manager_id=boss.id)
    moussa = make_employee(container, staff, "Moussa Sarr", job_title="Livreur")
    open_balance(container, staff, awa_record.id, "10")
    return Team(staff, fatou, awa, awa_record, moussa)
