"""Invoice tools: draft, post, credit note, recurring template."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import invoices, recurring
from domain.finance.books import open_books
from domain.finance.calc import document_totals
from domain.finance.lines import price_lines
from domain.finance.models import Invoice
from domain.finance.schemas import CreditLineIn, CreditNoteCreate, InvoiceCreate, RecurringCreate
from domain.kit import inputs
from domain.kit.principal import Role
from domain.kit.resolution import name_words
from tools.base import AskBack, Effect, ToolContext, tool
from tools.finance.common import (
    KIND_LABELS,
    DocumentView,
    LineInput,
    dd_mm_yyyy,
    find_invoice,
    line_inputs,
    line_views,
    money,
    partner_name,
    resolve_customer,
    tenant_currency,
    today,
)

STATUS_LABELS = {
    "draft": "brouillon",
    "posted": "validée, à payer",
    "partially_paid": "partiellement payée",
    "paid": "payée",
    "cancelled": "annulée",
}
V = TypeVar("V", bound="InvoiceView")


class InvoiceView(DocumentView):
    invoice_id: str
    number: str | None
    kind: str
    status: str
    issue_date: date
    due_date: date | None
    amount_settled: Decimal
    balance: Decimal
    is_overdue: bool

    @property
    def title(self) -> str:
        """« la facture F-2026-00012 », « l'avoir AV-2026-00001 », « la facture brouillon »."""
        noun = KIND_LABELS[self.kind].lower()
        article = "l'" if noun.startswith("avoir") else "la "
        return f"{article}{noun} {self.number or 'brouillon'}"


def invoice_view(ctx: ToolContext, invoice: Invoice, cls: type[V], **extra: object) -> V:
    """The invoice as the tool's output ``cls``, read back with its lines."""
    found, rows, day = invoices.invoice_with_lines(
        ctx.session, ctx.principal, ctx.clock, invoice.id
    )
    return cls(
        invoice_id=str(found.id),
        number=found.number,
        kind=found.kind,
        status=found.status,
        customer=partner_name(ctx, found.partner_id),
        currency=found.currency,
        lines=line_views(rows),
        net_total=found.net_total,
        tax_total=found.tax_total,
        gross_total=found.gross_total,
        issue_date=found.issue_date,
        due_date=found.due_date,
        amount_settled=found.amount_settled,
        balance=invoices.balance(found),
        is_overdue=invoices.is_overdue(found, day),
        **extra,
    )


# --- create_invoice ----------------------------------------------------------------------


class CreateInvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(
        min_length=1, max_length=200, description="Client : nom, code ou téléphone, tel que dit."
    )
    lines: list[LineInput] = Field(
        min_length=1, max_length=100, description="Lignes : produit (ou désignation) et quantité."
    )
    payment_terms_days: int | None = Field(
        default=None, ge=0, le=365, description="Délai de paiement en jours (30, 45…)."
    )
    notes: str | None = Field(default=None, max_length=2000, description="Note sur la facture.")
    post: bool = Field(
        default=False,
        description="true quand la personne demande aussi de la valider (« crée la facture "
        "et valide-la ») : elle reçoit alors son numéro définitif dans la même opération.",
    )


class CreatedInvoice(InvoiceView):
    """A new invoice: a draft, or already validated when it was asked (« et valide-la »)."""

    def render(self) -> str:
        if self.status != "draft":
            return (
                f"Facture {self.number} créée et validée pour {self.customer} : "
                f"{self.short_lines()}, total TTC {money(self.gross_total, self.currency)}, "
                f"échéance le {dd_mm_yyyy(self.due_date)}."
            )
        return (
            f"Facture brouillon créée pour {self.customer} : {self.short_lines()}, "
            f"total TTC {money(self.gross_total, self.currency)}. "
            "Dites « valide la facture » pour lui donner un numéro."
        )

    def preview(self) -> str:
        if self.status != "draft":
            return (
                f"Créer et valider une facture pour {self.customer} :\n"
                f"{self.detailed_lines()}\n{self.totals()}\nElle prendra le numéro "
                f"{self.number}, échéance le {dd_mm_yyyy(self.due_date)}, et ne pourra plus "
                "être modifiée."
            )
        return (
            f"Créer une facture brouillon pour {self.customer} :\n{self.detailed_lines()}\n"
            f"{self.totals()}"
        )


