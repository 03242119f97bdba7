"""Finance routes: quotes, invoices, credit notes, payments, ledger, reports, exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from api.deps import ContainerDep, PrincipalDep
from domain.finance import exporting, invoices, payments, printing, quotes, recurring, reports
from domain.finance.books import currency_of
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.documents.pdf import render_pdf
from domain.finance.models import Invoice, InvoiceLine, Payment, Quote
from domain.finance.schemas import (
    Amount,
    CreditNoteCreate,
    DepositRequest,
    InCurrency,
    InvoiceCreate,
    InvoiceOut,
    InvoiceStatus,
    InvoiceUpdate,
    LineOut,
    PaymentCreate,
    PaymentOut,
    QuoteCreate,
    QuoteOut,
    QuoteStatus,
    RecurringCreate,
)
from domain.kit import inputs

router = APIRouter(prefix="/api/v1")
Out = TypeVar("Out", bound=InCurrency)
PDF = "application/pdf"


def _invoice_out(
    invoice: Invoice, today: date, lines: list[InvoiceLine] | None = None
) -> InvoiceOut:
    return InvoiceOut.model_validate(
        {
            **{c: getattr(invoice, c) for c in InvoiceOut.model_fields if hasattr(invoice, c)},
            "balance": invoices.balance(invoice),
            "is_overdue": invoices.is_overdue(invoice, today),
            "lines": [LineOut.model_validate(line) for line in lines or []],
        }
    )


def _quote_out(quote: Quote, today: date) -> QuoteOut:
    out = QuoteOut.model_validate(quote)
    out.status = quotes.effective_status(quote, today)
    return out


def _payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut.model_validate(
        {
            **{c: getattr(payment, c) for c in PaymentOut.model_fields if hasattr(payment, c)},
            "unallocated": payment.amount - payment.amount_allocated,
        }
    )


def _row(model: type[Out], row: object, currency: str) -> Out:
    """A report row (a dataclass) as ``model``, its amounts in ``currency``'s minor unit."""
    fields = {f: getattr(row, f) for f in model.model_fields if f != "currency"}
    return model(**fields, currency=currency)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# Invoices -------------------------------------------------------------------------------


