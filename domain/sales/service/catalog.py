"""The catalog: products and services, their prices and VAT rates, and finding one by SKU
or name (``search_products``, ``resolve_product``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.identity.models import Tenant
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Currency
from domain.kit.principal import Principal
from domain.sales import repository as repo
from domain.sales.errors import AmbiguousProduct, ProductNotFound, SkuTaken
from domain.sales.models import Product
from domain.sales.schemas import Page, ProductCreate, ProductMatch, ProductUpdate, plain
from domain.sales.service._common import (
    READERS,
    WRITERS,
    _bounds,
    _check_amount,
    _record,
    _required,
    _state,
    _tenant,
)
from domain.sales.service._resolution import _merge, _resolve

# Used until domain.finance.vat exists (the finance area owns the tenant's VAT rates).
FALLBACK_VAT_RATES = {
    "FR": tuple(Decimal(r) for r in ("20", "10", "5.5", "2.1", "0")),
    "SN": tuple(Decimal(r) for r in ("18", "10", "0")),
}
STANDARD_VAT_RATE = {"FR": Decimal(20), "SN": Decimal(18)}


def _product_hits(session: Session, principal: Principal, query: str, limit: int) -> list[repo.Hit]:
    principal.require(*READERS)
    query = " ".join(query.split())
    if not query:
        return []
    skus = {query, query.upper(), query.lower()}
    by_sku = repo.product_by_sku(session, principal.tenant_id, skus)
    exact = [by_sku] if by_sku is not None and by_sku.is_active else []
    fuzzy = repo.search_product_names(session, principal.tenant_id, query, limit=limit)
    return _merge(exact, fuzzy, limit)


def _product_match(hit: repo.Hit) -> ProductMatch:
    p: Product = hit.row
    return ProductMatch(id=p.id, sku=p.sku, name=p.name, unit=p.unit, score=round(hit.score, 3))


def search_products(
    session: Session, principal: Principal, query: str, *, limit: int = 5
) -> list[ProductMatch]:
    """Active products matching ``query``: the exact SKU first, then names (pg_trgm)."""
    hits = _product_hits(session, principal, query, min(max(limit, 1), 50))
    return [_product_match(h) for h in hits]


def resolve_product(session: Session, principal: Principal, query: str) -> Product:
    """The one product ``query`` designates; ``AmbiguousProduct`` or ``ProductNotFound``."""
    hits = _product_hits(session, principal, query, 5)
    product: Product = _resolve(
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


def create_product(session: Session, principal: Principal, data: ProductCreate) -> Product:
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    fields = data.model_dump()
    if fields["vat_rate"] is None:
        fields["vat_rate"] = STANDARD_VAT_RATE[tenant.country]
    _check_product(session, tenant, fields)
    if data.sku:
        _refuse_taken_sku(session, principal, data.sku)
    product = Product(tenant_id=tenant.id, id=uuid7(), **fields)
    session.add(product)
    session.flush()
    _record(
        session, principal, product, "product.created", "product.create", product_name=product.name
    )
    return product


def update_product(
    session: Session, principal: Principal, product_id: UUID, data: ProductUpdate
) -> Product:
    principal.require(*WRITERS)
    product = get_product(session, principal, product_id)
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "kind", "name", "unit", "sale_price", "vat_rate", "is_active")
    _check_product(session, _tenant(session, principal), changes)
    if changes.get("sku"):
        _refuse_taken_sku(session, principal, changes["sku"], exclude=product.id)
    before = _state(product)
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return product
    for key, value in changed.items():
        setattr(product, key, value)
    session.flush()
    _record(
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
        before = _state(product)
        product.is_active = False
        session.flush()
        _record(session, principal, product, "product.archived", "product.archive", before=before)
    return product
