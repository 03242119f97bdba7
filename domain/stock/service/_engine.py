"""The double-entry engine: what to take from where (under lock), writing a move and the
levels it changes, lots, and the weighted average cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn, cast
from uuid import UUID

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from domain.kit import records
from domain.kit.base import utcnow
from domain.kit.bulk import Shape, batches_of, insert_ctes, json_rows
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.sales.models import Product
from domain.stock import repository as repo
from domain.stock.errors import InsufficientStock, LotNotFound, LotRequired
from domain.stock.models import Lot, StockMove
from domain.stock.service._common import (
    QUANTUM,
    NamedWarehouse,
    StockContext,
    StockedProduct,
    check_text,
    fr_qty,
)


@dataclass(frozen=True, slots=True)
class Pick:
    """``quantity`` to take from one level row (``lot_id`` None for products without lots)."""

    lot_id: UUID | None
    quantity: Decimal


def insufficient(
    product: StockedProduct, warehouse: NamedWarehouse, wanted: Decimal, have: Decimal
) -> NoReturn:
    raise InsufficientStock(
        f"Stock insuffisant pour « {product.name} » dans « {warehouse.name} » : "
        f"{fr_qty(wanted)} {product.unit} demandé(s), {fr_qty(max(have, Decimal(0)))} en stock.",
        product_id=str(product.id),
        product=product.name,
        requested=fr_qty(wanted),
        on_hand=fr_qty(have),
        field="quantity",
    )


def plan_take(
    ctx: StockContext,
    product: StockedProduct,
    warehouse: NamedWarehouse,
    levels: list[repo.LockedLevel],
    quantity: Decimal,
    lot_id: UUID | None = None,
) -> list[Pick]:
    """What to take from ``levels`` (the locked rows of one location) to give ``quantity``:
    the lot asked for, else lots earliest-expiry first (FEFO). Refuses going below zero
    unless the tenant allows negative stock; nothing is written here."""
    allow = ctx.settings.allow_negative_stock
    if not product.tracks_lots:
        have = sum((lv.on_hand for lv in levels if lv.lot_id is None), Decimal(0))
        if have < quantity and not allow:
            insufficient(product, warehouse, quantity, have)
        return [Pick(None, quantity)]
    if lot_id is not None:
        have = sum((lv.on_hand for lv in levels if lv.lot_id == lot_id), Decimal(0))
        if have < quantity and not allow:
            insufficient(product, warehouse, quantity, have)
        return [Pick(lot_id, quantity)]
    lots = [lv for lv in levels if lv.lot_id is not None]
    picks: list[Pick] = []
    remaining = quantity
    for level in lots:
        if remaining <= 0:
            break
        take = min(remaining, level.on_hand)
        if take > 0:
            picks.append(Pick(level.lot_id, take))
            remaining -= take
    if remaining > 0:
        if not allow or not lots:
            insufficient(product, warehouse, quantity, quantity - remaining)
        # Negative stock allowed: the shortfall goes on the lot expiring last.
        picks.append(Pick(lots[-1].lot_id, remaining))
    return _merge(picks)


def _merge(picks: list[Pick]) -> list[Pick]:
    merged: dict[UUID | None, Decimal] = {}
    for pick in picks:
        merged[pick.lot_id] = merged.get(pick.lot_id, Decimal(0)) + pick.quantity
    return [Pick(lot, qty) for lot, qty in merged.items()]


# A move and the levels it changes in one statement, the same text for every move (the
# levels as one JSON parameter: none, one or two internal locations). A receipt that
# changes the product's weighted average writes it in the same statement.
_MOVE_CTE = """
WITH move AS (
  INSERT INTO stock_moves (tenant_id, id, product_id, lot_id, quantity, from_location_id,
    to_location_id, kind, unit_cost, reference, reason, origin_type, origin_id, moved_at,
    created_by, created_at)
  VALUES (:tenant_id, :id, :product_id, :lot_id, :quantity, :from_location_id,
    :to_location_id, :kind, :unit_cost, :reference, :reason, :origin_type, :origin_id,
    :moved_at, :created_by, :created_at)
)"""
_AVERAGE_CTE = """,
average AS (
  UPDATE products SET average_cost = :average_cost, updated_at = :created_at
  WHERE tenant_id = :tenant_id AND id = :product_id
)"""
_LEVELS = """
INSERT INTO stock_levels AS level (tenant_id, id, product_id, location_id, lot_id, on_hand,
  reserved)