@tool(
    "finance.create_invoice",
    title="Créer une facture",
    effect=Effect.WRITE,
    roles=invoices.WRITERS,
    creates="invoice",
    # « crée la facture et valide-la »: validated in the same operation (``post``)
    acts_on=("validation",),
)
def create_invoice(ctx: ToolContext, args: CreateInvoiceIn) -> CreatedInvoice:
    """Crée une facture brouillon pour un client : produits du catalogue (nom ou référence)
    ou lignes libres avec prix, quantités, remise, TVA. Elle reste modifiable jusqu'à sa
    validation.
    Exemples : « crée une facture pour Diallo, 3 sacs de riz », « facture 2 cartons d'huile
    à Ndiaye », « fais une facture à Modou : transport 25 000 FCFA »."""
    customer = resolve_customer(ctx, args.customer)
    data = InvoiceCreate(
        partner_id=customer.id,
        lines=line_inputs(ctx, args.lines),
        payment_terms_days=args.payment_terms_days,
        notes=args.notes,
    )
    invoice = invoices.create_invoice(ctx.session, ctx.principal, ctx.clock, data)
    if args.post:
        invoice = invoices.post_invoice(ctx.session, ctx.principal, ctx.clock, invoice.id)
    return invoice_view(ctx, invoice, CreatedInvoice)


# --- post_invoice ------------------------------------------------------------------------


class InvoiceRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice: str | None = Field(
        default=None,
        max_length=200,
        description="La facture : son numéro (« F-2026-00012 ») ou le nom du client "
        "(« la facture de Modou »).",
    )
    invoice_id: UUID | None = Field(default=None, description="Identifiant (boutons).")


class PostedInvoice(InvoiceView):
    def render(self) -> str:
        return (
            f"Facture {self.number} validée pour {self.customer} : "
            f"{money(self.gross_total, self.currency)} TTC, échéance le "
            f"{dd_mm_yyyy(self.due_date)}."
        )

    def preview(self) -> str:
        return (
            f"Valider la facture brouillon de {self.customer} ({self.short_lines()}) :\n"
            f"{self.totals()}\nElle prendra le numéro {self.number}, échéance le "
            f"{dd_mm_yyyy(self.due_date)}, et ne pourra plus être modifiée."
        )


@tool(
    "finance.post_invoice",
    title="Valider une facture",
    effect=Effect.WRITE,
    roles=(Role.MANAGER, Role.ACCOUNTANT),
    acts_on=("invoice", "validation"),
)
def post_invoice(ctx: ToolContext, args: InvoiceRef) -> PostedInvoice:
    """Valide une facture brouillon : elle reçoit son numéro définitif, sa date et son
    échéance, est comptabilisée et ne peut plus être modifiée. Sans numéro, c'est le
    dernier brouillon du client.
    Exemples : « valide la facture de Diallo », « valide la facture », « émets la facture
    de Ndiaye »."""
    invoice = find_invoice(ctx, args.invoice, args.invoice_id, wanted="draft")
    posted = invoices.post_invoice(ctx.session, ctx.principal, ctx.clock, invoice.id)
    return invoice_view(ctx, posted, PostedInvoice)


# --- create_credit_note ------------------------------------------------------------------


class CreditLineInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str = Field(
        min_length=1, max_length=200, description="La ligne de la facture : produit ou désignation."
    )
    quantity: inputs.Quantity = Field(gt=0, description="Quantité à créditer.")


class CreateCreditNoteIn(InvoiceRef):
    reason: str = Field(
        min_length=3,
        max_length=300,
        description="Motif (« marchandise abîmée », « erreur de prix »).",
    )
    lines: list[CreditLineInput] | None = Field(
        default=None, description="Lignes et quantités à créditer ; vide : toute la facture."
    )


class CreatedCreditNote(InvoiceView):
    credited_number: str

    def render(self) -> str:
        return (
            f"Avoir {self.number} créé sur la facture {self.credited_number} de {self.customer} : "
            f"{money(self.gross_total, self.currency)} TTC."
        )

    def preview(self) -> str:
        return (
            f"Créer un avoir sur la facture {self.credited_number} de {self.customer} :\n"
            f"{self.detailed_lines()}\n{self.totals()}\nL'avoir est définitif (numéro "
            f"{self.number})."
        )


def _describes(said: list[str], line: list[str]) -> bool:
    """Whether every word said starts a word of the line (« disjonct » → disjoncteur)."""
    return bool(said) and all(any(w.startswith(s) for w in line) for s in said)


def _credit_lines(
    ctx: ToolContext, invoice: Invoice, wanted: list[CreditLineInput]
) -> list[CreditLineIn]:
    _, rows, _ = invoices.invoice_with_lines(ctx.session, ctx.principal, ctx.clock, invoice.id)
    chosen = []
    for i, line in enumerate(wanted):
        words = name_words(line.product)  # the catalog's rule: plurals, accents, little words
        matches = [r for r in rows if _describes(words, name_words(r.description))]
        if len(matches) != 1:
            names = [r.description for r in (matches or rows)]
            verb = "Plusieurs lignes correspondent" if matches else "Aucune ligne ne correspond"
            raise AskBack(
                f"{verb} à « {line.product} » sur la facture {invoice.number} : "
                f"{', '.join(names)} ?",
                field=f"lines.{i}.product",
                options=names,
            )
        chosen.append(CreditLineIn(line_id=matches[0].id, quantity=line.quantity))
    return chosen


