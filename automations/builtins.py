"""The automations every business has, on by default, in priority order.

Each one calls the domain's own services as the automation's owner (roles re-checked at
every run) and writes inside the run's transaction. Times are the business's local time.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from automations import report  # noqa: F401 - registers the monthly report
from automations.kinds import RunContext, automation_kind
from domain.automations.models import StockAlert
from domain.automations.notifications import members_with_roles, notify
from domain.finance.models import Invoice, Payment
from domain.hr.models import Employee, LeaveRequest
from domain.kit.money import Currency, Money
from domain.kit.principal import Role
from domain.stock.purchasing.planning import Position, low_stock

OPEN_INVOICE = ("posted", "partially_paid")


def _fr_qty(value: Decimal) -> str:
    value = value.normalize()
    text = format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
    return text.replace(".", ",")


def _money(ctx: RunContext, amount: Decimal) -> str:
    return Money(amount, Currency(ctx.tenant.currency)).format_fr()


# --- stock alert (event-driven) -----------------------------------------------------


@automation_kind(
    "stock_alert",
    label="Alerte de stock bas",
    rule=None,
    events=("stock.moved",),
    priority=10,
)
def stock_alert(ctx: RunContext) -> dict[str, Any]:
    """Products that just went under their minimum are announced to the managers with the
    quantity to reorder; an alert stays open while the product stays under, so later
    moves announce nothing; going back to the minimum closes it (the next crossing
    alerts again)."""
    session, tenant_id = ctx.session, ctx.tenant.id
    under = {(p.product_id, p.warehouse_id): p for p in low_stock(session, ctx.principal)}
    open_alerts = {
        (a.product_id, a.warehouse_id): a
        for a in session.scalars(
            select(StockAlert).where(
                StockAlert.tenant_id == tenant_id, StockAlert.cleared_at.is_(None)
            )
        )
    }
    for key, alert in open_alerts.items():
        if key not in under:
            alert.cleared_at = ctx.now()
    raised = [p for key, p in under.items() if key not in open_alerts]
    for position in raised:
        _raise_stock_alert(ctx, position)
    return {"alertes": len(raised), "levees": len(set(open_alerts) - set(under))}


def _raise_stock_alert(ctx: RunContext, p: Position) -> None:
    suggested = max(p.max_quantity - p.available - p.incoming, Decimal(0))
    alert = StockAlert(
        tenant_id=ctx.tenant.id,
        product_id=p.product_id,
        warehouse_id=p.warehouse_id,
        available=p.available,
        min_quantity=p.min_quantity,
        suggested_quantity=suggested,
    )
    ctx.session.add(alert)
    ctx.session.flush()
    advice = (
        f"Suggestion : commander {_fr_qty(suggested)} {p.unit} pour revenir au maximum "
        f"({_fr_qty(p.max_quantity)})."
        if suggested > 0
        else f"{_fr_qty(p.incoming)} {p.unit} sont déjà en commande."
    )
    notify(
        ctx.session,
        ctx.principal,
        ctx.now(),
        members_with_roles(ctx.session, ctx.tenant.id, Role.MANAGER),
        kind="stock.low",
        title=f"Stock bas : {p.product_name}",
        body=(
            f"« {p.product_name} » est passé sous son minimum dans « {p.warehouse_name} » : "
            f"{_fr_qty(p.available)} {p.unit} disponible(s), minimum {_fr_qty(p.min_quantity)}. "
            + advice
        ),
        data={
            "product_id": str(p.product_id),
            "warehouse_id": str(p.warehouse_id),
            "suggested_quantity": str(suggested),
        },
        dedup_key=f"stock-alert:{alert.id}",
    )


# --- morning digest -----------------------------------------------------------------


@automation_kind(
    "morning_digest",
    label="Résumé du matin",
    rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=30",
    priority=20,
)
def morning_digest(ctx: RunContext) -> dict[str, Any]:
    """Yesterday's sales and cash, what is overdue, stock under minimum and today's
    absences, to the admins and managers."""
    figures = digest_figures(ctx)
    today = ctx.today()
    lines = [
        f"Ventes d'hier : {_money(ctx, figures['ventes_hier'])} "
        f"({figures['factures_hier']} facture(s))",
        f"Encaissé hier : {_money(ctx, figures['encaisse_hier'])}",
        f"En retard : {figures['factures_en_retard']} facture(s), "
        f"{_money(ctx, figures['montant_en_retard'])}",
        f"Produits sous le minimum : {figures['stock_bas']}",
        f"Absents aujourd'hui : {', '.join(figures['absents']) or 'personne'}",
    ]
    notify(
        ctx.session,
        ctx.principal,
        ctx.now(),
        members_with_roles(ctx.session, ctx.tenant.id, Role.MANAGER),
        kind="digest.morning",
        title=f"Votre résumé du {today:%d/%m/%Y}",
        body="\n".join(lines),
        dedup_key=f"digest:{today.isoformat()}",
    )
    return figures


def digest_figures(ctx: RunContext) -> dict[str, Any]:
    session, tenant_id = ctx.session, ctx.tenant.id
    today = ctx.today()
    yesterday = today - timedelta(days=1)
    sales = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.gross_total), 0)).where(
            Invoice.tenant_id == tenant_id,
            Invoice.kind == "invoice",
            Invoice.status.in_((*OPEN_INVOICE, "paid")),
            Invoice.issue_date == yesterday,
        )
    ).one()
    cash = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.tenant_id == tenant_id, Payment.received_on == yesterday
        )
    )
    overdue = session.execute(
        select(
            func.count(), func.coalesce(func.sum(Invoice.gross_total - Invoice.amount_settled), 0)
        ).where(
            Invoice.tenant_id == tenant_id,
            Invoice.status.in_(OPEN_INVOICE),
            Invoice.due_date < today,
        )
    ).one()
    return {
        "ventes_hier": Decimal(sales[1]),
        "factures_hier": int(sales[0]),
        "encaisse_hier": Decimal(cash or 0),
        "factures_en_retard": int(overdue[0]),
        "montant_en_retard": Decimal(overdue[1]),
        "stock_bas": len(low_stock(session, ctx.principal)),
        "absents": _absent_today(session, tenant_id, today),
    }


def _absent_today(session: Session, tenant_id: Any, today: date) -> list[str]:
    return list(
        session.scalars(
            select(Employee.name)
            .join(
                LeaveRequest,
                (LeaveRequest.tenant_id == Employee.tenant_id)
                & (LeaveRequest.employee_id == Employee.id),
            )
            .where(
                Employee.tenant_id == tenant_id,
                LeaveRequest.status == "approved",
                LeaveRequest.start_date <= today,
                LeaveRequest.end_date >= today,
            )
            .order_by(Employee.name)
        )
    )
