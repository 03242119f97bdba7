"""Turning the lines a user (or an e-invoice) gives into priced supplier bill lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance.books import Books
from domain.finance.calc import TaxableLine, line_net
from domain.finance.payables.accounts import check_accounts, default_account
from domain.finance.payables.schemas import BillLineIn
from domain.finance.vat import active_rates, default_of, pick_rate
from domain.kit.errors import InvalidInput, NotFound
from domain.sales.models import Product
from domain.stock.purchasing.models import ProductSupplier, PurchaseOrderLine


@dataclass(frozen=True, slots=True)
class BillLineDraft:
    position: int
    product_id: UUID | None
    order_line_id: UUID | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    vat_category: str
    net_amount: Decimal
    account: str

    def taxable(self) -> TaxableLine:
        return TaxableLine(self.net_amount, self.vat_rate, self.vat_category)


@dataclass(frozen=True, slots=True)
class _Known:
    """What a product or an order line tells about a line that does not say it itself."""

    product_id: UUID | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None
    kind: str | None = None


def _order_line(
    session: Session, books: Books, line_id: UUID, order_id: UUID | None, n: int
) -> PurchaseOrderLine:
    line = session.get(PurchaseOrderLine, (books.tenant.id, line_id))
    if line is None or (order_id is not None and line.order_id != order_id):
        raise NotFound(
            f"Ligne {n} : ligne de commande introuvable sur cette commande.",
            field="order_line_id",
        )
    return line


def _supplier_price(
    session: Session, books: Books, product_id: UUID, supplier_id: UUID
) -> Decimal | None:
    return session.scalar(
        select(ProductSupplier.price).where(
            ProductSupplier.tenant_id == books.tenant.id,
            ProductSupplier.product_id == product_id,
            ProductSupplier.supplier_id == supplier_id,
        )
    )


def _known(
    session: Session,
    books: Books,
    line: BillLineIn,
    supplier_id: UUID,
    order_id: UUID | None,
    n: int,
) -> _Known:
    order_line = (
        _order_line(session, books, line.order_line_id, order_id, n)
        if line.order_line_id is not None
        else None
    )
    product_id = line.product_id or (order_line.product_id if order_line else None)
    if product_id is None:
        return _Known()
    product = session.get(Product, (books.tenant.id, product_id))
    if product is None:
        raise NotFound(f"Ligne {n} : produit introuvable.", field="product_id")
    if order_line is not None:
        price: Decimal | None = order_line.unit_price
        rate: Decimal | None = order_line.vat_rate
        description = order_line.description
    else:
        price = _supplier_price(session, books, product.id, supplier_id) or product.purchase_price
        rate, description = product.vat_rate, product.name
    return _Known(product.id, description, price, rate, product.kind)


def price_bill_lines(
    session: Session,
    books: Books,
    lines: list[BillLineIn],
    *,
    supplier_id: UUID,
    order_id: UUID | None,
) -> list[BillLineDraft]:
    """Every line priced and checked (VAT rate of the business, account of the chart), or a
    French refusal naming the line; nothing is written here."""
    if not lines:
        raise InvalidInput("Une facture fournisseur a au moins une ligne.", field="lines")
    rates = active_rates(session, books.tenant.id)
    drafts = []
    for n, line in enumerate(lines, start=1):
        known = _known(session, books, line, supplier_id, order_id, n)
        description = line.description or known.description
        price = line.unit_price if line.unit_price is not None else known.unit_price
        if not description or price is None:
            raise InvalidInput(
                f"Ligne {n} : indiquez le libellé et le prix unitaire hors taxe.", field="lines"
            )
        rate_value = line.vat_rate if line.vat_rate is not None else known.vat_rate
        rate = pick_rate(rates, rate_value) if rate_value is not None else default_of(rates)
        drafts.append(
            BillLineDraft(
                position=n,
                product_id=known.product_id,
                order_line_id=line.order_line_id,
                description=description[:500],
                quantity=line.quantity,
                unit_price=price,
                vat_rate=rate.rate,
                vat_category=rate.category,
                net_amount=line_net(line.quantity, price, Decimal(0), books.currency),
                account=line.account or default_account(books, known.kind),
            )
        )
    check_accounts(session, books, {d.account for d in drafts})
    return drafts
