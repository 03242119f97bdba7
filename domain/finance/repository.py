"""Finance queries. Services never build SQL themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from domain.finance.models import (
    Account,
    Allocation,
    Invoice,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    Payment,
    Quote,
    QuoteLine,
)
from domain.sales.models import Partner

OPEN_STATUSES = ("posted", "partially_paid")


def get_invoice(
    session: Session, tenant_id: UUID, invoice_id: UUID, *, lock: bool = False
) -> Invoice | None:
    query = select(Invoice).where(Invoice.tenant_id == tenant_id, Invoice.id == invoice_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def find_invoice_by_number(session: Session, tenant_id: UUID, number: str) -> Invoice | None:
    return session.scalar(
        select(Invoice).where(Invoice.tenant_id == tenant_id, Invoice.number == number)
    )


def invoices_numbered(session: Session, tenant_id: UUID, numbers: Sequence[str]) -> list[Invoice]:
    """The invoices and credit notes bearing one of ``numbers`` (the unique index on
    ``(tenant_id, number)`` serves it)."""
    if not numbers:
        return []
    query = select(Invoice).where(Invoice.tenant_id == tenant_id, Invoice.number.in_(numbers))
    return list(session.scalars(query.order_by(Invoice.number)))


def current_quotes_numbered(
    session: Session, tenant_id: UUID, numbers: Sequence[str]
) -> list[Quote]:
    """The current version of the quotes bearing one of ``numbers`` (the unique index on
    ``(tenant_id, number, version)`` serves it)."""
    if not numbers:
        return []
    query = select(Quote).where(
        Quote.tenant_id == tenant_id, Quote.number.in_(numbers), Quote.is_current
    )
    return list(session.scalars(query.order_by(Quote.number)))


def invoice_lines(session: Session, tenant_id: UUID, invoice_id: UUID) -> list[InvoiceLine]:
    return list(
        session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.tenant_id == tenant_id, InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        )
    )


def credit_notes_of(session: Session, tenant_id: UUID, invoice_id: UUID) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice).where(
                Invoice.tenant_id == tenant_id,
                Invoice.kind == "credit_note",
                Invoice.credited_invoice_id == invoice_id,
            )
        )
    )


def open_invoices(
    session: Session, tenant_id: UUID, partner_id: UUID, *, lock: bool = False
) -> list[Invoice]:
    """A customer's unsettled posted invoices, oldest due first."""
    query = (
        select(Invoice)
        .where(
            Invoice.tenant_id == tenant_id,
            Invoice.partner_id == partner_id,
            Invoice.kind != "credit_note",
            Invoice.status.in_(OPEN_STATUSES),
        )
        .order_by(Invoice.due_date, Invoice.issue_date, Invoice.number)
    )
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def lock_invoices(session: Session, tenant_id: UUID, ids: Sequence[UUID]) -> dict[UUID, Invoice]:
    rows = session.scalars(
        select(Invoice)
        .where(Invoice.tenant_id == tenant_id, Invoice.id.in_(ids))
        .order_by(Invoice.id)  # one lock order everywhere: no deadlock between payments
        .with_for_update()
    )
    return {invoice.id: invoice for invoice in rows}


def credit_sources(
    session: Session, tenant_id: UUID, partner_id: UUID
) -> tuple[list[Payment], list[Invoice]]:
    """A customer's payments and credit notes not fully used yet (their credit), locked."""
    payments = session.scalars(
        select(Payment)
        .where(
            Payment.tenant_id == tenant_id,
            Payment.partner_id == partner_id,
            Payment.amount_allocated < Payment.amount,
        )
        .order_by(Payment.received_on, Payment.id)
        .with_for_update()
    )
    notes = session.scalars(
        select(Invoice)
        .where(
            Invoice.tenant_id == tenant_id,
            Invoice.partner_id == partner_id,
            Invoice.kind == "credit_note",
            Invoice.amount_settled < Invoice.gross_total,
        )
        .order_by(Invoice.issue_date, Invoice.id)
        .with_for_update()
    )
    return list(payments), list(notes)


