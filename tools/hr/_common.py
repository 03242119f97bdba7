"""What the HR tools share: resolving an employee, the caller's own record, dates shown
the French way."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from domain.hr import service as hr
from domain.hr.errors import NoLinkedEmployee
from domain.hr.models import Employee
from domain.hr.schemas import AttendanceSource
from domain.identity import repository as identity_repo
from domain.identity.models import Tenant
from domain.kit.principal import Channel
from domain.kit.text import fold
from tools.base import AskBack, ToolContext, resolving
from tools.sales._common import zone_of

__all__ = ["fold", "zone_of"]


def tenant_of(ctx: ToolContext) -> Tenant:
    tenant = identity_repo.get_tenant(ctx.session, ctx.principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant


def today(ctx: ToolContext) -> date:
    return ctx.clock.now().astimezone(zone_of(ctx)).date()


def employee_named(ctx: ToolContext, name: str, field: str) -> Employee:
    """The employee a person names (« Awa », « Moussa Diop », « E00012 »), among those the
    caller may see; a question back when several match or none."""
    with resolving(field):
        return hr.resolve_employee(ctx.session, ctx.principal, name)


def me(ctx: ToolContext) -> Employee:
    """The caller's own employee record (« mon solde », « je pose lundi »)."""
    own = hr.scope_of(ctx.session, ctx.principal).self_id
    if own is None:
        raise NoLinkedEmployee()
    return hr.get_employee(ctx.session, ctx.principal, own)


def employee_or_me(ctx: ToolContext, name: str | None, field: str = "employee") -> Employee:
    return employee_named(ctx, name, field) if name else me(ctx)


def department_id(ctx: ToolContext, name: str) -> tuple[str, bool]:
    """The id of the department a person names, and whether it is new (HR creates it). A
    shortened name (« la compta », « logist ») is the one department it begins."""
    wanted = fold(name).strip()
    departments = hr.list_departments(ctx.session, ctx.principal)
    for d in departments:
        if fold(d.name) == wanted:
            return str(d.id), False
    short = re.sub(r"^(?:le|la|les|l')\s*(?=\w)", "", wanted)
    begun = [d for d in departments if len(short) >= 4 and fold(d.name).startswith(short)]
    if len(begun) == 1:
        return str(begun[0].id), False
    if not wanted:
        raise AskBack("Quel service ?", field="department")
    return str(hr.ensure_department(ctx.session, ctx.principal, name).id), True


def days_text(value: Decimal) -> str:
    """« 2 », « 2,5 »: a number of days or hours as a sentence shows it."""
    return f"{value.normalize():f}".replace(".", ",")


def period_text(
    start: date, end: date, *, starts_afternoon: bool = False, ends_morning: bool = False
) -> str:
    first = f"{start:%d/%m/%Y}" + (" après-midi" if starts_afternoon else "")
    last = f"{end:%d/%m/%Y}" + (" midi" if ends_morning else "")
    if start == end and not (starts_afternoon or ends_morning):
        return f"le {first}"
    if start == end:
        return f"le {start:%d/%m/%Y} ({'après-midi' if starts_afternoon else 'matin'})"
    return f"du {first} au {last}"


def source_of(ctx: ToolContext) -> AttendanceSource:
    """Where a check-in comes from, for the attendance record."""
    return "whatsapp" if ctx.principal.channel is Channel.WHATSAPP else "web"
