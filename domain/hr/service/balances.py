"""Leave balances as a ledger: every credit (opening balance, monthly accrual, days given
back) and debit (leave taken, correction) is a line, and a balance is their sum.

Monthly accrual credits ``annual_days / 12`` per month, rounded to the hundredth so that
twelve months add up to exactly ``annual_days`` (month m gets round(annual × m / 12) −
round(annual × (m − 1) / 12)): 25 days a year gives 2,08 or 2,09 a month. An employee
hired or leaving during the month gets the share of its calendar days they were employed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.audit.changes import record_change
from domain.events import service as events
from domain.hr import repository as repo
from domain.hr.calendar import month_bounds
from domain.hr.models import Employee, LeaveMovement, LeaveType
from domain.hr.schemas import BalanceAdjustment, BalanceOut
from domain.hr.service._common import (
    HR,
    PAGE_MAX,
    require_employee,
    tenant_of,
    today,
    visible_employee,
)
from domain.hr.service.employees import list_employees
from domain.hr.service.leave_types import resolve_leave_type
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal

CENT = Decimal("0.01")


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_accrual(annual_days: Decimal, month: int) -> Decimal:
    """Days credited for calendar month ``month`` (1–12); a year adds up to ``annual_days``."""
    return _rounded(annual_days * month / 12) - _rounded(annual_days * (month - 1) / 12)


def _employed_share(employee: Employee, first: date, last: date) -> Decimal:
    start = max(first, employee.hire_date)
    end = min(last, employee.left_on) if employee.left_on else last
    return Decimal((end - start).days + 1) / Decimal((last - first).days + 1)


def add_movement(
    session: Session,
    employee: Employee,
    leave_type: LeaveType,
    kind: str,
    days: Decimal,
    effective_on: date,
    *,
    request_id: UUID | None = None,
    note: str | None = None,
) -> LeaveMovement:
    """Add a ledger line; the caller records the event of the write it belongs to."""
    movement = LeaveMovement(
        tenant_id=employee.tenant_id,
        id=uuid7(),
        employee_id=employee.id,
        leave_type_id=leave_type.id,
        kind=kind,
        days=days,
        effective_on=effective_on,
        leave_request_id=request_id,
        note=note,
    )
    session.add(movement)
    session.flush()
    return movement


def balance_of(session: Session, employee: Employee, leave_type: LeaveType) -> Decimal:
    return repo.balances(session, employee.tenant_id, employee.id).get(leave_type.id, Decimal(0))


def leave_balance(
    session: Session, principal: Principal, employee_id: UUID | None = None
) -> list[BalanceOut]:
    """Balances of the types that keep one, for the employee (default: the caller)."""
    employee = visible_employee(session, principal, employee_id)
    sums = repo.balances(session, principal.tenant_id, employee.id)
    pending = repo.pending_days(session, principal.tenant_id, employee.id)
    return _lines(_tracked(session, principal), sums, pending)


def team_balances(
    session: Session, principal: Principal
) -> list[tuple[Employee, list[BalanceOut]]]:
    """Each employee in post the caller may see (the whole staff for HR, a manager's team,
    oneself), by name, with their balances — in four statements whatever the team's size."""
    people = list_employees(session, principal, limit=PAGE_MAX).items
    sums, pending = repo.team_sums(session, principal.tenant_id, [e.id for e in people])
    types = _tracked(session, principal)
    return [
        (
            e,
            _lines(
                types,
                {t: v for (who, t), v in sums.items() if who == e.id},
                {t: v for (who, t), v in pending.items() if who == e.id},
            ),
        )
        for e in people
    ]


def _tracked(session: Session, principal: Principal) -> list[LeaveType]:
    """The active leave types that keep a balance."""
    types = repo.list_leave_types(session, principal.tenant_id, active=True)
    return [t for t in types if t.tracks_balance]


