"""Leave requests: asked (pending), then approved, rejected or cancelled.

- Days are working days (Monday to Friday, less the country's public holidays), half days
  at either end included; a request with no working day is refused.
- A request is refused when it overlaps another pending or approved request of the same
  employee (half-days count: ending at noon and starting that afternoon is fine), and for a
  type that keeps a balance, when it exceeds what is available (balance − other pending
  requests) unless the type allows going negative.
- Approval deducts the days (a ``taken`` ledger line) after checking the balance again,
  with the employee's row locked, so two approvals at once cannot overdraw it. Cancelling an
  approved leave gives the days back (``returned``).
- Approval and rejection belong to the employee's managers and HR (see ``_common``); the
  employee cancels their own request while pending, or approved until it starts; HR
  cancels any.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.calendar import days_within, half_day_span, leave_days
from domain.hr.errors import (
    InsufficientBalance,
    InvalidLeavePeriod,
    LeaveOverlap,
    LeaveRequestNotFound,
    LeaveTransition,
)
from domain.hr.models import Employee, LeaveRequest, LeaveType
from domain.hr.schemas import AbsenceOut, LeaveRequestCreate, LeaveRequestOut, LeaveStatus
from domain.hr.service._common import (
    HR,
    Scope,
    linked_employee,
    require_employee,
    scope_of,
    tenant_of,
    today,
)
from domain.hr.service.balances import add_movement, balance_of
from domain.hr.service.leave_types import resolve_leave_type
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.principal import Principal

STATUS_LABELS = {
    "pending": "en attente",
    "approved": "approuvée",
    "rejected": "refusée",
    "cancelled": "annulée",
}


def _days(value: Decimal) -> str:
    """« 2 », « 2,5 » — a number of days as a French sentence shows it."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _period(r: LeaveRequest) -> str:
    return f"du {r.start_date:%d/%m/%Y} au {r.end_date:%d/%m/%Y}"


def _refuse_overlap(session: Session, employee: Employee, data: LeaveRequestCreate) -> None:
    mine = half_day_span(data.start_date, data.end_date, data.starts_afternoon, data.ends_morning)
    for other in repo.active_requests_between(
        session, employee.tenant_id, employee.id, data.start_date, data.end_date
    ):
        theirs = half_day_span(
            other.start_date, other.end_date, other.starts_afternoon, other.ends_morning
        )
        if mine[0] <= theirs[1] and theirs[0] <= mine[1]:
            raise LeaveOverlap(
                f"{employee.name} a déjà une demande {STATUS_LABELS[other.status]} "
                f"{_period(other)} qui chevauche ces dates.",
                request_id=str(other.id),
            )


def _refuse_over_balance(
    session: Session,
    employee: Employee,
    leave_type: LeaveType,
    days: Decimal,
    *,
    pending_excluded: UUID | None = None,
    count_pending: bool = True,
) -> None:
    if not leave_type.tracks_balance or leave_type.allow_negative:
        return
    available = balance_of(session, employee, leave_type)
    if count_pending:
        pending = repo.pending_days(
            session, employee.tenant_id, employee.id, exclude=pending_excluded
        )
        available -= pending.get(leave_type.id, Decimal(0))
    if days > available:
        raise InsufficientBalance(
            f"Solde insuffisant ({leave_type.name}) : {_days(days)} jour(s) demandé(s), "
            f"{_days(available)} disponible(s) pour {employee.name}.",
            requested=str(days),
            available=str(available),
        )


def _working_days(country: str, data: LeaveRequestCreate) -> Decimal:
    days = leave_days(
        country,
        data.start_date,
        data.end_date,
        starts_afternoon=data.starts_afternoon,
        ends_morning=data.ends_morning,
    )
    if days == 0:
        raise InvalidLeavePeriod(
            "Aucun jour ouvré sur cette période (week-end ou jour férié).", field="start_date"
        )
    return days


