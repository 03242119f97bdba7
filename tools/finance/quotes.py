"""Quote tools: create, accept, turn into an invoice (sending one, or marking it sent, is
``tools.finance.sending``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import invoices, quotes
from domain.finance import repository as finance_repo
from domain.finance.models import Quote
from domain.finance.schemas import QuoteCreate
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.finance.common import (
    DocumentView,
    LineInput,
    dd_mm_yyyy,
    find_quote,
    line_inputs,
    line_views,
    money,
    partner_name,
    resolve_customer,
    tenant_currency,
    today,
)
from tools.finance.invoices import InvoiceView, invoice_view

STATUS_LABELS = {
    "draft": "brouillon",
    "sent": "envoyé",
    "accepted": "accepté",
    "refused": "refusé",
    "expired": "expiré",
}


class QuoteView(DocumentView):
    quote_id: str
    number: str
    version: int
    status: str
    issue_date: date
    valid_until: date


Q = TypeVar("Q", bound=QuoteView)


def quote_view(ctx: ToolContext, quote: Quote, cls: type[Q]) -> Q:
    rows = finance_repo.quote_lines(ctx.session, ctx.principal.tenant_id, quote.id)
    return cls(
        quote_id=str(quote.id),
        number=quote.number,
        version=quote.version,
        status=quotes.effective_status(quote, today(ctx)),
        customer=partner_name(ctx, quote.partner_id),
        currency=quote.currency,
        lines=line_views(rows),
        net_total=quote.net_total,
        tax_total=quote.tax_total,
        gross_total=quote.gross_total,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
    )


class QuoteRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str | None = Field(
        default=None,
        max_length=200,
        description="Le devis : son numéro (« D-2026-00003 ») ou le nom du client "
        "(« le devis de Diallo »).",
    )
    quote_id: UUID | None = Field(default=None, description="Identifiant (boutons).")
    made_from: date | None = Field(
        default=None,
        description="Début de la période où le devis a été fait, quand elle est dite "
        "(« le devis de la semaine dernière »).",
    )
    made_to: date | None = Field(default=None, description="Fin de cette période.")

    def made_within(self) -> tuple[date, date] | None:
        if self.made_from is None:
            return None
        return self.made_from, self.made_to or self.made_from


# --- create_quote ------------------------------------------------------------------------


class CreateQuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(
        min_length=1, max_length=200, description="Client : nom, code ou téléphone, tel que dit."
    )
    lines: list[LineInput] = Field(
        min_length=1, max_length=100, description="Lignes : produit (ou désignation) et quantité."
    )
    valid_days: int | None = Field(
        default=None, ge=1, le=365, description="Durée de validité en jours (30 par défaut)."
    )
    notes: str | None = Field(default=None, max_length=2000, description="Note sur le devis.")


class CreatedQuote(QuoteView):
    def render(self) -> str:
        return (
            f"Devis {self.number} créé pour {self.customer} : {self.short_lines()}, "
            f"total TTC {money(self.gross_total, self.currency)}, valable jusqu'au "
            f"{dd_mm_yyyy(self.valid_until)}."
        )

    def preview(self) -> str:
        return (
            f"Créer un devis pour {self.customer} (valable jusqu'au "
            f"{dd_mm_yyyy(self.valid_until)}) :\n{self.detailed_lines()}\n{self.totals()}"
        )


@tool(
    "finance.create_quote",
    title="Créer un devis",
    effect=Effect.WRITE,
    roles=invoices.WRITERS,
    creates="quote",
)
def create_quote(ctx: ToolContext, args: CreateQuoteIn) -> CreatedQuote:
    """Crée un devis (brouillon numéroté) pour un client : produits du catalogue ou lignes
    libres, quantités, remise, TVA.
    Exemples : « fais un devis pour Diallo, 10 sacs de riz », « devis à Ndiaye pour 3
    cartons d'huile », « prépare une proforma pour Modou : installation 150 000 FCFA »."""
    customer = resolve_customer(ctx, args.customer)
    data = QuoteCreate(
        partner_id=customer.id,
        lines=line_inputs(ctx, args.lines),
        valid_days=args.valid_days,
        notes=args.notes,
    )
    quote = quotes.create_quote(ctx.session, ctx.principal, ctx.clock, data)
    return quote_view(ctx, quote, CreatedQuote)


# --- accept_quote ------------------------------------------------------------------------


class AcceptedQuote(QuoteView):
    def render(self) -> str:
        return (
            f"Devis {self.number} accepté par {self.customer} "
            f"({money(self.gross_total, self.currency)} TTC). Voulez-vous le facturer ?"
        )

    def preview(self) -> str:
        return (
            f"Enregistrer l'acceptation du devis {self.number} par {self.customer} "
            f"({self.short_lines()}, {money(self.gross_total, self.currency)} TTC)."
        )


