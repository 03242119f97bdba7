"""Factories for finance tests, through the sales and finance services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from comptoir.bootstrap import Container
from domain.finance import invoices, payments
from domain.finance.models import Invoice, Payment
from domain.finance.schemas import InvoiceCreate, LineIn, PaymentCreate
from domain.kit.clock import ManualClock
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.schemas import PartnerCreate, ProductCreate
from tests.factories import Account, make_tenant, unique

# A SIREN that passes the Luhn check (the tests' French businesses use it).
SIREN = "732829320"


def clock_at(day: date, hour: int = 10) -> ManualClock:
    return ManualClock(datetime.combine(day, time(hour), tzinfo=UTC))


@dataclass(frozen=True)
class Shop:
    """A tenant ready to invoice: an admin, a customer, a product and a service."""

    account: Account
    customer_id: UUID
    goods_id: UUID
    service_id: UUID

    @property
    def principal(self) -> Principal:
        return self.account.principal()

    @property
    def tenant_id(self) -> UUID:
        return self.account.tenant_id


def make_customer(
    container: Container, account: Account, name: str | None = None, **fields: Any
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        partner = sales.create_partner(
            session, account.principal(), PartnerCreate(name=name or unique("Client"), **fields)
        )
        return partner.id


def make_product(
    container: Container,
    account: Account,
    *,
    price: str,
    vat: str,
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
                sale_price=Decimal(price),
                vat_rate=Decimal(vat),
                **fields,
            ),
        )
        return product.id


def make_shop(container: Container, *, country: str = "FR") -> Shop:
    legal = {"siren": SIREN, "vat_number": "FR44" + SIREN} if country == "FR" else {}
    account = make_tenant(container, country=country, **legal)
    goods_vat, service_vat = ("20", "20") if country == "FR" else ("18", "18")
    price = "12.50" if country == "FR" else "15000"
    return Shop(
        account=account,
        customer_id=make_customer(container, account, "Diallo SARL"),
        goods_id=make_product(container, account, price=price, vat=goods_vat, unit="sac"),
        service_id=make_product(
            container, account, price=price, vat=service_vat, kind="service", unit="heure"
        ),
    )


def draft_invoice(
    container: Container, shop: Shop, *lines: LineIn, clock: ManualClock | None = None, **extra: Any
) -> Invoice:
    lines = lines or (LineIn(product_id=shop.goods_id, quantity=Decimal(3)),)
    with container.db.unit_of_work(shop.tenant_id) as session:
        return invoices.create_invoice(
            session,
            shop.principal,
            clock or container.clock,
            InvoiceCreate(
                partner_id=extra.pop("partner_id", shop.customer_id), lines=list(lines), **extra
            ),
        )


def posted_invoice(
    container: Container, shop: Shop, *lines: LineIn, clock: ManualClock | None = None, **extra: Any
) -> Invoice:
    draft = draft_invoice(container, shop, *lines, clock=clock, **extra)
    with container.db.unit_of_work(shop.tenant_id) as session:
        return invoices.post_invoice(session, shop.principal, clock or container.clock, draft.id)


def pay(
    container: Container,
    shop: Shop,
    amount: str,
    *,
    clock: ManualClock | None = None,
    **fields: Any,
) -> Payment:
    fields.setdefault("method", "bank_transfer")
    with container.db.unit_of_work(shop.tenant_id) as session:
        return payments.record_payment(
            session,
            shop.principal,
            clock or container.clock,
            PaymentCreate(amount=Decimal(amount), **fields),
        )
