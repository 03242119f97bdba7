"""Recording a supplier bill and paying a supplier, from what a person says."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance.calc import TaxableLine, document_totals
from domain.finance.payables import bills, importing, payments
from domain.finance.payables import repository as repo
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.schemas import (
    BillCreate,
    BillLineIn,
    SupplierPaymentCreate,
    SupplierPaymentMethod,
)
from domain.finance.vat import active_rates, default_of, pick_rate
from domain.kit import inputs
from domain.kit.money import Currency, round_to_currency
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import dd_mm_yyyy, money, partner_name, tenant_currency, today
from tools.stock._common import find_supplier

# --- record_supplier_bill ------------------------------------------------------------------


class RecordSupplierBillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supplier: str = Field(max_length=200, description="Le fournisseur, tel que dit.")
    supplier_number: str | None = Field(
        default=None, max_length=60, description="Le numéro de la facture du fournisseur."
    )
    amount: inputs.Amount = Field(gt=0, description="Le montant de la facture.")
    amount_is: Literal["incl_tax", "excl_tax"] = Field(
        default="incl_tax",
        description="incl_tax quand le montant dit est TTC (par défaut), excl_tax quand il "
        "est dit hors taxe (« 500 000 HT »).",
    )
    vat_rate: inputs.Rate | None = Field(
        default=None, description="Taux de TVA en % ; le taux normal de l'entreprise sinon."
    )
    description: str | None = Field(default=None, max_length=500, description="Ce qui est acheté.")
    account: str | None = Field(
        default=None, max_length=12, pattern=r"^[0-9]{3,12}$", description="Compte de charge."
    )
    issue_date: date | None = Field(default=None, description="Date de la facture ; aujourd'hui.")
    due_date: date | None = Field(
        default=None, description="Échéance ; sinon selon les conditions du fournisseur."
    )
    payment_terms_days: int | None = Field(
        default=None,
        ge=0,
        le=365,
        description="Délai de paiement en jours après la date de la facture (« à payer sous 30 "
        "jours » : 30), quand aucune échéance n'est dite.",
    )


class RecordedBill(ToolResult):
    bill_id: str
    number: str | None
    supplier: str
    supplier_number: str
    currency: str
    total_excl_tax: Decimal
    tax: Decimal
    total: Decimal
    due_date: date

    def _what(self) -> str:
        return (
            f"la facture {self.supplier_number} de {self.supplier} : "
            f"{money(self.total_excl_tax, self.currency)} HT, TVA "
            f"{money(self.tax, self.currency)}, {money(self.total, self.currency)} TTC, "
            f"échéance le {dd_mm_yyyy(self.due_date)}"
        )

    def render(self) -> str:
        return f"Facture fournisseur {self.number} enregistrée : {self._what()}."

    def preview(self) -> str:
        return f"Enregistrer et comptabiliser {self._what()}."


def net_from_gross(gross: Decimal, rate: Decimal, category: str, currency: Currency) -> Decimal:
    """The amount excl. tax whose total incl. tax, VAT rounded once, is exactly ``gross``;
    a question back when no such amount exists (a total that rounding cannot reach)."""
    guess = round_to_currency(gross * 100 / (100 + rate), currency)
    for step in (0, -1, 1, -2, 2):
        net = guess + step * currency.quantum
        totals = document_totals([TaxableLine(net, rate, category)], currency)
        if totals.gross == gross:
            return net
    raise AskBack(
        "Ce montant TTC ne correspond à aucun montant hors taxe à ce taux : quel est le "
        "montant hors taxe ?",
        field="amount",
    )


def _line(ctx: ToolContext, args: RecordSupplierBillIn) -> BillLineIn:
    rates = active_rates(ctx.session, ctx.principal.tenant_id)
    rate = pick_rate(rates, args.vat_rate) if args.vat_rate is not None else default_of(rates)
    currency = Currency(tenant_currency(ctx))
    net = (
        args.amount
        if args.amount_is == "excl_tax"
        else net_from_gross(args.amount, rate.rate, rate.category, currency)
    )
    return BillLineIn(
        description=args.description or "Achats",
        quantity=Decimal(1),
        unit_price=net,
        vat_rate=rate.rate,
        account=args.account,
    )


def _after_terms(ctx: ToolContext, args: RecordSupplierBillIn) -> date | None:
    """The due date of a bill payable so many days after its date."""
    if args.payment_terms_days is None:
        return None
    return (args.issue_date or today(ctx)) + timedelta(days=args.payment_terms_days)


@tool(
    "purchasing.record_supplier_bill",
    title="Enregistrer une facture fournisseur",
    effect=Effect.WRITE,
    roles=bills.WRITERS,
    creates="supplier_bill",
    # « la facture de Grands Moulins »: a supplier's bill is named « facture » too; it is
    # recorded and posted at once, so « enregistre la facture … et valide-la » is this.
    acts_on=("invoice", "validation"),
)
def record_supplier_bill(ctx: ToolContext, args: RecordSupplierBillIn) -> RecordedBill:
    """Enregistre et comptabilise une facture reçue d'un fournisseur (ce qu'on lui doit),
    avec sa TVA déductible ; l'échéance suit ses conditions de paiement.
    Exemples : « enregistre la facture FA-118 de Grands Moulins, 630 000 FCFA, échéance fin
    du mois », « facture n° 2026-45 de l'imprimerie Diop : 1 200 € HT, TVA 20 % »."""
    supplier = find_supplier(ctx, args.supplier)
    if not args.supplier_number:
        raise AskBack(
            f"Quel est le numéro de la facture de {supplier.name} ?", field="supplier_number"
        )
    draft = bills.create_bill(
        ctx.session,
        ctx.principal,
        ctx.clock,
        BillCreate(
            supplier_id=supplier.id,
            supplier_number=args.supplier_number,
            issue_date=args.issue_date,
            due_date=args.due_date or _after_terms(ctx, args),
            lines=[_line(ctx, args)],
        ),
    )
    bill = bills.post_bill(ctx.session, ctx.principal, ctx.clock, draft.id)
    return RecordedBill(
        bill_id=str(bill.id),
        number=bill.number,
        supplier=supplier.name,
        supplier_number=bill.reference,
        currency=bill.currency,
        total_excl_tax=bill.net_total,
        tax=bill.tax_total,
        total=bill.gross_total,
        due_date=bill.due_date,
    )


