"""Inventory counts: a count sheet per warehouse.

``start_count`` snapshots the expected quantities (per product, and per lot for products
tracked by lots); ``record_count`` enters what was counted (lines can be added for a lot
found on the shelf); ``validate_count`` brings each counted line to its counted quantity
with one adjustment move through the inventory location. The difference is taken against
the quantity on hand *at validation* (locked), not the snapshot: moves made between the
snapshot and the validation are assumed already reflected on the shelf when counted.
Uncounted lines change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Number
from domain.kit.principal import Principal
from domain.sales.models import Product
from domain.stock import repository as repo
from domain.stock.errors import CountClosed, CountNotFound
from domain.stock.models import InventoryCount, InventoryCountLine, StockLevel, StockMove
from domain.stock.service._common import (
    ADJUSTERS,
    COUNTERS,
    READERS,
    check_quantity,
    check_text,
    main_location_id,
    open_stock,
    record,
    require_warehouse,
    stock_product,
)
from domain.stock.service._engine import lot_for_receipt
from domain.stock.service.moves import adjust


@dataclass(frozen=True, slots=True)
class CountSheet:
    count: InventoryCount
    lines: list[InventoryCountLine]


def _snapshot(
    session: Session, tenant_id: UUID, location: UUID, product_ids: list[UUID] | None
) -> dict[tuple[UUID, UUID | None], Decimal]:
    """(product, lot) → on hand at the location, plus every stockable active product
    without lots at zero (a count must be able to find what the books do not know)."""
    levels = select(StockLevel.product_id, StockLevel.lot_id, StockLevel.on_hand).where(
        StockLevel.tenant_id == tenant_id, StockLevel.location_id == location
    )
    products = select(Product.id).where(
        Product.tenant_id == tenant_id,
        Product.is_stockable,
        Product.is_active,
        Product.tracks_lots.is_(False),
    )
    if product_ids is not None:
        levels = levels.where(StockLevel.product_id.in_(product_ids))
        products = products.where(Product.id.in_(product_ids))
    expected: dict[tuple[UUID, UUID | None], Decimal] = {
        (pid, None): Decimal(0) for pid in session.scalars(products)
    }
    for row in session.execute(levels):
        if row.on_hand != 0:
            expected[(row.product_id, row.lot_id)] = row.on_hand
    return expected


def start_count(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    warehouse_id: UUID | None = None,
    product_ids: list[UUID] | None = None,
    reference: str | None = None,
) -> CountSheet:
    principal.require(*COUNTERS)
    ctx = open_stock(session, principal, clock)
    warehouse = require_warehouse(session, ctx, warehouse_id)
    location = main_location_id(session, ctx, warehouse)
    count = InventoryCount(
        tenant_id=ctx.tenant.id,
        id=uuid7(),
        warehouse_id=warehouse.id,
        status="draft",
        reference=check_text(reference, "reference", size=100) or None,
        started_at=ctx.now(),
        created_by=principal.user_id,
    )
    session.add(count)
    session.flush()
    expected = _snapshot(session, ctx.tenant.id, location, product_ids)
    lines = [
        InventoryCountLine(
            tenant_id=ctx.tenant.id,
            count_id=count.id,
            product_id=product_id,
            lot_id=lot_id,
            expected_quantity=qty,
        )
        for (product_id, lot_id), qty in sorted(expected.items(), key=lambda kv: str(kv[0]))
    ]
    session.add_all(lines)
    session.flush()
    record(
        session,
        principal,
        "stock.count_started",
        "stock.count_start",
        target_type="inventory_count",
        target_id=count.id,
        after={"warehouse_id": warehouse.id, "lines": len(lines)},
    )
    return CountSheet(count, lines)


def _draft(session: Session, tenant_id: UUID, count_id: UUID) -> InventoryCount:
    count = session.get(InventoryCount, (tenant_id, count_id), with_for_update=True)
    if count is None:
        raise CountNotFound()
    if count.status != "draft":
        raise CountClosed()
    return count


def _lines(session: Session, tenant_id: UUID, count_id: UUID) -> list[InventoryCountLine]:
    return list(
        session.scalars(
            select(InventoryCountLine)
            .where(
                InventoryCountLine.tenant_id == tenant_id,
                InventoryCountLine.count_id == count_id,
            )
            .order_by(InventoryCountLine.product_id, InventoryCountLine.lot_id.nulls_first())
        )
    )


def record_count(
    session: Session,
    principal: Principal,
    clock: Clock,
    count_id: UUID,
    *,
    product_id: UUID,
    counted_quantity: Number,
    lot_number: str | None = None,
) -> InventoryCountLine:
    """Enter (or correct) what was counted of a product — of one lot, for a product
    tracked by lots. A product or lot not on the sheet gets a line (expected: on hand now)."""
    principal.require(*COUNTERS)
    ctx = open_stock(session, principal, clock)
    counted = check_quantity(counted_quantity, "counted_quantity", zero=True)
    count = _draft(session, ctx.tenant.id, count_id)
    product = stock_product(session, ctx, product_id)
    repo.lock_product(session, ctx.tenant.id, product.id)  # before a new lot (see receive)
    lot = lot_for_receipt(session, ctx, product, lot_number, None)
    lot_id = lot.id if lot else None
    line = next(
        (
            x
            for x in _lines(session, ctx.tenant.id, count.id)
            if (x.product_id, x.lot_id) == (product.id, lot_id)
        ),
        None,
    )
    if line is None:
        warehouse = require_warehouse(session, ctx, count.warehouse_id)
        location = main_location_id(session, ctx, warehouse)
        levels = repo.lock_levels(session, ctx.tenant.id, product.id, [location])
        expected = sum((lv.on_hand for lv in levels if lv.lot_id == lot_id), Decimal(0))
        line = InventoryCountLine(
            tenant_id=ctx.tenant.id,
            count_id=count.id,
            product_id=product.id,
            lot_id=lot_id,
            expected_quantity=expected,
        )
        session.add(line)
    line.counted_quantity = counted
    session.flush()
    return line


def validate_count(
    session: Session, principal: Principal, clock: Clock, count_id: UUID
) -> list[StockMove]:
    """One adjustment per counted line that differs from the quantity on hand."""
    principal.require(*ADJUSTERS)
    ctx = open_stock(session, principal, clock)
    count = _draft(session, ctx.tenant.id, count_id)
    lines = [x for x in _lines(session, ctx.tenant.id, count.id) if x.counted_quantity is not None]
    if not lines:
        raise InvalidInput("Aucune quantité comptée : rien à valider.")
    moves: list[StockMove] = []
    for line in lines:
        assert line.counted_quantity is not None
        lot = repo.get_lot(session, ctx.tenant.id, line.lot_id) if line.lot_id else None
        move = adjust(
            session,
            principal,
            clock,
            product_id=line.product_id,
            counted_quantity=line.counted_quantity,
            warehouse_id=count.warehouse_id,
            lot_number=lot.number if lot else None,
            reason=f"Inventaire {count.reference or ''}".strip(),
            reference=count.reference,
            origin_type="inventory_count",
            origin_id=count.id,
        )
        if move is not None:
            moves.append(move)
    count.status = "validated"
    count.validated_at = ctx.now()
    count.validated_by = principal.user_id
    session.flush()
    record(
        session,
        principal,
        "stock.count_validated",
        "stock.count_validate",
        target_type="inventory_count",
        target_id=count.id,
        after={"lines": len(lines), "adjustments": len(moves)},
    )
    return moves


def cancel_count(
    session: Session, principal: Principal, clock: Clock, count_id: UUID
) -> InventoryCount:
    principal.require(*ADJUSTERS)
    ctx = open_stock(session, principal, clock)
    count = _draft(session, ctx.tenant.id, count_id)
    count.status = "cancelled"
    session.flush()
    record(
        session,
        principal,
        "stock.count_cancelled",
        "stock.count_cancel",
        target_type="inventory_count",
        target_id=count.id,
        after={"status": "cancelled"},
    )
    return count


def get_count(session: Session, principal: Principal, count_id: UUID) -> CountSheet:
    principal.require(*READERS)
    count = session.get(InventoryCount, (principal.tenant_id, count_id))
    if count is None:
        raise CountNotFound()
    return CountSheet(count, _lines(session, principal.tenant_id, count.id))


def list_counts(
    session: Session, principal: Principal, *, warehouse_id: UUID | None = None
) -> list[InventoryCount]:
    principal.require(*READERS)
    query = select(InventoryCount).where(InventoryCount.tenant_id == principal.tenant_id)
    if warehouse_id is not None:
        query = query.where(InventoryCount.warehouse_id == warehouse_id)
    return list(session.scalars(query.order_by(InventoryCount.started_at.desc()).limit(200)))
