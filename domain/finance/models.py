"""Finance: fiscal settings, quotes, invoices and credit notes, payments, the ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk


class FiscalSettings(TenantEntity):
    """One row per tenant: how its documents are numbered, worded and paid."""

    __tablename__ = "fiscal_settings"
    chart: Mapped[str] = mapped_column(String(12))  # pcg | syscohada
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger, default=30)
    quote_validity_days: Mapped[int] = mapped_column(SmallInteger, default=30)
    invoice_pattern: Mapped[str] = mapped_column(String(40))
    credit_note_pattern: Mapped[str] = mapped_column(String(40))
    quote_pattern: Mapped[str] = mapped_column(String(40))
    legal_mentions: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    late_penalty_text: Mapped[str | None] = mapped_column(Text)
    iban: Mapped[str | None] = mapped_column(String(34))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    legal_form: Mapped[str | None] = mapped_column(String(40))
    share_capital: Mapped[str | None] = mapped_column(String(40))
    trade_registry: Mapped[str | None] = mapped_column(String(80))  # RCS / RCCM
    # France: the business opted to pay VAT on services when invoiced (« d'après les
    # débits ») rather than when paid; its invoices must say so.
    vat_on_debits: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("chart IN ('pcg','syscohada')", name="chart"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms"),
    )


class VatRate(TenantEntity):
    """A VAT rate the tenant may invoice at (FR 20/10/5,5/2,1; SN 18/10; exempt)."""

    __tablename__ = "vat_rates"
    rate: Mapped[Decimal]
    category: Mapped[str] = mapped_column(String(2))  # UNTDID 5305: S, E, Z
    label: Mapped[str] = mapped_column(String(80))
    exemption_reason: Mapped[str | None] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("tenant_id", "rate", "category"),
        CheckConstraint("rate >= 0 AND rate < 100", name="rate"),
        CheckConstraint("category IN ('S','E','Z')", name="category"),
    )


class LineColumns:
    """What a quote line and an invoice line both say."""

    position: Mapped[int] = mapped_column(SmallInteger)
    product_id: Mapped[UUID | None]
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(32))  # see domain.sales.units
    unit_price: Mapped[Decimal]
    discount_percent: Mapped[Decimal] = mapped_column(default=Decimal(0))
    vat_rate: Mapped[Decimal]
    vat_category: Mapped[str] = mapped_column(String(2), default="S")
    net_amount: Mapped[Decimal]  # rounded to the currency: qty × price × (1 − discount)


def _line_checks() -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint("quantity <> 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount"),
    )


class Quote(TenantEntity):
    __tablename__ = "quotes"
    number: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(SmallInteger, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    partner_id: Mapped[UUID]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    issue_date: Mapped[date]
    valid_until: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    gross_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    notes: Mapped[str | None] = mapped_column(Text)
    invoice_id: Mapped[UUID | None]  # the invoice it became
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("partner_id", "partners"),
        UniqueConstraint("tenant_id", "number", "version"),
        CheckConstraint("status IN ('draft','sent','accepted','refused','expired')", name="status"),
        Index(None, "tenant_id", "partner_id"),
        Index(None, "tenant_id", "status", "valid_until"),
    )


class QuoteLine(LineColumns, TenantRecord):
    __tablename__ = "quote_lines"
    quote_id: Mapped[UUID]
    __table_args__ = (
        tenant_fk("quote_id", "quotes", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        Index(None, "tenant_id", "quote_id"),
        *_line_checks(),
    )


class Invoice(TenantEntity):
    """An invoice, a deposit invoice or a credit note. Immutable once posted."""

    __tablename__ = "invoices"
    kind: Mapped[str] = mapped_column(String(12), default="invoice")
    number: Mapped[str | None] = mapped_column(String(40))  # given at posting
    status: Mapped[str] = mapped_column(String(16), default="draft")
    partner_id: Mapped[UUID]
    issue_date: Mapped[date]
    due_date: Mapped[date | None]
    payment_terms_days: Mapped[int] = mapped_column(SmallInteger)
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    gross_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    amount_settled: Mapped[Decimal] = mapped_column(default=Decimal(0))
    quote_id: Mapped[UUID | None]
    credited_invoice_id: Mapped[UUID | None]  # credit notes: the invoice they reverse
    recurring_id: Mapped[UUID | None]
    reason: Mapped[str | None] = mapped_column(String(300))  # credit notes, cancellations
    notes: Mapped[str | None] = mapped_column(Text)
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    # The 2026 French mentions: goods, services or mixed (derived from the lines when
    # None), and where the goods are delivered when it is not the customer's address.
    operation_category: Mapped[str | None] = mapped_column(String(8))
    delivery_line1: Mapped[str | None] = mapped_column(String(200))
    delivery_postcode: Mapped[str | None] = mapped_column(String(16))
    delivery_city: Mapped[str | None] = mapped_column(String(100))
    delivery_country: Mapped[str | None] = mapped_column(String(2))
    posted_at: Mapped[datetime | None]
    posted_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic lock: a stale copy cannot overwrite a concurrent change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        tenant_fk("partner_id", "partners"),
        tenant_fk("quote_id", "quotes"),
        tenant_fk("credited_invoice_id", "invoices"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("kind IN ('invoice','deposit','credit_note')", name="kind"),
        CheckConstraint(
            "status IN ('draft','posted','partially_paid','paid','cancelled')", name="status"
        ),
        CheckConstraint(
            "status IN ('draft', 'cancelled') OR number IS NOT NULL", name="posted_number"
        ),
        CheckConstraint("kind <> 'credit_note' OR credited_invoice_id IS NOT NULL", name="credit"),
        CheckConstraint("amount_settled >= 0 AND amount_settled <= gross_total", name="settled"),
        CheckConstraint(
            "operation_category IN ('goods','services','mixed')", name="operation_category"
        ),
        Index(None, "tenant_id", "partner_id", "issue_date"),
        Index(None, "tenant_id", "issue_date"),
        Index(None, "tenant_id", "status", "due_date"),
    )


class InvoiceLine(LineColumns, TenantRecord):
    __tablename__ = "invoice_lines"
    invoice_id: Mapped[UUID]
    # A final invoice deducts a deposit with a negative line pointing at it.
    deposit_invoice_id: Mapped[UUID | None]
    __table_args__ = (
        tenant_fk("invoice_id", "invoices", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        tenant_fk("deposit_invoice_id", "invoices"),
        Index(None, "tenant_id", "invoice_id"),
        *_line_checks(),
    )


class RecurringInvoice(TenantEntity):
    """A template generating an invoice every month, quarter or year."""

    __tablename__ = "recurring_invoices"
    partner_id: Mapped[UUID]
    label: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(10))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    start_date: Mapped[date]
    next_date: Mapped[date]
    end_date: Mapped[date | None]
    auto_post: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        tenant_fk("partner_id", "partners"),
        CheckConstraint("frequency IN ('monthly','quarterly','yearly')", name="frequency"),
        Index(None, "tenant_id", "is_active", "next_date"),
    )


class Payment(TenantEntity):
    """Money received from a customer; what is not allocated is the customer's credit."""

    __tablename__ = "payments"
    partner_id: Mapped[UUID]
    number: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(100))
    amount_allocated: Mapped[Decimal] = mapped_column(default=Decimal(0))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("partner_id", "partners"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("amount_allocated >= 0 AND amount_allocated <= amount", name="allocated"),
        CheckConstraint(
            "method IN ('cash','bank_transfer','card','cheque','wave','orange_money')",
            name="method",
        ),
        Index(None, "tenant_id", "partner_id", "received_on"),
        Index(None, "tenant_id", "received_on"),
    )


