"""Input and output shapes for HR.

Shapes are checked here (lengths, closed sets, signs, date order); what needs the tenant
(phone region, currency minor unit, who may act on whom) is checked by the services before
anything is written. Days and hours travel as JSON strings (``"2.5"``), salaries in the
currency's minor unit (``InCurrency``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from domain.finance.schemas import Amount, InCurrency, Number
from domain.hr.calendar import check_period
from domain.hr.errors import InvalidContract
from domain.kit import inputs
from domain.kit.errors import InvalidInput

ContractKind = Literal["cdi", "cdd", "stage", "freelance"]
LeaveStatus = Literal["pending", "approved", "rejected", "cancelled"]
AttendanceSource = Literal["web", "whatsapp", "kiosk"]
ReviewStatus = Literal["draft", "self_assessment", "manager_review", "completed"]
AdjustmentKind = Literal["opening", "adjustment"]

T = TypeVar("T")
MAX_DAYS = Decimal(366)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _text(value: str | None) -> str | None:
    """Collapse spaces; a blank text is refused for a required field by ``min_length``."""
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        raise InvalidInput("Ce champ ne peut pas être vide.")
    return value


def _blank_is_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value else None


# --- departments ------------------------------------------------------------------------


class DepartmentCreate(inputs.InputModel):
    name: str = Field(min_length=1, max_length=100, examples=["Ventes"])
    parent_id: UUID | None = None

    _name = field_validator("name")(_text)


class DepartmentUpdate(inputs.InputModel):
    """Only the fields sent change; ``parent_id: null`` makes it a top-level department."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: UUID | None = None

    _name = field_validator("name")(_text)


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    parent_id: UUID | None


# --- employees --------------------------------------------------------------------------


class _EmployeeFields(inputs.InputModel):
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32, examples=["06 12 34 56 78"])
    whatsapp: str | None = Field(default=None, max_length=32, examples=["+221 77 000 00 01"])
    job_title: str | None = Field(default=None, max_length=100, examples=["Vendeuse"])
    department_id: UUID | None = None
    manager_id: UUID | None = None
    user_id: UUID | None = None

    _email = field_validator("email")(_lower)
    _blank = field_validator("phone", "whatsapp", "job_title")(_blank_is_none)


class EmployeeCreate(_EmployeeFields):
    """A new employee; ``hire_date`` defaults to today, ``user_id`` links a member account."""

    name: str = Field(min_length=1, max_length=200, examples=["Awa Ndiaye"])
    hire_date: date | None = None

    _name = field_validator("name")(_text)


