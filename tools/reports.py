"""Report tools: the business's key figures for a period.

``reports.kpis`` gathers what a manager looks at first: revenue, collected, unpaid and
overdue, best customers, and — for a period that includes today, each when the user may
see it — the products under their reorder minimum and who is away.

``reports.generate`` (a PDF or spreadsheet sent or linked) is not here: no report
generation service exists yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import reports
from domain.hr import service as hr
from domain.stock.purchasing import service as purchasing
from tools.base import Effect, Tool, ToolContext, ToolResult, tool
from tools.finance.common import money, period_bounds, period_label, today
from tools.stock._common import amount

# Absences are listed over the period when it is a week at most, else for today.
ABSENCE_WINDOW_DAYS = 7
STOCK_ALERTS_SHOWN = 5
ABSENCES_SHOWN = 8


class KpisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(default=None, description="Début de période ; ce mois par défaut.")
    end: date | None = Field(default=None, description="Fin de période (incluse).")
    top: int = Field(
        default=3, ge=1, le=20, description="Combien de meilleurs clients montrer (« top 5 »)."
    )


class TopCustomer(BaseModel):
    partner_id: str
    name: str
    invoiced_net: Decimal


class StockAlert(BaseModel):
    product: str
    unit: str
    warehouse: str
    available: Decimal
    min_quantity: Decimal

    def text(self) -> str:
        return (
            f"{self.product} ({amount(self.available, self.unit)} pour un minimum de "
            f"{amount(self.min_quantity, self.unit)})"
        )


class Absence(BaseModel):
    employee: str
    leave_type: str
    start_date: date
    end_date: date

    def text(self) -> str:
        if self.start_date == self.end_date:
            return f"{self.employee} ({self.leave_type}, le {self.start_date:%d/%m})"
        return (
            f"{self.employee} ({self.leave_type}, du {self.start_date:%d/%m} "
            f"au {self.end_date:%d/%m})"
        )


class Kpis(ToolResult):
    start: date
    end: date
    currency: str
    invoiced_net: Decimal
    collected: Decimal
    unpaid: Decimal
    overdue: Decimal
    overdue_count: int
    dso_days: Decimal | None
    top_customers: list[TopCustomer]
    # None: not shown (a period without today, or a role that may not see them).
    stock_alerts: list[StockAlert] | None = None
    absences: list[Absence] | None = None
    absences_start: date | None = None
    absences_end: date | None = None

    def render(self) -> str:
        def fmt(amount: Decimal) -> str:
            return money(amount, self.currency)

        label = period_label(self.start, self.end)
        lines = [
            f"Chiffres clés {label} :",
            f"- Chiffre d'affaires HT : {fmt(self.invoiced_net)}",
            f"- Encaissé : {fmt(self.collected)}",
            f"- Reste à encaisser (toutes périodes) : {fmt(self.unpaid)}",
        ]
        if self.overdue_count:
            plural = "s" if self.overdue_count > 1 else ""
            lines.append(
                f"- En retard : {fmt(self.overdue)} sur {self.overdue_count} facture{plural}"
            )
        if self.dso_days is not None:
            days = f"{self.dso_days.normalize():f}".replace(".", ",")
            lines.append(f"- Délai moyen de paiement : {days} jours")
        if self.top_customers:
            best = ", ".join(f"{c.name} ({fmt(c.invoiced_net)})" for c in self.top_customers)
            lines.append(f"- Meilleurs clients : {best}")
        lines += self._stock_lines() + self._absence_lines()
        return "\n".join(lines)

    def _stock_lines(self) -> list[str]:
        if self.stock_alerts is None:
            return []
        if not self.stock_alerts:
            return ["- Stock : aucun produit sous son minimum"]
        count = len(self.stock_alerts)
        shown = ", ".join(a.text() for a in self.stock_alerts[:STOCK_ALERTS_SHOWN])
        more = f" et {count - STOCK_ALERTS_SHOWN} autres" if count > STOCK_ALERTS_SHOWN else ""
        plural = "s" if count > 1 else ""
        return [f"- Stock en alerte ({count} produit{plural} sous le minimum) : {shown}{more}"]

    def _absence_lines(self) -> list[str]:
        if self.absences is None or self.absences_start is None or self.absences_end is None:
            return []
        when = (
            "aujourd'hui"
            if self.absences_start == self.absences_end
            else f"du {self.absences_start:%d/%m} au {self.absences_end:%d/%m}"
        )
        if not self.absences:
            return [f"- Absents {when} : personne"]
        shown = ", ".join(a.text() for a in self.absences[:ABSENCES_SHOWN])
        more = (
            f" et {len(self.absences) - ABSENCES_SHOWN} autres"
            if len(self.absences) > ABSENCES_SHOWN
            else ""
        )
        return [f"- Absents {when} : {shown}{more}"]


@tool("reports.kpis", title="Voir les chiffres clés", effect=Effect.READ, roles=reports.READERS)
def kpis(ctx: ToolContext, args: KpisIn) -> Kpis:
    """Les chiffres clés d'une période : chiffre d'affaires, encaissements, impayés et
    retards, délai moyen de paiement, meilleurs clients ; et, pour une période qui comprend
    aujourd'hui, les produits sous leur stock minimum et les absents. Par défaut : le mois
    en cours. Exemples : « comment vont les affaires ce mois-ci ? », « donne-moi les
    chiffres clés de mars », « fais-moi le point : ventes, ruptures et absents »."""
    start, end = period_bounds(ctx, args.start, args.end)
    result = reports.kpis(ctx.session, ctx.principal, ctx.clock, start=start, end=end, top=args.top)
    now = today(ctx)
    current = start <= now <= end
    absences_start, absences_end = _absence_window(start, end, now)
    return Kpis(
        start=result.start,
        end=result.end,
        currency=result.currency,
        invoiced_net=result.invoiced_net,
        collected=result.collected,
        unpaid=result.unpaid,
        overdue=result.overdue,
        overdue_count=result.overdue_count,
        dso_days=result.dso_days,
        top_customers=[
            TopCustomer(partner_id=str(c.partner_id), name=c.name, invoiced_net=c.invoiced_net)
            for c in result.top_customers
        ],
        stock_alerts=_stock_alerts(ctx) if current else None,
        absences=_absences(ctx, absences_start, absences_end) if current else None,
        absences_start=absences_start if current else None,
        absences_end=absences_end if current else None,
    )


def _absence_window(start: date, end: date, now: date) -> tuple[date, date]:
    """The period itself when it is a week at most (« cette semaine »), else today."""
    if end - start < timedelta(days=ABSENCE_WINDOW_DAYS):
        return max(start, now), end
    return now, now


def _stock_alerts(ctx: ToolContext) -> list[StockAlert] | None:
    """Products under their reorder minimum (``stock.low_stock``), for those who may see it."""
    if not ctx.principal.has_any(*purchasing.READERS):
        return None
    return [
        StockAlert(
            product=p.product_name,
            unit=p.unit,
            warehouse=p.warehouse_name,
            available=p.available,
            min_quantity=p.min_quantity,
        )
        for p in purchasing.low_stock(ctx.session, ctx.principal)
    ]


def _absences(ctx: ToolContext, start: date, end: date) -> list[Absence]:
    """Approved leave over the window among the staff this user may see
    (``hr.who_is_absent``)."""
    return [
        Absence(
            employee=a.employee,
            leave_type=a.leave_type_name,
            start_date=a.start_date,
            end_date=a.end_date,
        )
        for a in hr.who_is_absent(ctx.session, ctx.principal, start, end)
    ]


TOOLS: list[Tool] = [kpis]
