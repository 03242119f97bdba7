"""HR tables: departments, employees, contracts, leave (types, ledger, requests),
attendance, the work schedule and performance reviews.

Every table is tenant-owned (``TenantEntity``), references are composite
``(tenant_id, x_id)`` and every index leads with ``tenant_id``. Days and hours are
``Decimal``; leave is counted in working days (Monday to Friday, public holidays aside).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, tenant_fk, trigram_index
from domain.kit.resolution import name_folded_column, name_words_column

CONTRACT_KINDS = ("cdi", "cdd", "stage", "freelance")
LEAVE_STATUSES = ("pending", "approved", "rejected", "cancelled")
MOVEMENT_KINDS = ("opening", "accrual", "taken", "returned", "adjustment")
ATTENDANCE_SOURCES = ("web", "whatsapp", "kiosk")
REVIEW_STATUSES = ("draft", "self_assessment", "manager_review", "completed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Department(TenantEntity):
    """A team of the business; ``parent_id`` builds the hierarchy (never a cycle)."""

    __tablename__ = "departments"
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[UUID | None]
    __table_args__ = (
        tenant_fk("parent_id", "departments"),
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("parent_id <> id", name="not_own_parent"),
        Index(None, "tenant_id", "parent_id"),
    )


class Employee(TenantEntity):
    """A person on the staff. ``user_id`` links the member account that acts as them."""

    __tablename__ = "employees"
    code: Mapped[str] = mapped_column(String(20))  # matricule E00001, for payroll files
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = name_folded_column()
    name_words: Mapped[list[str]] = name_words_column()
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164
    whatsapp: Mapped[str | None] = mapped_column(String(16))  # E.164
    job_title: Mapped[str | None] = mapped_column(String(100))
    department_id: Mapped[UUID | None]
    manager_id: Mapped[UUID | None]
    hire_date: Mapped[date]
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[date | None]
    __table_args__ = (
        tenant_fk("department_id", "departments"),
        tenant_fk("manager_id", "employees"),
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint("manager_id <> id", name="not_own_manager"),
        CheckConstraint("is_active OR left_on IS NOT NULL", name="left_on"),
        Index(None, "tenant_id", "manager_id"),
        Index(None, "tenant_id", "department_id"),
        trigram_index("employees", "name"),
    )


class Contract(TenantEntity):
    """An employment contract. Two contracts of one employee never overlap in time
    (an exclusion constraint backs the services' check); ending one sets ``end_date``."""

    __tablename__ = "employment_contracts"
    employee_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    salary: Mapped[Decimal]  # monthly gross, in the tenant's currency
    weekly_hours: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | terminated
    notes: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        tenant_fk("employee_id", "employees"),
        CheckConstraint(_in("kind", CONTRACT_KINDS), name="kind"),
        CheckConstraint("status IN ('active','terminated')", name="status"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
        CheckConstraint("kind NOT IN ('cdd','stage') OR end_date IS NOT NULL", name="end_required"),
        CheckConstraint("salary >= 0", name="salary"),
        CheckConstraint("weekly_hours > 0 AND weekly_hours <= 60", name="weekly_hours"),
        ExcludeConstraint(
            (literal_column("tenant_id"), "="),
            (literal_column("employee_id"), "="),
            (
                func.daterange(
                    literal_column("start_date"), literal_column("end_date"), text("'[]'")
                ),
                "&&",
            ),
            name="ex_employment_contracts_overlap",
            using="gist",
        ),
        Index(None, "tenant_id", "end_date"),
    )


class LeaveType(TenantEntity):
    """A kind of leave. With ``tracks_balance`` it has a balance (the ledger's sum),
    credited ``annual_days / 12`` a month; ``allow_negative`` lets requests go over it."""

    __tablename__ = "leave_types"
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    is_paid: Mapped[bool] = mapped_column(Boolean, default=True)
    tracks_balance: Mapped[bool] = mapped_column(Boolean, default=False)
    annual_days: Mapped[Decimal] = mapped_column(default=Decimal(0))
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("annual_days >= 0 AND annual_days <= 366", name="annual_days"),
        CheckConstraint("tracks_balance OR annual_days = 0", name="accrual_needs_balance"),
    )