def _lines(
    types: list[LeaveType], sums: dict[UUID, Decimal], pending: dict[UUID, Decimal]
) -> list[BalanceOut]:
    out: list[BalanceOut] = []
    for t in types:
        balance, asked = sums.get(t.id, Decimal(0)), pending.get(t.id, Decimal(0))
        out.append(
            BalanceOut(
                leave_type=t.code,
                name=t.name,
                balance=balance,
                pending=asked,
                available=balance - asked,
            )
        )
    return out


def leave_movements(
    session: Session, principal: Principal, employee_id: UUID | None, leave_type: str | None
) -> list[LeaveMovement]:
    """The ledger of one employee and type in the order it was written (the balance's
    history)."""
    employee = visible_employee(session, principal, employee_id)
    found = resolve_leave_type(session, principal, leave_type)
    return repo.movements(session, principal.tenant_id, employee.id, found.id)


def adjust_leave_balance(
    session: Session, principal: Principal, clock: Clock, employee_id: UUID, data: BalanceAdjustment
) -> LeaveMovement:
    """An opening balance or a correction, as one more ledger line (HR)."""
    principal.require(*HR)
    employee = require_employee(session, principal, employee_id, lock=True)
    leave_type = resolve_leave_type(session, principal, data.leave_type)
    if not leave_type.tracks_balance:
        raise InvalidInput(f"« {leave_type.name} » n'a pas de solde.", field="leave_type")
    on = today(tenant_of(session, principal), clock)
    movement = add_movement(session, employee, leave_type, data.kind, data.days, on, note=data.note)
    record_change(
        session,
        principal,
        movement,
        "leave.balance_adjusted",
        "leave_movement.create",
        employee_id=employee.id,
        leave_type=leave_type.code,
        days=data.days,
    )
    return movement


def _accrual_rows(
    session: Session, principal: Principal, first: date, last: date
) -> list[dict[str, object]]:
    """One ledger row per employee employed in the month and type with annual rights."""
    types = [
        t
        for t in repo.list_leave_types(session, principal.tenant_id, active=True)
        if t.tracks_balance and t.annual_days > 0
    ]
    credits = [
        (e, t, _rounded(monthly_accrual(t.annual_days, first.month) * share))
        for e in repo.employees_for_accrual(session, principal.tenant_id, first, last)
        if (share := _employed_share(e, first, last)) > 0
        for t in types
    ]
    return [
        {
            "tenant_id": principal.tenant_id,
            "id": uuid7(),
            "employee_id": e.id,
            "leave_type_id": t.id,
            "kind": "accrual",
            "days": days,
            "effective_on": last,
            "accrual_month": first,
        }
        for e, t, days in credits
        if days > 0
    ]


@dataclass(frozen=True, slots=True)
class AccrualRun:
    month: date  # first day of the month credited
    lines: int  # ledger lines written (0 when the month was already credited)


def accrue_leave(
    session: Session, principal: Principal, clock: Clock, month: date | None = None
) -> AccrualRun:
    """Credit a month of leave to everyone employed during it, for every active type with
    ``annual_days``; the month just ended by default (the job runs on the 1st). Idempotent:
    a unique constraint keeps one accrual per employee, type and month, so a second run
    credits nothing."""
    principal.require(*HR)
    current = today(tenant_of(session, principal), clock).replace(day=1)
    first, last = month_bounds(month or (current - timedelta(days=1)))
    if first > current:
        raise InvalidInput("Ce mois n'a pas commencé : rien à acquérir.", field="month")
    rows = _accrual_rows(session, principal, first, last)
    written = 0
    if rows:
        inserted = session.scalars(
            insert(LeaveMovement)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_leave_movements_accrual")
            .returning(LeaveMovement.id)
        )
        written = len(inserted.all())
    if written:
        events.emit(session, principal, "leave.accrued", month=first, lines=written)
        audit.record(
            session,
            principal,
            "leave.accrue",
            target_type="leave_movement",
            after={"month": first.isoformat(), "lines": written},
        )
    return AccrualRun(first, written)