@router.get("/invoices", response_model=list[InvoiceOut], tags=["factures"], summary="Factures")
def list_invoices(
    c: ContainerDep,
    principal: PrincipalDep,
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    kind: Literal["invoice", "deposit", "credit_note"] | None = None,
    partner_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    overdue: bool | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: inputs.Offset = 0,
) -> list[InvoiceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found, today = invoices.list_invoices(
            session,
            principal,
            c.clock,
            kind=kind,
            status=status_,
            partner_id=partner_id,
            start=start,
            end=end,
            overdue=overdue,
            limit=limit,
            offset=offset,
        )
        return [_invoice_out(i, today) for i in found]


@router.post(
    "/invoices",
    response_model=InvoiceOut,
    status_code=status.HTTP_201_CREATED,
    tags=["factures"],
    summary="Créer une facture (brouillon)",
)
def create_invoice(body: InvoiceCreate, c: ContainerDep, principal: PrincipalDep) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoice = invoices.create_invoice(session, principal, c.clock, body)
        _, lines, today = invoices.invoice_with_lines(session, principal, c.clock, invoice.id)
        return _invoice_out(invoice, today, lines)


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, tags=["factures"])
def get_invoice(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoice, lines, today = invoices.invoice_with_lines(session, principal, c.clock, invoice_id)
        return _invoice_out(invoice, today, lines)


@router.patch("/invoices/{invoice_id}", response_model=InvoiceOut, tags=["factures"])
def update_invoice(
    invoice_id: UUID, body: InvoiceUpdate, c: ContainerDep, principal: PrincipalDep
) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoices.update_draft(session, principal, c.clock, invoice_id, body)
        invoice, lines, today = invoices.invoice_with_lines(session, principal, c.clock, invoice_id)
        return _invoice_out(invoice, today, lines)


@router.delete("/invoices/{invoice_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["factures"])
def delete_invoice(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoices.delete_draft(session, principal, c.clock, invoice_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invoices/{invoice_id}/post",
    response_model=InvoiceOut,
    tags=["factures"],
    summary="Valider (numéroter) une facture",
)
def post_invoice(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoices.post_invoice(session, principal, c.clock, invoice_id)
        invoice, lines, today = invoices.invoice_with_lines(session, principal, c.clock, invoice_id)
        return _invoice_out(invoice, today, lines)


@router.post("/invoices/{invoice_id}/cancel", response_model=InvoiceOut, tags=["factures"])
def cancel_invoice(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoice = invoices.cancel_draft(session, principal, c.clock, invoice_id)
        return _invoice_out(invoice, invoice.issue_date)


@router.post(
    "/invoices/{invoice_id}/credit-notes",
    response_model=InvoiceOut,
    status_code=status.HTTP_201_CREATED,
    tags=["factures"],
    summary="Créer un avoir sur une facture validée",
)
def create_credit_note(
    invoice_id: UUID, body: CreditNoteCreate, c: ContainerDep, principal: PrincipalDep
) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        note = invoices.create_credit_note(session, principal, c.clock, invoice_id, body)
        note, lines, today = invoices.invoice_with_lines(session, principal, c.clock, note.id)
        return _invoice_out(note, today, lines)


class CreditApplied(InCurrency):
    amount: Amount


@router.post("/invoices/{invoice_id}/apply-credit", response_model=CreditApplied, tags=["factures"])
def apply_credit(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> CreditApplied:
    with c.db.unit_of_work(principal.tenant_id) as session:
        used = payments.apply_customer_credit(session, principal, c.clock, invoice_id)
        return CreditApplied(amount=used, currency=currency_of(session, principal))


@router.get("/invoices/{invoice_id}/pdf", tags=["factures"], summary="PDF de la facture")
def invoice_pdf(
    invoice_id: UUID,
    c: ContainerDep,
    principal: PrincipalDep,
    facturx: bool = Query(default=True, description="Factur-X (PDF/A-3 + XML) pour la France"),
) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        doc = printing.invoice_document(session, principal, c.clock, invoice_id)
    if facturx and doc.country == "FR" and doc.number != "BROUILLON":
        return _pdf(facturx_pdf(doc), f"{doc.number}.pdf")
    return _pdf(render_pdf(doc), f"{doc.number}.pdf")


@router.get("/exports/invoices", tags=["exports"], summary="Export des factures (CSV, Excel)")
def export_invoices(
    c: ContainerDep,
    principal: PrincipalDep,
    start: date,
    end: date,
    format_: Literal["csv", "xlsx"] = Query(default="csv", alias="format"),
) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        content, media_type, filename = exporting.invoices_export(
            session, principal, c.clock, start=start, end=end, fmt=format_
        )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/exports/fec", tags=["exports"], summary="Fichier des écritures comptables")
def export_fec(c: ContainerDep, principal: PrincipalDep, year: inputs.Year) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        content, filename = exporting.fec_export(session, principal, c.clock, year=year)
    return Response(
        content,
        media_type="text/plain; charset=iso-8859-15",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Quotes ---------------------------------------------------------------------------------


@router.get("/quotes", response_model=list[QuoteOut], tags=["devis"])
def list_quotes(
    c: ContainerDep,
    principal: PrincipalDep,
    status_: Annotated[QuoteStatus | None, Query(alias="status")] = None,
    partner_id: UUID | None = None,
) -> list[QuoteOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found, today = quotes.list_quotes(
            session, principal, c.clock, status=status_, partner_id=partner_id
        )
        return [_quote_out(q, today) for q in found]


@router.post(
    "/quotes", response_model=QuoteOut, status_code=status.HTTP_201_CREATED, tags=["devis"]
)
def create_quote(body: QuoteCreate, c: ContainerDep, principal: PrincipalDep) -> QuoteOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        quote = quotes.create_quote(session, principal, c.clock, body)
        return _quote_out(quote, quote.issue_date)


def _move_quote(
    c: ContainerDep, principal: PrincipalDep, quote_id: UUID, move: Callable[..., Quote]
) -> QuoteOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        quote = move(session, principal, c.clock, quote_id)
        return _quote_out(quote, quote.issue_date)


@router.post("/quotes/{quote_id}/send", response_model=QuoteOut, tags=["devis"])
def send_quote(quote_id: UUID, c: ContainerDep, principal: PrincipalDep) -> QuoteOut:
    return _move_quote(c, principal, quote_id, quotes.send_quote)


@router.post("/quotes/{quote_id}/accept", response_model=QuoteOut, tags=["devis"])
def accept_quote(quote_id: UUID, c: ContainerDep, principal: PrincipalDep) -> QuoteOut:
    return _move_quote(c, principal, quote_id, quotes.accept_quote)


@router.post("/quotes/{quote_id}/refuse", response_model=QuoteOut, tags=["devis"])
def refuse_quote(quote_id: UUID, c: ContainerDep, principal: PrincipalDep) -> QuoteOut:
    return _move_quote(c, principal, quote_id, quotes.refuse_quote)


@router.post(
    "/quotes/{quote_id}/revisions",
    response_model=QuoteOut,
    status_code=status.HTTP_201_CREATED,
    tags=["devis"],
)
def revise_quote(
    quote_id: UUID, body: QuoteCreate, c: ContainerDep, principal: PrincipalDep
) -> QuoteOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        quote = quotes.revise_quote(session, principal, c.clock, quote_id, body)
        return _quote_out(quote, quote.issue_date)


@router.post(
    "/quotes/{quote_id}/invoice",
    response_model=InvoiceOut,
    status_code=status.HTTP_201_CREATED,
    tags=["devis"],
    summary="Transformer un devis accepté en facture",
)
def convert_quote(quote_id: UUID, c: ContainerDep, principal: PrincipalDep) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoice = quotes.convert_to_invoice(session, principal, c.clock, quote_id)
        return _invoice_out(invoice, invoice.issue_date)


@router.post(
    "/quotes/{quote_id}/deposit",
    response_model=InvoiceOut,
    status_code=status.HTTP_201_CREATED,
    tags=["devis"],
    summary="Facture d'acompte sur un devis accepté",
)
def deposit_invoice(
    quote_id: UUID, body: DepositRequest, c: ContainerDep, principal: PrincipalDep
) -> InvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invoice = quotes.deposit_from_quote(session, principal, c.clock, quote_id, body.percent)
        return _invoice_out(invoice, invoice.issue_date)


@router.get("/quotes/{quote_id}/pdf", tags=["devis"], summary="PDF du devis")
def quote_pdf(quote_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        doc = printing.quote_document(session, principal, c.clock, quote_id)
    return _pdf(render_pdf(doc), f"{doc.number}-v{doc.version}.pdf")


# Payments and recurring invoices --------------------------------------------------------


@router.get("/payments", response_model=list[PaymentOut], tags=["paiements"])
def list_payments(
    c: ContainerDep, principal: PrincipalDep, partner_id: UUID | None = None
) -> list[PaymentOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = payments.list_payments(session, principal, partner_id=partner_id)
        return [_payment_out(p) for p in found]


@router.post(
    "/payments",
    response_model=PaymentOut,
    status_code=status.HTTP_201_CREATED,
    tags=["paiements"],
    summary="Enregistrer un paiement reçu",
)
def record_payment(body: PaymentCreate, c: ContainerDep, principal: PrincipalDep) -> PaymentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _payment_out(payments.record_payment(session, principal, c.clock, body))


class CustomerCredit(InCurrency):
    partner_id: UUID
    credit: Amount


@router.get("/partners/{partner_id}/credit", response_model=CustomerCredit, tags=["paiements"])
def customer_credit(partner_id: UUID, c: ContainerDep, principal: PrincipalDep) -> CustomerCredit:
    with c.db.unit_of_work(principal.tenant_id) as session:
        credit = payments.customer_credit(session, principal, partner_id)
        return CustomerCredit(
            partner_id=partner_id, credit=credit, currency=currency_of(session, principal)
        )


class RecurringOut(BaseModel):
    id: UUID
    label: str
    frequency: str
    next_date: date
    is_active: bool


@router.post(
    "/recurring-invoices",
    response_model=RecurringOut,
    status_code=status.HTTP_201_CREATED,
    tags=["factures"],
)
def create_recurring(
    body: RecurringCreate, c: ContainerDep, principal: PrincipalDep
) -> RecurringOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        t = recurring.create_recurring(session, principal, c.clock, body)
        return RecurringOut(
            id=t.id,
            label=t.label,
            frequency=t.frequency,
            next_date=t.next_date,
            is_active=t.is_active,
        )


@router.post(
    "/recurring-invoices/generate",
    response_model=list[InvoiceOut],
    tags=["factures"],
    summary="Générer les factures récurrentes échues",
)
def generate_recurring(c: ContainerDep, principal: PrincipalDep) -> list[InvoiceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        made = recurring.generate_due_invoices(session, principal, c.clock)
        return [_invoice_out(i, i.issue_date) for i in made]


# Ledger and reports ---------------------------------------------------------------------


class TrialBalanceOut(InCurrency):
    account: str
    label: str
    debit: Amount
    credit: Amount
    balance: Amount


@router.get("/ledger/trial-balance", response_model=list[TrialBalanceOut], tags=["comptabilité"])
def trial_balance(
    c: ContainerDep, principal: PrincipalDep, start: date, end: date
) -> list[TrialBalanceOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = reports.trial_balance(session, principal, start=start, end=end)
        currency = currency_of(session, principal)
    return [
        TrialBalanceOut(
            account=r.account,
            label=r.label,
            debit=r.debit,
            credit=r.credit,
            balance=r.balance,
            currency=currency,
        )
        for r in rows
    ]


class LedgerLineOut(InCurrency):
    account: str
    account_label: str
    journal: str
    entry_number: str
    entry_date: date
    piece_ref: str
    label: str
    partner_code: str | None
    partner_name: str | None
    debit: Amount
    credit: Amount
    balance: Amount


@router.get("/ledger/general", response_model=list[LedgerLineOut], tags=["comptabilité"])
def general_ledger(
    c: ContainerDep,
    principal: PrincipalDep,
    start: date,
    end: date,
    account: str | None = Query(default=None, pattern=r"^\d{1,12}$"),
) -> list[LedgerLineOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = reports.general_ledger(
            session, principal, start=start, end=end, account_prefix=account
        )
        currency = currency_of(session, principal)
    return [_row(LedgerLineOut, r, currency) for r in rows]


class AgedOut(InCurrency):
    partner_id: UUID
    partner_code: str
    partner_name: str
    not_due: Amount
    days_0_30: Amount
    days_31_60: Amount
    days_61_90: Amount
    days_over_90: Amount
    total: Amount


@router.get("/reports/aged-receivables", response_model=list[AgedOut], tags=["rapports"])
def aged_receivables(
    c: ContainerDep, principal: PrincipalDep, as_of: date | None = None
) -> list[AgedOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = reports.aged_receivables(session, principal, c.clock, as_of=as_of)
        currency = currency_of(session, principal)
    return [_row(AgedOut, r, currency) for r in rows]


class RevenueOut(InCurrency):
    period: date
    invoiced_net: Amount
    invoiced_gross: Amount
    collected: Amount


@router.get("/reports/revenue", response_model=list[RevenueOut], tags=["rapports"])
def revenue(
    c: ContainerDep,
    principal: PrincipalDep,
    start: date,
    end: date,
    grouping: Literal["day", "month", "quarter", "year"] = "month",
) -> list[RevenueOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = reports.revenue(session, principal, start=start, end=end, grouping=grouping)
        currency = currency_of(session, principal)
    return [_row(RevenueOut, r, currency) for r in rows]


class TopCustomerOut(InCurrency):
    partner_id: UUID
    name: str
    invoiced_net: Amount


class KpisOut(InCurrency):
    start: date
    end: date
    currency: str
    invoiced_net: Amount
    collected: Amount
    unpaid: Amount
    overdue: Amount
    overdue_count: int
    dso_days: Decimal | None
    top_customers: list[TopCustomerOut]


@router.get("/reports/kpis", response_model=KpisOut, tags=["rapports"])
def kpis(c: ContainerDep, principal: PrincipalDep, start: date, end: date) -> KpisOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        k = reports.kpis(session, principal, c.clock, start=start, end=end)
    top = [_row(TopCustomerOut, t, k.currency) for t in k.top_customers]
    fields = {f: getattr(k, f) for f in KpisOut.model_fields if f != "top_customers"}
    return KpisOut(**fields, top_customers=top)