# --- pay_supplier ----------------------------------------------------------------------------

METHOD_PHRASES = {
    "bank_transfer": "par virement",
    "cheque": "par chèque",
    "cash": "en espèces",
    "card": "par carte bancaire",
    "wave": "par Wave",
    "orange_money": "par Orange Money",
}


class PaySupplierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supplier: str | None = Field(
        default=None, max_length=200, description="Le fournisseur payé, tel que dit."
    )
    bill: str | None = Field(
        default=None, max_length=60, description="Le numéro de la facture du fournisseur payée."
    )
    amount: Decimal | Literal["balance", "half"] = Field(
        description="Montant payé ; « balance » pour tout ce qui reste dû (la facture nommée, "
        "ou toutes les factures ouvertes du fournisseur) ; « half » pour la moitié de ce reste."
    )
    method: SupplierPaymentMethod = Field(
        description="bank_transfer (virement), cheque, cash (espèces), card, wave, orange_money."
    )
    paid_on: date | None = Field(default=None, description="Date du paiement ; aujourd'hui.")
    reference: str | None = Field(default=None, max_length=100, description="Référence.")


class Settled(BaseModel):
    supplier_number: str
    amount: Decimal
    balance: Decimal


class PaidSupplier(ToolResult):
    payment_id: str
    number: str
    supplier: str
    amount: Decimal
    currency: str
    method: str
    paid_on: date
    settled: list[Settled]
    advance: Decimal

    def _allocation(self) -> str:
        parts = [
            f"facture {x.supplier_number} soldée"
            if x.balance == 0
            else f"{money(x.amount, self.currency)} sur la facture {x.supplier_number} "
            f"(reste à payer {money(x.balance, self.currency)})"
            for x in self.settled
        ]
        text = ", ".join(parts) if parts else "aucune facture à régler"
        if self.advance > 0:
            text += f" ; {money(self.advance, self.currency)} restent en avance au fournisseur"
        return text

    def render(self) -> str:
        return (
            f"Paiement {self.number} de {money(self.amount, self.currency)} "
            f"{METHOD_PHRASES[self.method]} enregistré pour {self.supplier} : "
            f"{self._allocation()}."
        )

    def preview(self) -> str:
        return (
            f"Enregistrer un paiement de {money(self.amount, self.currency)} "
            f"{METHOD_PHRASES[self.method]} à {self.supplier} le {dd_mm_yyyy(self.paid_on)} : "
            f"{self._allocation()}."
        )