class Allocation(TenantRecord):
    """Part of a payment, or of a credit note, settling an invoice."""

    __tablename__ = "allocations"
    invoice_id: Mapped[UUID]
    payment_id: Mapped[UUID | None]
    credit_note_id: Mapped[UUID | None]
    amount: Mapped[Decimal]
    allocated_on: Mapped[date]
    __table_args__ = (
        tenant_fk("invoice_id", "invoices"),
        tenant_fk("payment_id", "payments"),
        tenant_fk("credit_note_id", "invoices"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"),
        Index(None, "tenant_id", "invoice_id"),
        Index(None, "tenant_id", "payment_id"),
    )


class Account(TenantEntity):
    """An account of the tenant's chart (loaded from the PCG or SYSCOHADA template)."""

    __tablename__ = "accounts"
    number: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("kind IN ('asset','liability','equity','income','expense')", name="kind"),
    )


class Journal(TenantEntity):
    __tablename__ = "journals"
    code: Mapped[str] = mapped_column(String(6))  # VT, AC, BQ, CA, OD, MM
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(14))
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("kind IN ('sales','purchases','bank','cash','miscellaneous')", name="kind"),
    )


class JournalEntry(TenantRecord):
    """A balanced, immutable accounting entry (corrections are new entries)."""

    __tablename__ = "journal_entries"
    journal_id: Mapped[UUID]
    number: Mapped[str] = mapped_column(String(40))  # "VT-2026-000123"
    entry_date: Mapped[date]
    label: Mapped[str] = mapped_column(String(200))
    piece_ref: Mapped[str] = mapped_column(String(40))
    piece_date: Mapped[date]
    source_type: Mapped[str] = mapped_column(String(16))  # invoice | payment | manual
    source_id: Mapped[UUID | None]
    validated_at: Mapped[datetime]
    __table_args__ = (
        tenant_fk("journal_id", "journals"),
        UniqueConstraint("tenant_id", "number"),
        Index(None, "tenant_id", "entry_date"),
        Index(None, "tenant_id", "source_type", "source_id"),
    )


class JournalLine(TenantRecord):
    __tablename__ = "journal_lines"
    entry_id: Mapped[UUID]
    position: Mapped[int] = mapped_column(SmallInteger)
    account_id: Mapped[UUID]
    partner_id: Mapped[UUID | None]  # auxiliary account (customer, supplier)
    label: Mapped[str] = mapped_column(String(200))
    debit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    credit: Mapped[Decimal] = mapped_column(default=Decimal(0))
    __table_args__ = (
        tenant_fk("entry_id", "journal_entries"),
        tenant_fk("account_id", "accounts"),
        tenant_fk("partner_id", "partners"),
        CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side"
        ),
        Index(None, "tenant_id", "entry_id"),
        Index(None, "tenant_id", "account_id"),
        Index(None, "tenant_id", "partner_id"),
    )
