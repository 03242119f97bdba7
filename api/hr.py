"""HR routes: departments, employees, contracts, leave, attendance, payroll file, reviews.

Days and hours are JSON strings (``"2.5"``); salaries are in the currency's minor unit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from api.deps import ContainerDep, PrincipalDep
from domain.finance.books import currency_of
from domain.hr import service as hr
from domain.hr.models import AttendanceRecord, Contract
from domain.hr.schemas import (
    AbsenceOut,
    AttendanceEvent,
    AttendanceOut,
    AttendanceReport,
    BalanceAdjustment,
    BalanceOut,
    ContractCreate,
    ContractOut,
    ContractTermination,
    DepartmentCreate,
    DepartmentOut,
    DepartmentUpdate,
    EmployeeCreate,
    EmployeeMatch,
    EmployeeOut,
    EmployeeUpdate,
    ExpiringContractOut,
    LeaveRejection,
    LeaveRequestCreate,
    LeaveRequestOut,
    LeaveStatus,
    LeaveTypeCreate,
    LeaveTypeOut,
    LeaveTypeUpdate,
    ManagerAssessment,
    MovementOut,
    ReviewCreate,
    ReviewOut,
    SelfAssessment,
    WorkScheduleOut,
    WorkScheduleUpdate,
)
from domain.kit import inputs
from domain.kit.errors import InvalidInput

router = APIRouter(prefix="/api/v1")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class EmployeePage(BaseModel):
    items: list[EmployeeOut]
    total: int
    limit: int
    offset: int


class EmployeeSearch(BaseModel):
    query: str
    matches: list[EmployeeMatch]


class AccrualResult(BaseModel):
    month: date
    lines: int


def _month(value: str) -> date:
    match = MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"Mois invalide : « {value} » (attendu AAAA-MM).", field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _contract_out(contract: Contract, currency: str) -> ContractOut:
    fields = {f: getattr(contract, f) for f in ContractOut.model_fields if f != "currency"}
    return ContractOut.model_validate({**fields, "currency": currency})


def _attendance_out(record: AttendanceRecord) -> AttendanceOut:
    fields = {f: getattr(record, f) for f in AttendanceOut.model_fields if f != "hours"}
    return AttendanceOut.model_validate({**fields, "hours": hr.hours_of(record)})


# --- departments and employees ----------------------------------------------------------


@router.get("/hr/departments", response_model=list[DepartmentOut], tags=["rh"])
def list_departments(c: ContainerDep, principal: PrincipalDep) -> list[DepartmentOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [DepartmentOut.model_validate(d) for d in hr.list_departments(session, principal)]


@router.post("/hr/departments", response_model=DepartmentOut, status_code=201, tags=["rh"])
def create_department(
    body: DepartmentCreate, c: ContainerDep, principal: PrincipalDep
) -> DepartmentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return DepartmentOut.model_validate(hr.create_department(session, principal, body))


@router.patch("/hr/departments/{department_id}", response_model=DepartmentOut, tags=["rh"])
def update_department(
    department_id: UUID, body: DepartmentUpdate, c: ContainerDep, principal: PrincipalDep
) -> DepartmentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        department = hr.update_department(session, principal, department_id, body)
        return DepartmentOut.model_validate(department)


@router.get(
    "/hr/employees",
    response_model=EmployeePage | EmployeeSearch,
    tags=["rh"],
    summary="Employés visibles (avec ?q= : recherche tolérante, meilleurs d'abord)",
)
def list_employees(
    c: ContainerDep,
    principal: PrincipalDep,
    q: str | None = None,
    department_id: UUID | None = None,
    include_left: bool = False,
    limit: int = Query(default=100, ge=1, le=500),
    offset: inputs.Offset = 0,
) -> EmployeePage | EmployeeSearch:
    with c.db.unit_of_work(principal.tenant_id) as session:
        if q is not None:
            return EmployeeSearch(
                query=q, matches=hr.find_employee(session, principal, q, limit=limit)
            )
        page = hr.list_employees(
            session,
            principal,
            department_id=department_id,
            active=None if include_left else True,
            limit=limit,
            offset=offset,
        )
        items = hr.describe_employees(session, principal, page.items)
        return EmployeePage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/hr/employees", response_model=EmployeeOut, status_code=201, tags=["rh"])
def create_employee(body: EmployeeCreate, c: ContainerDep, principal: PrincipalDep) -> EmployeeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        employee = hr.create_employee(session, principal, c.clock, body)
        return hr.describe_employees(session, principal, [employee])[0]


@router.get("/hr/employees/{employee_id}", response_model=EmployeeOut, tags=["rh"])
def get_employee(employee_id: UUID, c: ContainerDep, principal: PrincipalDep) -> EmployeeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        employee = hr.get_employee(session, principal, employee_id)
        return hr.describe_employees(session, principal, [employee])[0]


@router.patch("/hr/employees/{employee_id}", response_model=EmployeeOut, tags=["rh"])
def update_employee(
    employee_id: UUID, body: EmployeeUpdate, c: ContainerDep, principal: PrincipalDep
) -> EmployeeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        employee = hr.update_employee(session, principal, employee_id, body)
        return hr.describe_employees(session, principal, [employee])[0]


# --- contracts --------------------------------------------------------------------------


@router.get("/hr/contracts", response_model=list[ContractOut], tags=["rh"])
def list_contracts(
    c: ContainerDep, principal: PrincipalDep, employee_id: UUID | None = None
) -> list[ContractOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        currency = currency_of(session, principal)
        found = hr.list_contracts(session, principal, employee_id=employee_id)
        return [_contract_out(x, currency) for x in found]


@router.get(
    "/hr/contracts/expiring",
    response_model=list[ExpiringContractOut],
    tags=["rh"],
    summary="Contrats qui se terminent bientôt",
)
def expiring_contracts(
    c: ContainerDep,
    principal: PrincipalDep,
    within_days: int = Query(default=60, ge=0, le=730),
) -> list[ExpiringContractOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return hr.expiring_contracts(session, principal, c.clock, within_days=within_days)


@router.post("/hr/contracts", response_model=ContractOut, status_code=201, tags=["rh"])
def create_contract(body: ContractCreate, c: ContainerDep, principal: PrincipalDep) -> ContractOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        contract = hr.create_contract(session, principal, body)
        return _contract_out(contract, currency_of(session, principal))


@router.get("/hr/contracts/{contract_id}", response_model=ContractOut, tags=["rh"])
def get_contract(contract_id: UUID, c: ContainerDep, principal: PrincipalDep) -> ContractOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        contract = hr.get_contract(session, principal, contract_id)
        return _contract_out(contract, currency_of(session, principal))


@router.post("/hr/contracts/{contract_id}/terminate", response_model=ContractOut, tags=["rh"])
def terminate_contract(
    contract_id: UUID, body: ContractTermination, c: ContainerDep, principal: PrincipalDep
) -> ContractOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        contract = hr.terminate_contract(session, principal, contract_id, body)
        return _contract_out(contract, currency_of(session, principal))


# --- leave types, balances --------------------------------------------------------------


@router.get("/hr/leave-types", response_model=list[LeaveTypeOut], tags=["rh"])
def list_leave_types(
    c: ContainerDep, principal: PrincipalDep, include_inactive: bool = False
) -> list[LeaveTypeOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = hr.list_leave_types(session, principal, active=None if include_inactive else True)
        return [LeaveTypeOut.model_validate(t) for t in found]


@router.post("/hr/leave-types", response_model=LeaveTypeOut, status_code=201, tags=["rh"])
def create_leave_type(
    body: LeaveTypeCreate, c: ContainerDep, principal: PrincipalDep
) -> LeaveTypeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return LeaveTypeOut.model_validate(hr.create_leave_type(session, principal, body))


@router.patch("/hr/leave-types/{type_id}", response_model=LeaveTypeOut, tags=["rh"])
def update_leave_type(
    type_id: UUID, body: LeaveTypeUpdate, c: ContainerDep, principal: PrincipalDep
) -> LeaveTypeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return LeaveTypeOut.model_validate(hr.update_leave_type(session, principal, type_id, body))


@router.get(
    "/hr/leave-balances",
    response_model=list[BalanceOut],
    tags=["rh"],
    summary="Soldes de congés (par défaut : les vôtres)",
)
def leave_balance(
    c: ContainerDep, principal: PrincipalDep, employee_id: UUID | None = None
) -> list[BalanceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return hr.leave_balance(session, principal, employee_id)


@router.get(
    "/hr/employees/{employee_id}/leave-movements", response_model=list[MovementOut], tags=["rh"]
)
def leave_movements(
    employee_id: UUID, c: ContainerDep, principal: PrincipalDep, leave_type: str | None = None
) -> list[MovementOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = hr.leave_movements(session, principal, employee_id, leave_type)
        return [MovementOut.model_validate(m) for m in found]


@router.post(
    "/hr/employees/{employee_id}/leave-movements",
    response_model=MovementOut,
    status_code=201,
    tags=["rh"],
    summary="Solde d'ouverture ou correction de solde (RH)",
)
def adjust_leave_balance(
    employee_id: UUID, body: BalanceAdjustment, c: ContainerDep, principal: PrincipalDep
) -> MovementOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        movement = hr.adjust_leave_balance(session, principal, c.clock, employee_id, body)
        return MovementOut.model_validate(movement)


@router.post(
    "/hr/leave-accruals",
    response_model=AccrualResult,
    tags=["rh"],
    summary="Acquisition mensuelle des congés (le mois écoulé par défaut ; idempotent)",
)
def accrue_leave(
    c: ContainerDep, principal: PrincipalDep, month: str | None = None
) -> AccrualResult:
    wanted = _month(month) if month else None
    with c.db.unit_of_work(principal.tenant_id) as session:
        run = hr.accrue_leave(session, principal, c.clock, wanted)
        return AccrualResult(month=run.month, lines=run.lines)


# --- leave requests ---------------------------------------------------------------------


@router.get("/hr/leave-requests", response_model=list[LeaveRequestOut], tags=["rh"])
def list_leave_requests(
    c: ContainerDep,
    principal: PrincipalDep,
    employee_id: UUID | None = None,
    status_: Annotated[LeaveStatus | None, Query(alias="status")] = None,
    start: date | None = None,
    end: date | None = None,
) -> list[LeaveRequestOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = hr.list_leave_requests(
            session, principal, employee_id=employee_id, status=status_, start=start, end=end
        )
        return hr.describe_requests(session, principal, found)


@router.post("/hr/leave-requests", response_model=LeaveRequestOut, status_code=201, tags=["rh"])
def request_leave(
    body: LeaveRequestCreate, c: ContainerDep, principal: PrincipalDep
) -> LeaveRequestOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        request = hr.request_leave(session, principal, body)
        return hr.describe_requests(session, principal, [request])[0]


@router.get("/hr/leave-requests/{request_id}", response_model=LeaveRequestOut, tags=["rh"])
def get_leave_request(
    request_id: UUID, c: ContainerDep, principal: PrincipalDep
) -> LeaveRequestOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        request = hr.get_leave_request(session, principal, request_id)
        return hr.describe_requests(session, principal, [request])[0]


@router.post("/hr/leave-requests/{request_id}/approve", response_model=LeaveRequestOut, tags=["rh"])
def approve_leave(request_id: UUID, c: ContainerDep, principal: PrincipalDep) -> LeaveRequestOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        request = hr.approve_leave(session, principal, c.clock, request_id)
        return hr.describe_requests(session, principal, [request])[0]


@router.post("/hr/leave-requests/{request_id}/reject", response_model=LeaveRequestOut, tags=["rh"])
def reject_leave(
    request_id: UUID, body: LeaveRejection, c: ContainerDep, principal: PrincipalDep
) -> LeaveRequestOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        request = hr.reject_leave(session, principal, c.clock, request_id, body.reason)
        return hr.describe_requests(session, principal, [request])[0]


@router.post("/hr/leave-requests/{request_id}/cancel", response_model=LeaveRequestOut, tags=["rh"])
def cancel_leave(request_id: UUID, c: ContainerDep, principal: PrincipalDep) -> LeaveRequestOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        request = hr.cancel_leave(session, principal, c.clock, request_id)
        return hr.describe_requests(session, principal, [request])[0]


@router.get(
    "/hr/absences", response_model=list[AbsenceOut], tags=["rh"], summary="Qui est absent ?"
)
def who_is_absent(
    start: date, end: date, c: ContainerDep, principal: PrincipalDep
) -> list[AbsenceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return hr.who_is_absent(session, principal, start, end)


# --- attendance -------------------------------------------------------------------------


@router.post("/hr/attendance/check-in", response_model=AttendanceOut, status_code=201, tags=["rh"])
def check_in(body: AttendanceEvent, c: ContainerDep, principal: PrincipalDep) -> AttendanceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _attendance_out(hr.check_in(session, principal, c.clock, body))


@router.post("/hr/attendance/check-out", response_model=AttendanceOut, tags=["rh"])
def check_out(body: AttendanceEvent, c: ContainerDep, principal: PrincipalDep) -> AttendanceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _attendance_out(hr.check_out(session, principal, c.clock, body))


@router.get("/hr/attendance/report", response_model=AttendanceReport, tags=["rh"])
def attendance_report(
    start: date,
    end: date,
    c: ContainerDep,
    principal: PrincipalDep,
    employee_id: UUID | None = None,
    department_id: UUID | None = None,
) -> AttendanceReport:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return hr.attendance_report(
            session,
            principal,
            c.clock,
            start,
            end,
            employee_id=employee_id,
            department_id=department_id,
        )


@router.get("/hr/attendance/missing-check-outs", response_model=list[AttendanceOut], tags=["rh"])
def missing_check_outs(c: ContainerDep, principal: PrincipalDep) -> list[AttendanceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [_attendance_out(r) for r in hr.missing_check_outs(session, principal, c.clock)]


@router.get("/hr/work-schedule", response_model=WorkScheduleOut, tags=["rh"])
def get_work_schedule(c: ContainerDep, principal: PrincipalDep) -> WorkScheduleOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return WorkScheduleOut.model_validate(hr.get_work_schedule(session, principal))


@router.patch("/hr/work-schedule", response_model=WorkScheduleOut, tags=["rh"])
def update_work_schedule(
    body: WorkScheduleUpdate, c: ContainerDep, principal: PrincipalDep
) -> WorkScheduleOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return WorkScheduleOut.model_validate(hr.update_work_schedule(session, principal, body))


@router.get(
    "/hr/payroll-export",
    tags=["rh"],
    summary="Préparation de la paie du mois (CSV, Excel) — sans calcul de paie",
)
def payroll_export(
    month: str,
    c: ContainerDep,
    principal: PrincipalDep,
    format_: Literal["csv", "xlsx"] = Query(default="csv", alias="format"),
) -> Response:
    wanted = _month(month)
    with c.db.unit_of_work(principal.tenant_id) as session:
        content, media_type, filename = hr.payroll_export(
            session, principal, c.clock, wanted, format_
        )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- reviews ----------------------------------------------------------------------------


@router.get("/hr/reviews", response_model=list[ReviewOut], tags=["rh"])
def list_reviews(
    c: ContainerDep, principal: PrincipalDep, employee_id: UUID | None = None
) -> list[ReviewOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = hr.list_reviews(session, principal, employee_id=employee_id)
        return [hr.describe_review(session, principal, r) for r in found]


@router.post(
    "/hr/reviews", response_model=ReviewOut, status_code=status.HTTP_201_CREATED, tags=["rh"]
)
def create_review(body: ReviewCreate, c: ContainerDep, principal: PrincipalDep) -> ReviewOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        review = hr.create_review(session, principal, body)
        return hr.describe_review(session, principal, review)


@router.get("/hr/reviews/{review_id}", response_model=ReviewOut, tags=["rh"])
def get_review(review_id: UUID, c: ContainerDep, principal: PrincipalDep) -> ReviewOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return hr.describe_review(session, principal, hr.get_review(session, principal, review_id))


@router.post("/hr/reviews/{review_id}/open", response_model=ReviewOut, tags=["rh"])
def open_self_assessment(review_id: UUID, c: ContainerDep, principal: PrincipalDep) -> ReviewOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        review = hr.open_self_assessment(session, principal, review_id)
        return hr.describe_review(session, principal, review)


@router.post("/hr/reviews/{review_id}/self-assessment", response_model=ReviewOut, tags=["rh"])
def submit_self_assessment(
    review_id: UUID, body: SelfAssessment, c: ContainerDep, principal: PrincipalDep
) -> ReviewOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        review = hr.submit_self_assessment(session, principal, review_id, body)
        return hr.describe_review(session, principal, review)


@router.post("/hr/reviews/{review_id}/complete", response_model=ReviewOut, tags=["rh"])
def complete_review(
    review_id: UUID, body: ManagerAssessment, c: ContainerDep, principal: PrincipalDep
) -> ReviewOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        review = hr.complete_review(session, principal, c.clock, review_id, body)
        return hr.describe_review(session, principal, review)
