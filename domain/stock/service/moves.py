"""Stock operations, each one or more double-entry moves: receive (supplier → warehouse),
issue (warehouse → customer), transfer (warehouse → warehouse, direct), adjust (inventory
↔ warehouse) and return from a customer (customer → warehouse)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.kit.clock import Clock
from domain.kit.money import Number
from domain.kit.principal import Principal
from domain.stock import repository as repo
from domain.stock.errors import SameWarehouse
from domain.stock.models import StockMove
from domain.stock.service._common import (
    ADJUSTERS,
    ISSUERS,
    READERS,
    RECEIVERS,
    check_cost,
    check_origin,
    check_quantity,
    check_text,
    main_location_id,
    open_move,
    open_stock,
    record,
    require_warehouse,
    stock_product,
)
from domain.stock.service._engine import (
    announce_levels_changed,
    average_after_receipt,
    lot_for_receipt,
    plan_take,
    prepare_move,
    require_lot,
    write_move,
    write_prepared,
)


def _move_summary(moves: list[StockMove]) -> dict[str, object]:
    first = moves[0]
    return {
        "product_id": first.product_id,
        "quantity": sum((m.quantity for m in moves), Decimal(0)),
        "lots": [m.lot_id for m in moves if m.lot_id],
        "reference": first.reference,
        "origin_type": first.origin_type,
        "origin_id": first.origin_id,
    }


def receive(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    quantity: Number,
    warehouse_id: UUID | None = None,
    unit_cost: Number | None = None,
    lot_number: str | None = None,
    expiry_date: date | None = None,
    reference: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
) -> StockMove:
    """Supplier → the warehouse's main location (default warehouse when not given).

    The product's weighted average cost takes in ``unit_cost`` (default: its purchase
    price); with neither, the receipt is valued at the current average, which stays.
    """
    principal.require(*RECEIVERS)
    qty = check_quantity(quantity)
    cost = check_cost(unit_cost)
    reference = check_text(reference, "reference", size=100)
    # The product row is locked so that concurrent receipts update the average in turn,
    # and before the lot: two first receipts of one new lot number would both insert it.
    # Locking is also how it is read, with the rest of the move's context.
    opened = open_move(session, principal, clock, product_id, warehouse_id, lock_product=True)
    ctx, product, warehouse, location = (
        opened.ctx,
        opened.product,
        opened.warehouse,
        opened.location_id,
    )
    lot = lot_for_receipt(session, ctx, product, lot_number, expiry_date)
    if cost is None:
        cost = product.purchase_price
    average = None
    if cost is not None:
        before = repo.on_hand_total(session, ctx.tenant.id, product.id)
        average = average_after_receipt(before, product.average_cost, qty, cost)
    prepared = prepare_move(
        ctx,
        product=product,
        quantity=qty,
        source=ctx.settings.supplier_location_id,
        dest=location,
        kind="in",
        lot_id=lot.id if lot else None,
        unit_cost=cost if cost is not None else product.average_cost,
        reference=reference,
        origin_type=origin_type or "manual",
        origin_id=origin_id,
    )
    # Recorded before it is written (same summary), so that its event and audit entry
    # go out in the move's own statement.
    announce_levels_changed(session, ctx)
    summary = {**_move_summary([prepared.move]), "warehouse_id": warehouse.id}
    summary["average_cost"] = average if average is not None else product.average_cost
    record(
        session,
        principal,
        "stock.received",
        "stock.receive",
        target_type="stock_move",
        target_id=prepared.move.id,
        after=summary,
    )
    return write_prepared(session, ctx, product, prepared, average_cost=average, with_records=True)


def issue(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    quantity: Number,
    warehouse_id: UUID | None = None,
    reason: str,
    reference: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
    lot_id: UUID | None = None,
) -> list[StockMove]:
    """Warehouse → customer, valued at the average cost; lots earliest-expiry first
    (FEFO) unless ``lot_id`` is given. One move per lot taken."""
    principal.require(*ISSUERS)
    qty = check_quantity(quantity)
    reason = check_text(reason, "reason", required=True)
    reference = check_text(reference, "reference", size=100)
    # The product's levels in the warehouse are locked by the statement reading the rest.
    opened = open_move(session, principal, clock, product_id, warehouse_id, lock_levels=True)
    ctx, product, warehouse, location = (
        opened.ctx,
        opened.product,
        opened.warehouse,
        opened.location_id,
    )
    if lot_id is not None:
        require_lot(session, ctx, product, lot_id)
    picks = plan_take(ctx, product, warehouse, opened.levels, qty, lot_id)
    prepared = [
        prepare_move(
            ctx,
            product=product,
            quantity=pick.quantity,
            source=location,
            dest=ctx.settings.customer_location_id,
            kind="out",
            lot_id=pick.lot_id,
            unit_cost=product.average_cost,
            reference=reference,
            reason=reason,
            origin_type=origin_type or "manual",
            origin_id=origin_id,
        )
        for pick in picks
    ]
    # Recorded before they are written (same summary): the records go out with the last.
    announce_levels_changed(session, ctx)
    planned = [p.move for p in prepared]
    record(
        session,
        principal,
        "stock.issued",
        "stock.issue",
        target_type="stock_move",
        target_id=planned[0].id,
        after={**_move_summary(planned), "warehouse_id": warehouse.id, "reason": reason},
    )
    last = len(prepared) - 1
    return [
        write_prepared(session, ctx, product, p, with_records=i == last)
        for i, p in enumerate(prepared)
    ]


def transfer(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    quantity: Number,
    from_warehouse_id: UUID,
    to_warehouse_id: UUID,
    lot_id: UUID | None = None,
    reference: str | None = None,
    reason: str | None = None,
) -> list[StockMove]:
    """Warehouse → warehouse, directly (no transit location: the goods are booked as
    arrived when they leave). Lots travel as they are, earliest-expiry first."""
    principal.require(*RECEIVERS)
    ctx = open_stock(session, principal, clock)
    qty = check_quantity(quantity)
    reference = check_text(reference, "reference", size=100)
    reason = check_text(reason, "reason")
    if from_warehouse_id == to_warehouse_id:
        raise SameWarehouse(field="to_warehouse_id")
    product = stock_product(session, ctx, product_id)
    if lot_id is not None:
        require_lot(session, ctx, product, lot_id)
    origin = require_warehouse(session, ctx, from_warehouse_id, "from_warehouse_id")
    target = require_warehouse(session, ctx, to_warehouse_id, "to_warehouse_id")
    source = main_location_id(session, ctx, origin)
    dest = main_location_id(session, ctx, target)
    # Both sides locked in one ordered statement: opposite transfers cannot deadlock.
    levels = repo.lock_levels(session, ctx.tenant.id, product.id, [source, dest])
    source_levels = [lv for lv in levels if lv.location_id == source]
    picks = plan_take(ctx, product, origin, source_levels, qty, lot_id)
    moves = [
        write_move(
            session,
            ctx,
            product=product,
            quantity=pick.quantity,
            source=source,
            dest=dest,
            kind="transfer",
            lot_id=pick.lot_id,
            unit_cost=product.average_cost,
            reference=reference,
            reason=reason,
            origin_type="manual",
        )
        for pick in picks
    ]
    session.flush()
    summary = _move_summary(moves) | {"from_warehouse_id": origin.id, "to_warehouse_id": target.id}
    record(
        session,
        principal,
        "stock.transferred",
        "stock.transfer",
        target_type="stock_move",
        target_id=moves[0].id,
        after=summary,
    )
    return moves


def adjust(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    counted_quantity: Number,
    warehouse_id: UUID | None = None,
    lot_number: str | None = None,
    expiry_date: date | None = None,
    reason: str | None = None,
    reference: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
) -> StockMove | None:
    """Bring the quantity on hand (of a lot, for a product tracked by lots) to what was
    counted: one adjustment move from or to the inventory location, valued at the
    average cost (which does not change). None when nothing differs."""
    principal.require(*ADJUSTERS)
    ctx = open_stock(session, principal, clock)
    counted = check_quantity(counted_quantity, "counted_quantity", zero=True)
    reason = check_text(reason, "reason") or "Ajustement d'inventaire"
    reference = check_text(reference, "reference", size=100)
    product = stock_product(session, ctx, product_id)
    warehouse = require_warehouse(session, ctx, warehouse_id)
    location = main_location_id(session, ctx, warehouse)
    # Adjustments take the product's lock first: the level row of a product (or lot) never
    # stocked there does not exist yet, so ``lock_levels`` alone would let two of them
    # both read zero and both add the counted quantity.
    repo.lock_product(session, ctx.tenant.id, product.id)
    lot = lot_for_receipt(session, ctx, product, lot_number, expiry_date)
    lot_id = lot.id if lot else None
    levels = repo.lock_levels(session, ctx.tenant.id, product.id, [location])
    current = sum((lv.on_hand for lv in levels if lv.lot_id == lot_id), Decimal(0))
    difference = counted - current
    if difference == 0:
        return None
    inventory = ctx.settings.inventory_location_id
    source, dest = (inventory, location) if difference > 0 else (location, inventory)
    move = write_move(
        session,
        ctx,
        product=product,
        quantity=abs(difference),
        source=source,
        dest=dest,
        kind="adjustment",
        lot_id=lot_id,
        unit_cost=product.average_cost,
        reference=reference,
        reason=reason,
        origin_type=origin_type or "manual",
        origin_id=origin_id,
    )
    session.flush()
    summary = _move_summary([move]) | {
        "warehouse_id": warehouse.id,
        "before": current,
        "counted": counted,
        "difference": difference,
    }
    record(
        session,
        principal,
        "stock.adjusted",
        "stock.adjust",
        target_type="stock_move",
        target_id=move.id,
        after=summary,
    )
    return move


def return_from_customer(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    quantity: Number,
    warehouse_id: UUID | None = None,
    reason: str,
    lot_number: str | None = None,
    reference: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
) -> StockMove:
    """Customer → warehouse: goods brought back (after a credit note, for instance; a
    credit note alone moves no stock). Valued at the current average cost."""
    principal.require(*RECEIVERS, *ISSUERS)
    ctx = open_stock(session, principal, clock)
    qty = check_quantity(quantity)
    reason = check_text(reason, "reason", required=True)
    reference = check_text(reference, "reference", size=100)
    product = stock_product(session, ctx, product_id)
    if origin_type is not None and origin_id is not None:
        check_origin(session, ctx, origin_type, origin_id)
    warehouse = require_warehouse(session, ctx, warehouse_id)
    location = main_location_id(session, ctx, warehouse)
    repo.lock_product(session, ctx.tenant.id, product.id)  # before a new lot (see receive)
    lot = lot_for_receipt(session, ctx, product, lot_number, None)
    move = write_move(
        session,
        ctx,
        product=product,
        quantity=qty,
        source=ctx.settings.customer_location_id,
        dest=location,
        kind="in",
        lot_id=lot.id if lot else None,
        unit_cost=product.average_cost,
        reference=reference,
        reason=reason,
        origin_type=origin_type or "customer_return",
        origin_id=origin_id,
    )
    session.flush()
    record(
        session,
        principal,
        "stock.returned",
        "stock.return",
        target_type="stock_move",
        target_id=move.id,
        after={**_move_summary([move]), "warehouse_id": warehouse.id, "reason": reason},
    )
    return move


def list_moves(
    session: Session,
    principal: Principal,
    *,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
    kind: str | None = None,
    origin: tuple[str, UUID] | None = None,
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[StockMove]:
    """Moves, latest first; ``warehouse_id`` keeps those in or out of that warehouse."""
    principal.require(*READERS)
    locations = None
    if warehouse_id is not None:
        location = repo.main_location(session, principal.tenant_id, warehouse_id)
        locations = [location.id] if location else []
    return repo.list_moves(
        session,
        principal.tenant_id,
        product_id=product_id,
        location_ids=locations,
        kind=kind,
        origin=origin,
        since=since,
        limit=min(max(limit, 1), 500),
        offset=max(offset, 0),
    )