@tool(
    "finance.create_credit_note",
    title="Créer un avoir",
    effect=Effect.WRITE,
    roles=(Role.MANAGER, Role.ACCOUNTANT),
    creates="credit_note",
    acts_on=("invoice",),
)
def create_credit_note(ctx: ToolContext, args: CreateCreditNoteIn) -> CreatedCreditNote:
    """Annule tout ou partie d'une facture validée par un avoir (définitif, numéroté), avec
    un motif. Sans lignes, toute la facture est créditée.
    Exemples : « fais un avoir sur la facture F-2026-00012, erreur de prix », « avoir pour
    Diallo, 2 sacs de riz abîmés », « annule la facture de Modou »."""
    invoice = find_invoice(ctx, args.invoice, args.invoice_id, wanted="posted")
    lines = _credit_lines(ctx, invoice, args.lines) if args.lines else None
    note = invoices.create_credit_note(
        ctx.session,
        ctx.principal,
        ctx.clock,
        invoice.id,
        CreditNoteCreate(reason=args.reason, lines=lines),
    )
    return invoice_view(ctx, note, CreatedCreditNote, credited_number=invoice.number or "")


# --- create_recurring_invoice ------------------------------------------------------------

FREQUENCY_LABELS = {"monthly": "mensuelle", "quarterly": "trimestrielle", "yearly": "annuelle"}


class CreateRecurringIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(min_length=1, max_length=200, description="Client, tel que dit.")
    lines: list[LineInput] = Field(min_length=1, max_length=100, description="Lignes facturées.")
    frequency: Literal["monthly", "quarterly", "yearly"] = Field(
        default="monthly", description="Fréquence : mensuelle, trimestrielle ou annuelle."
    )
    start_date: date | None = Field(
        default=None, description="Date de la première facture ; par défaut aujourd'hui."
    )
    end_date: date | None = Field(default=None, description="Dernière échéance éventuelle.")
    label: str | None = Field(
        default=None, min_length=2, max_length=200, description="Nom du modèle (« Loyer »)."
    )
    auto_post: bool = Field(
        default=False, description="Valider automatiquement chaque facture générée."
    )


class CreatedRecurring(DocumentView):
    recurring_id: str
    label: str
    frequency: str
    start_date: date
    end_date: date | None
    auto_post: bool

    def _what(self) -> str:
        end = f" jusqu'au {dd_mm_yyyy(self.end_date)}" if self.end_date else ""
        return (
            f"facturation {FREQUENCY_LABELS[self.frequency]} « {self.label} » pour "
            f"{self.customer}, à partir du {dd_mm_yyyy(self.start_date)}{end}"
        )

    def render(self) -> str:
        return (
            f"{self._what()[0].upper()}{self._what()[1:]} : c'est noté "
            f"({money(self.gross_total, self.currency)} TTC par facture, au prix du jour)."
        )

    def preview(self) -> str:
        posting = (
            "Chaque facture sera validée automatiquement."
            if self.auto_post
            else "Chaque facture sera créée en brouillon, à valider."
        )
        return f"Créer une {self._what()} :\n{self.detailed_lines()}\n{self.totals()}\n{posting}"


@tool(
    "finance.create_recurring_invoice",
    title="Créer une facturation récurrente",
    effect=Effect.WRITE,
    roles=invoices.WRITERS,
    creates="invoice",
    acts_on=("validation",),
)
def create_recurring_invoice(ctx: ToolContext, args: CreateRecurringIn) -> CreatedRecurring:
    """Crée un modèle qui génère une facture chaque mois, trimestre ou année pour un client
    (loyer, abonnement, maintenance).
    Exemples : « facture chaque mois 150 000 FCFA de loyer à Diallo », « abonnement
    trimestriel pour Ndiaye : maintenance 50 000 », « facturation mensuelle pour Modou à
    partir du 1er avril »."""
    customer = resolve_customer(ctx, args.customer)
    lines = line_inputs(ctx, args.lines)
    start = args.start_date or today(ctx)
    label = args.label or (args.lines[0].description or args.lines[0].product or "Facturation")
    template = recurring.create_recurring(
        ctx.session,
        ctx.principal,
        ctx.clock,
        RecurringCreate(
            partner_id=customer.id,
            lines=lines,
            label=label[:200] if len(label) >= 2 else "Facturation",
            frequency=args.frequency,
            start_date=start,
            end_date=args.end_date,
            auto_post=args.auto_post,
        ),
    )
    books = open_books(ctx.session, ctx.principal, ctx.clock)
    priced = price_lines(ctx.session, books, lines)  # what each invoice would be today
    totals = document_totals((x.taxable() for x in priced), books.currency)
    return CreatedRecurring(
        recurring_id=str(template.id),
        label=template.label,
        frequency=template.frequency,
        start_date=template.start_date,
        end_date=template.end_date,
        auto_post=template.auto_post,
        customer=customer.name,
        currency=tenant_currency(ctx),
        lines=line_views(priced),
        net_total=totals.net,
        tax_total=totals.tax,
        gross_total=totals.gross,
    )
