"""What is on hand, reserved and available; reservations; the consistency check of the
cached levels against the moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.money import Number
from domain.kit.principal import Principal
from domain.sales.errors import ProductNotFound
from domain.sales.models import Product
from domain.stock import repository as repo
from domain.stock.errors import ReservationNotFound
from domain.stock.models import StockReservation
from domain.stock.repository import LevelRow
from domain.stock.service._common import (
    READERS,
    RESERVERS,
    check_origin,
    check_quantity,
    check_text,
    main_location_id,
    open_stock,
    record,
    require_warehouse,
    stock_product,
)
from domain.stock.service._engine import insufficient


def stock_levels(
    session: Session,
    principal: Principal,
    *,
    product_ids: list[UUID] | None = None,
    warehouse_id: UUID | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[LevelRow]:
    """One row per product and warehouse that has (or had) stock, by product then warehouse;
    ``limit``/``offset`` page through them."""
    principal.require(*READERS)
    if (limit is not None and limit < 1) or offset < 0:
        raise InvalidInput(
            "La page demande au moins une ligne et un décalage positif ou nul.", field="limit"
        )
    return repo.level_sums(
        session,
        principal.tenant_id,
        product_ids=product_ids,
        warehouse_id=warehouse_id,
        limit=limit,
        offset=offset,
    )


def stock_level(
    session: Session, principal: Principal, product_id: UUID, warehouse_id: UUID | None = None
) -> LevelRow:
    """One product in one warehouse, or over all warehouses; zeros when it has no stock."""
    principal.require(*READERS)
    if session.get(Product, (principal.tenant_id, product_id)) is None:
        raise ProductNotFound(field="product_id")
    rows = stock_levels(session, principal, product_ids=[product_id], warehouse_id=warehouse_id)
    return LevelRow(
        product_id,
        warehouse_id,
        sum((r.on_hand for r in rows), Decimal(0)),
        sum((r.reserved for r in rows), Decimal(0)),
    )


def verify_levels(session: Session, principal: Principal) -> list[repo.LevelDifference]:
    """Recompute every level from the moves (and active reservations) and return where the
    cached ``stock_levels`` differ. An empty list means the cache is exact."""
    principal.require(*READERS)
    return repo.level_differences(session, principal.tenant_id)


def reserve(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    product_id: UUID,
    quantity: Number,
    warehouse_id: UUID | None = None,
    origin_type: str | None = None,
    origin_id: UUID | None = None,
    reference: str | None = None,
) -> StockReservation:
    """Set stock aside (an accepted quote, a delivery to come): available goes down, on
    hand does not. Refused beyond what is available unless negative stock is allowed."""
    principal.require(*RESERVERS)
    ctx = open_stock(session, principal, clock)
    qty = check_quantity(quantity)
    reference = check_text(reference, "reference", size=100)
    product = stock_product(session, ctx, product_id)
    if origin_type is not None and origin_id is not None:
        check_origin(session, ctx, origin_type, origin_id)
    warehouse = require_warehouse(session, ctx, warehouse_id)
    location = main_location_id(session, ctx, warehouse)
    levels = repo.lock_levels(session, ctx.tenant.id, product.id, [location])
    available = sum((lv.on_hand - lv.reserved for lv in levels), Decimal(0))
    if available < qty and not ctx.settings.allow_negative_stock:
        insufficient(product, warehouse, qty, available)
    reservation = StockReservation(
        tenant_id=ctx.tenant.id,
        product_id=product.id,
        warehouse_id=warehouse.id,
        quantity=qty,
        origin_type=origin_type,
        origin_id=origin_id,
        reference=reference or None,
        created_by=principal.user_id,
    )
    session.add(reservation)
    repo.add_to_level(session, ctx.tenant.id, product.id, location, None, reserved=qty)
    session.flush()
    record(
        session,
        principal,
        "stock.reserved",
        "stock.reserve",
        target_type="reservation",
        target_id=reservation.id,
        after={"product_id": product.id, "quantity": qty, "warehouse_id": warehouse.id},
    )
    return reservation


def release(
    session: Session, principal: Principal, clock: Clock, reservation_id: UUID
) -> StockReservation:
    """Give reserved stock back to available. Releasing twice changes nothing."""
    principal.require(*RESERVERS)
    ctx = open_stock(session, principal, clock)
    reservation = session.get(
        StockReservation, (ctx.tenant.id, reservation_id), with_for_update=True
    )
    if reservation is None:
        raise ReservationNotFound()
    if reservation.released_at is None:
        _release(session, reservation, ctx.now, ctx.tenant.id)
        record(
            session,
            principal,
            "stock.released",
            "stock.release",
            target_type="reservation",
            target_id=reservation.id,
            after={"product_id": reservation.product_id, "quantity": reservation.quantity},
        )
    return reservation


def _release(
    session: Session, reservation: StockReservation, now: Callable[[], datetime], tenant: UUID
) -> None:
    location = repo.main_location(session, tenant, reservation.warehouse_id)
    assert location is not None
    reservation.released_at = now()
    repo.unreserve(session, tenant, reservation.product_id, location.id, reservation.quantity)
    session.flush()


def release_for_origin(
    session: Session, principal: Principal, clock: Clock, origin_type: str, origin_id: UUID
) -> list[StockReservation]:
    """Release every active reservation made for a document (a quote now invoiced)."""
    ctx = open_stock(session, principal, clock)
    found = repo.active_reservations(session, ctx.tenant.id, origin_type, origin_id)
    for reservation in found:
        _release(session, reservation, ctx.now, ctx.tenant.id)
    if found:
        record(
            session,
            principal,
            "stock.released",
            "stock.release",
            target_type="reservation",
            target_id=found[0].id,
            after={"origin_type": origin_type, "origin_id": origin_id, "count": len(found)},
        )
    return found
