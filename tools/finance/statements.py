"""What one customer owes, the VAT of a period, and the VAT rates of the country."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import reports
from domain.finance import vat_summary as vat
from domain.finance.documents.labels import percent
from domain.kit.principal import Role
from domain.sales.service import catalog
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.finance.common import (
    dd_mm_yyyy,
    money,
    period_bounds,
    period_label,
    resolve_customer,
)
from tools.finance.payments import METHOD_PHRASES

# --- customer_balance --------------------------------------------------------------------


class CustomerBalanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(max_length=200, description="Le client, tel que dit (nom, code).")


class CustomerBalanceOut(ToolResult):
    partner_id: str
    customer: str
    currency: str
    owed: Decimal
    overdue: Decimal
    open_invoices: int
    overdue_invoices: int
    credit: Decimal
    last_payment_on: date | None
    last_payment_amount: Decimal | None
    last_payment_method: str | None

    def _money(self, amount: Decimal) -> str:
        return money(amount, self.currency)

    def _owed(self) -> str:
        if self.owed == 0:
            return f"{self.customer} ne vous doit rien."
        count = f"{self.open_invoices} facture{'s' if self.open_invoices > 1 else ''}"
        text = f"{self.customer} vous doit {self._money(self.owed)} ({count} à payer)"
        if self.overdue:
            late = f"{self.overdue_invoices} facture{'s' if self.overdue_invoices > 1 else ''}"
            return text + f", dont {self._money(self.overdue)} en retard ({late})."
        return text + ", rien n'est en retard."

    def render(self) -> str:
        parts = [self._owed()]
        if self.credit > 0:
            parts.append(f"Un crédit de {self._money(self.credit)} reste à son compte.")
        if self.last_payment_on is None or self.last_payment_amount is None:
            parts.append("Aucun paiement reçu de ce client.")
        else:
            how = METHOD_PHRASES.get(self.last_payment_method or "", "")
            parts.append(
                f"Dernier paiement : {self._money(self.last_payment_amount)} {how} le "
                f"{dd_mm_yyyy(self.last_payment_on)}.".replace("  ", " ")
            )
        return " ".join(parts)


@tool(
    "finance.customer_balance",
    title="Voir ce que doit un client",
    effect=Effect.READ,
    roles=(*reports.READERS, Role.SALES),
)
def customer_balance(ctx: ToolContext, args: CustomerBalanceIn) -> CustomerBalanceOut:
    """Ce qu'un client doit aujourd'hui (TTC), dont la part en retard, et son dernier
    paiement (date, montant, moyen).
    Exemples : « combien me doit Diallo ? », « où en est le compte de l'Hôtel Teranga ? »,
    « le solde du client Martin », « Ndiaye a payé quand la dernière fois ? »."""
    partner = resolve_customer(ctx, args.customer)
    b = reports.customer_balance(ctx.session, ctx.principal, ctx.clock, partner.id)
    return CustomerBalanceOut(
        partner_id=str(partner.id),
        customer=partner.name,
        currency=b.currency,
        owed=b.owed,
        overdue=b.overdue,
        open_invoices=b.open_invoices,
        overdue_invoices=b.overdue_invoices,
        credit=b.credit,
        last_payment_on=b.last_payment_on,
        last_payment_amount=b.last_payment_amount,
        last_payment_method=b.last_payment_method,
    )


# --- vat_summary -------------------------------------------------------------------------


class VatSummaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(default=None, description="Début de période ; ce mois par défaut.")
    end: date | None = Field(default=None, description="Fin de période (incluse).")


class VatRate(BaseModel):
    category: str
    rate: Decimal
    base: Decimal
    tax: Decimal


class VatSummaryOut(ToolResult):
    start: date
    end: date
    currency: str
    by_rate: list[VatRate]
    collected: Decimal
    deductible: Decimal
    due: Decimal
    purchases_booked: bool  # whether any deductible VAT was written in the period

    def _money(self, amount: Decimal) -> str:
        return money(amount, self.currency)

    def _rates(self) -> str:
        rows = []
        for r in self.by_rate:
            if r.tax == 0 and r.base == 0:
                continue
            rate = f"{r.rate.normalize():f} %".replace(".", ",")
            label = "exonéré" if r.category == "E" else f"à {rate}"
            rows.append(
                f"\n- {label} : {self._money(r.tax)} sur une base HT de {self._money(r.base)}"
            )
        return "".join(rows)

    def render(self) -> str:
        label = period_label(self.start, self.end)
        text = f"TVA collectée {label} : {self._money(self.collected)}"
        text += " :" + self._rates() if self._rates() else "."
        if self.purchases_booked:
            text += f"\nTVA déductible : {self._money(self.deductible)}."
        else:
            text += (
                f"\nTVA déductible : {self._money(self.deductible)} — aucune TVA sur achats "
                "n'est enregistrée dans les comptes sur la période (aucune facture fournisseur "
                "n'y est saisie)."
            )
        if self.due >= 0:
            text += f"\nTVA due : {self._money(self.due)}."
        else:
            text += f"\nCrédit de TVA : {self._money(-self.due)}."
        return text


@tool(
    "finance.vat_summary",
    title="Voir la TVA d'une période",
    effect=Effect.READ,
    roles=reports.READERS,
)
def vat_summary(ctx: ToolContext, args: VatSummaryIn) -> VatSummaryOut:
    """La TVA d'une période (ce mois par défaut), lue dans les comptes : collectée sur les
    ventes (par taux, avoirs déduits), déductible sur les achats, et la TVA due (collectée
    moins déductible).
    Exemples : « quelle TVA ai-je collectée ce trimestre ? », « combien de TVA je dois
    pour novembre ? », « TVA déductible du mois dernier », « déclaration de TVA de mars »."""
    start, end = period_bounds(ctx, args.start, args.end)
    s = vat.vat_summary(ctx.session, ctx.principal, ctx.clock, start=start, end=end)
    return VatSummaryOut(
        start=s.start,
        end=s.end,
        currency=s.currency,
        by_rate=[
            VatRate(category=r.category, rate=r.rate, base=r.base, tax=r.tax) for r in s.by_rate
        ],
        collected=s.collected,
        deductible=s.deductible,
        due=s.due,
        purchases_booked=s.deductible_entries > 0,
    )


# --- vat_rates ---------------------------------------------------------------------------


class VatRatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VatRateName(BaseModel):
    rate: Decimal
    name: str


class VatRatesOut(ToolResult):
    country: str
    rates: list[VatRateName]

    def render(self) -> str:
        where = {"FR": "en France", "SN": "au Sénégal"}.get(self.country, self.country)
        said = [f"{percent(r.rate)} ({r.name})" for r in self.rates]
        return f"Taux de TVA {where} : {', '.join(said)}."


@tool("finance.vat_rates", title="Voir les taux de TVA", effect=Effect.READ)
def vat_rates(ctx: ToolContext, args: VatRatesIn) -> VatRatesOut:
    """Les taux de TVA du pays de l'entreprise, le taux normal d'abord ; le taux d'un
    produit se lit sur sa fiche.
    Exemples : « quels sont les taux de TVA ? », « la TVA réduite, c'est combien ? »,
    « quels taux de TVA je peux mettre ? »."""
    country, rates = catalog.vat_rates(ctx.session, ctx.principal)
    return VatRatesOut(
        country=country, rates=[VatRateName(rate=rate, name=name) for rate, name in rates]
    )