def _bill_named(ctx: ToolContext, supplier_id: UUID | None, number: str) -> SupplierBill:
    wanted = number.strip().upper()
    found = [
        b
        for b in repo.open_bills(ctx.session, ctx.principal.tenant_id, supplier_id)
        if b.reference.upper() == wanted
    ]
    if len(found) != 1:
        raise AskBack(
            f"Je ne trouve pas de facture fournisseur à payer n° {number} : laquelle ?",
            field="bill",
        )
    return found[0]


def _target(ctx: ToolContext, args: PaySupplierIn) -> tuple[UUID, SupplierBill | None]:
    supplier_id = find_supplier(ctx, args.supplier).id if args.supplier else None
    if args.bill:
        bill = _bill_named(ctx, supplier_id, args.bill)
        return bill.payee, bill
    if supplier_id is None:
        raise AskBack("Quel fournisseur avez-vous payé ?", field="supplier")
    return supplier_id, None


@tool(
    "purchasing.pay_supplier",
    title="Payer un fournisseur",
    effect=Effect.WRITE,
    roles=bills.WRITERS,
    creates="supplier_payment",
    # « règle la facture FA-118 », « le paiement à Sotiba »: a supplier's bill is a
    # « facture », and paying it a « paiement ».
    acts_on=("supplier_bill", "invoice", "payment"),
)
def pay_supplier(ctx: ToolContext, args: PaySupplierIn) -> PaidSupplier:
    """Enregistre un paiement fait à un fournisseur (virement, chèque, espèces, carte, Wave,
    Orange Money) sur une facture, ou sur ses factures les plus anciennes ; un excédent
    reste en avance chez lui.
    Exemples : « j'ai payé 300 000 FCFA à Grands Moulins par Wave », « règle la facture
    FA-118 de Grands Moulins par virement » (tout le reste dû)."""
    supplier_id, bill = _target(ctx, args)
    owed = repo.open_bills(ctx.session, ctx.principal.tenant_id, supplier_id)
    before = {b.id: bills.balance(b) for b in owed}
    if isinstance(args.amount, Decimal):
        amount = args.amount
    else:
        amount = bills.balance(bill) if bill else sum(before.values(), Decimal(0))
        if amount <= 0:
            raise AskBack("Ce fournisseur n'a rien à payer : quel montant ?", field="amount")
        if args.amount == "half":  # « on lui paie la moitié »: half of what is still due
            amount = round_to_currency(amount / 2, Currency(tenant_currency(ctx)))
    payment = payments.record_supplier_payment(
        ctx.session,
        ctx.principal,
        ctx.clock,
        SupplierPaymentCreate(
            supplier_id=supplier_id,
            bill_id=bill.id if bill else None,
            amount=amount,
            method=args.method,
            paid_on=args.paid_on,
            reference=args.reference,
        ),
    )
    settled = [
        Settled(supplier_number=b.reference, amount=before[b.id] - left, balance=left)
        for b in owed
        if (left := bills.balance(b)) != before[b.id]
    ]
    return PaidSupplier(
        payment_id=str(payment.id),
        number=payment.number,
        supplier=partner_name(ctx, supplier_id),
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        paid_on=payment.paid_on,
        settled=settled,
        advance=payment.amount - payment.amount_allocated,
    )


# --- post_supplier_bill ----------------------------------------------------------------------


class PostSupplierBillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bill: str = Field(max_length=60, description="Le numéro de la facture du fournisseur.")
    supplier: str | None = Field(default=None, max_length=200, description="Le fournisseur.")
    accept_differences: bool = Field(
        default=False,
        description="true seulement quand la personne a vu les écarts avec la commande et "
        "les réceptions et demande de comptabiliser quand même.",
    )


def _draft_named(ctx: ToolContext, supplier_id: UUID | None, number: str) -> SupplierBill:
    wanted = number.strip().upper()
    found = [
        b
        for b in repo.list_bills(
            ctx.session, ctx.principal.tenant_id, supplier_id=supplier_id, status="draft", limit=500
        )
        if b.reference.upper() == wanted
    ]
    if len(found) != 1:
        raise AskBack(
            f"Je ne trouve pas de facture fournisseur en brouillon n° {number} : laquelle ?",
            field="bill",
        )
    return found[0]