def request_leave(session: Session, principal: Principal, data: LeaveRequestCreate) -> LeaveRequest:
    """Ask for leave, for oneself or (HR, a manager) for someone managed."""
    scope = scope_of(session, principal)
    employee_id = data.employee_id or linked_employee(session, principal).id
    require_employee(session, principal, employee_id)  # another business's: 404, not 403
    if employee_id != scope.self_id and not scope.manages(employee_id):
        raise PermissionDenied("Vous ne pouvez demander un congé que pour vous-même.")
    employee = require_employee(session, principal, employee_id, lock=True)
    if not employee.is_active:
        raise InvalidInput(f"{employee.name} a quitté l'entreprise.", field="employee_id")
    leave_type = resolve_leave_type(session, principal, data.leave_type)
    if not leave_type.is_active:
        raise InvalidInput(f"« {leave_type.name} » n'est plus proposé.", field="leave_type")
    days = _working_days(tenant_of(session, principal).country, data)
    _refuse_overlap(session, employee, data)
    _refuse_over_balance(session, employee, leave_type, days)
    request = LeaveRequest(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        employee_id=employee.id,
        leave_type_id=leave_type.id,
        start_date=data.start_date,
        end_date=data.end_date,
        starts_afternoon=data.starts_afternoon,
        ends_morning=data.ends_morning,
        days=days,
        status="pending",
        comment=data.comment,
        requested_by=principal.user_id,
    )
    session.add(request)
    session.flush()
    record_change(
        session,
        principal,
        request,
        "leave.requested",
        "leave_request.create",
        employee_id=employee.id,
        leave_type=leave_type.code,
        days=days,
    )
    return request


def _require_request(session: Session, principal: Principal, request_id: UUID) -> LeaveRequest:
    request = repo.get_leave_request(session, principal.tenant_id, request_id)
    if request is None:
        raise LeaveRequestNotFound()
    return request


def _decidable(
    session: Session, principal: Principal, request_id: UUID, verb: str
) -> tuple[LeaveRequest, Employee]:
    """The pending request (its employee locked) the caller may approve or reject."""
    request = _require_request(session, principal, request_id)
    if not scope_of(session, principal).manages(request.employee_id):
        raise PermissionDenied(
            f"Seuls le responsable de l'employé ou les RH peuvent {verb} ce congé."
        )
    employee = require_employee(session, principal, request.employee_id, lock=True)
    session.refresh(request)  # its status as it is now that the employee is locked
    if request.status != "pending":
        raise LeaveTransition(
            f"Cette demande est déjà {STATUS_LABELS[request.status]}.", status=request.status
        )
    return request, employee


def approve_leave(
    session: Session, principal: Principal, clock: Clock, request_id: UUID
) -> LeaveRequest:
    request, employee = _decidable(session, principal, request_id, "approuver")
    leave_type = repo.get_leave_type(session, principal.tenant_id, request.leave_type_id)
    assert leave_type is not None  # a foreign key
    before = row_state(request)
    _refuse_over_balance(session, employee, leave_type, request.days, count_pending=False)
    if leave_type.tracks_balance:
        add_movement(
            session,
            employee,
            leave_type,
            "taken",
            -request.days,
            request.start_date,
            request_id=request.id,
        )
    request.status = "approved"
    request.decided_by, request.decided_at = principal.user_id, clock.now()
    session.flush()
    record_change(
        session,
        principal,
        request,
        "leave.approved",
        "leave_request.approve",
        before=before,
        employee_id=employee.id,
        days=request.days,
    )
    return request


def reject_leave(
    session: Session, principal: Principal, clock: Clock, request_id: UUID, reason: str
) -> LeaveRequest:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Indiquez le motif du refus.", field="reason")
    request, employee = _decidable(session, principal, request_id, "refuser")
    before = row_state(request)
    request.status, request.rejection_reason = "rejected", reason[:500]
    request.decided_by, request.decided_at = principal.user_id, clock.now()
    session.flush()
    record_change(
        session,
        principal,
        request,
        "leave.rejected",
        "leave_request.reject",
        before=before,
        employee_id=employee.id,
        reason=reason,
    )
    return request


