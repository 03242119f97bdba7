"""Purchasing tables: supplier terms, reorder rules, purchase orders and their receipts."""

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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk

PO_STATUSES = ("draft", "sent", "partially_received", "received", "cancelled")


class ProductSupplier(TenantEntity):
    """What one supplier asks for one product: price, lead time, minimum order."""

    __tablename__ = "product_suppliers"
    product_id: Mapped[UUID]
    supplier_id: Mapped[UUID]
    supplier_sku: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal | None]  # excl. VAT, tenant currency; None: product purchase price
    lead_time_days: Mapped[int | None] = mapped_column(SmallInteger)  # None: the partner's
    min_order_quantity: Mapped[Decimal] = mapped_column(default=Decimal(1))
    is_preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        tenant_fk("product_id", "products", ondelete="CASCADE"),
        tenant_fk("supplier_id", "partners"),
        UniqueConstraint("tenant_id", "product_id", "supplier_id"),
        # At most one preferred supplier per product.
        Index(
            "uq_product_suppliers_preferred",
            "tenant_id",
            "product_id",
            unique=True,
            postgresql_where=text("is_preferred"),
        ),
        Index(None, "tenant_id", "supplier_id"),
        CheckConstraint("price IS NULL OR price >= 0", name="price"),
        CheckConstraint("lead_time_days BETWEEN 0 AND 365", name="lead_time"),
        CheckConstraint("min_order_quantity > 0", name="min_order_quantity"),
    )


class ReorderRule(TenantEntity):
    """Keep a product between ``min_quantity`` and ``max_quantity`` in one warehouse."""

    __tablename__ = "reorder_rules"
    product_id: Mapped[UUID]
    warehouse_id: Mapped[UUID]
    min_quantity: Mapped[Decimal]
    max_quantity: Mapped[Decimal]
    __table_args__ = (
        tenant_fk("product_id", "products", ondelete="CASCADE"),
        tenant_fk("warehouse_id", "warehouses", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "product_id", "warehouse_id"),
        CheckConstraint("min_quantity >= 0 AND max_quantity >= min_quantity", name="bounds"),
    )


class PurchaseOrder(TenantEntity):
    """An order to a supplier, delivered to one warehouse. Numbered when created."""

    __tablename__ = "purchase_orders"
    number: Mapped[str] = mapped_column(String(40))
    supplier_id: Mapped[UUID]
    warehouse_id: Mapped[UUID]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    order_date: Mapped[date]  # created; set again when sent
    expected_date: Mapped[date | None]
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    gross_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    notes: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # fully received or cancelled
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic lock on top of the row lock receipts take: a stale copy never overwrites.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__: Any = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        tenant_fk("supplier_id", "partners"),
        tenant_fk("warehouse_id", "warehouses"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint(
            "status IN ('draft','sent','partially_received','received','cancelled')",
            name="status",
        ),
        Index(None, "tenant_id", "supplier_id"),
        Index(None, "tenant_id", "status"),
    )


class PurchaseOrderLine(TenantEntity):
    __tablename__ = "purchase_order_lines"
    order_id: Mapped[UUID]
    position: Mapped[int] = mapped_column(SmallInteger)
    product_id: Mapped[UUID]
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(32))  # see domain.sales.units
    unit_price: Mapped[Decimal]
    vat_rate: Mapped[Decimal]
    vat_category: Mapped[str] = mapped_column(String(2), default="S")
    net_amount: Mapped[Decimal]  # round(quantity × unit_price), tenant currency
    received_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    __table_args__ = (
        tenant_fk("order_id", "purchase_orders", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        Index(None, "tenant_id", "order_id"),
        # Quantities still to receive, per product (reorder suggestions).
        Index(None, "tenant_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("received_quantity >= 0", name="received_quantity"),
    )


class PurchaseReceipt(TenantRecord):
    """One delivery against a purchase order (append-only)."""

    __tablename__ = "purchase_receipts"
    order_id: Mapped[UUID]
    received_at: Mapped[datetime]
    reference: Mapped[str | None] = mapped_column(String(100))  # delivery note number
    warnings: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("order_id", "purchase_orders", ondelete="CASCADE"),
        Index(None, "tenant_id", "order_id"),
    )


class PurchaseReceiptLine(TenantRecord):
    __tablename__ = "purchase_receipt_lines"
    receipt_id: Mapped[UUID]
    order_line_id: Mapped[UUID]
    product_id: Mapped[UUID]
    quantity: Mapped[Decimal]
    lot_number: Mapped[str | None] = mapped_column(String(64))
    expiry_date: Mapped[date | None]
    move_id: Mapped[UUID | None]  # the stock move it created
    __table_args__ = (
        tenant_fk("receipt_id", "purchase_receipts", ondelete="CASCADE"),
        tenant_fk("order_line_id", "purchase_order_lines", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        tenant_fk("move_id", "stock_moves"),
        Index(None, "tenant_id", "receipt_id"),
        CheckConstraint("quantity > 0", name="quantity"),
    )