SELECT CAST(:tenant_id AS uuid), l.id, CAST(:product_id AS uuid), l.location_id,
  CAST(:lot_id AS uuid), l.on_hand, 0
FROM jsonb_to_recordset(CAST(:levels AS jsonb)) AS l(id uuid, location_id uuid, on_hand numeric)
ON CONFLICT (tenant_id, product_id, location_id, lot_id)
DO UPDATE SET on_hand = level.on_hand + excluded.on_hand, updated_at = now()
"""
_WRITE_MOVE = text(_MOVE_CTE + _LEVELS)
_WRITE_MOVE_AND_AVERAGE = text(_MOVE_CTE + _AVERAGE_CTE + _LEVELS)


@dataclass(frozen=True, slots=True)
class PreparedMove:
    """A move and the level changes it makes, not yet written: ``move`` holds every value
    the row will have (a summary of it can be recorded before it is written)."""

    move: StockMove
    params: dict[str, Any]


def prepare_move(
    ctx: StockContext,
    *,
    product: StockedProduct,
    quantity: Decimal,
    source: UUID,
    dest: UUID,
    kind: str,
    lot_id: UUID | None = None,
    unit_cost: Decimal | None = None,
    reference: str | None = None,
    reason: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
) -> PreparedMove:
    """The row of one move and its two sides on the levels of internal locations."""
    row = {
        "tenant_id": ctx.tenant.id,
        "id": uuid7(),
        "product_id": product.id,
        "lot_id": lot_id,
        "quantity": quantity,
        "from_location_id": source,
        "to_location_id": dest,
        "kind": kind,
        "unit_cost": unit_cost,
        "reference": reference or None,
        "reason": reason or None,
        "origin_type": origin_type,
        "origin_id": origin_id,
        "moved_at": ctx.now(),
        "created_by": ctx.principal.user_id,
        "created_at": utcnow(),
    }
    virtual = ctx.virtual_locations
    levels = [
        {"id": uuid7(), "location_id": location, "on_hand": delta}
        for location, delta in ((source, -quantity), (dest, quantity))
        if location not in virtual
    ]
    return PreparedMove(StockMove(**row), row | {"levels": json_rows(levels)})


def write_move(
    session: Session,
    ctx: StockContext,
    *,
    product: StockedProduct,
    quantity: Decimal,
    source: UUID,
    dest: UUID,
    kind: str,
    lot_id: UUID | None = None,
    unit_cost: Decimal | None = None,
    reference: str | None = None,
    reason: str | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
    average_cost: Decimal | None = None,
) -> StockMove:
    """One move and the two sides of it on the levels of internal locations, written in
    one statement — with the product's new ``average_cost`` when given (a receipt; the
    caller holds the product's lock). The move returned is in the session as if read back
    (persistent, nothing to flush), and so is the product's new average."""
    prepared = prepare_move(
        ctx,
        product=product,
        quantity=quantity,
        source=source,
        dest=dest,
        kind=kind,
        lot_id=lot_id,
        unit_cost=unit_cost,
        reference=reference,
        reason=reason,
        origin_type=origin_type,
        origin_id=origin_id,
    )
    return write_prepared(session, ctx, product, prepared, average_cost=average_cost)


def write_prepared(
    session: Session,
    ctx: StockContext,
    product: StockedProduct,
    prepared: PreparedMove,
    *,
    average_cost: Decimal | None = None,
    with_records: bool = False,
) -> StockMove:
    """Write a prepared move as ``write_move`` does. ``with_records``: the rows queued for
    commit (``domain.kit.records``: the move's event and audit entry, recorded before,
    and ``stock.moved``) go out in the same statement — one round trip less per move.
    Only outside savepoints: rows queued by the transaction before a savepoint must
    survive its rollback, so inside one they stay queued for the commit."""
    announce_levels_changed(session, ctx)
    params = prepared.params
    if average_cost is not None:
        params = params | {"average_cost": average_cost}
    fold = with_records and not session.in_nested_transaction()
    queued = records.take_pending(session) if fold else []
    if queued:
        shape, rows = batches_of(*queued)
        session.flush()  # what the queued rows may refer to, as insert_rows does
        statement = _with_records(shape, average=average_cost is not None)
        session.connection().execute(statement, {**params, **rows})
    else:
        statement = _WRITE_MOVE_AND_AVERAGE if average_cost is not None else _WRITE_MOVE
        session.connection().execute(statement, params)
    if average_cost is not None:
        _averaged(session, ctx, product, average_cost, prepared.params["created_at"])
    move = prepared.move
    make_transient_to_detached(move)
    session.add(move)
    return move


