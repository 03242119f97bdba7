"""Purchasing factories, through the sales, stock and purchasing services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.kit.clock import Clock, ManualClock
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.schemas import PartnerCreate, ProductCreate
from domain.stock import service as stock
from domain.stock.models import StockMove
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.models import PurchaseOrder
from domain.stock.purchasing.schemas import (
    PurchaseLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReorderRuleIn,
    SupplierTermsIn,
)
from tests.factories import Account, make_tenant, unique

NOW = datetime(2026, 3, 16, 9, tzinfo=UTC)  # a Monday


def clock(at: datetime = NOW) -> ManualClock:
    return ManualClock(at)


@dataclass(frozen=True)
class Buyer:
    """A tenant with a supplier (lead time 5 days) and its default warehouse."""

    account: Account
    supplier_id: UUID
    warehouse_id: UUID

    @property
    def principal(self) -> Principal:
        return self.account.principal()

    @property
    def tenant_id(self) -> UUID:
        return self.account.tenant_id


def make_supplier(
    container: Container, account: Account, name: str | None = None, lead_time_days: int | None = 5
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        partner = sales.create_partner(
            session,
            account.principal(),
            PartnerCreate(
                name=name or unique("Fournisseur"),
                roles=["supplier"],
                lead_time_days=lead_time_days,
            ),
        )
        return partner.id


def make_goods(
    container: Container,
    account: Account,
    *,
    purchase_price: str | None = "12000",
    vat: str = "18",
    tracks_lots: bool = False,
    kind: str = "goods",
    **fields: Any,
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        product = sales.create_product(
            session,
            account.principal(),
            ProductCreate(
                name=fields.pop("name", unique("Produit")),
                kind=kind,  # type: ignore[arg-type]
                sale_price=Decimal(fields.pop("sale_price", "15000")),
                vat_rate=Decimal(vat),
                unit=fields.pop("unit", "sac"),
                purchase_price=Decimal(purchase_price) if purchase_price else None,
                tracks_lots=tracks_lots,
                is_stockable=fields.pop("is_stockable", kind == "goods"),
                **fields,
            ),
        )
        return product.id


def make_buyer(container: Container, *, country: str = "SN") -> Buyer:
    account = make_tenant(container, country=country)
    supplier_id = make_supplier(container, account, "Grands Moulins de Dakar")
    with container.db.unit_of_work(account.tenant_id) as session:
        warehouse = stock.default_warehouse(session, account.principal())
    return Buyer(account=account, supplier_id=supplier_id, warehouse_id=warehouse.id)


def set_terms(
    container: Container,
    buyer: Buyer,
    product_id: UUID,
    supplier_id: UUID | None = None,
    **terms: Any,
) -> None:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        purchasing.set_supplier_terms(
            session,
            buyer.principal,
            clock(),
            product_id,
            SupplierTermsIn(supplier_id=supplier_id or buyer.supplier_id, **terms),
        )


def set_rule(
    container: Container,
    buyer: Buyer,
    product_id: UUID,
    low: str,
    high: str,
    warehouse_id: UUID | None = None,
) -> None:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        purchasing.set_reorder_rule(
            session,
            buyer.principal,
            ReorderRuleIn(
                product_id=product_id,
                warehouse_id=warehouse_id,
                min_quantity=Decimal(low),
                max_quantity=Decimal(high),
            ),
        )


def make_order(
    container: Container,
    buyer: Buyer,
    *lines: PurchaseLineIn,
    status: str = "draft",
    at: Clock | None = None,
    **extra: Any,
) -> PurchaseOrder:
    """An order in ``status`` draft or sent."""
    at = at or clock()
    with container.db.unit_of_work(buyer.tenant_id) as session:
        order = purchasing.create_purchase_order(
            session,
            buyer.principal,
            at,
            PurchaseOrderCreate(
                supplier_id=extra.pop("supplier_id", buyer.supplier_id), lines=list(lines), **extra
            ),
        )
        if status == "sent":
            order = purchasing.send_purchase_order(session, buyer.principal, at, order.id)
        return order


def line(product_id: UUID, quantity: str, price: str | None = None, **extra: Any) -> PurchaseLineIn:
    return PurchaseLineIn(
        product_id=product_id,
        quantity=Decimal(quantity),
        unit_price=Decimal(price) if price is not None else None,
        **extra,
    )


def receive(
    container: Container, buyer: Buyer, order_id: UUID, data: ReceiptCreate | None = None
) -> purchasing.ReceiptResult:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return purchasing.receive_purchase_order(session, buyer.principal, clock(), order_id, data)


def stock_in(
    container: Container,
    buyer: Buyer,
    product_id: UUID,
    quantity: str,
    warehouse_id: UUID | None = None,
    at: Clock | None = None,
) -> None:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        stock.receive(
            session,
            buyer.principal,
            at or clock(),
            product_id=product_id,
            quantity=Decimal(quantity),
            warehouse_id=warehouse_id,
        )


def sell(
    container: Container,
    buyer: Buyer,
    product_id: UUID,
    quantity: str,
    at: Clock,
    warehouse_id: UUID | None = None,
) -> None:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        stock.issue(
            session,
            buyer.principal,
            at,
            product_id=product_id,
            quantity=Decimal(quantity),
            warehouse_id=warehouse_id,
            reason="Vente au comptoir",
        )


def move_count(container: Container, buyer: Buyer) -> int:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(StockMove)) or 0)