class EmployeeUpdate(_EmployeeFields):
    """A partial update (``null`` clears a field). ``left_on`` records a departure."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    hire_date: date | None = None
    left_on: date | None = None

    _name = field_validator("name")(_text)


class EmployeeOut(BaseModel):
    id: UUID
    code: str
    name: str
    email: str | None
    phone: str | None
    whatsapp: str | None
    job_title: str | None
    department_id: UUID | None
    department: str | None
    manager_id: UUID | None
    manager: str | None
    hire_date: date
    user_id: UUID | None
    is_active: bool
    left_on: date | None


class EmployeeMatch(BaseModel):
    """A search hit: ``score`` in [0, 1] (1 for an exact code, e-mail or phone)."""

    id: UUID
    code: str
    name: str
    job_title: str | None
    score: float


# --- contracts --------------------------------------------------------------------------


class ContractCreate(inputs.InputModel):
    """CDD and stage need an end date; a CDI has none (it ends by ``terminate``);
    a freelance contract may have one. ``salary``: monthly gross, tenant's currency."""

    employee_id: UUID
    kind: ContractKind
    start_date: date
    end_date: date | None = None
    salary: inputs.Amount = Field(examples=["2100.00", "350000"])
    weekly_hours: inputs.Quantity = Field(default=Decimal(35), examples=["35", "40"])
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("salary")
    @classmethod
    def _salary(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value < 0:
            raise InvalidContract("Le salaire ne peut pas être négatif.", field="salary")
        return value

    @field_validator("weekly_hours")
    @classmethod
    def _hours(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or not 0 < value <= 60:
            raise InvalidContract(
                "La durée hebdomadaire va de 0 à 60 heures.", field="weekly_hours"
            )
        return value

    @model_validator(mode="after")
    def _term(self) -> ContractCreate:
        if self.kind in ("cdd", "stage") and self.end_date is None:
            label = "Un CDD" if self.kind == "cdd" else "Une convention de stage"
            raise InvalidContract(f"{label} a une date de fin.", field="end_date")
        if self.kind == "cdi" and self.end_date is not None:
            raise InvalidContract(
                "Un CDI n'a pas de date de fin : terminez-le quand il prend fin.",
                field="end_date",
            )
        if self.end_date is not None and self.end_date < self.start_date:
            raise InvalidContract("La fin du contrat précède son début.", field="end_date")
        return self


class ContractTermination(inputs.InputModel):
    end_date: date


class ContractOut(InCurrency):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    employee_id: UUID
    kind: ContractKind
    start_date: date
    end_date: date | None
    salary: Amount
    weekly_hours: Number
    status: str
    notes: str | None


class ExpiringContractOut(BaseModel):
    contract_id: UUID
    employee_id: UUID
    employee: str
    kind: ContractKind
    end_date: date
    days_left: int


# --- leave types and balances -----------------------------------------------------------


def _annual(value: Decimal | None) -> Decimal | None:
    if value is not None and (not value.is_finite() or not 0 <= value <= MAX_DAYS):
        raise InvalidInput("Les droits annuels vont de 0 à 366 jours.", field="annual_days")
    return value


class LeaveTypeCreate(inputs.InputModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,19}$", examples=["formation"])
    name: str = Field(min_length=1, max_length=100, examples=["Congé formation"])
    is_paid: bool = True
    tracks_balance: bool = False
    annual_days: inputs.Quantity = Decimal(0)
    allow_negative: bool = False

    _name = field_validator("name")(_text)
    _annual = field_validator("annual_days")(_annual)


class LeaveTypeUpdate(inputs.InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    is_paid: bool | None = None
    tracks_balance: bool | None = None
    annual_days: inputs.Quantity | None = None
    allow_negative: bool | None = None
    is_active: bool | None = None

    _name = field_validator("name")(_text)
    _annual = field_validator("annual_days")(_annual)


class LeaveTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    code: str
    name: str
    is_paid: bool
    tracks_balance: bool
    annual_days: Number
    allow_negative: bool
    is_active: bool


class BalanceOut(BaseModel):
    """Days of one leave type: ``balance`` (the ledger's sum), ``pending`` (asked, not yet
    decided) and ``available`` (balance − pending)."""

    leave_type: str
    name: str
    balance: Number
    pending: Number
    available: Number


class BalanceAdjustment(inputs.InputModel):
    """A manual line in the ledger: an opening balance or a correction (signed days)."""

    leave_type: str = Field(examples=["cp", "annuel"])
    days: inputs.Quantity = Field(examples=["10", "-1.5"])
    kind: AdjustmentKind = "adjustment"
    note: str | None = Field(default=None, max_length=300)

    @field_validator("days")
    @classmethod
    def _days(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value == 0 or abs(value) > MAX_DAYS:
            raise InvalidInput("Nombre de jours invalide.", field="days")
        if value != value.quantize(Decimal("0.01")):
            raise InvalidInput("Un nombre de jours a au plus deux décimales.", field="days")
        return value


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    days: Number
    effective_on: date
    accrual_month: date | None
    leave_request_id: UUID | None
    note: str | None


# --- leave requests ---------------------------------------------------------------------


class LeaveRequestCreate(inputs.InputModel):
    """A leave from ``start_date`` to ``end_date`` (inclusive). ``starts_afternoon``: the
    first day from noon; ``ends_morning``: the last day until noon. ``employee_id`` defaults
    to the person asking; ``leave_type`` (code or name) to paid leave."""

    employee_id: UUID | None = None
    leave_type: str | None = Field(default=None, max_length=100, examples=["cp", "RTT"])
    start_date: date
    end_date: date
    starts_afternoon: bool = False
    ends_morning: bool = False
    comment: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _period(self) -> LeaveRequestCreate:
        check_period(self.start_date, self.end_date, self.starts_afternoon, self.ends_morning)
        return self


class LeaveRejection(inputs.InputModel):
    reason: str = Field(min_length=1, max_length=500, examples=["Inventaire cette semaine"])

    _reason = field_validator("reason")(_text)


class LeaveRequestOut(BaseModel):
    id: UUID
    employee_id: UUID
    employee: str
    leave_type: str
    start_date: date
    end_date: date
    starts_afternoon: bool
    ends_morning: bool
    days: Number
    status: LeaveStatus
    comment: str | None
    decided_by: UUID | None
    decided_at: datetime | None
    rejection_reason: str | None
    cancelled_at: datetime | None


class AbsenceOut(BaseModel):
    request_id: UUID
    employee_id: UUID
    employee: str
    leave_type: str
    leave_type_name: str
    start_date: date
    end_date: date
    starts_afternoon: bool
    ends_morning: bool
    days: Number


# --- attendance -------------------------------------------------------------------------


class AttendanceEvent(inputs.InputModel):
    """A check-in or check-out. ``employee_id`` defaults to the person pointing; ``at``
    (HR corrections only) is a local time if it has no offset; otherwise it is now."""

    employee_id: UUID | None = None
    source: AttendanceSource = "web"
    at: datetime | None = None


class AttendanceOut(BaseModel):
    id: UUID
    employee_id: UUID
    work_date: date
    check_in_at: datetime
    check_out_at: datetime | None
    check_in_source: AttendanceSource
    check_out_source: AttendanceSource | None
    late_minutes: int
    hours: Number | None


class WorkScheduleUpdate(inputs.InputModel):
    start_time: inputs.WallTime | None = Field(default=None, examples=["09:00"])
    grace_minutes: int | None = Field(default=None, ge=0, le=240)
    daily_hours: inputs.Quantity | None = Field(default=None, examples=["7", "8"])

    @field_validator("daily_hours")
    @classmethod
    def _daily(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (not value.is_finite() or not 0 < value <= 12):
            raise InvalidInput("Une journée compte de 0 à 12 heures.", field="daily_hours")
        return value


class WorkScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    start_time: inputs.WallTime
    grace_minutes: int
    daily_hours: Number


class DayAttendance(BaseModel):
    day: date
    first_check_in: inputs.WallTime | None
    last_check_out: inputs.WallTime | None
    hours: Number
    late_minutes: int
    missing_check_out: bool


class EmployeeAttendance(BaseModel):
    employee_id: UUID
    employee: str
    worked_days: int
    hours: Number
    late_arrivals: int
    missing_check_outs: int
    weekly_hours: dict[str, Number]  # ISO week « 2026-W12 » → hours
    days: list[DayAttendance]


class AttendanceReport(BaseModel):
    start: date
    end: date
    employees: list[EmployeeAttendance]


# --- reviews ----------------------------------------------------------------------------


class GoalIn(inputs.InputModel):
    title: str = Field(min_length=1, max_length=200, examples=["Ouvrir 5 nouveaux clients"])
    weight: inputs.Rate | None = Field(default=None, examples=["40"])

    _title = field_validator("title")(_text)

    @field_validator("weight")
    @classmethod
    def _weight(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (not value.is_finite() or not 0 < value <= 100):
            raise InvalidInput("Le poids d'un objectif va de 0 à 100 %.", field="weight")
        return value


class ReviewCreate(inputs.InputModel):
    employee_id: UUID
    title: str = Field(min_length=1, max_length=200, examples=["Entretien annuel 2026"])
    period_start: date
    period_end: date
    goals: list[GoalIn] = Field(default_factory=list, max_length=30)

    _title = field_validator("title")(_text)

    @model_validator(mode="after")
    def _period(self) -> ReviewCreate:
        if self.period_end < self.period_start:
            raise InvalidInput("La fin de la période précède son début.", field="period_end")
        weights = [g.weight for g in self.goals if g.weight is not None]
        if weights and sum(weights) > 100:
            raise InvalidInput("Les poids des objectifs dépassent 100 %.", field="goals")
        return self


class SelfAssessment(inputs.InputModel):
    self_feedback: str = Field(min_length=1, max_length=5000)

    _feedback = field_validator("self_feedback")(_text)


class GoalResult(inputs.InputModel):
    goal_id: UUID
    achieved: bool | None = None
    score: int | None = Field(default=None, ge=1, le=5)


class ManagerAssessment(inputs.InputModel):
    manager_feedback: str = Field(min_length=1, max_length=5000)
    rating: int = Field(ge=1, le=5)
    goals: list[GoalResult] = Field(default_factory=list)

    _feedback = field_validator("manager_feedback")(_text)


class GoalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    position: int
    title: str
    weight: Number | None
    achieved: bool | None
    score: int | None


class ReviewOut(BaseModel):
    id: UUID
    employee_id: UUID
    title: str
    period_start: date
    period_end: date
    status: ReviewStatus
    rating: int | None
    self_feedback: str | None
    manager_feedback: str | None
    completed_at: datetime | None
    goals: list[GoalOut]
