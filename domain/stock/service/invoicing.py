"""The finance link: posting an invoice delivers its stockable goods from the default
warehouse, in the posting's transaction.

``plan_invoice_delivery`` locks the level rows and checks every line before anything is
written, so finance calls it before numbering the invoice; ``deliver_invoice`` then writes
the moves. ``issue_for_invoice`` does both for other callers. A deposit invoice delivers
nothing (the final invoice does); a credit note moves no stock by itself (goods brought
back are a ``return_from_customer``); a posted invoice is never cancelled, only credited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.finance.models import Invoice, InvoiceLine
from domain.kit.clock import Clock
from domain.kit.errors import NotFound
from domain.kit.principal import Principal
from domain.sales.models import Product
from domain.stock import repository as repo
from domain.stock.models import StockMove
from domain.stock.service._common import (
    INVOICE_ISSUERS,
    StockContext,
    open_stock,
    record,
    require_warehouse_location,
)
from domain.stock.service._engine import Pick, plan_take, write_move
from domain.stock.service.levels import release_for_origin


@dataclass(frozen=True, slots=True)
class Delivery:
    """What posting an invoice takes from stock: per product, the lots and quantities."""

    invoice_id: UUID
    location_id: UUID | None  # None when nothing is delivered
    warehouse_id: UUID | None
    lines: list[tuple[Product, list[Pick]]]


def _stockable_quantities(
    session: Session, tenant_id: UUID, invoice_id: UUID
) -> list[tuple[Product, Decimal]]:
    rows = session.execute(
        select(Product, func.sum(InvoiceLine.quantity))
        .join(
            InvoiceLine,
            (InvoiceLine.tenant_id == Product.tenant_id) & (InvoiceLine.product_id == Product.id),
        )
        .where(
            InvoiceLine.tenant_id == tenant_id,
            InvoiceLine.invoice_id == invoice_id,
            Product.is_stockable,
        )
        .group_by(Product.tenant_id, Product.id)
        .order_by(Product.id)  # levels are locked in product order: no crosswise waits
    ).all()
    return [(product, Decimal(qty)) for product, qty in rows if qty > 0]


def _known_quantities(lines: Sequence[tuple[Product, Decimal]]) -> list[tuple[Product, Decimal]]:
    """``_stockable_quantities`` from lines the caller holds: per stockable product, in
    product order, the positive totals."""
    totals: dict[UUID, tuple[Product, Decimal]] = {}
    for product, quantity in lines:
        if product.is_stockable:
            known = totals.get(product.id)
            totals[product.id] = (product, quantity + (known[1] if known else Decimal(0)))
    return [totals[pid] for pid in sorted(totals) if totals[pid][1] > 0]


def plan_invoice_delivery(
    session: Session,
    principal: Principal,
    clock: Clock,
    invoice_id: UUID,
    *,
    lines: Sequence[tuple[Product, Decimal]] | None = None,
) -> Delivery:
    """Lock and check the stock an invoice needs; raises ``InsufficientStock`` (naming the
    product and the quantities) before anything is written. ``lines``: the invoice's
    products and quantities when the caller has just written them (not read back)."""
    principal.require(*INVOICE_ISSUERS)
    invoice = session.get(Invoice, (principal.tenant_id, invoice_id))
    if invoice is None:
        raise NotFound("Facture introuvable.")
    wanted: list[tuple[Product, Decimal]] = []  # deposits and credit notes move no stock
    if invoice.kind == "invoice":
        wanted = (
            _known_quantities(lines)
            if lines is not None
            else _stockable_quantities(session, principal.tenant_id, invoice.id)
        )
    if not wanted:  # nothing leaves the warehouse: no stock settings or warehouse to read
        return Delivery(invoice.id, None, None, [])
    ctx = open_stock(session, principal, clock)
    warehouse, location = require_warehouse_location(session, ctx, None)
    planned: list[tuple[Product, list[Pick]]] = []
    for product, qty in wanted:
        levels = repo.lock_levels(session, ctx.tenant.id, product.id, [location])
        planned.append((product, plan_take(ctx, product, warehouse, levels, qty)))
    return Delivery(invoice.id, location, warehouse.id, planned)


def deliver_invoice(
    session: Session, principal: Principal, clock: Clock, delivery: Delivery
) -> list[StockMove]:
    """Write the moves of a planned delivery (warehouse → customer, kind ``out``) and
    release the reservations of the quote the invoice came from."""
    principal.require(*INVOICE_ISSUERS)
    invoice = session.get(Invoice, (principal.tenant_id, delivery.invoice_id))
    assert invoice is not None
    moves: list[StockMove] = []
    if delivery.lines:  # the stock settings are read only when something moves
        ctx = open_stock(session, principal, clock)
        assert delivery.location_id is not None
        moves = [
            _out(session, ctx, invoice, product, pick, delivery.location_id)
            for product, picks in delivery.lines
            for pick in picks
        ]
    if invoice.quote_id is not None:
        release_for_origin(session, principal, clock, "quote", invoice.quote_id)
    if moves:
        session.flush()
        record(
            session,
            principal,
            "stock.issued",
            "stock.issue",
            target_type="stock_move",
            target_id=moves[0].id,
            after={
                "invoice_id": invoice.id,
                "reference": invoice.number,
                "warehouse_id": delivery.warehouse_id,
                "products": [str(p.id) for p, _ in delivery.lines],
                "moves": len(moves),
            },
        )
    return moves


def _out(
    session: Session,
    ctx: StockContext,
    invoice: Invoice,
    product: Product,
    pick: Pick,
    location: UUID,
) -> StockMove:
    return write_move(
        session,
        ctx,
        product=product,
        quantity=pick.quantity,
        source=location,
        dest=ctx.settings.customer_location_id,
        kind="out",
        lot_id=pick.lot_id,
        unit_cost=product.average_cost,
        reference=invoice.number,
        reason=f"Facture {invoice.number}" if invoice.number else "Facture",
        origin_type="invoice",
        origin_id=invoice.id,
    )


def issue_for_invoice(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID
) -> list[StockMove]:
    """Deliver an invoice's stockable goods from the default warehouse (FEFO for lots)."""
    delivery = plan_invoice_delivery(session, principal, clock, invoice_id)
    return deliver_invoice(session, principal, clock, delivery)
