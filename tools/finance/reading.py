"""Finance questions: invoices listed or detailed, revenue, what customers owe."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import invoices, reports
from domain.finance.models import Invoice
from domain.finance.schemas import PaymentMethod
from domain.sales import service as sales
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.finance.common import (
    KIND_LABELS,
    MONTHS,
    dd_mm_yyyy,
    find_invoice,
    money,
    period_bounds,
    period_label,
    resolve_customer,
    tenant_currency,
    today,
)
from tools.finance.invoices import STATUS_LABELS, InvoiceRef, InvoiceView, invoice_view
from tools.finance.payments import METHOD_PHRASES

OPEN = ("posted", "partially_paid")
ListStatus = Literal["draft", "open", "overdue", "paid", "cancelled"]

# --- list_invoices -----------------------------------------------------------------------


class ListInvoicesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str | None = Field(default=None, max_length=200, description="Client, tel que dit.")
    status: ListStatus | None = Field(
        default=None,
        description="draft (brouillons), open (à payer), overdue (en retard), paid (payées), "
        "cancelled (annulées).",
    )
    start: date | None = Field(default=None, description="Émises à partir de cette date.")
    end: date | None = Field(default=None, description="Émises jusqu'à cette date.")
    overdue_days: int | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="En retard de plus de ce nombre de jours après l'échéance (« en retard "
        "de plus de 30 jours » : 30). Implique les factures en retard.",
    )
    due_within_days: int | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="À payer avec une échéance d'ici ce nombre de jours (« ce qui doit rentrer "
        "dans les 30 prochains jours » : 30). Implique les factures à payer.",
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de factures.")


class InvoiceRow(BaseModel):
    invoice_id: str
    number: str | None
    kind: str
    customer: str
    status: str
    issue_date: date
    due_date: date | None
    gross_total: Decimal
    balance: Decimal
    is_overdue: bool

    def line(self, currency: str) -> str:
        parts = [
            self.number or "brouillon",
            self.customer,
            dd_mm_yyyy(self.issue_date),
            f"{money(self.gross_total, currency)} TTC",
        ]
        if self.kind == "credit_note":
            parts[0] = f"avoir {parts[0]}"
        elif self.status in ("posted", "partially_paid"):
            parts.append(f"reste {money(self.balance, currency)}")
            if self.due_date is not None:
                parts.append(f"échéance le {dd_mm_yyyy(self.due_date)}")
        parts.append("en retard" if self.is_overdue else STATUS_LABELS.get(self.status, ""))
        return "- " + " · ".join(p for p in parts if p)


class InvoiceList(ToolResult):
    currency: str
    invoices: list[InvoiceRow]
    total_balance: Decimal
    overdue_days: int | None = None
    due_within_days: int | None = None

    def render(self) -> str:
        late = (
            f" en retard de plus de {self.overdue_days} jour{'s' if self.overdue_days > 1 else ''}"
            if self.overdue_days is not None
            else ""
        )
        if self.due_within_days is not None:
            late = f" à échéance d'ici {self.due_within_days} jours"
        if not self.invoices:
            return f"Aucune facture{late}." if late else "Aucune facture ne correspond."
        count = len(self.invoices)
        head = f"{count} facture{'s' if count > 1 else ''}{late}"
        if self.total_balance:
            head += f", reste dû {money(self.total_balance, self.currency)}"
        return head + " :\n" + "\n".join(x.line(self.currency) for x in self.invoices[:10])


def _listed(ctx: ToolContext, args: ListInvoicesIn, partner_id: UUID | None) -> list[Invoice]:
    if args.overdue_days is not None:
        return reports.overdue_invoices(
            ctx.session,
            ctx.principal,
            ctx.clock,
            more_than_days=args.overdue_days,
            partner_id=partner_id,
            start=args.start,
            end=args.end,
            limit=args.limit,
        )
    filters: dict[str, object] = {"partner_id": partner_id, "start": args.start, "end": args.end}
    if args.due_within_days is not None:
        # what is to come in: invoices still to pay, due from today to that many days ahead
        day = today(ctx)
        horizon = day + timedelta(days=args.due_within_days)
        wide = args.model_copy(update={"status": "open", "due_within_days": None, "limit": 50})
        coming = [
            x for x in _listed(ctx, wide, partner_id) if x.due_date and day <= x.due_date <= horizon
        ]
        coming.sort(key=lambda x: (x.due_date, x.number or ""))
        return coming[: args.limit]
    if args.status == "open":
        found = [
            x
            for status in OPEN
            for x in invoices.list_invoices(
                ctx.session, ctx.principal, ctx.clock, status=status, limit=args.limit, **filters
            )[0]
            if x.kind != "credit_note"
        ]
        found.sort(key=lambda x: (x.issue_date, x.number or ""), reverse=True)
        return found[: args.limit]
    if args.status == "overdue":
        filters["overdue"] = True
    elif args.status is not None:
        filters["status"] = args.status
    return invoices.list_invoices(
        ctx.session, ctx.principal, ctx.clock, limit=args.limit, **filters
    )[0]


@tool(
    "finance.list_invoices",
    title="Lister les factures",
    effect=Effect.READ,
    roles=invoices.READERS,
)
def list_invoices(ctx: ToolContext, args: ListInvoicesIn) -> InvoiceList:
    """Liste les factures, les plus récentes d'abord, par client, statut (brouillon, à
    payer, en retard, payée) ou période ; ou celles en retard de plus de N jours, les plus
    anciennes échéances d'abord.
    Exemples : « quelles factures sont en retard ? », « les factures de Diallo », « montre
    les factures impayées de mars », « mes brouillons de factures », « les factures en
    retard de plus de 60 jours »."""
    partner_id = resolve_customer(ctx, args.customer).id if args.customer else None
    found = _listed(ctx, args, partner_id)
    customers = sales.get_partners(ctx.session, ctx.principal, {x.partner_id for x in found})
    day = today(ctx)
    rows = [
        InvoiceRow(
            invoice_id=str(x.id),
            number=x.number,
            kind=x.kind,
            customer=customers[x.partner_id].name,
            status=x.status,
            issue_date=x.issue_date,
            due_date=x.due_date,
            gross_total=x.gross_total,
            balance=invoices.balance(x),
            is_overdue=invoices.is_overdue(x, day),
        )
        for x in found
    ]
    owed = [r.balance for r in rows if r.kind != "credit_note" and r.status in OPEN]
    return InvoiceList(
        currency=tenant_currency(ctx),
        invoices=rows,
        total_balance=sum(owed, Decimal(0)),
        overdue_days=args.overdue_days,
        due_within_days=args.due_within_days,
    )


# --- invoice_details ---------------------------------------------------------------------


class InvoiceDetails(InvoiceView):
    def render(self) -> str:
        head = (
            f"{KIND_LABELS[self.kind]} {self.number or 'brouillon'} de {self.customer}, "
            f"du {dd_mm_yyyy(self.issue_date)}"
        )
        if self.due_date:
            head += f", échéance le {dd_mm_yyyy(self.due_date)}"
        head += f" — {STATUS_LABELS.get(self.status, self.status)}"
        head += " et en retard." if self.is_overdue else "."
        text = f"{head}\n{self.detailed_lines()}\n{self.totals()}"
        if self.kind != "credit_note" and self.status in OPEN:
            text += (
                f"\nDéjà réglé : {money(self.amount_settled, self.currency)} ; "
                f"reste dû : {money(self.balance, self.currency)}."
            )
        return text


@tool(
    "finance.invoice_details",
    title="Voir une facture",
    effect=Effect.READ,
    roles=invoices.READERS,
    acts_on=("invoice",),
)
def invoice_details(ctx: ToolContext, args: InvoiceRef) -> InvoiceDetails:
    """Montre une facture : lignes, totaux HT, TVA, TTC, échéance, ce qui est payé et ce
    qui reste dû. Avec un nom de client : sa facture la plus récente.
    Exemples : « montre la facture F-2026-00012 », « détail de la facture de Modou »,
    « combien reste-t-il à payer sur la facture de Diallo ? »."""
    invoice = find_invoice(ctx, args.invoice, args.invoice_id, wanted="any")
    return invoice_view(ctx, invoice, InvoiceDetails)


# --- revenue -----------------------------------------------------------------------------

Grouping = Literal["total", "day", "month", "quarter", "year"]


class RevenueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(default=None, description="Début de période ; ce mois par défaut.")
    end: date | None = Field(default=None, description="Fin de période (incluse).")
    basis: Literal["invoiced", "collected"] = Field(
        default="invoiced",
        description="invoiced : chiffre d'affaires facturé HT (avoirs déduits) ; "
        "collected : paiements encaissés.",
    )
    grouping: Grouping = Field(
        default="total", description="total, ou détail par day, month, quarter, year."
    )
    method: PaymentMethod | None = Field(
        default=None,
        description="Pour les encaissements : seulement ceux reçus ainsi (wave, cash…).",
    )
    customer: str | None = Field(
        default=None,
        max_length=200,
        description="Seulement ce client : ce qui lui a été facturé, ou ce qu'il a payé.",
    )
    compare_start: date | None = Field(
        default=None,
        description="Début d'une autre période à mettre en regard (« mieux en avril ou en "
        "mai ? », « par rapport à l'an dernier »).",
    )
    compare_end: date | None = Field(
        default=None, description="Fin (incluse) de la période mise en regard."
    )


class RevenueRow(BaseModel):
    period: date
    amount: Decimal


class ComparedRevenue(BaseModel):
    """The same figure over another period, said beside the first."""

    start: date
    end: date
    total: Decimal
    invoiced_net: Decimal
    invoiced_gross: Decimal


class Revenue(ToolResult):
    start: date
    end: date
    basis: str
    grouping: str
    currency: str
    total: Decimal
    invoiced_net: Decimal
    invoiced_gross: Decimal
    collected: Decimal
    rows: list[RevenueRow]
    method: str | None = None
    customer: str | None = None
    compared: ComparedRevenue | None = None

    def _period(self, when: date) -> str:
        if self.grouping == "month":
            return f"{MONTHS[when.month - 1]} {when.year}"
        if self.grouping == "quarter":
            return f"T{(when.month - 1) // 3 + 1} {when.year}"
        if self.grouping == "year":
            return str(when.year)
        return dd_mm_yyyy(when)

    def render(self) -> str:
        label = period_label(self.start, self.end)
        amount = money(self.total, self.currency)
        if self.basis == "collected":
            how = f" {METHOD_PHRASES[self.method]}" if self.method else ""
            who = f" de {self.customer}" if self.customer else ""
            text = f"Les encaissements{who}{how} {label} s'élèvent à {amount}."
        else:
            what = (
                f"Le chiffre d'affaires facturé à {self.customer}"
                if self.customer
                else "Le chiffre d'affaires"
            )
            if self.invoiced_gross != self.invoiced_net:
                gross = money(self.invoiced_gross, self.currency)
                text = f"{what} {label} est de {amount} HT ({gross} TTC)."
            else:
                text = f"{what} {label} est de {amount}."
        if self.compared is not None:
            text = f"{text[:-1]}{self._beside(self.compared)}"
        if self.grouping != "total" and self.rows:
            text += "\n" + "\n".join(
                f"- {self._period(r.period)} : {money(r.amount, self.currency)}"
                for r in self.rows[-12:]
            )
        return text

    def _beside(self, other: ComparedRevenue) -> str:
        """« , contre 165,00 € HT d'avril 2026 : mai 2026 fait 714,80 € de plus. »"""
        excl = (
            " HT" if self.basis != "collected" and self.invoiced_gross != self.invoiced_net else ""
        )
        label = period_label(other.start, other.end)
        text = f", contre {money(other.total, self.currency)}{excl} {label}"
        if other.total == self.total:
            return f"{text} : autant sur les deux périodes."
        higher = (self.start, self.end) if self.total > other.total else (other.start, other.end)
        gap = money(abs(self.total - other.total), self.currency)
        return f"{text} : {_named_period(*higher)} fait {gap} de plus."


