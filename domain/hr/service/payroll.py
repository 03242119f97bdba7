"""The month's payroll preparation file: per employee, days worked, hours, leave taken
per type, late arrivals and missing check-outs — what the payroll provider or the
accountant needs. No pay is computed here.

CSV as French-locale Excel opens it (UTF-8 with BOM, ``;``, comma decimals, CR LF), like
the invoice exports; Excel with real numbers, one sheet « Paie MM-AAAA ». Names, codes,
departments and leave type names (headers included) are typed by users: every cell goes
through ``domain.kit.spreadsheet`` so none can become a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from domain.hr import repository as repo
from domain.hr.calendar import days_within, month_bounds
from domain.hr.service._common import PAYROLL, tenant_of
from domain.hr.service.attendance import build_report
from domain.kit.clock import Clock
from domain.kit.principal import Principal
from domain.kit.spreadsheet import append_safe_row, safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_HEADERS = ("Matricule", "Nom", "Service", "Jours travaillés", "Heures")
TAIL_HEADERS = ("Retards", "Départs non pointés")


@dataclass(frozen=True, slots=True)
class PayrollRow:
    code: str
    name: str
    department: str
    worked_days: int
    hours: Decimal
    leave: dict[str, Decimal]  # leave type name → working days taken in the month
    late_arrivals: int
    missing_check_outs: int


def _leave_taken(
    session: Session, principal: Principal, first: date, last: date
) -> dict[object, dict[str, Decimal]]:
    """Employee id → leave type name → approved working days inside the month."""
    country = tenant_of(session, principal).country
    types = repo.leave_types_by_id(session, principal.tenant_id)
    taken: dict[object, dict[str, Decimal]] = {}
    for r in repo.list_leave_requests(
        session,
        principal.tenant_id,
        ids=None,
        employee_id=None,
        statuses=["approved"],
        start=first,
        end=last,
        limit=100_000,
    ):
        days = days_within(
            country, r.start_date, r.end_date, r.starts_afternoon, r.ends_morning, (first, last)
        )
        per_type = taken.setdefault(r.employee_id, {})
        name = types[r.leave_type_id].name
        per_type[name] = per_type.get(name, Decimal(0)) + days
    return taken


def payroll_rows(
    session: Session, principal: Principal, clock: Clock, month: date
) -> tuple[list[PayrollRow], list[str]]:
    """The month's rows and the leave type names that head its columns."""
    principal.require(*PAYROLL)
    first, last = month_bounds(month)
    staff = repo.employees_for_accrual(session, principal.tenant_id, first, last)
    # Everyone on the staff that month gets a row, even someone who has left since and
    # never checked in (on leave, then gone): the report skips those, the payroll must not.
    report = build_report(session, principal, clock, first, last, ids={e.id for e in staff})
    attendance = {a.employee_id: a for a in report.employees}
    names = repo.department_names(
        session, principal.tenant_id, {e.department_id for e in staff if e.department_id}
    )
    taken = _leave_taken(session, principal, first, last)
    rows = [
        PayrollRow(
            code=e.code,
            name=e.name,
            department=names[e.department_id] if e.department_id else "",
            worked_days=a.worked_days if a else 0,
            hours=a.hours if a else Decimal(0),
            leave=taken.get(e.id, {}),
            late_arrivals=a.late_arrivals if a else 0,
            missing_check_outs=a.missing_check_outs if a else 0,
        )
        for e in staff
        for a in [attendance.get(e.id)]
    ]
    types = [
        t.name
        for t in repo.list_leave_types(session, principal.tenant_id, active=None)
        if t.is_active or any(t.name in r.leave for r in rows)
    ]
    return sorted(rows, key=lambda r: r.code), types


def _csv_number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def payroll_csv(rows: list[PayrollRow], types: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row([*FIXED_HEADERS, *types, *TAIL_HEADERS]))
    for r in rows:
        writer.writerow(
            safe_row(
                [
                    r.code,
                    r.name,
                    r.department,
                    r.worked_days,
                    _csv_number(r.hours),
                    *(_csv_number(r.leave.get(t, Decimal(0))) for t in types),
                    r.late_arrivals,
                    r.missing_check_outs,
                ]
            )
        )
    return buffer.getvalue().encode("utf-8-sig")


def payroll_xlsx(rows: list[PayrollRow], types: list[str], month: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has one worksheet
    sheet.title = f"Paie {month:%m-%Y}"
    append_safe_row(sheet, [*FIXED_HEADERS, *types, *TAIL_HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        append_safe_row(
            sheet,
            [
                r.code,
                r.name,
                r.department,
                r.worked_days,
                r.hours,
                *(r.leave.get(t, Decimal(0)) for t in types),
                r.late_arrivals,
                r.missing_check_outs,
            ],
        )
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payroll_export(
    session: Session, principal: Principal, clock: Clock, month: date, fmt: Literal["csv", "xlsx"]
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the month's payroll preparation."""
    rows, types = payroll_rows(session, principal, clock, month)
    name = f"paie-{month:%Y-%m}.{fmt}"
    if fmt == "csv":
        return payroll_csv(rows, types), "text/csv; charset=utf-8", name
    return payroll_xlsx(rows, types, month), XLSX, name