def cancel_leave(
    session: Session, principal: Principal, clock: Clock, request_id: UUID
) -> LeaveRequest:
    """Cancel a pending or approved request; an approved one gives its days back."""
    request = _require_request(session, principal, request_id)
    is_hr = principal.has_any(*HR)
    if not is_hr and request.employee_id != scope_of(session, principal).self_id:
        raise PermissionDenied("Seuls l'employé concerné ou les RH peuvent annuler ce congé.")
    employee = require_employee(session, principal, request.employee_id, lock=True)
    session.refresh(request)
    if request.status not in ("pending", "approved"):
        raise LeaveTransition(
            f"Cette demande est déjà {STATUS_LABELS[request.status]}.", status=request.status
        )
    on = today(tenant_of(session, principal), clock)
    if request.status == "approved" and not is_hr and request.start_date <= on:
        raise LeaveTransition("Ce congé a commencé : seuls les RH peuvent l'annuler.")
    before = row_state(request)
    leave_type = repo.get_leave_type(session, principal.tenant_id, request.leave_type_id)
    assert leave_type is not None  # a foreign key
    # Give back exactly what the approval took: nothing if the type kept no balance then,
    # even if it keeps one now (and the other way round).
    taken = -repo.request_ledger_days(session, principal.tenant_id, request.id)
    if request.status == "approved" and taken > 0:
        add_movement(session, employee, leave_type, "returned", taken, on, request_id=request.id)
    request.status, request.cancelled_at = "cancelled", clock.now()
    session.flush()
    record_change(
        session,
        principal,
        request,
        "leave.cancelled",
        "leave_request.cancel",
        before=before,
        employee_id=employee.id,
    )
    return request


def get_leave_request(session: Session, principal: Principal, request_id: UUID) -> LeaveRequest:
    request = _require_request(session, principal, request_id)
    if not scope_of(session, principal).sees(request.employee_id):
        raise PermissionDenied("Vous ne pouvez consulter que vos congés et ceux de votre équipe.")
    return request


def list_leave_requests(
    session: Session,
    principal: Principal,
    *,
    employee_id: UUID | None = None,
    status: LeaveStatus | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[LeaveRequest]:
    """Requests the caller may see (their own, their team's; all for HR), by start date."""
    scope: Scope = scope_of(session, principal)
    return repo.list_leave_requests(
        session,
        principal.tenant_id,
        ids=scope.visible,
        employee_id=employee_id,
        statuses=[status] if status else None,
        start=start,
        end=end,
    )


def describe_requests(
    session: Session, principal: Principal, requests: list[LeaveRequest]
) -> list[LeaveRequestOut]:
    names = repo.employee_names(session, principal.tenant_id, {r.employee_id for r in requests})
    types = repo.leave_types_by_id(session, principal.tenant_id)
    return [
        LeaveRequestOut.model_validate(
            {
                **{f: getattr(r, f) for f in LeaveRequestOut.model_fields if hasattr(r, f)},
                "employee": names.get(r.employee_id, ""),
                "leave_type": types[r.leave_type_id].code,
            }
        )
        for r in requests
    ]


def who_is_absent(
    session: Session, principal: Principal, start: date, end: date
) -> list[AbsenceOut]:
    """Approved leave touching ``start``…``end`` among the staff the caller may see;
    ``days`` counts the working days inside the period."""
    if end < start:
        raise InvalidLeavePeriod("La fin de la période précède son début.", field="end")
    requests = repo.list_leave_requests(
        session,
        principal.tenant_id,
        ids=scope_of(session, principal).visible,
        employee_id=None,
        statuses=["approved"],
        start=start,
        end=end,
    )
    names = repo.employee_names(session, principal.tenant_id, {r.employee_id for r in requests})
    types = repo.leave_types_by_id(session, principal.tenant_id)
    country = tenant_of(session, principal).country
    return [
        AbsenceOut(
            request_id=r.id,
            employee_id=r.employee_id,
            employee=names.get(r.employee_id, ""),
            leave_type=types[r.leave_type_id].code,
            leave_type_name=types[r.leave_type_id].name,
            start_date=r.start_date,
            end_date=r.end_date,
            starts_afternoon=r.starts_afternoon,
            ends_morning=r.ends_morning,
            days=days_within(
                country,
                r.start_date,
                r.end_date,
                r.starts_afternoon,
                r.ends_morning,
                (start, end),
            ),
        )
        for r in requests
    ]
