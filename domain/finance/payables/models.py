"""Supplier bills, their lines, supplier payments and what each payment settles."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk

BILL_STATUSES = ("draft", "posted", "partially_paid", "paid", "cancelled")
OPEN_STATUSES = ("posted", "partially_paid")
SUPPLIER_PAYMENT_METHODS = ("bank_transfer", "cheque", "cash", "card", "wave", "orange_money")


class SupplierBill(TenantEntity):
    """A supplier's invoice (or credit note) as the business received it.

    ``supplier_number`` is the supplier's own number, unique per supplier among bills that
    are not cancelled; ``number`` is the business's internal number, given at posting.
    """

    __tablename__ = "supplier_bills"

    @property
    def payee(self) -> UUID:
        """The supplier, known on every bill but a scanned draft not completed yet."""
        if self.supplier_id is None:
            from domain.finance.payables.errors import BillIncomplete

            raise BillIncomplete()
        return self.supplier_id

    @property
    def reference(self) -> str:
        """The supplier's number (« FA-118 »), or « (à compléter) » on a scanned draft."""
        return self.supplier_number or "(à compléter)"

    kind: Mapped[str] = mapped_column(String(12), default="bill")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    number: Mapped[str | None] = mapped_column(String(40))
    # A scanned bill waits as a draft without them until someone reads it and completes it.
    supplier_id: Mapped[UUID | None]
    supplier_number: Mapped[str | None] = mapped_column(String(60))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    gross_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    amount_settled: Mapped[Decimal] = mapped_column(default=Decimal(0))
    purchase_order_id: Mapped[UUID | None]
    credited_bill_id: Mapped[UUID | None]
    document_id: Mapped[UUID | None]  # the original file (an e-invoice, a scan)
    source: Mapped[str] = mapped_column(String(12), default="manual")  # manual|einvoice|scan
    warnings: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None]
    posted_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        tenant_fk("supplier_id", "partners"),
        tenant_fk("purchase_order_id", "purchase_orders"),
        tenant_fk("credited_bill_id", "supplier_bills"),
        tenant_fk("document_id", "documents"),
        UniqueConstraint("tenant_id", "number"),
        # A supplier never numbers two invoices alike: the same number twice is a duplicate.
        Index(
            "uq_supplier_bills_supplier_number",
            "tenant_id",
            "supplier_id",
            "kind",
            "supplier_number",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        CheckConstraint("kind IN ('bill','credit_note')", name="kind"),
        CheckConstraint(
            "status IN ('draft','posted','partially_paid','paid','cancelled')", name="status"
        ),
        CheckConstraint("status IN ('draft','cancelled') OR number IS NOT NULL", name="posted"),
        CheckConstraint("kind <> 'credit_note' OR credited_bill_id IS NOT NULL", name="credit"),
        CheckConstraint("source IN ('manual','einvoice','scan')", name="source"),
        CheckConstraint(
            "status IN ('draft','cancelled') OR (supplier_id IS NOT NULL "
            "AND supplier_number IS NOT NULL)",
            name="known_supplier",
        ),
        CheckConstraint("amount_settled >= 0 AND amount_settled <= gross_total", name="settled"),
        Index(None, "tenant_id", "supplier_id", "issue_date"),
        Index(None, "tenant_id", "issue_date"),
        Index(None, "tenant_id", "status", "due_date"),
    )


class SupplierBillLine(TenantRecord):
    """One line of a bill: what was bought, its VAT and the account it is charged to."""

    __tablename__ = "supplier_bill_lines"
    bill_id: Mapped[UUID]
    position: Mapped[int] = mapped_column(SmallInteger)
    product_id: Mapped[UUID | None]
    order_line_id: Mapped[UUID | None]  # the purchase order line it bills
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal]
    vat_rate: Mapped[Decimal]
    vat_category: Mapped[str] = mapped_column(String(2), default="S")
    net_amount: Mapped[Decimal]
    account: Mapped[str] = mapped_column(String(12))  # expense (6x) or fixed asset (2x)
    __table_args__ = (
        tenant_fk("bill_id", "supplier_bills", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        tenant_fk("order_line_id", "purchase_order_lines"),
        Index(None, "tenant_id", "bill_id"),
        Index(None, "tenant_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 100", name="vat_rate"),
    )


class SupplierPayment(TenantEntity):
    """Money paid to a supplier; what is not allocated is an advance to that supplier."""

    __tablename__ = "supplier_payments"
    supplier_id: Mapped[UUID]
    number: Mapped[str] = mapped_column(String(40))
    paid_on: Mapped[date]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(100))
    amount_allocated: Mapped[Decimal] = mapped_column(default=Decimal(0))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("supplier_id", "partners"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("amount_allocated >= 0 AND amount_allocated <= amount", name="allocated"),
        CheckConstraint(f"method IN {SUPPLIER_PAYMENT_METHODS}", name="method"),
        Index(None, "tenant_id", "supplier_id", "paid_on"),
        Index(None, "tenant_id", "paid_on"),
    )


class SupplierAllocation(TenantRecord):
    """Part of a supplier payment, or of a supplier credit note, settling a bill."""

    __tablename__ = "supplier_allocations"
    bill_id: Mapped[UUID]
    payment_id: Mapped[UUID | None]
    credit_note_id: Mapped[UUID | None]
    amount: Mapped[Decimal]
    allocated_on: Mapped[date]
    __table_args__ = (
        tenant_fk("bill_id", "supplier_bills"),
        tenant_fk("payment_id", "supplier_payments"),
        tenant_fk("credit_note_id", "supplier_bills"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"),
        Index(None, "tenant_id", "bill_id"),
        Index(None, "tenant_id", "payment_id"),
    )
