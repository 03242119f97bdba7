"""Replenishment: low stock, reorder suggestions, stock-out forecast.

- **Low stock**: per warehouse, products whose available quantity (on hand − reserved) is
  strictly under the rule's minimum — what is missing now, incoming orders aside.
- **Reorder suggestions**: per warehouse, products whose available quantity plus what
  open orders (draft, sent, partially received) still bring is *at or under* the
  minimum. Quantity = max − (available + incoming), rounded up to a multiple of the
  supplier's minimum order quantity. The supplier is the preferred one, else the
  cheapest referenced; lead time = supplier terms, else the supplier's, else
  ``DEFAULT_LEAD_TIME_DAYS``. Grouped by supplier (no supplier: one last group).
  ``order_by`` = predicted stock-out − lead time when the product sells (it may be in
  the past: late), else today; ``expected_date`` = today + lead time.
- **Forecast**: average daily quantity sent to customers over the last ``days`` (a rolling
  window ending now), days of cover = available / average, stock-out date = today + the
  whole days of cover (today when nothing is left); none when nothing sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from domain.finance.books import open_books
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Principal
from domain.stock.purchasing import planning_repository as queries
from domain.stock.purchasing._common import BUYERS, READERS, lead_time, round_up_to_multiple
from domain.stock.purchasing.models import PurchaseOrder
from domain.stock.purchasing.orders import create_purchase_order
from domain.stock.purchasing.schemas import PurchaseLineIn, PurchaseOrderCreate

DEFAULT_WINDOW_DAYS = 30
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Position:
    product_id: UUID
    product_name: str
    sku: str | None
    unit: str
    warehouse_id: UUID
    warehouse_code: str
    warehouse_name: str
    min_quantity: Decimal
    max_quantity: Decimal
    available: Decimal
    incoming: Decimal


@dataclass(frozen=True, slots=True)
class SuggestionLine:
    position: Position
    quantity: Decimal
    unit_price: Decimal | None
    min_order_quantity: Decimal
    lead_time_days: int
    daily_sales: Decimal
    stockout_date: date | None
    order_by: date
    expected_date: date


@dataclass(frozen=True, slots=True)
class SupplierSuggestion:
    supplier_id: UUID | None
    supplier_name: str | None
    lead_time_days: int
    order_by: date
    expected_date: date
    estimated_total: Decimal  # excl. VAT, lines with a known price
    lines: list[SuggestionLine]


@dataclass(frozen=True, slots=True)
class Forecast:
    product_id: UUID
    product_name: str
    sku: str | None
    unit: str
    available: Decimal
    sold: Decimal
    daily_average: Decimal
    days_of_cover: Decimal | None
    stockout_date: date | None


def _window(days: int) -> None:
    if not 1 <= days <= 365:
        raise InvalidInput("La période d'observation va de 1 à 365 jours.", field="days")


def _position(row: Any) -> Position:
    return Position(**{name: getattr(row, name) for name in Position.__dataclass_fields__})


def cover(
    available: Decimal, sold: Decimal, days: int, today: date
) -> tuple[Decimal | None, date | None]:
    """Days of cover (one decimal) and predicted stock-out date; none when nothing sold.

    ``available × days / sold`` rather than ``available / (sold / days)``: the same
    number, without the rounding of a repeating daily average (15 / (15/7) is 7).
    """
    if sold <= 0:
        return None, None
    if available <= 0:
        return Decimal(0), today
    exact = available * days / sold
    whole = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    return exact.quantize(Decimal("0.1")), today + timedelta(days=whole)


def _suggestion(row: Any, today: date, days: int) -> SuggestionLine:
    position = _position(row)
    moq = row.min_order_quantity if row.supplier_id is not None else Decimal(0)
    needed = position.max_quantity - (position.available + position.incoming)
    quantity = round_up_to_multiple(needed, moq) if needed > 0 else Decimal(0)
    lead = lead_time(None, row.lead_time_days)
    daily = row.sold / days
    _, stockout = cover(position.available, row.sold, days, today)
    order_by = stockout - timedelta(days=lead) if stockout is not None else today
    return SuggestionLine(
        position=position,
        quantity=quantity,
        unit_price=row.unit_price,
        min_order_quantity=moq,
        lead_time_days=lead,
        daily_sales=daily.quantize(RATE_PLACES),
        stockout_date=stockout,
        order_by=order_by,
        expected_date=today + timedelta(days=lead),
    )


def _group(
    supplier_id: UUID | None, name: str | None, lines: list[SuggestionLine], currency: Currency
) -> SupplierSuggestion:
    total = sum((x.quantity * x.unit_price for x in lines if x.unit_price is not None), Decimal(0))
    return SupplierSuggestion(
        supplier_id=supplier_id,
        supplier_name=name,
        lead_time_days=max(x.lead_time_days for x in lines),
        order_by=min(x.order_by for x in lines),
        expected_date=max(x.expected_date for x in lines),
        estimated_total=round_to_currency(total, currency),
        lines=lines,
    )


def reorder_suggestions(
    session: Session, principal: Principal, clock: Clock, *, days: int = DEFAULT_WINDOW_DAYS
) -> list[SupplierSuggestion]:
    """What to order, grouped by supplier (one SQL query for the whole tenant)."""
    principal.require(*READERS)
    _window(days)
    books = open_books(session, principal, clock)
    now, today = clock.now(), books.today()
    rows = queries.shortages(session, books.tenant.id, now - timedelta(days=days), now)
    groups: dict[UUID | None, tuple[str | None, list[SuggestionLine]]] = {}
    for row in rows:
        line = _suggestion(row, today, days)
        if line.quantity > 0:
            groups.setdefault(row.supplier_id, (row.supplier_name, []))[1].append(line)
    result = [
        _group(supplier_id, name, lines, books.currency)
        for supplier_id, (name, lines) in groups.items()
    ]
    # Suppliers in the order the query sorted them; the group without one comes last.
    return sorted(result, key=lambda g: g.supplier_id is None)


def low_stock(
    session: Session, principal: Principal, *, warehouse_id: UUID | None = None
) -> list[Position]:
    """Products under their minimum, per warehouse, the furthest under first."""
    principal.require(*READERS)
    return [_position(r) for r in queries.low_stock(session, principal.tenant_id, warehouse_id)]


def forecast_stockout(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    days: int = DEFAULT_WINDOW_DAYS,
    product_id: UUID | None = None,
) -> list[Forecast]:
    """Days of cover per stockable product (or one), the soonest stock-out first."""
    principal.require(*READERS)
    _window(days)
    books = open_books(session, principal, clock)
    now, today = clock.now(), books.today()
    rows = queries.sales_and_stock(
        session, books.tenant.id, now - timedelta(days=days), now, product_id
    )
    result = []
    for row in rows:
        daily = row.sold / days
        days_left, stockout = cover(row.available, row.sold, days, today)
        result.append(
            Forecast(
                product_id=row.product_id,
                product_name=row.product_name,
                sku=row.sku,
                unit=row.unit,
                available=row.available,
                sold=row.sold,
                daily_average=daily.quantize(RATE_PLACES),
                days_of_cover=days_left,
                stockout_date=stockout,
            )
        )
    return sorted(result, key=lambda f: (f.stockout_date is None, f.stockout_date, f.product_name))


def create_orders_from_suggestions(
    session: Session, principal: Principal, clock: Clock, *, days: int = DEFAULT_WINDOW_DAYS
) -> list[PurchaseOrder]:
    """One draft order per supplier and warehouse from the current suggestions.

    Products without a supplier, or without any known price, are left out: they need a
    human decision. Drafts count as incoming, so asking again suggests nothing twice.
    """
    principal.require(*BUYERS)
    orders = []
    for group in reorder_suggestions(session, principal, clock, days=days):
        if group.supplier_id is None:
            continue
        by_warehouse: dict[UUID, list[PurchaseLineIn]] = {}
        for line in group.lines:
            if line.unit_price is None:
                continue
            by_warehouse.setdefault(line.position.warehouse_id, []).append(
                PurchaseLineIn(product_id=line.position.product_id, quantity=line.quantity)
            )
        for warehouse_id, lines in by_warehouse.items():
            data = PurchaseOrderCreate(
                supplier_id=group.supplier_id, warehouse_id=warehouse_id, lines=lines
            )
            orders.append(create_purchase_order(session, principal, clock, data))
    return orders
