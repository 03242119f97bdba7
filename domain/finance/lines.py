"""Turning what a user asked for into priced lines (quotes, invoices, recurring templates)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Uuid, and_, bindparam, select
from sqlalchemy.orm import Session

from domain.finance.books import ActiveRate, Books
from domain.finance.calc import TaxableLine, line_net
from domain.finance.models import InvoiceLine, QuoteLine
from domain.finance.schemas import LineIn
from domain.finance.vat import default_of, pick_rate
from domain.kit.errors import InvalidInput, NotFound
from domain.sales.models import Partner, Product

PRICE_PLACES = Decimal("0.0001")  # unit prices may go below the cent (0,125 €)


@dataclass(frozen=True, slots=True)
class PricedLine:
    position: int
    product_id: UUID | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    vat_category: str
    net_amount: Decimal
    is_goods: bool = False
    deposit_invoice_id: UUID | None = None
    # The catalog product the line was priced from (None for a line read back from the
    # database): posting the document in the same transaction needs it, not a new read.
    product: Product | None = field(default=None, compare=False, repr=False)

    def taxable(self) -> TaxableLine:
        return TaxableLine(self.net_amount, self.vat_rate, self.vat_category)

    def columns(self, *, invoice: bool = True) -> dict[str, Any]:
        """The values an invoice line row stores (a quote line has no deposit reference)."""
        skip = {"is_goods", "product"} if invoice else {"is_goods", "product", "deposit_invoice_id"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


def _product(
    session: Session, books: Books, product_id: UUID, position: int, known: dict[UUID, Product]
) -> Product:
    product = known.get(product_id) or session.get(Product, (books.tenant.id, product_id))
    if product is None:
        raise NotFound(f"Ligne {position} : produit introuvable.", field="product_id")
    if not product.is_active:
        raise InvalidInput(f"Ligne {position} : le produit « {product.name} » est archivé.")
    return product


def _unit(value: str) -> str:
    from domain.sales.units import normalize_unit

    return normalize_unit(value)


def _unit_price(line: LineIn, product: Product | None, position: int, description: str) -> Decimal:
    """The line's own price, else the product's; a product without a sale price (a price
    agreed each time) needs one on the line: nothing is written until it is given."""
    if line.unit_price is not None:
        return line.unit_price
    if product is None:
        raise InvalidInput(
            f"Ligne {position} : prix unitaire manquant pour « {description} ».",
            field="unit_price",
        )
    if product.sale_price is None:
        raise InvalidInput(
            f"Quel prix unitaire pour « {product.name} » ? Ce produit n'a pas de prix de vente.",
            field="unit_price",
        )
    return product.sale_price


def price_line(
    session: Session,
    books: Books,
    rates: list[ActiveRate],
    position: int,
    line: LineIn,
    products: dict[UUID, Product],
) -> PricedLine:
    """One line priced; ``rates`` are the tenant's active VAT rates and ``products`` the
    document's products, each read once per document."""
    product = (
        _product(session, books, line.product_id, position, products) if line.product_id else None
    )
    description = (line.description or (product.name if product else "")).strip()
    if not description:
        raise InvalidInput(
            f"Ligne {position} : indiquez un produit ou une désignation.", field="description"
        )
    unit_price = _unit_price(line, product, position, description)
    if unit_price != unit_price.quantize(PRICE_PLACES):
        raise InvalidInput(f"Ligne {position} : prix unitaire trop précis.", field="unit_price")
    if line.vat_rate is not None:
        rate = pick_rate(rates, line.vat_rate)
    elif product is not None:
        rate = pick_rate(rates, product.vat_rate)
    else:
        rate = default_of(rates)
    currency = books.currency
    return PricedLine(
        position=position,
        product_id=product.id if product else None,
        description=description,
        quantity=line.quantity,
        unit=_unit(line.unit or (product.unit if product else "unité")),
        unit_price=unit_price,
        discount_percent=line.discount_percent,
        vat_rate=rate.rate,
        vat_category=rate.category,
        net_amount=line_net(line.quantity, unit_price, line.discount_percent, currency),
        is_goods=product is not None and product.kind == "goods",
        product=product,
    )