class LeaveMovement(TenantEntity):
    """One line of the leave ledger (signed days). A balance is the sum of its lines;
    lines are never changed, a correction is another line."""

    __tablename__ = "leave_movements"
    employee_id: Mapped[UUID]
    leave_type_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(12))
    days: Mapped[Decimal]
    effective_on: Mapped[date]
    accrual_month: Mapped[date | None]  # first day of the month credited (accruals only)
    leave_request_id: Mapped[UUID | None]
    note: Mapped[str | None] = mapped_column(String(300))
    __table_args__ = (
        tenant_fk("employee_id", "employees"),
        tenant_fk("leave_type_id", "leave_types"),
        tenant_fk("leave_request_id", "leave_requests"),
        CheckConstraint(_in("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint("days <> 0", name="days"),
        CheckConstraint("(kind = 'accrual') = (accrual_month IS NOT NULL)", name="accrual_month"),
        # Accrual runs again without crediting twice: one line per employee, type and month.
        UniqueConstraint(
            "tenant_id",
            "employee_id",
            "leave_type_id",
            "accrual_month",
            name="uq_leave_movements_accrual",
        ),
        Index(None, "tenant_id", "employee_id", "leave_type_id"),
    )


class LeaveRequest(TenantEntity):
    """A leave request. ``starts_afternoon``: the first day counts half; ``ends_morning``:
    the last day counts half. ``days`` are working days, counted when requested."""

    __tablename__ = "leave_requests"
    employee_id: Mapped[UUID]
    leave_type_id: Mapped[UUID]
    start_date: Mapped[date]
    end_date: Mapped[date]
    starts_afternoon: Mapped[bool] = mapped_column(Boolean, default=False)
    ends_morning: Mapped[bool] = mapped_column(Boolean, default=False)
    days: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    comment: Mapped[str | None] = mapped_column(String(500))
    requested_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_at: Mapped[datetime | None]
    __table_args__ = (
        tenant_fk("employee_id", "employees"),
        tenant_fk("leave_type_id", "leave_types"),
        CheckConstraint(_in("status", LEAVE_STATUSES), name="status"),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("days > 0", name="days"),
        CheckConstraint("status <> 'rejected' OR rejection_reason IS NOT NULL", name="reason"),
        Index(None, "tenant_id", "employee_id", "start_date"),
        Index(None, "tenant_id", "start_date", "end_date"),
    )


class AttendanceRecord(TenantEntity):
    """One check-in and its check-out. ``work_date`` is the local date of the check-in;
    at most one record per employee and day is open (no check-out yet)."""

    __tablename__ = "attendance_records"
    employee_id: Mapped[UUID]
    work_date: Mapped[date]
    check_in_at: Mapped[datetime]
    check_out_at: Mapped[datetime | None]
    check_in_source: Mapped[str] = mapped_column(String(10))
    check_out_source: Mapped[str | None] = mapped_column(String(10))
    late_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    corrected_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("employee_id", "employees"),
        CheckConstraint(_in("check_in_source", ATTENDANCE_SOURCES), name="check_in_source"),
        CheckConstraint(
            f"check_out_source IS NULL OR {_in('check_out_source', ATTENDANCE_SOURCES)}",
            name="check_out_source",
        ),
        CheckConstraint("check_out_at IS NULL OR check_out_at > check_in_at", name="times"),
        CheckConstraint("late_minutes >= 0", name="late_minutes"),
        Index(None, "tenant_id", "employee_id", "work_date"),
        Index(None, "tenant_id", "work_date"),
        Index(
            "uq_attendance_records_open",
            "tenant_id",
            "employee_id",
            "work_date",
            unique=True,
            postgresql_where=text("check_out_at IS NULL"),
        ),
    )


class WorkSchedule(TenantEntity):
    """The business's working day: when it starts, the grace before a check-in is late,
    and the hours of a full day (Monday to Friday)."""

    __tablename__ = "work_schedules"
    start_time: Mapped[time] = mapped_column(Time)
    grace_minutes: Mapped[int] = mapped_column(SmallInteger)
    daily_hours: Mapped[Decimal]
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("grace_minutes BETWEEN 0 AND 240", name="grace_minutes"),
        CheckConstraint("daily_hours > 0 AND daily_hours <= 12", name="daily_hours"),
    )


class Review(TenantEntity):
    """A performance review: draft → self_assessment → manager_review → completed."""

    __tablename__ = "performance_reviews"
    employee_id: Mapped[UUID]
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    self_feedback: Mapped[str | None] = mapped_column(Text)
    manager_feedback: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    __table_args__ = (
        tenant_fk("employee_id", "employees"),
        CheckConstraint(_in("status", REVIEW_STATUSES), name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("status <> 'completed' OR rating IS NOT NULL", name="completed_rating"),
        UniqueConstraint(
            "tenant_id",
            "employee_id",
            "period_start",
            "period_end",
            name="uq_performance_reviews_period",
        ),
    )


class ReviewGoal(TenantEntity):
    __tablename__ = "review_goals"
    review_id: Mapped[UUID]
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[Decimal | None]  # percent, optional
    achieved: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[int | None] = mapped_column(SmallInteger)  # 1–5
    __table_args__ = (
        tenant_fk("review_id", "performance_reviews", ondelete="CASCADE"),
        CheckConstraint("weight IS NULL OR (weight > 0 AND weight <= 100)", name="weight"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        Index(None, "tenant_id", "review_id"),
    )
