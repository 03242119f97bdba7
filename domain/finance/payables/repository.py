"""Payables queries. Every one is filtered by tenant (RLS is the second wall)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.finance.payables.models import (
    OPEN_STATUSES,
    SupplierBill,
    SupplierBillLine,
    SupplierPayment,
)


def get_bill(
    session: Session, tenant_id: UUID, bill_id: UUID, *, lock: bool = False
) -> SupplierBill | None:
    query = select(SupplierBill).where(
        SupplierBill.tenant_id == tenant_id, SupplierBill.id == bill_id
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def bill_lines(session: Session, tenant_id: UUID, bill_id: UUID) -> list[SupplierBillLine]:
    return list(
        session.scalars(
            select(SupplierBillLine)
            .where(SupplierBillLine.tenant_id == tenant_id, SupplierBillLine.bill_id == bill_id)
            .order_by(SupplierBillLine.position)
        )
    )


def find_duplicate(
    session: Session, tenant_id: UUID, supplier_id: UUID, kind: str, supplier_number: str
) -> SupplierBill | None:
    return session.scalar(
        select(SupplierBill).where(
            SupplierBill.tenant_id == tenant_id,
            SupplierBill.supplier_id == supplier_id,
            SupplierBill.kind == kind,
            func.upper(SupplierBill.supplier_number) == supplier_number.upper(),
            SupplierBill.status != "cancelled",
        )
    )


def open_bills(
    session: Session, tenant_id: UUID, supplier_id: UUID | None = None, *, lock: bool = False
) -> list[SupplierBill]:
    """Posted bills not fully paid, oldest due first (the order payments settle them in)."""
    query = select(SupplierBill).where(
        SupplierBill.tenant_id == tenant_id,
        SupplierBill.kind == "bill",
        SupplierBill.status.in_(OPEN_STATUSES),
    )
    if supplier_id is not None:
        query = query.where(SupplierBill.supplier_id == supplier_id)
    query = query.order_by(SupplierBill.due_date, SupplierBill.issue_date, SupplierBill.id)
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def lock_bills(session: Session, tenant_id: UUID, ids: Sequence[UUID]) -> dict[UUID, SupplierBill]:
    rows = session.scalars(
        select(SupplierBill)
        .where(SupplierBill.tenant_id == tenant_id, SupplierBill.id.in_(ids))
        .order_by(SupplierBill.id)
        .with_for_update()
    )
    return {bill.id: bill for bill in rows}


def list_bills(
    session: Session,
    tenant_id: UUID,
    *,
    supplier_id: UUID | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SupplierBill]:
    query = select(SupplierBill).where(SupplierBill.tenant_id == tenant_id)
    if supplier_id is not None:
        query = query.where(SupplierBill.supplier_id == supplier_id)
    if status is not None:
        query = query.where(SupplierBill.status == status)
    query = query.order_by(SupplierBill.issue_date.desc(), SupplierBill.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_payments(
    session: Session, tenant_id: UUID, *, supplier_id: UUID | None = None
) -> list[SupplierPayment]:
    query = select(SupplierPayment).where(SupplierPayment.tenant_id == tenant_id)
    if supplier_id is not None:
        query = query.where(SupplierPayment.supplier_id == supplier_id)
    return list(session.scalars(query.order_by(SupplierPayment.paid_on.desc())))


def unused_advances(
    session: Session, tenant_id: UUID, supplier_id: UUID, *, lock: bool = False
) -> list[SupplierPayment]:
    query = (
        select(SupplierPayment)
        .where(
            SupplierPayment.tenant_id == tenant_id,
            SupplierPayment.supplier_id == supplier_id,
            SupplierPayment.amount_allocated < SupplierPayment.amount,
        )
        .order_by(SupplierPayment.paid_on, SupplierPayment.id)
    )
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def unused_credit_notes(session: Session, tenant_id: UUID, supplier_id: UUID) -> list[SupplierBill]:
    return list(
        session.scalars(
            select(SupplierBill).where(
                SupplierBill.tenant_id == tenant_id,
                SupplierBill.supplier_id == supplier_id,
                SupplierBill.kind == "credit_note",
                SupplierBill.status.in_(OPEN_STATUSES),
            )
        )
    )


def billed_quantities(
    session: Session, tenant_id: UUID, order_line_ids: Sequence[UUID], exclude_bill: UUID | None
) -> dict[UUID, Decimal]:
    """Quantities of purchase order lines already on posted bills (credit notes deducted)."""
    if not order_line_ids:
        return {}
    amount = func.sum(
        case(
            (SupplierBill.kind == "credit_note", -SupplierBillLine.quantity),
            else_=SupplierBillLine.quantity,
        )
    )
    query = (
        select(SupplierBillLine.order_line_id, amount)
        .join(
            SupplierBill,
            (SupplierBill.tenant_id == SupplierBillLine.tenant_id)
            & (SupplierBill.id == SupplierBillLine.bill_id),
        )
        .where(
            SupplierBillLine.tenant_id == tenant_id,
            SupplierBillLine.order_line_id.in_(order_line_ids),
            SupplierBill.status.in_(("posted", "partially_paid", "paid")),
        )
        .group_by(SupplierBillLine.order_line_id)
    )
    if exclude_bill is not None:
        query = query.where(SupplierBill.id != exclude_bill)
    return {line_id: Decimal(total or 0) for line_id, total in session.execute(query)}