def _named_period(start: date, end: date) -> str:
    """« mai 2026 », « 1er trimestre 2026 », « la période du 03/03/2026 au 07/03/2026 »."""
    label = period_label(start, end)
    if " au " in label:
        return f"la période {label}"
    if label.startswith("du "):  # « du 1er trimestre 2026 »
        return f"le {label[3:]}"
    return re.sub(r"^(?:de |d')", "", label)


@tool("finance.revenue", title="Chiffre d'affaires", effect=Effect.READ, roles=reports.READERS)
def revenue(ctx: ToolContext, args: RevenueIn) -> Revenue:
    """Chiffre d'affaires facturé, HT et TTC (avoirs déduits), ou encaissements d'une
    période (tous, ou ceux d'un moyen de paiement : Wave, espèces…), au total ou par jour,
    mois, trimestre, année. Par défaut : le mois en cours.
    Exemples : « quel est le chiffre d'affaires de mars ? », « combien j'ai encaissé cette
    semaine ? », « CA de l'année par mois », « combien on a vendu ce mois-ci ? » ; pour un
    client : « combien j'ai facturé à Diallo cette année ? »."""
    start, end = period_bounds(ctx, args.start, args.end)
    grouping = "year" if args.grouping == "total" else args.grouping
    method = args.method if args.basis == "collected" else None
    partner = resolve_customer(ctx, args.customer) if args.customer else None
    points = reports.revenue(
        ctx.session,
        ctx.principal,
        start=start,
        end=end,
        grouping=grouping,
        method=method,
        partner_id=partner.id if partner else None,
    )
    net = sum((p.invoiced_net for p in points), Decimal(0))
    collected = sum((p.collected for p in points), Decimal(0))
    key = "collected" if args.basis == "collected" else "invoiced_net"
    compared = None
    if args.compare_start is not None:
        other_start, other_end = period_bounds(ctx, args.compare_start, args.compare_end)
        others = reports.revenue(
            ctx.session,
            ctx.principal,
            start=other_start,
            end=other_end,
            grouping="year",
            method=method,
            partner_id=partner.id if partner else None,
        )
        other_net = sum((p.invoiced_net for p in others), Decimal(0))
        other_collected = sum((p.collected for p in others), Decimal(0))
        compared = ComparedRevenue(
            start=other_start,
            end=other_end,
            total=other_collected if args.basis == "collected" else other_net,
            invoiced_net=other_net,
            invoiced_gross=sum((p.invoiced_gross for p in others), Decimal(0)),
        )
    return Revenue(
        start=start,
        end=end,
        basis=args.basis,
        grouping=args.grouping,
        currency=tenant_currency(ctx),
        total=collected if args.basis == "collected" else net,
        invoiced_net=net,
        invoiced_gross=sum((p.invoiced_gross for p in points), Decimal(0)),
        collected=collected,
        rows=[RevenueRow(period=p.period, amount=getattr(p, key)) for p in points],
        method=method,
        customer=partner.name if partner else None,
        compared=compared,
    )


