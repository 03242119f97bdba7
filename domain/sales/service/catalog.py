"""The catalog: products and services, their prices and VAT rates, and finding one by SKU
or name (``search_products``, ``resolve_product``)."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.identity.models import Tenant
from domain.kit.errors import Conflict, InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Currency
from domain.kit.principal import Principal
from domain.kit.resolution import Hit, merge_hits, resolve_hit
from domain.sales import repository as repo
from domain.sales.errors import AmbiguousProduct, ProductNotFound, SkuTaken
from domain.sales.models import Product
from domain.sales.schemas import Page, ProductCreate, ProductMatch, ProductUpdate, plain
from domain.sales.service._common import (
    AMOUNT_MAX,
    READERS,
    WRITERS,
    _bounds,
    _check_amount,
    _required,
    _tenant,
)
from domain.stock.models import StockLevel


class BarcodeTaken(Conflict):
    code = "barcode_taken"


# The sale price is not among them: a product may have none (``sale_price`` set to null).
REQUIRED_FIELDS = (
    "kind", "name", "unit", "vat_rate", "is_active", "is_stockable", "tracks_lots",
)  # fmt: skip

# Used until domain.finance.vat exists (the finance area owns the tenant's VAT rates).
FALLBACK_VAT_RATES = {
    "FR": tuple(Decimal(r) for r in ("20", "10", "5.5", "2.1", "0")),
    "SN": tuple(Decimal(r) for r in ("18", "10", "0")),
}
STANDARD_VAT_RATE = {"FR": Decimal(20), "SN": Decimal(18)}
# What each legal rate is called in the country (the first is the standard rate).
VAT_RATE_NAMES = {
    "FR": ("taux normal", "taux intermédiaire", "taux réduit", "taux particulier", "exonéré"),
    "SN": ("taux normal", "taux réduit", "exonéré"),
}


def vat_rates(session: Session, principal: Principal) -> tuple[str, list[tuple[Decimal, str]]]:
    """The country of the business and its legal VAT rates with their names, standard
    rate first."""
    country = _tenant(session, principal).country
    return country, list(zip(FALLBACK_VAT_RATES[country], VAT_RATE_NAMES[country], strict=True))


def _product_hits(
    session: Session,
    principal: Principal,
    query: str,
    limit: int,
    among: Collection[UUID] | None = None,
) -> list[Hit]:
    principal.require(*READERS)
    query = " ".join(query.split())
    if not query:
        return []
    skus = {query, query.upper(), query.lower()}
    by_sku = repo.product_by_sku(session, principal.tenant_id, skus)
    exact = [by_sku] if by_sku is not None and by_sku.is_active else []
    if among is not None:
        exact = [p for p in exact if p.id in among]
    fuzzy = repo.search_product_names(session, principal.tenant_id, query, among=among, limit=limit)
    return merge_hits(exact, fuzzy, limit)


def _product_match(hit: Hit) -> ProductMatch:
    p: Product = hit.row
    return ProductMatch(id=p.id, sku=p.sku, name=p.name, unit=p.unit, score=round(hit.score, 3))


def search_products(
    session: Session, principal: Principal, query: str, *, limit: int = 5
) -> list[ProductMatch]:
    """Active products matching ``query``: the exact SKU first, then names (pg_trgm)."""
    hits = _product_hits(session, principal, query, min(max(limit, 1), 50))
    return [_product_match(h) for h in hits]


def resolve_product(
    session: Session,
    principal: Principal,
    query: str,
    *,
    among: Collection[UUID] | None = None,
) -> Product:
    """The one product ``query`` designates (by SKU, or by name as a person says it: « sacs
    de riz », « le bidon de 5 litres », « ciman »), among ``among`` when given (the lines of
    an order); ``AmbiguousProduct`` (with the candidates) or ``ProductNotFound``. The rule
    is ``domain.kit.resolution``'s."""
    hits = _product_hits(session, principal, query, 5, among)
    product: Product = resolve_hit(
        hits,
        " ".join(query.split()),
        ("produit", "produits"),
        (ProductNotFound, AmbiguousProduct),
        _product_match,
    )
    return product


def _fr_rate(rate: Decimal) -> str:
    return f"{plain(rate)} %".replace(".", ",")


def _require_vat_rate(session: Session, tenant: Tenant, rate: Decimal) -> None:
    """The finance area owns the tenant's VAT rates; until its module exists, the legal
    rates of the country are accepted."""
    try:
        from domain.finance.vat import require_rate
    except ModuleNotFoundError as exc:
        if exc.name != "domain.finance.vat":
            raise
        allowed = FALLBACK_VAT_RATES[tenant.country]
        if rate not in allowed:
            raise InvalidInput(
                f"Taux de TVA inconnu : {_fr_rate(rate)}. Taux possibles : "
                f"{', '.join(_fr_rate(r) for r in allowed)}.",
                field="vat_rate",
            ) from None
        return
    require_rate(session, tenant.id, rate)


def _refuse_taken_sku(
    session: Session, principal: Principal, sku: str, exclude: UUID | None = None
) -> None:
    # Case variants too: « riz-50 » and « RIZ-50 » would be the same reference to a person.
    other = repo.product_by_sku(
        session, principal.tenant_id, {sku, sku.upper(), sku.lower()}, exclude=exclude
    )
    if other is not None:
        raise SkuTaken(
            f"La référence « {sku} » est déjà celle de « {other.name} ».",
            field="sku",
            existing_id=str(other.id),
        )


