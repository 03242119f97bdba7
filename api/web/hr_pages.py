"""Équipe and Congés detail pages: an employee's page (identity, contract, leave balances,
recent leave requests and attendance) and a leave request's page (dates, days, status,
« Approuver » / « Refuser » with a reason for whoever decides for that person), through
the HR services the REST API uses. The services decide who sees what: a person sees their
own page, a manager their team's, HR everyone; contracts (and salaries) only HR and the
person themself; another business's record is not found (Row-Level Security)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUser, WebUserDep, render
from api.web.figures import allowed
from api.web.records import checked_form
from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.schemas import EmployeeAttendance
from domain.hr.service._common import tenant_of, today
from domain.hr.service.contracts import KIND_LABELS
from domain.hr.service.leave import STATUS_LABELS
from domain.identity import repository as identity
from domain.kit.principal import Channel

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
RECENT_REQUESTS = 10
ATTENDANCE_DAYS = 30
Decision = Literal["approuve", "refuse"]
DONE = {"approuve": "Demande de congé approuvée.", "refuse": "Demande de congé refusée."}


def _type_names(session: Session, user: WebUser) -> dict[str, str]:
    return {t.code: t.name for t in hr.list_leave_types(session, user.principal, active=None)}


def _attendance(
    session: Session, c: Container, user: WebUser, employee_id: UUID
) -> EmployeeAttendance | None:
    """The last days of check-ins and check-outs, newest first."""
    end = today(tenant_of(session, user.principal), c.clock)
    report = hr.attendance_report(
        session,
        user.principal,
        c.clock,
        end - timedelta(days=ATTENDANCE_DAYS - 1),
        end,
        employee_id=employee_id,
    )
    found = report.employees[0] if report.employees else None
    if found is not None:
        found.days.reverse()
    return found


def _employee(session: Session, c: Container, user: WebUser, employee_id: UUID) -> dict[str, Any]:
    principal = user.principal
    employee = hr.get_employee(session, principal, employee_id)
    requests = hr.list_leave_requests(session, principal, employee_id=employee_id)
    return {
        "title": employee.name,
        "employee": hr.describe_employees(session, principal, [employee])[0],
        "contracts": hr.list_contracts(session, principal, employee_id=employee_id),
        "kinds": KIND_LABELS,
        "balances": hr.leave_balance(session, principal, employee_id),
        "requests": hr.describe_requests(session, principal, requests[::-1][:RECENT_REQUESTS]),
        "types": _type_names(session, user),
        "labels": STATUS_LABELS,
        "attendance": _attendance(session, c, user, employee_id),
        "attendance_days": ATTENDANCE_DAYS,
    }


@router.get("/equipe/{employee_id}")
def employee_detail(
    request: Request, employee_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        context = _employee(session, c, user, employee_id)
    return render(request, "employee.html", context)


@router.get("/conges/{request_id}")
def leave_detail(
    request: Request,
    request_id: UUID,
    c: ContainerDep,
    user: WebUserDep,
    fait: Literal["", "approuve", "refuse"] = "",
) -> Response:
    principal = user.principal
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = hr.get_leave_request(session, principal, request_id)
        leave = hr.describe_requests(session, principal, [found])[0]
        decider = identity.get_user(session, leave.decided_by) if leave.decided_by else None
        context = {
            "title": f"Congé de {leave.employee}",
            "leave": leave,
            "type_name": _type_names(session, user).get(leave.leave_type, leave.leave_type),
            "status": STATUS_LABELS[leave.status],
            "decider": decider.name if decider else None,
            "may_decide": leave.status == "pending"
            and hr.scope_of(session, principal).manages(leave.employee_id),
            "balances": allowed(lambda: hr.leave_balance(session, principal, leave.employee_id)),
            "done": DONE.get(fait),
        }
    return render(request, "leave.html", context)


async def decide_leave(
    request: Request, c: Container, user: WebUser, request_id: UUID, decision: Decision
) -> None:
    """Approve or refuse (with the reason typed) a leave request, once the form's CSRF
    token is checked; the HR service checks who may decide and the balance."""
    form = await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        if decision == "approuve":
            hr.approve_leave(session, user.principal, c.clock, request_id)
            return
        reason = form.get("motif")
        # The service refuses an empty reason itself (« Indiquez le motif du refus. »);
        # PostgreSQL refuses a NUL character, which no one types.
        text = reason.replace("\x00", "") if isinstance(reason, str) else ""
        hr.reject_leave(session, user.principal, c.clock, request_id, text)


@router.post("/conges/{request_id}/approuver")
async def approve_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await decide_leave(request, c, user, request_id, "approuve")
    return RedirectResponse(f"/conges/{request_id}?fait=approuve", status_code=303)


@router.post("/conges/{request_id}/refuser")
async def reject_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await decide_leave(request, c, user, request_id, "refuse")
    return RedirectResponse(f"/conges/{request_id}?fait=refuse", status_code=303)
