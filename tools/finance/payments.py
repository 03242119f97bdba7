"""Recording a payment received: on a named invoice, or on a customer's oldest open ones."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from domain.finance import invoices, payments
from domain.finance.models import Invoice
from domain.finance.schemas import PaymentCreate, PaymentMethod
from domain.kit import inputs
from domain.kit.money import Currency
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import (
    dd_mm_yyyy,
    find_invoice,
    money,
    partner_name,
    resolve_customer,
    tenant_currency,
)

# « payé … par Wave », « … en espèces »
METHOD_PHRASES = {
    "cash": "en espèces",
    "bank_transfer": "par virement",
    "card": "par carte bancaire",
    "cheque": "par chèque",
    "wave": "par Wave",
    "orange_money": "par Orange Money",
}
OPEN_STATUSES = ("posted", "partially_paid")
BALANCE = "balance"
HALF = "half"  # « ils ont payé la moitié »
# A received amount: positive, within the column's digits.
_RECEIVED = TypeAdapter(Annotated[inputs.Amount, Field(gt=0)])


class RecordPaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # A plain Decimal in the union (not the annotated alias) keeps the field's kind readable
    # for whoever fills it from a French answer; the bounds are checked below.
    amount: Decimal | Literal["balance", "half"] = Field(
        description="Montant reçu, dans la devise de l'entreprise ; « balance » quand le "
        "client a tout réglé (« il a tout payé », « il a soldé ») : le reste dû de la facture, "
        "ou de toutes ses factures ouvertes ; « half » pour la moitié de ce reste dû."
    )
    method: PaymentMethod = Field(
        description="Moyen de paiement : cash (espèces), bank_transfer (virement), card, "
        "cheque, wave, orange_money."
    )
    invoice: str | None = Field(
        default=None,
        max_length=200,
        description="La facture payée : son numéro (« F-2026-00012 ») ou « la facture de "
        "Modou » (le nom du client).",
    )
    customer: str | None = Field(
        default=None,
        max_length=200,
        description="Le client qui paie, sans facture précise : ses factures les plus "
        "anciennes sont réglées d'abord.",
    )
    invoice_month: date | None = Field(
        default=None,
        description="La facture désignée par son mois d'émission (« sa facture de mars » : "
        "un jour de mars).",
    )
    invoice_id: UUID | None = Field(default=None, description="Identifiant (boutons).")
    received_on: date | None = Field(default=None, description="Date de réception ; aujourd'hui.")
    reference: str | None = Field(
        default=None, max_length=100, description="Référence (n° de transaction, de chèque)."
    )

    @field_validator("amount")
    @classmethod
    def _received(cls, value: Decimal | str) -> Decimal | str:
        return value if value in (BALANCE, HALF) else _RECEIVED.validate_python(value)


class Settled(BaseModel):
    number: str
    amount: Decimal
    balance: Decimal  # still owed on that invoice after the payment


class RecordedPayment(ToolResult):
    payment_id: str
    number: str
    customer: str
    amount: Decimal
    currency: str
    method: str
    received_on: date
    settled: list[Settled]
    unallocated: Decimal  # kept as the customer's credit
    # A draft invoice the payment was for, validated first (its new number).
    validated: str | None = None

    def _allocation(self) -> str:
        parts = []
        for x in self.settled:
            if x.balance == 0:
                parts.append(f"facture {x.number} soldée")
            else:
                parts.append(
                    f"{money(x.amount, self.currency)} sur la facture {x.number} "
                    f"(reste dû {money(x.balance, self.currency)})"
                )
        text = ", ".join(parts) if parts else "aucune facture à régler"
        if self.unallocated > 0:
            text += f" ; {money(self.unallocated, self.currency)} restent au crédit du client"
        return text

    def render(self) -> str:
        validated = f"Facture {self.validated} validée. " if self.validated else ""
        return (
            f"{validated}Paiement {self.number} de {money(self.amount, self.currency)} "
            f"{METHOD_PHRASES[self.method]} enregistré pour {self.customer} : "
            f"{self._allocation()}."
        )

    def preview(self) -> str:
        validating = (
            f"Valider la facture brouillon de {self.customer} (elle prendra le numéro "
            f"{self.validated} et ne pourra plus être modifiée), puis enregistrer"
            if self.validated
            else "Enregistrer"
        )
        return (
            f"{validating} un paiement de {money(self.amount, self.currency)} "
            f"{METHOD_PHRASES[self.method]} reçu de {self.customer} le "
            f"{dd_mm_yyyy(self.received_on)} : {self._allocation()}."
        )


def _payer(ctx: ToolContext, args: RecordPaymentIn) -> tuple[Invoice | None, UUID]:
    """The invoice named (if any) and the customer paying; a customer whose only invoice
    is still a draft (« il a tout payé » right after it was made) pays that one."""
    if args.invoice or args.invoice_id:
        try:
            invoice = find_invoice(
                ctx, args.invoice, args.invoice_id, wanted="open", issued_in=args.invoice_month
            )
        except AskBack:
            invoice = _only_draft(ctx, args)
        try:  # a name that is no customer's says nothing of who paid
            named = resolve_customer(ctx, args.customer).id if args.customer else None
        except AskBack:
            named = None
        if named is not None and named != invoice.partner_id:
            # another customer than the invoice's: which one paid is not known
            raise AskBack(
                f"La facture {invoice.number} n'est pas celle de {args.customer}. "
                "Quelle facture a été payée ?",
                field="invoice",
            )
        return invoice, invoice.partner_id
    if args.customer:
        partner_id = resolve_customer(ctx, args.customer).id
        listed, _ = invoices.list_invoices(
            ctx.session, ctx.principal, ctx.clock, partner_id=partner_id, limit=50
        )
        mine = [x for x in listed if x.kind != "credit_note"]
        if not any(x.status in OPEN_STATUSES for x in mine):
            drafts = [x for x in mine if x.status == "draft"]
            if len(drafts) == 1:
                return drafts[0], partner_id
        return None, partner_id
    raise AskBack("Quel client a payé, ou quelle facture ?", field="customer")


def _only_draft(ctx: ToolContext, args: RecordPaymentIn) -> Invoice:
    """The draft invoice meant, when the one named is not open yet; else the question why."""
    named = (args.invoice, args.invoice_id)
    try:
        draft = find_invoice(ctx, *named, wanted="draft", issued_in=args.invoice_month)
    except AskBack:
        draft = None
    if draft is None or draft.status != "draft":  # asks, saying why
        return find_invoice(ctx, *named, wanted="open", issued_in=args.invoice_month)
    return draft


def _amount(
    said: Decimal | str, invoice: Invoice | None, owed: dict[UUID, Decimal], currency: str
) -> Decimal:
    """The amount received: as said, or « everything » (what the invoice still owes, or
    what all the customer's open invoices owe), or half of it, to the currency's minor unit."""
    if isinstance(said, Decimal):
        return said
    due = invoices.balance(invoice) if invoice is not None else sum(owed.values(), Decimal(0))
    if due <= 0:
        settled = (
            f"La facture {invoice.number} est déjà réglée"
            if invoice
            else "Ce client ne doit plus rien"
        )
        raise AskBack(f"{settled} : quel montant a été reçu ?", field="amount")
    if said == HALF:
        return (due / 2).quantize(Currency(currency).quantum, rounding=ROUND_HALF_UP)
    return due


@tool(
    "finance.record_payment",
    title="Enregistrer un paiement",
    effect=Effect.WRITE,
    roles=payments.WRITERS,
    creates="payment",
    acts_on=("invoice",),
)
def record_payment(ctx: ToolContext, args: RecordPaymentIn) -> RecordedPayment:
    """Enregistre un paiement reçu d'un client (espèces, virement, chèque, carte, Wave,
    Orange Money) sur une facture, ou sur ses factures les plus anciennes ; un excédent
    reste au crédit du client.
    Exemples : « Modou a payé 50 000 par Wave », « paiement de 120 000 FCFA en espèces pour
    la facture F-2026-00012 », « Diallo a réglé 300 € par virement », « le garage Faye a
    tout réglé par chèque » (le reste dû)."""
    invoice, partner_id = _payer(ctx, args)
    validated = None
    if invoice is not None and invoice.status == "draft":  # paid as soon as it was made
        invoice = invoices.post_invoice(ctx.session, ctx.principal, ctx.clock, invoice.id)
        validated = invoice.number
    listed, _ = invoices.list_invoices(
        ctx.session, ctx.principal, ctx.clock, partner_id=partner_id, limit=200
    )
    owed = [x for x in listed if x.kind != "credit_note" and x.status in OPEN_STATUSES]
    before = {x.id: invoices.balance(x) for x in owed}
    amount = _amount(args.amount, invoice, before, tenant_currency(ctx))
    payment = payments.record_payment(
        ctx.session,
        ctx.principal,
        ctx.clock,
        PaymentCreate(
            partner_id=partner_id,
            invoice_id=invoice.id if invoice else None,
            amount=amount,
            method=args.method,
            received_on=args.received_on,
            reference=args.reference,
        ),
    )
    # The service settled these very objects (one identity map): compare balances.
    settled = [
        Settled(number=x.number or "", amount=before[x.id] - invoices.balance(x), balance=x_bal)
        for x in sorted(owed, key=lambda x: (x.due_date or date.min, x.number or ""))
        if (x_bal := invoices.balance(x)) != before[x.id]
    ]
    return RecordedPayment(
        payment_id=str(payment.id),
        number=payment.number,
        customer=partner_name(ctx, payment.partner_id),
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        received_on=payment.received_on,
        settled=settled,
        unallocated=payment.amount - payment.amount_allocated,
        validated=validated,
    )