def allocations_of_invoice(session: Session, tenant_id: UUID, invoice_id: UUID) -> list[Allocation]:
    return list(
        session.scalars(
            select(Allocation)
            .where(Allocation.tenant_id == tenant_id, Allocation.invoice_id == invoice_id)
            .order_by(Allocation.allocated_on)
        )
    )


def get_quote(
    session: Session, tenant_id: UUID, quote_id: UUID, *, lock: bool = False
) -> Quote | None:
    query = select(Quote).where(Quote.tenant_id == tenant_id, Quote.id == quote_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def quote_lines(session: Session, tenant_id: UUID, quote_id: UUID) -> list[QuoteLine]:
    return list(
        session.scalars(
            select(QuoteLine)
            .where(QuoteLine.tenant_id == tenant_id, QuoteLine.quote_id == quote_id)
            .order_by(QuoteLine.position)
        )
    )


def get_payment(session: Session, tenant_id: UUID, payment_id: UUID) -> Payment | None:
    return session.scalar(
        select(Payment).where(Payment.tenant_id == tenant_id, Payment.id == payment_id)
    )


def list_invoices(
    session: Session,
    tenant_id: UUID,
    *,
    today: date,
    kind: str | None = None,
    status: str | None = None,
    partner_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    overdue: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Invoice]:
    query = select(Invoice).where(Invoice.tenant_id == tenant_id)
    if kind:
        query = query.where(Invoice.kind == kind)
    if status:
        query = query.where(Invoice.status == status)
    if partner_id:
        query = query.where(Invoice.partner_id == partner_id)
    if start:
        query = query.where(Invoice.issue_date >= start)
    if end:
        query = query.where(Invoice.issue_date <= end)
    if overdue is not None:
        late = Invoice.status.in_(OPEN_STATUSES) & (Invoice.due_date < today)
        query = query.where(late if overdue else ~late)
    query = query.order_by(Invoice.issue_date.desc(), Invoice.number.desc().nulls_first())
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_quotes(
    session: Session,
    tenant_id: UUID,
    *,
    status: str | None = None,
    partner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Quote]:
    query = select(Quote).where(Quote.tenant_id == tenant_id, Quote.is_current)
    if status:
        query = query.where(Quote.status == status)
    if partner_id:
        query = query.where(Quote.partner_id == partner_id)
    query = query.order_by(Quote.issue_date.desc(), Quote.number.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_payments(
    session: Session,
    tenant_id: UUID,
    *,
    partner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Payment]:
    query = select(Payment).where(Payment.tenant_id == tenant_id)
    if partner_id:
        query = query.where(Payment.partner_id == partner_id)
    query = query.order_by(Payment.received_on.desc(), Payment.number.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def ledger_lines(
    tenant_id: UUID, start: date, end: date
) -> Select[JournalLine, JournalEntry, Journal, Account, str, str]:
    """Journal lines dated ``start``–``end`` with their entry, journal, account and the
    auxiliary account's (partner's) code and name, None on lines without one; the caller
    orders them."""
    return (
        select(JournalLine, JournalEntry, Journal, Account, Partner.code, Partner.name)
        .join(
            JournalEntry,
            (JournalEntry.tenant_id == JournalLine.tenant_id)
            & (JournalEntry.id == JournalLine.entry_id),
        )
        .join(
            Journal,
            (Journal.tenant_id == JournalEntry.tenant_id) & (Journal.id == JournalEntry.journal_id),
        )
        .join(
            Account,
            (Account.tenant_id == JournalLine.tenant_id) & (Account.id == JournalLine.account_id),
        )
        .outerjoin(
            Partner,
            (Partner.tenant_id == JournalLine.tenant_id) & (Partner.id == JournalLine.partner_id),
        )
        .where(JournalLine.tenant_id == tenant_id, JournalEntry.entry_date.between(start, end))
    )
