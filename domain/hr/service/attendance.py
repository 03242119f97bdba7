"""Attendance: check-in and check-out, the work schedule, and reports of hours, late
arrivals and missing check-outs.

- Times come from the injected clock. HR may give an explicit time (a correction), taken
  as the tenant's local time when it has no offset; never a time in the future.
- A record belongs to the local date of its check-in. One record per employee and day may
  be open: a second check-in that day is refused until the check-out, and a check-out with
  no open record that day is refused. Several records a day (a lunch break) are fine.
- A record of a previous day still open is a *missing check-out*: it does not block
  today's check-in (the employee would be stuck), it is reported, and HR closes it with an
  explicit time.
- The first check-in of a working day is late when it is after the schedule's start plus
  the grace minutes; ``late_minutes`` counts from the start and is kept on the record, so
  changing the schedule later does not rewrite history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.calendar import is_working_day
from domain.hr.errors import AlreadyCheckedIn, NotCheckedIn
from domain.hr.models import AttendanceRecord, Employee, WorkSchedule
from domain.hr.schemas import (
    AttendanceEvent,
    AttendanceReport,
    DayAttendance,
    EmployeeAttendance,
    WorkScheduleUpdate,
)
from domain.hr.service._common import (
    HR,
    linked_employee,
    local,
    local_time,
    require_employee,
    required,
    scope_of,
    tenant_of,
    today,
    visible_employee,
    zone,
)
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.principal import Principal

CENT = Decimal("0.01")
REPORT_MAX_DAYS = 366


def get_work_schedule(session: Session, principal: Principal) -> WorkSchedule:
    schedule = repo.work_schedule(session, principal.tenant_id)
    assert schedule is not None  # every business gets one at sign-up
    return schedule


def update_work_schedule(
    session: Session, principal: Principal, data: WorkScheduleUpdate
) -> WorkSchedule:
    principal.require(*HR)
    schedule = get_work_schedule(session, principal)
    changes = data.model_dump(exclude_unset=True)
    required(changes, *changes)
    before = row_state(schedule)
    for key, value in changes.items():
        setattr(schedule, key, value)
    session.flush()
    record_change(
        session,
        principal,
        schedule,
        "work_schedule.updated",
        "work_schedule.update",
        before=before,
    )
    return schedule


def _seconds(r: AttendanceRecord) -> int:
    return 0 if r.check_out_at is None else int((r.check_out_at - r.check_in_at).total_seconds())


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(CENT)


def hours_of(r: AttendanceRecord) -> Decimal | None:
    """Hours of a closed record, to the hundredth (None while open)."""
    return None if r.check_out_at is None else _hours(_seconds(r))


def _pointing(
    session: Session, principal: Principal, clock: Clock, data: AttendanceEvent
) -> tuple[Tenant, Employee, datetime]:
    """Who is pointing (oneself, or anyone for HR) and when (now, or HR's correction)."""
    tenant = tenant_of(session, principal)
    is_hr = principal.has_any(*HR)
    employee_id = data.employee_id or linked_employee(session, principal).id
    require_employee(session, principal, employee_id)  # another business's: 404, not 403
    if not is_hr and employee_id != scope_of(session, principal).self_id:
        raise PermissionDenied("Vous ne pouvez pointer que pour vous-même.")
    now = clock.now().astimezone(zone(tenant))
    moment = now
    if data.at is not None:
        if not is_hr:
            raise PermissionDenied("Seuls les RH corrigent un pointage à une heure donnée.")
        moment = local(tenant, data.at)
        if moment > now:
            raise InvalidInput("Impossible de pointer à une heure future.", field="at")
    employee = require_employee(session, principal, employee_id, lock=True)
    if not employee.is_active:
        raise InvalidInput(f"{employee.name} a quitté l'entreprise.", field="employee_id")
    return tenant, employee, moment


def _late_minutes(tenant: Tenant, schedule: WorkSchedule, moment: datetime) -> int:
    if not is_working_day(tenant.country, moment.date()):
        return 0
    start = datetime.combine(moment.date(), schedule.start_time, tzinfo=moment.tzinfo)
    late = moment - start
    if late <= timedelta(minutes=schedule.grace_minutes):
        return 0
    return int(late.total_seconds() // 60)


def _morning_on_leave(session: Session, employee: Employee, day: date) -> bool:
    """An approved leave covers the morning of ``day`` (say a half day ending at noon):
    arriving in the afternoon is then not a late arrival."""
    leaves = repo.list_leave_requests(
        session,
        employee.tenant_id,
        ids=None,
        employee_id=employee.id,
        statuses=["approved"],
        start=day,
        end=day,
    )
    return any(not (r.start_date == day and r.starts_afternoon) for r in leaves)


def check_in(
    session: Session, principal: Principal, clock: Clock, data: AttendanceEvent
) -> AttendanceRecord:
    tenant, employee, moment = _pointing(session, principal, clock, data)
    day = moment.date()
    records = repo.records_on(session, tenant.id, employee.id, day)
    open_one = next((r for r in records if r.check_out_at is None), None)
    if open_one is not None:
        raise AlreadyCheckedIn(
            f"Arrivée de {employee.name} déjà pointée à "
            f"{local_time(tenant, open_one.check_in_at):%H:%M} : pointez d'abord le départ."
        )
    late = 0
    if not records and not _morning_on_leave(session, employee, day):
        late = _late_minutes(tenant, get_work_schedule(session, principal), moment)
    attendance = AttendanceRecord(
        tenant_id=tenant.id,
        id=uuid7(),
        employee_id=employee.id,
        work_date=day,
        check_in_at=moment,
        check_in_source=data.source,
        late_minutes=late,
        corrected_by=principal.user_id if data.at else None,
    )
    session.add(attendance)
    session.flush()
    record_change(
        session,
        principal,
        attendance,
        "attendance.checked_in",
        "attendance.check_in",
        employee_id=employee.id,
        source=data.source,
        late_minutes=attendance.late_minutes,
    )
    return attendance


def check_out(
    session: Session, principal: Principal, clock: Clock, data: AttendanceEvent
) -> AttendanceRecord:
    tenant, employee, moment = _pointing(session, principal, clock, data)
    records = repo.records_on(session, tenant.id, employee.id, moment.date())
    attendance = next((r for r in records if r.check_out_at is None), None)
    if attendance is None:
        raise NotCheckedIn(
            f"Aucune arrivée de {employee.name} pointée le {moment:%d/%m/%Y} : "
            "pointez d'abord l'arrivée."
        )
    if moment <= attendance.check_in_at:
        arrived = local_time(tenant, attendance.check_in_at)
        raise InvalidInput(f"Le départ doit suivre l'arrivée ({arrived:%H:%M}).", field="at")
    before = row_state(attendance)
    attendance.check_out_at, attendance.check_out_source = moment, data.source
    if data.at is not None:
        attendance.corrected_by = principal.user_id
    session.flush()
    record_change(
        session,
        principal,
        attendance,
        "attendance.checked_out",
        "attendance.check_out",
        before=before,
        employee_id=employee.id,
        source=data.source,
    )
    return attendance


def _day(tenant: Tenant, records: list[AttendanceRecord], current: date) -> DayAttendance:
    outs = [r.check_out_at for r in records if r.check_out_at is not None]
    return DayAttendance(
        day=records[0].work_date,
        first_check_in=local_time(tenant, min(r.check_in_at for r in records)),
        last_check_out=local_time(tenant, max(outs) if outs else None),
        hours=_hours(sum(_seconds(r) for r in records)),  # rounded once a day
        late_minutes=records[0].late_minutes,
        missing_check_out=any(r.check_out_at is None and r.work_date < current for r in records),
    )


def _employee_attendance(
    tenant: Tenant, employee: Employee, records: list[AttendanceRecord], current: date
) -> EmployeeAttendance:
    by_day: dict[date, list[AttendanceRecord]] = defaultdict(list)
    for r in records:
        by_day[r.work_date].append(r)
    days = [_day(tenant, by_day[d], current) for d in sorted(by_day)]
    weekly: dict[str, Decimal] = defaultdict(Decimal)
    for d in days:
        iso = d.day.isocalendar()
        weekly[f"{iso.year}-W{iso.week:02d}"] += d.hours
    return EmployeeAttendance(
        employee_id=employee.id,
        employee=employee.name,
        worked_days=len(days),
        hours=sum((d.hours for d in days), Decimal(0)),
        late_arrivals=sum(1 for d in days if d.late_minutes > 0),
        missing_check_outs=sum(1 for d in days if d.missing_check_out),
        weekly_hours=dict(weekly),
        days=days,
    )


def build_report(
    session: Session,
    principal: Principal,
    clock: Clock,
    start: date,
    end: date,
    *,
    ids: set[UUID] | frozenset[UUID] | None,
    department_id: UUID | None = None,
) -> AttendanceReport:
    """The report over employees ``ids`` (None: everyone); the caller checked the rights."""
    if end < start or (end - start).days > REPORT_MAX_DAYS:
        raise InvalidInput("Période invalide (un an au plus, la fin après le début).")
    staff, _ = repo.list_employees(
        session,
        principal.tenant_id,
        ids=ids,
        department_id=department_id,
        active=None,
        limit=100_000,
        offset=0,
    )
    records = repo.attendance_between(
        session, principal.tenant_id, [e.id for e in staff], start, end
    )
    by_employee: dict[UUID, list[AttendanceRecord]] = defaultdict(list)
    for r in records:
        by_employee[r.employee_id].append(r)
    tenant = tenant_of(session, principal)
    current = today(tenant, clock)
    return AttendanceReport(
        start=start,
        end=end,
        employees=[
            _employee_attendance(tenant, e, by_employee[e.id], current)
            for e in staff
            if e.is_active or by_employee[e.id]
        ],
    )


def attendance_report(
    session: Session,
    principal: Principal,
    clock: Clock,
    start: date,
    end: date,
    *,
    employee_id: UUID | None = None,
    department_id: UUID | None = None,
) -> AttendanceReport:
    """Per employee the caller may see (one, a department, or all): days present, daily
    and weekly hours, late arrivals and missing check-outs between ``start`` and ``end``."""
    scope = scope_of(session, principal)
    ids = scope.visible
    if employee_id is not None:
        ids = frozenset({visible_employee(session, principal, employee_id, scope).id})
    return build_report(session, principal, clock, start, end, ids=ids, department_id=department_id)


def missing_check_outs(
    session: Session, principal: Principal, clock: Clock, *, days: int = 31
) -> list[AttendanceRecord]:
    """Records of the last ``days`` days (before today) left without a check-out."""
    tenant = tenant_of(session, principal)
    current = today(tenant, clock)
    ids = scope_of(session, principal).visible
    records = repo.attendance_between(
        session, tenant.id, ids, current - timedelta(days=days), current - timedelta(days=1)
    )
    return [r for r in records if r.check_out_at is None]


@dataclass(frozen=True, slots=True)
class MissingCheckIns:
    day: date
    working_day: bool  # False: a weekend or a public holiday, nobody is expected
    employees: list[Employee]  # expected that day and without any check-in, by name
    on_leave: int  # expected staff left out because on approved leave that day


def not_checked_in(
    session: Session,
    principal: Principal,
    clock: Clock,
    day: date | None = None,
    *,
    department_id: UUID | None = None,
) -> MissingCheckIns:
    """Who among the staff the caller may see was expected at work on ``day`` (today by
    default) and has no check-in that day. Expected: active, hired by then and not gone,
    on a working day, and not on approved leave touching the day (a half day included:
    the person may come for the other half, a check-in is then no surprise either)."""
    tenant = tenant_of(session, principal)
    current = today(tenant, clock)
    day = day or current
    if day > current:
        raise InvalidInput("Impossible de savoir aujourd'hui qui pointera un jour à venir.")
    if not is_working_day(tenant.country, day):
        return MissingCheckIns(day, False, [], 0)
    ids = scope_of(session, principal).visible
    staff, _ = repo.list_employees(
        session, tenant.id, ids=ids, department_id=department_id, active=True,
        limit=100_000, offset=0,
    )  # fmt: skip
    expected = [e for e in staff if e.hire_date <= day and (e.left_on is None or e.left_on >= day)]
    leave = repo.list_leave_requests(
        session, tenant.id, ids=ids, employee_id=None, statuses=["approved"], start=day, end=day
    )
    away = {r.employee_id for r in leave}
    present = {
        r.employee_id
        for r in repo.attendance_between(session, tenant.id, [e.id for e in expected], day, day)
    }
    missing = [e for e in expected if e.id not in away and e.id not in present]
    return MissingCheckIns(
        day=day,
        working_day=True,
        employees=sorted(missing, key=lambda e: e.name),
        on_leave=sum(1 for e in expected if e.id in away),
    )