def _check_product(session: Session, tenant: Tenant, changes: dict[str, Any]) -> None:
    if changes.get("sale_price") is not None:
        _check_amount(changes["sale_price"], Currency(tenant.currency), "sale_price")
    if changes.get("vat_rate") is not None:
        _require_vat_rate(session, tenant, changes["vat_rate"])
    cost = changes.get("purchase_price")
    if cost is not None and (cost >= AMOUNT_MAX or cost != cost.quantize(Decimal("0.0001"))):
        raise InvalidInput("Prix d'achat invalide (4 décimales au plus).", field="purchase_price")


def _check_stock_fields(state: dict[str, Any]) -> None:
    """Services are never stockable; only stockable goods can be tracked by lots."""
    if state["kind"] == "service" and state["is_stockable"]:
        raise InvalidInput("Un service ne peut pas être géré en stock.", field="is_stockable")
    if state["tracks_lots"] and not state["is_stockable"]:
        raise InvalidInput(
            "Seul un article géré en stock peut être suivi par lots.", field="tracks_lots"
        )


def _refuse_taken_barcode(
    session: Session, principal: Principal, barcode: str, exclude: UUID | None = None
) -> None:
    query = select(Product).where(
        Product.tenant_id == principal.tenant_id, Product.barcode == barcode
    )
    if exclude is not None:
        query = query.where(Product.id != exclude)
    other = session.scalar(query)
    if other is not None:
        raise BarcodeTaken(
            f"Le code-barres {barcode} est déjà celui de « {other.name} ».",
            field="barcode",
            existing_id=str(other.id),
        )


def _refuse_stock_change(session: Session, product: Product, changed: dict[str, Any]) -> None:
    """Stock tracking (on/off, by lots or not) changes only while nothing is in stock: the
    levels held would no longer mean what they say."""
    if not {"is_stockable", "tracks_lots"} & changed.keys():
        return
    held = session.scalar(
        select(func.count())
        .select_from(StockLevel)
        .where(
            StockLevel.tenant_id == product.tenant_id,
            StockLevel.product_id == product.id,
            (StockLevel.on_hand != 0) | (StockLevel.reserved != 0),
        )
    )
    if held:
        raise InvalidInput(
            f"« {product.name} » a du stock : videz-le (ajustement) avant de changer son suivi.",
            field="is_stockable" if "is_stockable" in changed else "tracks_lots",
        )


def create_product(session: Session, principal: Principal, data: ProductCreate) -> Product:
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    fields = data.model_dump()
    if fields["vat_rate"] is None:
        fields["vat_rate"] = STANDARD_VAT_RATE[tenant.country]
    _check_product(session, tenant, fields)
    _check_stock_fields(fields)
    if data.sku:
        _refuse_taken_sku(session, principal, data.sku)
    if data.barcode:
        _refuse_taken_barcode(session, principal, data.barcode)
    product = Product(tenant_id=tenant.id, id=uuid7(), **fields)
    session.add(product)
    session.flush()
    record_change(
        session, principal, product, "product.created", "product.create", product_name=product.name
    )
    return product


def update_product(
    session: Session, principal: Principal, product_id: UUID, data: ProductUpdate
) -> Product:
    principal.require(*WRITERS)
    product = get_product(session, principal, product_id)
    changes = data.model_dump(exclude_unset=True)
    _required(changes, *REQUIRED_FIELDS)
    if changes.get("kind") == "service":  # a service leaves stock unless told otherwise
        changes.setdefault("is_stockable", False)
        changes.setdefault("tracks_lots", False)
    _check_product(session, _tenant(session, principal), changes)
    if changes.get("sku"):
        _refuse_taken_sku(session, principal, changes["sku"], exclude=product.id)
    if changes.get("barcode"):
        _refuse_taken_barcode(session, principal, changes["barcode"], exclude=product.id)
    before = row_state(product)
    _check_stock_fields({**before, **changes})
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return product
    _refuse_stock_change(session, product, changed)
    for key, value in changed.items():
        setattr(product, key, value)
    session.flush()
    record_change(
        session,
        principal,
        product,
        "product.updated",
        "product.update",
        before=before,
        fields=sorted(changed),
    )
    return product


def get_product(session: Session, principal: Principal, product_id: UUID) -> Product:
    principal.require(*READERS)
    product = repo.get_product(session, principal.tenant_id, product_id)
    if product is None:
        raise ProductNotFound()
    return product


def list_products(
    session: Session,
    principal: Principal,
    *,
    kind: Literal["goods", "service"] | None = None,
    category: str | None = None,
    active: bool | None = True,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Product]:
    """Products by name, or, with ``query``, by closeness to it (exact SKU first)."""
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    items, total = repo.list_products(
        session,
        principal.tenant_id,
        kind=kind,
        category=category,
        active=active,
        query=" ".join(query.split()) if query else None,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def archive_product(session: Session, principal: Principal, product_id: UUID) -> Product:
    principal.require(*WRITERS)
    product = get_product(session, principal, product_id)
    if product.is_active:
        before = row_state(product)
        product.is_active = False
        session.flush()
        record_change(
            session, principal, product, "product.archived", "product.archive", before=before
        )
    return product
