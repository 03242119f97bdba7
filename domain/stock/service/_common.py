"""Shared by the stock services: who may do what, the tenant's stock context, checks on
quantities and products, and the event + audit record of each write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.finance.models import Invoice, Quote
from domain.kit import records
from domain.kit.clock import Clock
from domain.kit.costs import COST_VIEWERS
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.money import Currency, Number, to_decimal
from domain.kit.principal import Principal, Role
from domain.sales.errors import ProductNotFound
from domain.sales.models import Product
from domain.stock import repository as repo
from domain.stock.errors import (
    InvalidQuantity,
    NotStockable,
    WarehouseInactive,
    WarehouseNotFound,
)
from domain.stock.models import Warehouse

# Who may do what (admin always passes ``Principal.require``):
READERS = tuple(Role)  # levels, moves, lots, warehouses: every member of the business
RECEIVERS = (Role.MANAGER, Role.EMPLOYEE)  # receipts, transfers, customer returns
ISSUERS = (Role.MANAGER, Role.SALES, Role.EMPLOYEE)  # issues (a sale at the counter)
RESERVERS = (Role.MANAGER, Role.SALES)  # reservations for quotes and pending deliveries
COUNTERS = (Role.MANAGER, Role.EMPLOYEE)  # count sheets: open one, enter counted quantities
ADJUSTERS = (Role.MANAGER,)  # adjustments and count validation change value without a document
VALUERS = COST_VIEWERS  # valuation: cost data, like every purchase price and average cost
STOCK_ADMINS = (Role.MANAGER,)  # warehouses and stock settings
INVOICE_ISSUERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES)  # posting an invoice delivers

QUANTITY_MAX = Decimal("1e12")
QUANTUM = Decimal("0.0001")  # Numeric(18, 4)


@dataclass(frozen=True, slots=True)
class StockContext:
    """What one stock operation needs to know about the tenant."""

    principal: Principal
    tenant: repo.StockTenant
    settings: repo.StockRules
    clock: Clock

    @property
    def currency(self) -> Currency:
        return Currency(self.tenant.currency)

    @property
    def virtual_locations(self) -> frozenset[UUID]:
        s = self.settings
        return frozenset((s.supplier_location_id, s.customer_location_id, s.inventory_location_id))

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.tenant.timezone)).date()


def open_stock(session: Session, principal: Principal, clock: Clock) -> StockContext:
    found = repo.tenant_and_settings(session, principal.tenant_id)  # one statement per move
    if found is None:  # prepare_stock runs at sign-up
        raise RuntimeError(f"tenant {principal.tenant_id} has no stock settings")
    tenant, settings = found
    return StockContext(principal=principal, tenant=tenant, settings=settings, clock=clock)


class StockedProduct(Protocol):
    """What the move engine reads of a product: a ``Product`` row or the plain columns a
    receipt or an issue reads (``repo.StockItem``)."""

    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def tracks_lots(self) -> bool: ...
    @property
    def average_cost(self) -> Decimal: ...


class NamedWarehouse(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OpenedMove:
    """A move's context, product, warehouse, the warehouse's main location and, for an
    issue, the product's levels there (locked)."""

    ctx: StockContext
    product: repo.StockItem
    warehouse: repo.Depot
    location_id: UUID
    levels: list[repo.LockedLevel]


def open_move(
    session: Session,
    principal: Principal,
    clock: Clock,
    product_id: UUID,
    warehouse_id: UUID | None,
    *,
    lock_product: bool = False,
    lock_levels: bool = False,
    field: str = "warehouse_id",
) -> OpenedMove:
    """``open_stock``, ``stock_product``, ``require_warehouse_location`` and, with
    ``lock_levels``, ``repo.lock_levels`` of the main location, in one statement, with the
    same checks."""
    rows = repo.move_rows(
        session,
        principal.tenant_id,
        product_id,
        warehouse_id,
        lock_product=lock_product,
        lock_levels=lock_levels,
    )
    if rows is None:
        open_stock(session, principal, clock)  # says so if the stock settings are missing
        raise ProductNotFound(field="product_id")
    ctx = StockContext(principal=principal, tenant=rows.tenant, settings=rows.settings, clock=clock)
    _require_stockable(rows.product)
    if rows.warehouse is None:
        raise WarehouseNotFound(field=field)
    if not rows.warehouse.is_active:
        raise WarehouseInactive(f"Le dépôt « {rows.warehouse.name} » est archivé.", field=field)
    assert rows.location_id is not None  # every warehouse is created with its main location
    return OpenedMove(ctx, rows.product, rows.warehouse, rows.location_id, rows.levels)


def fr_qty(value: Decimal) -> str:
    """``12.5000`` → ``12,5``; ``3.0000`` → ``3``."""
    value = value.normalize()
    text = format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
    return text.replace(".", ",")