def _averaged(
    session: Session, ctx: StockContext, product: StockedProduct, average: Decimal, at: datetime
) -> None:
    """The product's row in the session (the one given, or one the transaction loaded
    before) takes the average as written: the next receipt of the transaction, or the
    caller, reads it from there."""
    row = product if isinstance(product, Product) else None
    if row is None:
        key = Session.identity_key(Product, (ctx.tenant.id, product.id))
        row = cast(Product | None, session.identity_map.get(key))
    if row is not None:
        set_committed_value(row, "average_cost", average)
        set_committed_value(row, "updated_at", at)


_WITH_RECORDS: dict[tuple[Shape, bool], TextClause] = {}


def _with_records(shape: Shape, *, average: bool) -> TextClause:
    """The move's statement after the queued rows' inserts (one text per shape)."""
    found = _WITH_RECORDS.get((shape, average))
    if found is None:
        move = _MOVE_CTE.strip().removeprefix("WITH ")
        sql = f"WITH {insert_ctes(shape)}, {move}{_AVERAGE_CTE if average else ''}{_LEVELS}"
        found = _WITH_RECORDS[(shape, average)] = text(sql)
    return found


def announce_levels_changed(session: Session, ctx: StockContext) -> None:
    """One ``stock.moved`` event per transaction, however many moves it writes: after
    commit the stock alert compares the levels with the minimums once. Emitted again if a
    rolled-back savepoint took the first one away (``records.emit``'s ``once``)."""
    records.emit(session, ctx.principal, "stock.moved", once="stock.moved")


def lot_for_receipt(
    session: Session,
    ctx: StockContext,
    product: StockedProduct,
    lot_number: str | None,
    expiry_date: date | None,
) -> Lot | None:
    """The lot a receipt (or a count, a return) goes into, created at need. Required for a
    product tracked by lots, refused for the others."""
    number = check_text(lot_number, "lot_number", size=64)
    if not product.tracks_lots:
        if number or expiry_date:
            raise InvalidInput(
                f"« {product.name} » n'est pas suivi par lots : pas de numéro de lot.",
                field="lot_number",
            )
        return None
    if not number:
        raise LotRequired(
            f"« {product.name} » est suivi par lots : indiquez le numéro de lot.",
            field="lot_number",
        )
    lot = repo.lot_by_number(session, ctx.tenant.id, product.id, number)
    if lot is None:
        lot = Lot(
            tenant_id=ctx.tenant.id,
            id=uuid7(),
            product_id=product.id,
            number=number,
            expiry_date=expiry_date,
        )
        session.add(lot)
        session.flush()
    elif expiry_date is not None and lot.expiry_date not in (None, expiry_date):
        raise InvalidInput(
            f"Le lot {number} a déjà une date de péremption ({lot.expiry_date:%d/%m/%Y}).",
            field="expiry_date",
        )
    elif expiry_date is not None:
        lot.expiry_date = expiry_date
    return lot


def require_lot(session: Session, ctx: StockContext, product: StockedProduct, lot_id: UUID) -> Lot:
    lot = repo.get_lot(session, ctx.tenant.id, lot_id)
    if lot is None or lot.product_id != product.id:
        raise LotNotFound(field="lot_id")
    return lot


def average_after_receipt(
    previous_quantity: Decimal, average: Decimal, quantity: Decimal, cost: Decimal
) -> Decimal:
    """Weighted average cost after receiving ``quantity`` at ``cost``. Stock below zero
    counts as none: its cost is unknown, so the new receipt sets the average."""
    base = max(previous_quantity, Decimal(0))
    value = base * average + quantity * cost
    return (value / (base + quantity)).quantize(QUANTUM, rounding=ROUND_HALF_UP)
