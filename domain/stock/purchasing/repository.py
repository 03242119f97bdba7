"""Purchasing queries (documents, supplier terms, rules). Services never build SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.sales.models import Partner, Product
from domain.stock.purchasing.models import (
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    ReorderRule,
)


def get_order(
    session: Session, tenant_id: UUID, order_id: UUID, *, lock: bool = False
) -> PurchaseOrder | None:
    query = select(PurchaseOrder).where(
        PurchaseOrder.tenant_id == tenant_id, PurchaseOrder.id == order_id
    )
    if lock:
        # Refresh from the row we now hold: a copy loaded before the lock may be stale.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def find_order_by_number(session: Session, tenant_id: UUID, number: str) -> PurchaseOrder | None:
    return session.scalar(
        select(PurchaseOrder).where(
            PurchaseOrder.tenant_id == tenant_id, PurchaseOrder.number == number
        )
    )


def order_lines(session: Session, tenant_id: UUID, order_id: UUID) -> list[PurchaseOrderLine]:
    return list(
        session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.tenant_id == tenant_id, PurchaseOrderLine.order_id == order_id)
            .order_by(PurchaseOrderLine.position)
            .execution_options(populate_existing=True)
        )
    )


def list_orders(
    session: Session,
    tenant_id: UUID,
    *,
    statuses: Sequence[str] | None = None,
    supplier_id: UUID | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[PurchaseOrder, str]]:
    """Orders with their supplier's name, newest first; ``statuses`` None: every status,
    ``since``/``until``: the order date (inclusive)."""
    query = (
        select(PurchaseOrder, Partner.name)
        .join(
            Partner,
            (Partner.tenant_id == PurchaseOrder.tenant_id)
            & (Partner.id == PurchaseOrder.supplier_id),
        )
        .where(PurchaseOrder.tenant_id == tenant_id)
        .order_by(PurchaseOrder.order_date.desc(), PurchaseOrder.number.desc())
        .limit(limit)
        .offset(offset)
    )
    if statuses is not None:
        query = query.where(PurchaseOrder.status.in_(statuses))
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    if since is not None:
        query = query.where(PurchaseOrder.order_date >= since)
    if until is not None:
        query = query.where(PurchaseOrder.order_date <= until)
    return [(order, name) for order, name in session.execute(query)]


def lines_of_orders(
    session: Session, tenant_id: UUID, order_ids: Sequence[UUID]
) -> dict[UUID, list[PurchaseOrderLine]]:
    """The lines of several orders in one query, by order id, in their position order."""
    found: dict[UUID, list[PurchaseOrderLine]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    rows = session.scalars(
        select(PurchaseOrderLine)
        .where(
            PurchaseOrderLine.tenant_id == tenant_id,
            PurchaseOrderLine.order_id.in_(order_ids),
        )
        .order_by(PurchaseOrderLine.order_id, PurchaseOrderLine.position)
    )
    for line in rows:
        found[line.order_id].append(line)
    return found


def receipt_lines(session: Session, tenant_id: UUID, receipt_id: UUID) -> list[PurchaseReceiptLine]:
    return list(
        session.scalars(
            select(PurchaseReceiptLine).where(
                PurchaseReceiptLine.tenant_id == tenant_id,
                PurchaseReceiptLine.receipt_id == receipt_id,
            )
        )
    )


def receipts_of(session: Session, tenant_id: UUID, order_id: UUID) -> list[PurchaseReceipt]:
    return list(
        session.scalars(
            select(PurchaseReceipt)
            .where(PurchaseReceipt.tenant_id == tenant_id, PurchaseReceipt.order_id == order_id)
            .order_by(PurchaseReceipt.received_at, PurchaseReceipt.id)
        )
    )


def products_by_id(session: Session, tenant_id: UUID, ids: Sequence[UUID]) -> dict[UUID, Product]:
    rows = session.scalars(
        select(Product).where(Product.tenant_id == tenant_id, Product.id.in_(ids))
    )
    return {p.id: p for p in rows}


def supplier_terms(
    session: Session, tenant_id: UUID, supplier_id: UUID, product_ids: Sequence[UUID]
) -> dict[UUID, ProductSupplier]:
    """One supplier's terms for some products, by product id."""
    rows = session.scalars(
        select(ProductSupplier).where(
            ProductSupplier.tenant_id == tenant_id,
            ProductSupplier.supplier_id == supplier_id,
            ProductSupplier.product_id.in_(product_ids),
        )
    )
    return {t.product_id: t for t in rows}


def suppliers_of(session: Session, tenant_id: UUID, product_id: UUID) -> list[ProductSupplier]:
    return list(
        session.scalars(
            select(ProductSupplier)
            .where(ProductSupplier.tenant_id == tenant_id, ProductSupplier.product_id == product_id)
            .order_by(ProductSupplier.is_preferred.desc(), ProductSupplier.created_at)
        )
    )


def get_terms(
    session: Session, tenant_id: UUID, product_id: UUID, supplier_id: UUID
) -> ProductSupplier | None:
    return session.scalar(
        select(ProductSupplier).where(
            ProductSupplier.tenant_id == tenant_id,
            ProductSupplier.product_id == product_id,
            ProductSupplier.supplier_id == supplier_id,
        )
    )


def get_rule(
    session: Session, tenant_id: UUID, product_id: UUID, warehouse_id: UUID
) -> ReorderRule | None:
    return session.scalar(
        select(ReorderRule).where(
            ReorderRule.tenant_id == tenant_id,
            ReorderRule.product_id == product_id,
            ReorderRule.warehouse_id == warehouse_id,
        )
    )


def list_rules(
    session: Session,
    tenant_id: UUID,
    *,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
) -> list[ReorderRule]:
    query = select(ReorderRule).where(ReorderRule.tenant_id == tenant_id)
    if product_id is not None:
        query = query.where(ReorderRule.product_id == product_id)
    if warehouse_id is not None:
        query = query.where(ReorderRule.warehouse_id == warehouse_id)
    return list(session.scalars(query.order_by(ReorderRule.created_at)))