def check_quantity(value: Number, field: str = "quantity", *, zero: bool = False) -> Decimal:
    """A positive quantity (or ≥ 0 with ``zero``) of at most 4 decimals."""
    try:
        qty = to_decimal(value)
    except TypeError as exc:
        raise InvalidQuantity("Quantité invalide.", field=field) from exc
    except InvalidInput as exc:
        raise InvalidQuantity("Quantité invalide.", field=field) from exc
    if qty < 0 or (qty == 0 and not zero):
        message = "ne peut pas être négative" if zero else "doit être strictement positive"
        raise InvalidQuantity(f"La quantité {message}.", field=field)
    if qty >= QUANTITY_MAX:
        raise InvalidQuantity("Quantité trop grande.", field=field)
    if qty != qty.quantize(QUANTUM, rounding=ROUND_HALF_UP):
        raise InvalidQuantity("Une quantité a au plus 4 décimales.", field=field)
    return qty


def check_cost(value: Number | None, field: str = "unit_cost") -> Decimal | None:
    if value is None:
        return None
    try:
        cost = to_decimal(value)
    except (TypeError, InvalidInput) as exc:
        raise InvalidInput("Coût unitaire invalide.", field=field) from exc
    if cost < 0:
        raise InvalidInput("Un coût ne peut pas être négatif.", field=field)
    if cost >= Decimal("1e13") or cost != cost.quantize(QUANTUM):
        raise InvalidInput("Coût unitaire invalide (4 décimales au plus).", field=field)
    return cost


def check_text(value: str | None, field: str, *, required: bool = False, size: int = 200) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidInput(f"Le champ « {field} » est obligatoire.", field=field)
    if len(text) > size:
        raise InvalidInput(f"Le champ « {field} » est trop long ({size} au plus).", field=field)
    return text


def stock_product(session: Session, ctx: StockContext, product_id: UUID) -> Product:
    product = session.get(Product, (ctx.tenant.id, product_id))
    if product is None:
        raise ProductNotFound(field="product_id")
    _require_stockable(product)
    return product


def _require_stockable(product: Product | repo.StockItem) -> None:
    if not product.is_stockable:
        raise NotStockable(
            f"« {product.name} » n'est pas géré en stock "
            f"({'un service' if product.kind == 'service' else 'article non stocké'}).",
            field="product_id",
        )


def require_warehouse(
    session: Session, ctx: StockContext, warehouse_id: UUID | None, field: str = "warehouse_id"
) -> Warehouse:
    """The warehouse asked for, or the tenant's default; it must be active."""
    wid = warehouse_id or ctx.settings.default_warehouse_id
    warehouse = repo.get_warehouse(session, ctx.tenant.id, wid) if wid else None
    if warehouse is None:
        raise WarehouseNotFound(field=field)
    if not warehouse.is_active:
        raise WarehouseInactive(f"Le dépôt « {warehouse.name} » est archivé.", field=field)
    return warehouse


def require_warehouse_location(
    session: Session, ctx: StockContext, warehouse_id: UUID | None, field: str = "warehouse_id"
) -> tuple[Warehouse, UUID]:
    """``require_warehouse`` and ``main_location_id`` in one statement."""
    wid = warehouse_id or ctx.settings.default_warehouse_id
    found = repo.warehouse_and_main_location(session, ctx.tenant.id, wid) if wid else None
    if found is None:
        raise WarehouseNotFound(field=field)
    warehouse, location = found
    if not warehouse.is_active:
        raise WarehouseInactive(f"Le dépôt « {warehouse.name} » est archivé.", field=field)
    assert location is not None  # every warehouse is created with its main location
    return warehouse, location


def check_origin(session: Session, ctx: StockContext, origin_type: str, origin_id: UUID) -> None:
    """A document a move or reservation says it comes from must be one of the tenant's:
    a credit note for ``credit_note``, a quote for ``quote`` (other origins are internal)."""
    if origin_type == "credit_note":
        note = session.get(Invoice, (ctx.tenant.id, origin_id))
        if note is None or note.kind != "credit_note":
            raise NotFound("Avoir introuvable.", field="credit_note_id")
    elif origin_type == "quote" and session.get(Quote, (ctx.tenant.id, origin_id)) is None:
        raise NotFound("Devis introuvable.", field="origin_id")


def main_location_id(session: Session, ctx: StockContext, warehouse: Warehouse) -> UUID:
    location = repo.main_location(session, ctx.tenant.id, warehouse.id)
    assert location is not None  # every warehouse is created with its main location
    return location.id


def record(
    session: Session,
    principal: Principal,
    event: str,
    action: str,
    *,
    target_type: str,
    target_id: UUID,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    """A stock write's event carries the same summary as its audit entry (both queued,
    written with the transaction's other records at commit: ``domain.kit.records``)."""
    records.emit(session, principal, event, **{f"{target_type}_id": target_id, **after})
    records.audit(
        session,
        principal,
        action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )
