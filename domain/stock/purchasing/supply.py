"""Supplier terms per product and reorder rules per product and warehouse.

Both are upserts keyed by their natural key ((product, supplier) and (product,
warehouse)): setting them again changes them. A product has at most one preferred
supplier; marking one preferred unmarks the others (the database refuses two).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.finance.books import open_books
from domain.kit.clock import Clock
from domain.kit.errors import NotFound
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.stock.purchasing import repository as repo
from domain.stock.purchasing._common import (
    BUYERS,
    READERS,
    require_product,
    require_stockable,
    require_supplier,
    require_warehouse,
)
from domain.stock.purchasing.models import ProductSupplier, ReorderRule
from domain.stock.purchasing.schemas import ReorderRuleIn, SupplierTermsIn
from domain.stock.service import default_warehouse


def set_supplier_terms(
    session: Session, principal: Principal, clock: Clock, product_id: UUID, data: SupplierTermsIn
) -> ProductSupplier:
    principal.require(*BUYERS)
    books = open_books(session, principal, clock)
    tenant_id = books.tenant.id
    product = require_stockable(require_product(session, tenant_id, product_id))
    supplier = require_supplier(session, books, data.supplier_id)
    if data.is_preferred:
        session.execute(
            update(ProductSupplier)
            .where(
                ProductSupplier.tenant_id == tenant_id,
                ProductSupplier.product_id == product.id,
                ProductSupplier.supplier_id != supplier.id,
                ProductSupplier.is_preferred,
            )
            .values(is_preferred=False)
        )
    terms = repo.get_terms(session, tenant_id, product.id, supplier.id)
    before = None
    if terms is None:
        terms = ProductSupplier(
            tenant_id=tenant_id, id=uuid7(), product_id=product.id, supplier_id=supplier.id
        )
        session.add(terms)
    else:
        before = {"price": terms.price, "lead_time_days": terms.lead_time_days}
    for name in ("supplier_sku", "price", "lead_time_days", "min_order_quantity", "is_preferred"):
        setattr(terms, name, getattr(data, name))
    session.flush()
    audit.record(
        session,
        principal,
        "product_supplier.set",
        target_type="product",
        target_id=product.id,
        before=before,
        after={"supplier": supplier.name, "price": terms.price, "preferred": terms.is_preferred},
    )
    return terms


def list_supplier_terms(
    session: Session, principal: Principal, product_id: UUID
) -> list[ProductSupplier]:
    principal.require(*READERS)
    require_product(session, principal.tenant_id, product_id)
    return repo.suppliers_of(session, principal.tenant_id, product_id)


def remove_supplier_terms(
    session: Session, principal: Principal, product_id: UUID, supplier_id: UUID
) -> None:
    principal.require(*BUYERS)
    terms = repo.get_terms(session, principal.tenant_id, product_id, supplier_id)
    if terms is None:
        raise NotFound("Ce fournisseur n'est pas référencé pour ce produit.")
    session.delete(terms)
    session.flush()
    audit.record(
        session,
        principal,
        "product_supplier.remove",
        target_type="product",
        target_id=product_id,
        before={"supplier_id": supplier_id},
    )


def set_reorder_rule(session: Session, principal: Principal, data: ReorderRuleIn) -> ReorderRule:
    """Create or change the min/max of a product in a warehouse (default: the main one)."""
    principal.require(*BUYERS)
    tenant_id = principal.tenant_id
    product = require_stockable(require_product(session, tenant_id, data.product_id))
    if data.warehouse_id is not None:
        warehouse = require_warehouse(session, tenant_id, data.warehouse_id)
    else:
        warehouse = default_warehouse(session, principal)
    rule = repo.get_rule(session, tenant_id, product.id, warehouse.id)
    before = None
    if rule is None:
        rule = ReorderRule(
            tenant_id=tenant_id, id=uuid7(), product_id=product.id, warehouse_id=warehouse.id
        )
        session.add(rule)
    else:
        before = {"min": rule.min_quantity, "max": rule.max_quantity}
    rule.min_quantity, rule.max_quantity = data.min_quantity, data.max_quantity
    session.flush()
    audit.record(
        session,
        principal,
        "reorder_rule.set",
        target_type="product",
        target_id=product.id,
        before=before,
        after={"warehouse": warehouse.code, "min": rule.min_quantity, "max": rule.max_quantity},
    )
    return rule


def list_reorder_rules(
    session: Session,
    principal: Principal,
    *,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
) -> list[ReorderRule]:
    principal.require(*READERS)
    return repo.list_rules(
        session, principal.tenant_id, product_id=product_id, warehouse_id=warehouse_id
    )


def delete_reorder_rule(session: Session, principal: Principal, rule_id: UUID) -> None:
    principal.require(*BUYERS)
    rule = session.get(ReorderRule, (principal.tenant_id, rule_id))
    if rule is None:
        raise NotFound("Règle de réapprovisionnement introuvable.")
    session.delete(rule)
    session.flush()
    audit.record(
        session, principal, "reorder_rule.delete", target_type="reorder_rule", target_id=rule_id
    )
