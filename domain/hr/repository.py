"""Every HR query. Each one names the tenant: RLS is the wall, this is the second one."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import Session

from domain.hr.models import (
    AttendanceRecord,
    Contract,
    Department,
    Employee,
    LeaveMovement,
    LeaveRequest,
    LeaveType,
    Review,
    ReviewGoal,
    WorkSchedule,
)
from domain.kit.resolution import Hit, NameQuery, Scope, search_names

ACTIVE_LEAVE = ("pending", "approved")


def _in_scope(column: Any, ids: Collection[UUID] | None) -> ColumnElement[bool] | None:
    """``column IN ids``; None when ``ids`` is None (everyone is visible)."""
    return None if ids is None else column.in_(list(ids))


# --- organisation -----------------------------------------------------------------------


def get_department(session: Session, tenant_id: UUID, department_id: UUID) -> Department | None:
    return session.get(Department, (tenant_id, department_id))


def list_departments(session: Session, tenant_id: UUID) -> list[Department]:
    return list(
        session.scalars(
            select(Department).where(Department.tenant_id == tenant_id).order_by(Department.name)
        )
    )


def department_named(
    session: Session, tenant_id: UUID, name: str, *, exclude: UUID | None = None
) -> Department | None:
    """The department called ``name``, accents and case aside."""
    stmt = select(Department).where(
        Department.tenant_id == tenant_id,
        func.comptoir_unaccent(Department.name) == func.comptoir_unaccent(literal(name)),
    )
    if exclude is not None:
        stmt = stmt.where(Department.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def _ancestors(
    session: Session, model: Any, parent: Any, tenant_id: UUID, start: UUID
) -> set[UUID]:
    """``start`` and every row above it (following ``parent``): a recursive query."""
    base = select(model.id, parent.label("up")).where(model.tenant_id == tenant_id)
    chain = base.where(model.id == start).cte("chain", recursive=True)
    step = base.join(chain, model.id == chain.c.up)
    chain = chain.union(step)
    return set(session.scalars(select(chain.c.id)))


def department_ancestors(session: Session, tenant_id: UUID, department_id: UUID) -> set[UUID]:
    return _ancestors(session, Department, Department.parent_id, tenant_id, department_id)


def manager_chain(session: Session, tenant_id: UUID, employee_id: UUID) -> set[UUID]:
    """``employee_id`` and everyone above them (their manager, the manager's manager…)."""
    return _ancestors(session, Employee, Employee.manager_id, tenant_id, employee_id)


def reports_of(session: Session, tenant_id: UUID, manager_id: UUID) -> set[UUID]:
    """Everyone under ``manager_id``, directly or not (not ``manager_id`` itself)."""
    base = select(Employee.id).where(Employee.tenant_id == tenant_id)
    tree = base.where(Employee.manager_id == manager_id).cte("tree", recursive=True)
    tree = tree.union(base.join(tree, Employee.manager_id == tree.c.id))
    return set(session.scalars(select(tree.c.id))) - {manager_id}


def get_employee(
    session: Session, tenant_id: UUID, employee_id: UUID, *, lock: bool = False
) -> Employee | None:
    if not lock:
        return session.get(Employee, (tenant_id, employee_id))
    # FOR NO KEY UPDATE: serializes writers of this employee's leave without blocking the
    # foreign-key checks of rows that reference the employee.
    return session.scalars(
        select(Employee)
        .where(Employee.tenant_id == tenant_id, Employee.id == employee_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def employee_of_user(session: Session, tenant_id: UUID, user_id: UUID) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.user_id == user_id)
    ).first()


def employee_names(session: Session, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Employee.id, Employee.name).where(
            Employee.tenant_id == tenant_id, Employee.id.in_(list(ids))
        )
    )
    return {r.id: r.name for r in rows}


def department_names(session: Session, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Department.id, Department.name).where(
            Department.tenant_id == tenant_id, Department.id.in_(list(ids))
        )
    )
    return {r.id: r.name for r in rows}


