"""Read-only views: valuation at weighted average cost, lots close to expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Principal
from domain.sales.models import Product
from domain.stock.models import Location, Lot, StockLevel
from domain.stock.service._common import READERS, VALUERS, open_stock


@dataclass(frozen=True, slots=True)
class ValuationLine:
    product_id: UUID
    sku: str | None
    name: str
    unit: str
    quantity: Decimal
    average_cost: Decimal
    value: Decimal  # quantity × average cost, in the currency's minor unit


@dataclass(frozen=True, slots=True)
class Valuation:
    currency: Currency
    warehouse_id: UUID | None
    lines: list[ValuationLine]
    total: Decimal  # the sum of the rounded lines


def _held(tenant_id: UUID, warehouse_id: UUID | None) -> Subquery:
    query = (
        select(StockLevel.product_id, func.sum(StockLevel.on_hand).label("quantity"))
        .join(
            Location,
            (Location.tenant_id == StockLevel.tenant_id) & (Location.id == StockLevel.location_id),
        )
        .where(StockLevel.tenant_id == tenant_id)
        .group_by(StockLevel.product_id)
    )
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    return query.subquery()


def valuation(
    session: Session, principal: Principal, warehouse_id: UUID | None = None
) -> Valuation:
    """Stock value per product (quantity on hand × weighted average cost, rounded to the
    currency's minor unit) and in total, for one warehouse or all of them."""
    principal.require(*VALUERS)
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    currency = Currency(tenant.currency)
    held = _held(principal.tenant_id, warehouse_id)
    rows = session.execute(
        select(Product, held.c.quantity)
        .join(held, held.c.product_id == Product.id)
        .where(Product.tenant_id == principal.tenant_id, held.c.quantity != 0)
        .order_by(Product.name, Product.id)
    ).all()
    lines = [
        ValuationLine(
            product_id=p.id,
            sku=p.sku,
            name=p.name,
            unit=p.unit,
            quantity=Decimal(qty),
            average_cost=p.average_cost,
            value=round_to_currency(Decimal(qty) * p.average_cost, currency),
        )
        for p, qty in rows
    ]
    total = sum((line.value for line in lines), Decimal(0))
    return Valuation(currency, warehouse_id, lines, round_to_currency(total, currency))


@dataclass(frozen=True, slots=True)
class ExpiringLot:
    lot_id: UUID
    number: str
    product_id: UUID
    product_name: str
    warehouse_id: UUID
    expiry_date: date
    days_left: int  # negative: already expired
    on_hand: Decimal


def expiring_lots(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    within_days: int = 30,
    warehouse_id: UUID | None = None,
) -> list[ExpiringLot]:
    """Lots still in stock whose expiry date falls within ``within_days`` of today (the
    tenant's date), expired ones included, soonest first."""
    principal.require(*READERS)
    if not 0 <= within_days <= 3650:
        raise InvalidInput("Le nombre de jours va de 0 à 3650.", field="within_days")
    today = open_stock(session, principal, clock).today()
    query = (
        select(
            Lot.id,
            Lot.number,
            Lot.product_id,
            Product.name,
            Location.warehouse_id,
            Lot.expiry_date,
            func.sum(StockLevel.on_hand).label("on_hand"),
        )
        .join(StockLevel, (StockLevel.tenant_id == Lot.tenant_id) & (StockLevel.lot_id == Lot.id))
        .join(
            Location,
            (Location.tenant_id == StockLevel.tenant_id) & (Location.id == StockLevel.location_id),
        )
        .join(Product, (Product.tenant_id == Lot.tenant_id) & (Product.id == Lot.product_id))
        .where(
            Lot.tenant_id == principal.tenant_id,
            Lot.expiry_date <= today + timedelta(days=within_days),
        )
        .group_by(
            Lot.id, Lot.number, Lot.product_id, Lot.expiry_date, Product.name, Location.warehouse_id
        )
        .having(func.sum(StockLevel.on_hand) > 0)
        .order_by(Lot.expiry_date, Product.name, Lot.number)
    )
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    return [
        ExpiringLot(
            lot_id=r.id,
            number=r.number,
            product_id=r.product_id,
            product_name=r.name,
            warehouse_id=r.warehouse_id,
            expiry_date=r.expiry_date,
            days_left=(r.expiry_date - today).days,
            on_hand=Decimal(r.on_hand),
        )
        for r in session.execute(query)
    ]
