"""Built-in routine work the domain already knows how to do, now done on time: recurring
invoices (daily), quote expiry (daily), the monthly leave accrual (on the 1st, catching
up missed months), and the reminder of leave requests waiting for a decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, select

from automations.kinds import RunContext, automation_kind
from domain.automations.notifications import members_with_roles, notify
from domain.finance.quotes import expire_quotes
from domain.finance.recurring import add_months, generate_due_invoices
from domain.hr import service as hr
from domain.hr.models import Employee, LeaveRequest
from domain.kit.principal import Role

MAX_CATCH_UP_MONTHS = 12


@automation_kind(
    "recurring_invoices",
    label="Factures récurrentes",
    rule="FREQ=DAILY;BYHOUR=6;BYMINUTE=0",
    priority=40,
)
def recurring_invoices(ctx: RunContext) -> dict[str, Any]:
    """Every recurring invoice whose date has come (missed periods caught up one by one,
    posted when the template says so)."""
    made = generate_due_invoices(ctx.session, ctx.principal, ctx.clock)
    return {
        "factures": len(made),
        "validees": sum(1 for i in made if i.status != "draft"),
        "ids": [str(i.id) for i in made],
    }


@automation_kind(
    "quote_expiry",
    label="Expiration des devis",
    rule="FREQ=DAILY;BYHOUR=0;BYMINUTE=15",
    priority=50,
)
def quote_expiry(ctx: RunContext) -> dict[str, Any]:
    return {"devis_expires": expire_quotes(ctx.session, ctx.principal, ctx.clock)}


def months_to_accrue(last_credited: date | None, current: date) -> list[date]:
    """The months ended since the last one credited (first days), oldest first; only
    the month just ended when nothing was credited by this automation yet."""
    just_ended = add_months(current.replace(day=1), -1)
    if last_credited is None:
        return [just_ended]
    months: list[date] = []
    month = add_months(last_credited.replace(day=1), 1)
    while month <= just_ended and len(months) < MAX_CATCH_UP_MONTHS:
        months.append(month)
        month = add_months(month, 1)
    return months


@automation_kind(
    "leave_accrual",
    label="Acquisition mensuelle des congés",
    rule="FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=1;BYMINUTE=0",
    priority=60,
)
def leave_accrual(ctx: RunContext) -> dict[str, Any]:
    """Credit the month just ended; months missed since the last successful run are
    credited too (the domain keeps one accrual per employee, type and month)."""
    previous = ctx.last_success()
    last = None
    if previous is not None and previous.output.get("mois"):
        last = date.fromisoformat(previous.output["mois"][-1])
    months = months_to_accrue(last, ctx.today())
    lines = 0
    for month in months:
        lines += hr.accrue_leave(ctx.session, ctx.principal, ctx.clock, month).lines
    return {"mois": [m.isoformat() for m in months], "lignes": lines}


@automation_kind(
    "approvals_reminder",
    label="Rappel des demandes à valider",
    rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0",
    priority=70,
)
def approvals_reminder(ctx: RunContext) -> dict[str, Any]:
    """Leave requests waiting for a decision, to HR and the managers (nothing when none)."""
    rows = ctx.session.execute(
        select(Employee.name, LeaveRequest.start_date, LeaveRequest.end_date)
        .join(
            Employee,
            and_(
                Employee.tenant_id == LeaveRequest.tenant_id,
                Employee.id == LeaveRequest.employee_id,
            ),
        )
        .where(LeaveRequest.tenant_id == ctx.tenant.id, LeaveRequest.status == "pending")
        .order_by(LeaveRequest.start_date)
    ).all()
    if rows:
        lines = [f"- {name} : du {s:%d/%m/%Y} au {e:%d/%m/%Y}" for name, s, e in rows]
        notify(
            ctx.session,
            ctx.principal,
            ctx.now(),
            members_with_roles(ctx.session, ctx.tenant.id, Role.HR, Role.MANAGER),
            kind="approvals.pending",
            title=f"{len(rows)} demande(s) de congé à valider",
            body="Ces demandes attendent votre décision :\n" + "\n".join(lines),
            dedup_key=f"approvals:{ctx.today().isoformat()}",
        )
    return {"en_attente": len(rows)}


@automation_kind(
    "contract_expiry",
    label="Fin de contrat à prévoir",
    rule="FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
    params={"days_before": 30},
    priority=80,
)
def contract_expiry(ctx: RunContext) -> dict[str, Any]:
    """Contracts ending within ``days_before`` days, each announced once to HR and the
    managers (a CDD to renew, a trainee leaving)."""
    ending = hr.expiring_contracts(
        ctx.session, ctx.principal, ctx.clock, within_days=int(ctx.params["days_before"])
    )
    recipients = members_with_roles(ctx.session, ctx.tenant.id, Role.HR, Role.MANAGER)
    announced = 0
    for contract in ending:
        written = notify(
            ctx.session,
            ctx.principal,
            ctx.now(),
            recipients,
            kind="contract.expiring",
            title=f"Fin de contrat : {contract.employee}",
            body=(
                f"Le contrat ({contract.kind.upper()}) de {contract.employee} se termine le "
                f"{contract.end_date:%d/%m/%Y}, dans {contract.days_left} jour(s)."
            ),
            data={"contract_id": str(contract.contract_id)},
            dedup_key=f"contract-expiry:{contract.contract_id}",
        )
        announced += bool(written)
    return {"contrats": announced}