@tool(
    "purchasing.post_supplier_bill",
    title="Comptabiliser une facture fournisseur",
    effect=Effect.WRITE,
    roles=bills.WRITERS,
    acts_on=("supplier_bill", "invoice"),
)
def post_supplier_bill(ctx: ToolContext, args: PostSupplierBillIn) -> RecordedBill:
    """Comptabilise une facture fournisseur en brouillon (une facture électronique importée,
    par exemple), après l'avoir rapprochée de sa commande et de ses réceptions ; les écarts
    sont montrés et la facture n'est comptabilisée que s'ils sont acceptés.
    Exemples : « valide la facture MB-2026-0412 de la Minoterie de Beauce »,
    « comptabilise la facture IMP-77 »."""
    supplier_id = find_supplier(ctx, args.supplier).id if args.supplier else None
    draft = _draft_named(ctx, supplier_id, args.bill)
    bill = bills.post_bill(
        ctx.session,
        ctx.principal,
        ctx.clock,
        draft.id,
        accept_differences=args.accept_differences,
    )
    return RecordedBill(
        bill_id=str(bill.id),
        number=bill.number,
        supplier=partner_name(ctx, bill.payee),
        supplier_number=bill.reference,
        currency=bill.currency,
        total_excl_tax=bill.net_total,
        tax=bill.tax_total,
        total=bill.gross_total,
        due_date=bill.due_date,
    )


# --- import_einvoice ---------------------------------------------------------------------------


class ImportEInvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str | None = Field(
        default=None,
        max_length=200,
        description="Le fichier reçu (nom ou titre) ; le dernier document envoyé sinon.",
    )


class ImportedEInvoice(ToolResult):
    bill_id: str
    kind: Literal["bill", "credit_note"]
    source: str  # einvoice | scan
    supplier: str | None  # None: a scan, not read
    supplier_number: str
    currency: str
    total_excl_tax: Decimal
    tax: Decimal
    total: Decimal
    warnings: list[str]

    def _what(self) -> str:
        if self.source == "scan":
            return "la facture scannée (à compléter : rien n'est lu dans un PDF sans facture)"
        word = "l'avoir" if self.kind == "credit_note" else "la facture"
        return (
            f"{word} {self.supplier_number} de {self.supplier} : "
            f"{money(self.total_excl_tax, self.currency)} HT, TVA "
            f"{money(self.tax, self.currency)}, {money(self.total, self.currency)} TTC"
        )

    def _warnings(self) -> str:
        return "".join(f" Attention : {w}" for w in self.warnings)

    def render(self) -> str:
        if self.kind == "credit_note":
            return f"Enregistré et comptabilisé : {self._what()}.{self._warnings()}"
        return f"Brouillon créé pour {self._what()}.{self._warnings()}"

    def preview(self) -> str:
        if self.kind == "credit_note":
            return (
                f"Enregistrer et comptabiliser {self._what()}, en déduction de la facture "
                f"qu'il corrige.{self._warnings()}"
            )
        return f"Importer en brouillon {self._what()}.{self._warnings()}"


@tool(
    "purchasing.import_einvoice",
    title="Importer une facture électronique reçue",
    effect=Effect.WRITE,
    roles=bills.WRITERS,
    creates="supplier_bill",
    acts_on=("invoice",),
)
def import_einvoice(ctx: ToolContext, args: ImportEInvoiceIn) -> ImportedEInvoice:
    """Importe en brouillon la facture électronique (Factur-X, CII ou UBL) qu'on vient de
    recevoir ou d'envoyer comme document ; le fournisseur est retrouvé ou créé. Un avoir
    électronique est enregistré sur la facture qu'il corrige ; un PDF sans facture
    structurée (un scan) devient un brouillon vide à compléter.
    Exemples : « importe la facture que je viens d'envoyer », « importe la facture
    minoterie.xml »."""
    found = importing.latest_document(ctx.session, ctx.principal, args.document)
    if found is None:
        raise AskBack("Quel fichier importer ? Envoyez la facture reçue.", field="document")
    document_id, filename, data = found
    done = importing.import_einvoice(
        ctx.session, ctx.principal, ctx.clock, data, filename=filename, document_id=document_id
    )
    return ImportedEInvoice(
        bill_id=str(done.bill.id),
        kind="credit_note" if done.bill.kind == "credit_note" else "bill",
        source=done.bill.source,
        supplier=done.supplier.name if done.supplier else None,
        supplier_number=done.bill.reference,
        currency=done.bill.currency,
        total_excl_tax=done.bill.net_total,
        tax=done.bill.tax_total,
        total=done.bill.gross_total,
        warnings=done.warnings,
    )
