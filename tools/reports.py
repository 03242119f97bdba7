"""Report tools: the business's key figures for a period.

``reports.generate`` (a PDF or spreadsheet sent or linked) is not here: no report
generation service exists yet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import reports
from tools.base import Effect, Tool, ToolContext, ToolResult, tool
from tools.finance.common import money, period_bounds, period_label


class KpisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(default=None, description="Début de période ; ce mois par défaut.")
    end: date | None = Field(default=None, description="Fin de période (incluse).")


class TopCustomer(BaseModel):
    partner_id: str
    name: str
    invoiced_net: Decimal


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
            best = ", ".join(f"{c.name} ({fmt(c.invoiced_net)})" for c in self.top_customers[:3])
            lines.append(f"- Meilleurs clients : {best}")
        return "\n".join(lines)


@tool("reports.kpis", title="Voir les chiffres clés", effect=Effect.READ, roles=reports.READERS)
def kpis(ctx: ToolContext, args: KpisIn) -> Kpis:
    """Les chiffres clés d'une période : chiffre d'affaires, encaissements, impayés et
    retards, délai moyen de paiement, meilleurs clients. Par défaut : le mois en cours.
    Exemples : « comment vont les affaires ce mois-ci ? », « donne-moi les chiffres clés de
    mars », « tableau de bord de l'année »."""
    start, end = period_bounds(ctx, args.start, args.end)
    result = reports.kpis(ctx.session, ctx.principal, ctx.clock, start=start, end=end)
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
    )


TOOLS: list[Tool] = [kpis]
