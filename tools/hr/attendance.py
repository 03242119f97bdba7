"""Attendance: checking in and out (oneself, now), and the attendance report."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.hr import service as hr
from domain.hr.models import AttendanceRecord, Employee
from domain.hr.schemas import AttendanceEvent
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.hr._common import (
    days_text,
    employee_named,
    fold,
    me,
    period_text,
    source_of,
    today,
    zone_of,
)


class PointIn(BaseModel):
    """Oneself, now — or, for HR correcting a forgotten pointing, someone at an hour past."""

    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(
        default=None, max_length=200, description="Pour qui (RH ; défaut : vous-même)"
    )
    at: datetime | None = Field(
        default=None, description="Heure passée (RH, correction d'un oubli ; défaut : maintenant)"
    )


class PointOut(ToolResult):
    check_out: bool
    attendance_id: str
    employee: str
    at: time
    late_minutes: int = 0
    arrived: time | None = None
    hours: Decimal | None = None

    def preview(self) -> str:
        what = "départ" if self.check_out else "arrivée"
        return f"Pointer l'{what} de {self.employee} à {self.at:%H:%M}."

    def render(self) -> str:
        if self.check_out:
            worked = (
                f" : {days_text(self.hours)} h depuis {self.arrived:%H:%M}" if self.hours else ""
            )
            return f"Départ pointé à {self.at:%H:%M}{worked}. Bonne soirée, {self.employee} !"
        late = f" ({self.late_minutes} min de retard)" if self.late_minutes else ""
        return f"Arrivée pointée à {self.at:%H:%M}{late}. Bonne journée, {self.employee} !"


def _point_out(ctx: ToolContext, r: AttendanceRecord, name: str, check_out: bool) -> PointOut:
    zone = zone_of(ctx)
    moment = r.check_out_at if check_out and r.check_out_at else r.check_in_at
    return PointOut(
        check_out=check_out, attendance_id=str(r.id), employee=name,
        at=moment.astimezone(zone).time().replace(second=0, microsecond=0),
        late_minutes=r.late_minutes,
        arrived=r.check_in_at.astimezone(zone).time().replace(second=0, microsecond=0),
        hours=hr.hours_of(r),
    )  # fmt: skip


def _event(ctx: ToolContext, args: PointIn) -> tuple[Employee, AttendanceEvent]:
    """Who points and when; the service checks that only HR points for someone else or
    at an hour other than now."""
    employee = employee_named(ctx, args.employee, "employee") if args.employee else me(ctx)
    event = AttendanceEvent(
        source=source_of(ctx),
        employee_id=employee.id if args.employee else None,
        at=args.at,
    )
    return employee, event


@tool(
    "hr.check_in",
    title="Pointer son arrivée",
    effect=Effect.WRITE,
    low_risk=True,
    at_request=True,
    creates="attendance",
)
def check_in(ctx: ToolContext, args: PointIn) -> PointOut:
    """Pointe votre arrivée, maintenant ; les RH pointent aussi l'arrivée oubliée d'un
    employé, à l'heure dite.

    Exemples : « je suis arrivé », « pointage arrivée », « bonjour, je commence »,
    « Awa est arrivée à 8h05, pointe-la »."""
    employee, event = _event(ctx, args)
    record = hr.check_in(ctx.session, ctx.principal, ctx.clock, event)
    return _point_out(ctx, record, employee.name, False)


@tool(
    "hr.check_out",
    title="Pointer son départ",
    effect=Effect.WRITE,
    low_risk=True,
    at_request=True,
    creates="attendance",
)
def check_out(ctx: ToolContext, args: PointIn) -> PointOut:
    """Pointe votre départ, maintenant ; les RH pointent aussi le départ oublié d'un
    employé, à l'heure dite.

    Exemples : « je pars », « pointage départ », « j'ai fini pour aujourd'hui »."""
    employee, event = _event(ctx, args)
    record = hr.check_out(ctx.session, ctx.principal, ctx.clock, event)
    return _point_out(ctx, record, employee.name, True)


class AttendanceReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(default=None, max_length=200, description="Un employé")
    department: str | None = Field(default=None, max_length=100, description="Un service")
    start_date: date | None = Field(default=None, description="Début (défaut : début du mois)")
    end_date: date | None = Field(default=None, description="Fin (défaut : aujourd'hui)")
    not_checked_in: bool = Field(
        default=False,
        description="Qui était attendu et n'a pas pointé son arrivée ce jour-là (start_date, "
        "aujourd'hui par défaut), hors congés, week-ends et jours fériés.",
    )


class AttendanceLine(BaseModel):
    employee: str
    worked_days: int
    hours: Decimal
    late_arrivals: int
    late_minutes: int = 0  # over the period, all late arrivals together
    missing_check_outs: int

    def line(self) -> str:
        late = f" ({self.late_minutes} min)" if self.late_minutes else ""
        extra = [
            f"{self.late_arrivals} retard(s){late}" if self.late_arrivals else "",
            f"{self.missing_check_outs} départ(s) non pointé(s)" if self.missing_check_outs else "",
        ]
        notes = "".join(f", {e}" for e in extra if e)
        return f"- {self.employee} : {self.worked_days} jour(s), {days_text(self.hours)} h{notes}"


_WEEKEND = ("samedi", "dimanche")


class NotCheckedInPart(BaseModel):
    """Who was expected on one day and did not check in."""

    working_day: bool
    employees: list[str]
    on_leave: int

    def render(self, day: date) -> str:
        when = period_text(day, day)
        if not self.working_day:
            why = f"c'est un {_WEEKEND[day.weekday() - 5]}, " if day.weekday() >= 5 else "ce n'est "
            return f"Personne n'est attendu {when} : {why}pas un jour travaillé."
        leave = f" ({self.on_leave} en congé, non compté(s))" if self.on_leave else ""
        if not self.employees:
            return f"Tout le monde a pointé {when}{leave}."
        count = len(self.employees)
        head = f"{count} personne{'s' if count > 1 else ''} n'{'ont' if count > 1 else 'a'} "
        rows = "\n".join(f"- {name}" for name in self.employees[:20])
        more = f"\n… et {count - 20} autre(s)." if count > 20 else ""
        return f"{head}pas pointé {when}{leave} :\n{rows}{more}"


class AttendanceReportOut(ToolResult):
    start_date: date
    end_date: date
    employees: list[AttendanceLine]
    not_checked_in: NotCheckedInPart | None = None

    def render(self) -> str:
        if self.not_checked_in is not None:
            return self.not_checked_in.render(self.start_date)
        when = period_text(self.start_date, self.end_date)
        if not self.employees:
            return f"Aucune présence {when}."
        rows = "\n".join(e.line() for e in self.employees[:10])
        more = f"\n… et {len(self.employees) - 10} autre(s)." if len(self.employees) > 10 else ""
        return f"Présences {when} :\n{rows}{more}"


def _department(ctx: ToolContext, name: str) -> UUID:
    departments = hr.list_departments(ctx.session, ctx.principal)
    for d in departments:
        if fold(d.name) == fold(name):
            return d.id
    names = [d.name for d in departments]
    raise AskBack(f"Service inconnu : « {name} ». Lequel ?", field="department", options=names)


def _not_checked_in(ctx: ToolContext, args: AttendanceReportIn) -> AttendanceReportOut:
    found = hr.not_checked_in(
        ctx.session, ctx.principal, ctx.clock, args.start_date or args.end_date,
        department_id=_department(ctx, args.department) if args.department else None,
    )  # fmt: skip
    part = NotCheckedInPart(
        working_day=found.working_day,
        employees=[e.name for e in found.employees],
        on_leave=found.on_leave,
    )
    return AttendanceReportOut(
        start_date=found.day, end_date=found.day, employees=[], not_checked_in=part
    )


@tool("hr.attendance_report", title="Rapport de présence", effect=Effect.READ)
def attendance_report(ctx: ToolContext, args: AttendanceReportIn) -> AttendanceReportOut:
    """Résume les présences sur une période (ce mois par défaut) : jours, heures, retards,
    départs non pointés, pour un employé, un service ou toute l'équipe visible.

    Ou, pour un jour (aujourd'hui par défaut), qui était attendu et n'a pas pointé.

    Exemples : « les présences de la semaine », « combien d'heures a fait Awa en mars ? »,
    « les retards du service Ventes ce mois-ci », « qui manque à l'appel ce matin ? »."""
    if args.not_checked_in:
        return _not_checked_in(ctx, args)
    end = args.end_date or today(ctx)
    start = args.start_date or end.replace(day=1)
    employee = employee_named(ctx, args.employee, "employee") if args.employee else None
    report = hr.attendance_report(
        ctx.session, ctx.principal, ctx.clock, start, end,
        employee_id=employee.id if employee else None,
        department_id=_department(ctx, args.department) if args.department else None,
    )  # fmt: skip
    lines = [
        AttendanceLine.model_validate(e, from_attributes=True).model_copy(
            update={"late_minutes": sum(d.late_minutes for d in e.days)}
        )
        for e in report.employees
    ]
    return AttendanceReportOut(start_date=start, end_date=end, employees=lines)