def price_lines(
    session: Session,
    books: Books,
    lines: list[LineIn],
    products: dict[UUID, Product] | None = None,
) -> list[PricedLine]:
    """``lines`` priced; ``products``: the document's products when the caller has read
    them (``partner_and_products``), else they are read here in one query."""
    rates = list(books.vat_rates)
    if products is None:
        products = _products(session, books, product_ids(lines))
    return [
        price_line(session, books, rates, i, line, products)
        for i, line in enumerate(lines, start=1)
    ]


def product_ids(lines: list[LineIn]) -> set[UUID]:
    return {line.product_id for line in lines if line.product_id}


class DocumentPartner(Protocol):
    """What a document needs of its partner: a ``Partner`` row, or ``PartnerFacts``."""

    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def payment_terms_days(self) -> int | None: ...
    @property
    def is_customer(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    """A document's partner as creating the document reads it (read-only)."""

    id: UUID
    name: str
    payment_terms_days: int | None
    is_customer: bool
    is_active: bool


# The partner's few columns repeated beside each product: one statement where a
# primary-key read and a product query were two, and one mapped entity per row instead of
# two (the partner is only read; the products stay entities, stock delivers them).
_PARTNER_COLUMNS = (
    Partner.id,
    Partner.name,
    Partner.payment_terms_days,
    Partner.is_customer,
    Partner.is_active,
)
_PARTNER_AND_PRODUCTS = (
    select(*_PARTNER_COLUMNS, Product)
    .outerjoin(
        Product,
        and_(
            Product.tenant_id == Partner.tenant_id,
            Product.id.in_(bindparam("product_ids", expanding=True)),
        ),
    )
    .where(
        Partner.tenant_id == bindparam("tenant_id", type_=Uuid),
        Partner.id == bindparam("partner_id", type_=Uuid),
    )
)


def partner_and_products(
    session: Session, books: Books, partner_id: UUID, ids: set[UUID]
) -> tuple[PartnerFacts | None, dict[UUID, Product]]:
    """A document's partner (None when not found) and its products (as ``_products``:
    a product missing here is looked up again, and reported, by the line naming it), in
    one statement."""
    values = {"tenant_id": books.tenant.id, "partner_id": partner_id, "product_ids": list(ids)}
    rows = session.execute(_PARTNER_AND_PRODUCTS, values).all()
    if not rows:
        return None, {}
    pid, name, terms, is_customer, is_active, _ = rows[0]
    products = {row[-1].id: row[-1] for row in rows if row[-1] is not None}
    return PartnerFacts(pid, name, terms, is_customer, is_active), products


def _products(session: Session, books: Books, ids: set[UUID]) -> dict[UUID, Product]:
    """The document's products in one query rather than one per line (a product missing
    here is looked up again, and reported, by the line that names it)."""
    if not ids:
        return {}
    found = session.scalars(
        select(Product).where(Product.tenant_id == books.tenant.id, Product.id.in_(ids))
    )
    return {product.id: product for product in found}


def priced_rows(rows: Iterable[InvoiceLine | QuoteLine]) -> list[PricedLine]:
    """Stored quote or invoice lines, back as priced lines (to total or copy them)."""
    return [
        PricedLine(
            position=r.position,
            product_id=r.product_id,
            description=r.description,
            quantity=r.quantity,
            unit=r.unit,
            unit_price=r.unit_price,
            discount_percent=r.discount_percent,
            vat_rate=r.vat_rate,
            vat_category=r.vat_category,
            net_amount=r.net_amount,
            deposit_invoice_id=getattr(r, "deposit_invoice_id", None),
        )
        for r in rows
    ]
