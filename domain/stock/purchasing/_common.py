"""What every purchasing service shares: roles, lookups that refuse in French, defaults."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.finance.books import Books
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.principal import Role
from domain.sales.models import Partner, Product
from domain.stock.errors import NotStockable, WarehouseInactive, WarehouseNotFound
from domain.stock.models import Warehouse
from domain.stock.purchasing.errors import SupplierNotFound

BUYERS = (Role.MANAGER,)  # orders, supplier terms, reorder rules (commit money)
RECEIVERS = (Role.MANAGER, Role.EMPLOYEE)  # whoever unloads the delivery (as stock.receive)
READERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES, Role.EMPLOYEE)
# Lead time when neither the product's supplier terms nor the supplier itself give one.
DEFAULT_LEAD_TIME_DAYS = 7


def require_supplier(session: Session, books: Books, supplier_id: UUID) -> Partner:
    partner = session.get(Partner, (books.tenant.id, supplier_id))
    if partner is None or not partner.is_supplier:
        raise SupplierNotFound(field="supplier_id")
    if not partner.is_active:
        raise InvalidInput(f"Le fournisseur « {partner.name} » est archivé.", field="supplier_id")
    return partner


def require_product(session: Session, tenant_id: UUID, product_id: UUID) -> Product:
    product = session.get(Product, (tenant_id, product_id))
    if product is None:
        raise NotFound("Produit introuvable.", field="product_id")
    return product


def require_stockable(product: Product, position: int | None = None) -> Product:
    where = f"Ligne {position} : " if position is not None else ""
    if not product.is_active:
        raise InvalidInput(f"{where}le produit « {product.name} » est archivé.")
    if not product.is_stockable:
        raise NotStockable(
            f"{where}« {product.name} » n'est pas un article stocké : il ne s'achète pas "
            "sur un bon de commande.",
            field="product_id",
        )
    return product


def require_warehouse(session: Session, tenant_id: UUID, warehouse_id: UUID) -> Warehouse:
    warehouse = session.get(Warehouse, (tenant_id, warehouse_id))
    if warehouse is None:
        raise WarehouseNotFound(field="warehouse_id")
    if not warehouse.is_active:
        raise WarehouseInactive(
            f"Le dépôt « {warehouse.name} » est désactivé.", field="warehouse_id"
        )
    return warehouse


def round_up_to_multiple(quantity: Decimal, step: Decimal) -> Decimal:
    """``quantity`` rounded up to a multiple of ``step`` (a supplier's minimum order)."""
    if step <= 0:
        return quantity
    return (quantity / step).to_integral_value(rounding=ROUND_CEILING) * step


def lead_time(terms_days: int | None, supplier_days: int | None) -> int:
    if terms_days is not None:
        return terms_days
    if supplier_days is not None:
        return supplier_days
    return DEFAULT_LEAD_TIME_DAYS