# --- aged_receivables --------------------------------------------------------------------


class AgedReceivablesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date | None = Field(
        default=None, description="Date de calcul des retards ; aujourd'hui."
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de clients.")


class AgedRow(BaseModel):
    partner_id: str
    customer: str
    total: Decimal
    not_due: Decimal
    overdue: Decimal
    over_90: Decimal


class AgedReceivables(ToolResult):
    currency: str
    total: Decimal
    overdue: Decimal
    customers: list[AgedRow]

    def render(self) -> str:
        if not self.customers:
            return "Aucun client ne vous doit d'argent."
        text = (
            f"Les clients vous doivent {money(self.total, self.currency)}, dont "
            f"{money(self.overdue, self.currency)} en retard :"
        )
        for row in self.customers[:10]:
            late = f", dont {money(row.overdue, self.currency)} en retard" if row.overdue else ""
            old = (
                f" (plus de 90 jours : {money(row.over_90, self.currency)})" if row.over_90 else ""
            )
            text += f"\n- {row.customer} : {money(row.total, self.currency)}{late}{old}"
        return text


@tool(
    "finance.aged_receivables",
    title="Voir les créances clients",
    effect=Effect.READ,
    roles=reports.READERS,
)
def aged_receivables(ctx: ToolContext, args: AgedReceivablesIn) -> AgedReceivables:
    """Ce que chaque client doit encore, avec la part en retard (0–30, 31–60, 61–90, plus de
    90 jours), les plus gros montants d'abord.
    Exemples : « qui me doit de l'argent ? », « balance âgée des clients », « quels clients
    sont en retard de paiement ? »."""
    rows = reports.aged_receivables(ctx.session, ctx.principal, ctx.clock, as_of=args.as_of)
    customers = [
        AgedRow(
            partner_id=str(r.partner_id),
            customer=r.partner_name,
            total=r.total,
            not_due=r.not_due,
            overdue=r.total - r.not_due,
            over_90=r.days_over_90,
        )
        for r in rows
    ]
    return AgedReceivables(
        currency=tenant_currency(ctx),
        total=sum((r.total for r in customers), Decimal(0)),
        overdue=sum((r.overdue for r in customers), Decimal(0)),
        customers=customers[: args.limit],
    )
