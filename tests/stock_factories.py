"""Factories for stock tests, through the sales and stock services (never raw SQL).

Small keyword-only functions: ``make_warehouse``, ``make_stock_product``, ``stocked`` (a
product with stock on hand), ``make_stockable`` (turn an existing product's stock on),
``level``, ``allow_negative``. Products are not stockable unless asked (``is_stockable``
defaults to false): these factories ask.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from comptoir.bootstrap import Container
from domain.kit.clock import Clock
from domain.sales import service as sales
from domain.sales.schemas import ProductCreate, ProductUpdate
from domain.stock import service as stock
from tests.factories import Account, unique


def make_warehouse(
    container: Container, account: Account, *, code: str | None = None, name: str | None = None
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        warehouse = stock.create_warehouse(
            session,
            account.principal(),
            code=code or unique("D")[:16].upper(),
            name=name or unique("Dépôt"),
        )
        return warehouse.id


def default_warehouse_id(container: Container, account: Account) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        return stock.default_warehouse(session, account.principal()).id


def make_stock_product(
    container: Container,
    account: Account,
    *,
    name: str | None = None,
    sku: str | None = None,
    sale_price: str = "10",
    purchase_price: str | None = None,
    tracks_lots: bool = False,
    unit: str = "pièce",
    **fields: Any,
) -> UUID:
    """A stockable product (goods), at the tenant's standard VAT rate unless given."""
    fields.setdefault("is_stockable", True)
    with container.db.unit_of_work(account.tenant_id) as session:
        product = sales.create_product(
            session,
            account.principal(),
            ProductCreate(
                name=name or unique("Article"),
                sku=sku,
                unit=unit,
                sale_price=Decimal(sale_price),
                purchase_price=Decimal(purchase_price) if purchase_price is not None else None,
                tracks_lots=tracks_lots,
                **fields,
            ),
        )
        return product.id


def make_stockable(
    container: Container, account: Account, product_id: UUID, *, tracks_lots: bool = False
) -> UUID:
    """Turn stock management on for an existing goods product (e.g. ``make_shop``'s)."""
    with container.db.unit_of_work(account.tenant_id) as session:
        sales.update_product(
            session,
            account.principal(),
            product_id,
            ProductUpdate(is_stockable=True, tracks_lots=tracks_lots),
        )
    return product_id


def stocked(
    container: Container,
    account: Account,
    *,
    quantity: str = "12",
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
    unit_cost: str | None = None,
    lot_number: str | None = None,
    expiry_date: date | None = None,
    clock: Clock | None = None,
    **product_fields: Any,
) -> UUID:
    """A product (made here unless ``product_id`` is given) with ``quantity`` received in
    ``warehouse_id`` (default warehouse). Returns the product id."""
    if product_id is None:
        if lot_number is not None:
            product_fields.setdefault("tracks_lots", True)
        product_id = make_stock_product(container, account, **product_fields)
    with container.db.unit_of_work(account.tenant_id) as session:
        stock.receive(
            session,
            account.principal(),
            clock or container.clock,
            product_id=product_id,
            quantity=Decimal(quantity),
            warehouse_id=warehouse_id,
            unit_cost=Decimal(unit_cost) if unit_cost is not None else None,
            lot_number=lot_number,
            expiry_date=expiry_date,
        )
    return product_id


def level(
    container: Container, account: Account, product_id: UUID, warehouse_id: UUID | None = None
) -> stock.LevelRow:
    """On hand / reserved / available of a product (all warehouses when none is given)."""
    with container.db.unit_of_work(account.tenant_id) as session:
        return stock.stock_level(session, account.principal(), product_id, warehouse_id)


def allow_negative(container: Container, account: Account, allow: bool = True) -> None:
    with container.db.unit_of_work(account.tenant_id) as session:
        stock.update_settings(session, account.principal(), allow_negative_stock=allow)