def list_employees(
    session: Session,
    tenant_id: UUID,
    *,
    ids: Collection[UUID] | None,
    department_id: UUID | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[Employee], int]:
    stmt = select(Employee).where(Employee.tenant_id == tenant_id)
    scope = _in_scope(Employee.id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    if department_id is not None:
        stmt = stmt.where(Employee.department_id == department_id)
    if active is not None:
        stmt = stmt.where(Employee.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = session.scalars(stmt.order_by(Employee.name, Employee.code).limit(limit).offset(offset))
    return list(items), total


def employees_by_identifier(
    session: Session, tenant_id: UUID, values: dict[str, str], ids: Collection[UUID] | None
) -> list[Employee]:
    """Active employees whose code, e-mail, phone or WhatsApp number is one of ``values``."""
    if not values:
        return []
    stmt = select(Employee).where(
        Employee.tenant_id == tenant_id,
        Employee.is_active.is_(True),
        or_(*(getattr(Employee, column) == value for column, value in values.items())),
    )
    scope = _in_scope(Employee.id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    return list(session.scalars(stmt.order_by(Employee.code).limit(10)))


def search_employee_names(
    session: Session, tenant_id: UUID, query: str, ids: Collection[UUID] | None, limit: int
) -> list[Hit]:
    """Active employees (among ``ids`` when given) whose name matches ``query``, best first:
    words in any order, accents, case and typos aside (``domain.kit.resolution``)."""
    scope = Scope("t.id = ANY(:visible)", {"visible": list(ids)}) if ids is not None else Scope()
    return search_names(session, Employee, tenant_id, NameQuery.of(query), scope=scope, limit=limit)


def employee_with(
    session: Session, tenant_id: UUID, column: str, value: object, *, exclude: UUID | None
) -> Employee | None:
    stmt = select(Employee).where(
        Employee.tenant_id == tenant_id, getattr(Employee, column) == value
    )
    if exclude is not None:
        stmt = stmt.where(Employee.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def count_employees(session: Session, tenant_id: UUID) -> int:
    return session.scalar(select(func.count()).where(Employee.tenant_id == tenant_id)) or 0


# --- contracts --------------------------------------------------------------------------


def get_contract(session: Session, tenant_id: UUID, contract_id: UUID) -> Contract | None:
    return session.get(Contract, (tenant_id, contract_id))


def overlapping_contract(
    session: Session,
    tenant_id: UUID,
    employee_id: UUID,
    start: date,
    end: date | None,
    *,
    exclude: UUID | None = None,
) -> Contract | None:
    stmt = select(Contract).where(
        Contract.tenant_id == tenant_id,
        Contract.employee_id == employee_id,
        or_(Contract.end_date.is_(None), Contract.end_date >= start),
    )
    if end is not None:
        stmt = stmt.where(Contract.start_date <= end)
    if exclude is not None:
        stmt = stmt.where(Contract.id != exclude)
    return session.scalars(stmt.order_by(Contract.start_date).limit(1)).first()


def list_contracts(
    session: Session, tenant_id: UUID, *, ids: Collection[UUID] | None, employee_id: UUID | None
) -> list[Contract]:
    stmt = select(Contract).where(Contract.tenant_id == tenant_id)
    scope = _in_scope(Contract.employee_id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    if employee_id is not None:
        stmt = stmt.where(Contract.employee_id == employee_id)
    return list(session.scalars(stmt.order_by(Contract.start_date.desc(), Contract.id)))


def expiring_contracts(
    session: Session, tenant_id: UUID, today: date, until: date
) -> list[tuple[Contract, str]]:
    rows = session.execute(
        select(Contract, Employee.name)
        .join(
            Employee,
            (Employee.tenant_id == Contract.tenant_id) & (Employee.id == Contract.employee_id),
        )
        .where(
            Contract.tenant_id == tenant_id,
            Contract.status == "active",
            Contract.end_date.between(today, until),
        )
        .order_by(Contract.end_date, Employee.name)
    )
    return [(r[0], r[1]) for r in rows]


# --- leave types and the ledger ---------------------------------------------------------


def list_leave_types(session: Session, tenant_id: UUID, *, active: bool | None) -> list[LeaveType]:
    stmt = select(LeaveType).where(LeaveType.tenant_id == tenant_id)
    if active is not None:
        stmt = stmt.where(LeaveType.is_active.is_(active))
    return list(session.scalars(stmt.order_by(LeaveType.position, LeaveType.name)))


def get_leave_type(session: Session, tenant_id: UUID, type_id: UUID) -> LeaveType | None:
    return session.get(LeaveType, (tenant_id, type_id))


def leave_type_matching(session: Session, tenant_id: UUID, text: str) -> LeaveType | None:
    """The leave type whose code or name is ``text``, accents and case aside."""
    folded = func.comptoir_unaccent(literal(text))
    return session.scalars(
        select(LeaveType)
        .where(
            LeaveType.tenant_id == tenant_id,
            or_(LeaveType.code == text.lower(), func.comptoir_unaccent(LeaveType.name) == folded),
        )
        .order_by(LeaveType.position)
        .limit(1)
    ).first()


def leave_type_named(
    session: Session, tenant_id: UUID, name: str, *, exclude: UUID | None = None
) -> LeaveType | None:
    """Another leave type called ``name`` or coded so, accents and case aside."""
    folded = func.comptoir_unaccent(literal(name))
    stmt = select(LeaveType).where(
        LeaveType.tenant_id == tenant_id,
        or_(
            func.comptoir_unaccent(LeaveType.code) == folded,
            func.comptoir_unaccent(LeaveType.name) == folded,
        ),
    )
    if exclude is not None:
        stmt = stmt.where(LeaveType.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def count_leave_types(session: Session, tenant_id: UUID) -> int:
    return session.scalar(select(func.count()).where(LeaveType.tenant_id == tenant_id)) or 0


def balances(session: Session, tenant_id: UUID, employee_id: UUID) -> dict[UUID, Decimal]:
    """Leave type id → the sum of the employee's ledger lines."""
    rows = session.execute(
        select(LeaveMovement.leave_type_id, func.sum(LeaveMovement.days))
        .where(LeaveMovement.tenant_id == tenant_id, LeaveMovement.employee_id == employee_id)
        .group_by(LeaveMovement.leave_type_id)
    )
    return {r[0]: r[1] for r in rows}


def team_sums(
    session: Session, tenant_id: UUID, employee_ids: list[UUID]
) -> tuple[dict[tuple[UUID, UUID], Decimal], dict[tuple[UUID, UUID], Decimal]]:
    """(employee id, leave type id) → the sum of their ledger lines, and → the days asked
    and not yet decided, for every employee given: two statements whatever their number."""
    ledger = session.execute(
        select(LeaveMovement.employee_id, LeaveMovement.leave_type_id, func.sum(LeaveMovement.days))
        .where(LeaveMovement.tenant_id == tenant_id, LeaveMovement.employee_id.in_(employee_ids))
        .group_by(LeaveMovement.employee_id, LeaveMovement.leave_type_id)
    )
    asked = session.execute(
        select(LeaveRequest.employee_id, LeaveRequest.leave_type_id, func.sum(LeaveRequest.days))
        .where(
            LeaveRequest.tenant_id == tenant_id,
            LeaveRequest.employee_id.in_(employee_ids),
            LeaveRequest.status == "pending",
        )
        .group_by(LeaveRequest.employee_id, LeaveRequest.leave_type_id)
    )
    return {(r[0], r[1]): r[2] for r in ledger}, {(r[0], r[1]): r[2] for r in asked}


def pending_days(
    session: Session, tenant_id: UUID, employee_id: UUID, *, exclude: UUID | None = None
) -> dict[UUID, Decimal]:
    """Leave type id → days asked and not yet decided."""
    stmt = (
        select(LeaveRequest.leave_type_id, func.sum(LeaveRequest.days))
        .where(
            LeaveRequest.tenant_id == tenant_id,
            LeaveRequest.employee_id == employee_id,
            LeaveRequest.status == "pending",
        )
        .group_by(LeaveRequest.leave_type_id)
    )
    if exclude is not None:
        stmt = stmt.where(LeaveRequest.id != exclude)
    return {r[0]: r[1] for r in session.execute(stmt)}


def request_ledger_days(session: Session, tenant_id: UUID, request_id: UUID) -> Decimal:
    """The sum of the ledger lines a leave request wrote (−days taken, +days returned)."""
    total = session.scalar(
        select(func.sum(LeaveMovement.days)).where(
            LeaveMovement.tenant_id == tenant_id, LeaveMovement.leave_request_id == request_id
        )
    )
    return total if total is not None else Decimal(0)


def movements(
    session: Session, tenant_id: UUID, employee_id: UUID, type_id: UUID
) -> list[LeaveMovement]:
    return list(
        session.scalars(
            select(LeaveMovement)
            .where(
                LeaveMovement.tenant_id == tenant_id,
                LeaveMovement.employee_id == employee_id,
                LeaveMovement.leave_type_id == type_id,
            )
            .order_by(LeaveMovement.created_at, LeaveMovement.id)
        )
    )


def employees_for_accrual(
    session: Session, tenant_id: UUID, first: date, last: date
) -> list[Employee]:
    """Employees on the staff at some point between ``first`` and ``last``."""
    return list(
        session.scalars(
            select(Employee).where(
                Employee.tenant_id == tenant_id,
                Employee.hire_date <= last,
                or_(Employee.left_on.is_(None), Employee.left_on >= first),
            )
        )
    )


# --- leave requests ---------------------------------------------------------------------


def get_leave_request(session: Session, tenant_id: UUID, request_id: UUID) -> LeaveRequest | None:
    return session.get(LeaveRequest, (tenant_id, request_id))


def active_requests_between(
    session: Session, tenant_id: UUID, employee_id: UUID, start: date, end: date
) -> list[LeaveRequest]:
    """The employee's pending or approved requests touching ``start``…``end``."""
    return list(
        session.scalars(
            select(LeaveRequest).where(
                LeaveRequest.tenant_id == tenant_id,
                LeaveRequest.employee_id == employee_id,
                LeaveRequest.status.in_(ACTIVE_LEAVE),
                LeaveRequest.start_date <= end,
                LeaveRequest.end_date >= start,
            )
        )
    )


def list_leave_requests(
    session: Session,
    tenant_id: UUID,
    *,
    ids: Collection[UUID] | None,
    employee_id: UUID | None,
    statuses: Collection[str] | None,
    start: date | None,
    end: date | None,
    limit: int = 500,
) -> list[LeaveRequest]:
    stmt = select(LeaveRequest).where(LeaveRequest.tenant_id == tenant_id)
    scope = _in_scope(LeaveRequest.employee_id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    if employee_id is not None:
        stmt = stmt.where(LeaveRequest.employee_id == employee_id)
    if statuses:
        stmt = stmt.where(LeaveRequest.status.in_(list(statuses)))
    if end is not None:
        stmt = stmt.where(LeaveRequest.start_date <= end)
    if start is not None:
        stmt = stmt.where(LeaveRequest.end_date >= start)
    order = (LeaveRequest.start_date, LeaveRequest.created_at, LeaveRequest.id)
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def leave_types_by_id(session: Session, tenant_id: UUID) -> dict[UUID, LeaveType]:
    return {t.id: t for t in list_leave_types(session, tenant_id, active=None)}


# --- attendance -------------------------------------------------------------------------


def work_schedule(session: Session, tenant_id: UUID) -> WorkSchedule | None:
    return session.scalars(select(WorkSchedule).where(WorkSchedule.tenant_id == tenant_id)).first()


def records_on(
    session: Session, tenant_id: UUID, employee_id: UUID, work_date: date
) -> list[AttendanceRecord]:
    """The employee's records of one day, in check-in order."""
    return list(
        session.scalars(
            select(AttendanceRecord)
            .where(
                AttendanceRecord.tenant_id == tenant_id,
                AttendanceRecord.employee_id == employee_id,
                AttendanceRecord.work_date == work_date,
            )
            .order_by(AttendanceRecord.check_in_at)
        )
    )


def attendance_between(
    session: Session, tenant_id: UUID, ids: Collection[UUID] | None, start: date, end: date
) -> list[AttendanceRecord]:
    stmt = select(AttendanceRecord).where(
        AttendanceRecord.tenant_id == tenant_id, AttendanceRecord.work_date.between(start, end)
    )
    scope = _in_scope(AttendanceRecord.employee_id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    order = (AttendanceRecord.employee_id, AttendanceRecord.work_date, AttendanceRecord.check_in_at)
    return list(session.scalars(stmt.order_by(*order)))


# --- reviews ----------------------------------------------------------------------------


def get_review(session: Session, tenant_id: UUID, review_id: UUID) -> Review | None:
    return session.get(Review, (tenant_id, review_id))


def review_goals(session: Session, tenant_id: UUID, review_id: UUID) -> list[ReviewGoal]:
    return list(
        session.scalars(
            select(ReviewGoal)
            .where(ReviewGoal.tenant_id == tenant_id, ReviewGoal.review_id == review_id)
            .order_by(ReviewGoal.position)
        )
    )


def review_for_period(
    session: Session, tenant_id: UUID, employee_id: UUID, start: date, end: date
) -> Review | None:
    return session.scalars(
        select(Review).where(
            Review.tenant_id == tenant_id,
            Review.employee_id == employee_id,
            Review.period_start == start,
            Review.period_end == end,
        )
    ).first()


def list_reviews(
    session: Session, tenant_id: UUID, *, ids: Collection[UUID] | None, employee_id: UUID | None
) -> list[Review]:
    stmt = select(Review).where(Review.tenant_id == tenant_id)
    scope = _in_scope(Review.employee_id, ids)
    if scope is not None:
        stmt = stmt.where(scope)
    if employee_id is not None:
        stmt = stmt.where(Review.employee_id == employee_id)
    return list(session.scalars(stmt.order_by(Review.period_end.desc(), Review.id)))