@tool(
    "finance.accept_quote",
    title="Accepter un devis",
    effect=Effect.WRITE,
    roles=invoices.WRITERS,
    acts_on=("quote",),
)
def accept_quote(ctx: ToolContext, args: QuoteRef) -> AcceptedQuote:
    """Enregistre qu'un client a accepté un devis envoyé.
    Exemples : « Diallo a accepté le devis », « le devis D-2026-00003 est accepté »,
    « Ndiaye a dit oui pour le devis »."""
    quote = find_quote(
        ctx, args.quote, args.quote_id, wanted="sent", made_within=args.made_within()
    )
    moved = quotes.accept_quote(ctx.session, ctx.principal, ctx.clock, quote.id)
    return quote_view(ctx, moved, AcceptedQuote)


# --- convert_quote_to_invoice ------------------------------------------------------------


class QuoteInvoice(InvoiceView):
    quote_number: str
    # The quote was not accepted yet: invoicing it records the customer's acceptance.
    accepted_now: bool = False

    def render(self) -> str:
        accepted = f"Devis {self.quote_number} accepté. " if self.accepted_now else ""
        return (
            f"{accepted}Facture brouillon créée depuis le devis {self.quote_number} pour "
            f"{self.customer} : {money(self.gross_total, self.currency)} TTC. Dites « valide "
            "la facture » pour lui donner un numéro."
        )

    def preview(self) -> str:
        accepting = " (il sera marqué accepté)" if self.accepted_now else ""
        return (
            f"Facturer le devis {self.quote_number}{accepting} de {self.customer} "
            f"(facture brouillon) :\n{self.detailed_lines()}\n{self.totals()}"
        )


@tool(
    "finance.convert_quote_to_invoice",
    title="Facturer un devis",
    effect=Effect.WRITE,
    roles=invoices.WRITERS,
    creates="invoice",
    acts_on=("quote",),
)
def convert_quote_to_invoice(ctx: ToolContext, args: QuoteRef) -> QuoteInvoice:
    """Crée la facture brouillon d'un devis (à valider ensuite) ; un devis pas encore
    accepté est marqué accepté : le facturer, c'est que le client a dit oui.
    Exemples : « transforme le devis de Diallo en facture », « facture le devis
    D-2026-00003 », « passe le devis de Ndiaye en facture »."""
    quote = find_quote(
        ctx,
        args.quote,
        args.quote_id,
        wanted=("accepted", "sent"),
        made_within=args.made_within(),
    )
    accepted_now = quote.status != "accepted"
    invoice = quotes.convert_to_invoice(
        ctx.session, ctx.principal, ctx.clock, quote.id, accepting=True
    )
    return invoice_view(
        ctx, invoice, QuoteInvoice, quote_number=quote.number, accepted_now=accepted_now
    )


# --- list_quotes -------------------------------------------------------------------------

QuoteStatus = Literal["draft", "sent", "accepted", "refused", "expired"]


class ListQuotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str | None = Field(default=None, max_length=200, description="Client, tel que dit.")
    status: QuoteStatus | None = Field(
        default=None,
        description="draft (brouillons), sent (envoyés, en attente de réponse), accepted "
        "(acceptés), refused (refusés), expired (envoyés dont la validité est passée).",
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de devis.")


class QuoteRow(BaseModel):
    quote_id: str
    number: str
    customer: str
    status: str
    issue_date: date
    valid_until: date
    gross_total: Decimal

    def line(self, currency: str) -> str:
        return (
            f"- {self.number} · {self.customer} · {dd_mm_yyyy(self.issue_date)} · "
            f"{money(self.gross_total, currency)} TTC · {STATUS_LABELS[self.status]}, "
            f"valable jusqu'au {dd_mm_yyyy(self.valid_until)}"
        )


class QuoteList(ToolResult):
    currency: str
    quotes: list[QuoteRow]

    def render(self) -> str:
        if not self.quotes:
            return "Aucun devis ne correspond."
        count = len(self.quotes)
        return f"{count} devis :\n" + "\n".join(q.line(self.currency) for q in self.quotes)


@tool("finance.list_quotes", title="Lister les devis", effect=Effect.READ, roles=invoices.WRITERS)
def list_quotes(ctx: ToolContext, args: ListQuotesIn) -> QuoteList:
    """Liste les devis, les plus récents d'abord, d'un client ou de tous, par statut
    (brouillon, envoyé, accepté, refusé, expiré), avec leur date de validité.
    Exemples : « quels devis attendent une réponse ? », « les devis de Diallo », « le devis
    de Ndiaye est valable jusqu'à quand ? », « mes devis expirés »."""
    partner_id = resolve_customer(ctx, args.customer).id if args.customer else None
    # An expired quote is either stored so (the daily expiry recorded it) or still stored as
    # sent past its validity date: read them all and keep those expired today.
    stored = None if args.status == "expired" else args.status
    found, day = quotes.list_quotes(
        ctx.session, ctx.principal, ctx.clock, status=stored, partner_id=partner_id
    )
    rows = [
        QuoteRow(
            quote_id=str(q.id),
            number=q.number,
            customer=partner_name(ctx, q.partner_id),
            status=quotes.effective_status(q, day),
            issue_date=q.issue_date,
            valid_until=q.valid_until,
            gross_total=q.gross_total,
        )
        for q in found
    ]
    if args.status is not None:
        rows = [r for r in rows if r.status == args.status]
    return QuoteList(currency=tenant_currency(ctx), quotes=rows[: args.limit])
