"""Warehouses (each with its main location) and the tenant's stock settings."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.stock import repository as repo
from domain.stock.errors import WarehouseCodeTaken, WarehouseNotFound
from domain.stock.models import Location, StockSettings, Warehouse
from domain.stock.service._common import READERS, STOCK_ADMINS, check_text, record


def default_warehouse(session: Session, principal: Principal) -> Warehouse:
    principal.require(*READERS)
    settings = repo.settings(session, principal.tenant_id)
    wid = settings.default_warehouse_id if settings else None
    warehouse = repo.get_warehouse(session, principal.tenant_id, wid) if wid else None
    if warehouse is None:
        raise WarehouseNotFound("Aucun dépôt par défaut.")
    return warehouse


def get_warehouse(session: Session, principal: Principal, warehouse_id: UUID) -> Warehouse:
    principal.require(*READERS)
    warehouse = repo.get_warehouse(session, principal.tenant_id, warehouse_id)
    if warehouse is None:
        raise WarehouseNotFound()
    return warehouse


def list_warehouses(
    session: Session, principal: Principal, *, active: bool | None = True
) -> list[Warehouse]:
    principal.require(*READERS)
    return repo.list_warehouses(session, principal.tenant_id, active=active)


def _code(value: str) -> str:
    code = check_text(value, "code", required=True, size=16).upper()
    if not code.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("Le code d'un dépôt : lettres, chiffres, - ou _.", field="code")
    return code


def create_warehouse(
    session: Session, principal: Principal, *, code: str, name: str, address: str | None = None
) -> Warehouse:
    """A warehouse and its main internal location."""
    principal.require(*STOCK_ADMINS)
    code = _code(code)
    name = check_text(name, "name", required=True, size=100)
    if repo.warehouse_by_code(session, principal.tenant_id, code) is not None:
        raise WarehouseCodeTaken(f"Le code de dépôt « {code} » est déjà pris.", field="code")
    warehouse = Warehouse(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        code=code,
        name=name,
        address=check_text(address, "address", size=500) or None,
    )
    session.add(warehouse)
    session.flush()
    session.add(
        Location(
            tenant_id=principal.tenant_id,
            warehouse_id=warehouse.id,
            kind="internal",
            name=name,
            is_main=True,
        )
    )
    session.flush()
    record(
        session,
        principal,
        "warehouse.created",
        "warehouse.create",
        target_type="warehouse",
        target_id=warehouse.id,
        after={"code": code, "name": name},
    )
    return warehouse


def update_warehouse(
    session: Session,
    principal: Principal,
    warehouse_id: UUID,
    *,
    name: str | None = None,
    address: str | None = None,
    is_active: bool | None = None,
) -> Warehouse:
    """Rename or archive. The default warehouse and a warehouse holding stock stay active."""
    principal.require(*STOCK_ADMINS)
    warehouse = get_warehouse(session, principal, warehouse_id)
    before = {"name": warehouse.name, "is_active": warehouse.is_active}
    if is_active is False and warehouse.is_active:
        _refuse_archiving(session, principal, warehouse)
    if name is not None:
        warehouse.name = check_text(name, "name", required=True, size=100)
    if address is not None:
        warehouse.address = check_text(address, "address", size=500) or None
    if is_active is not None:
        warehouse.is_active = is_active
    session.flush()
    record(
        session,
        principal,
        "warehouse.updated",
        "warehouse.update",
        target_type="warehouse",
        target_id=warehouse.id,
        before=before,
        after={"name": warehouse.name, "is_active": warehouse.is_active},
    )
    return warehouse


def _refuse_archiving(session: Session, principal: Principal, warehouse: Warehouse) -> None:
    settings = repo.settings(session, principal.tenant_id)
    if settings is not None and settings.default_warehouse_id == warehouse.id:
        raise InvalidInput("Le dépôt par défaut ne peut pas être archivé.", field="is_active")
    held = repo.level_sums(
        session, principal.tenant_id, product_ids=None, warehouse_id=warehouse.id
    )
    if any(s.on_hand != 0 or s.reserved != 0 for s in held):
        raise InvalidInput(
            f"Le dépôt « {warehouse.name} » contient encore du stock : transférez-le d'abord.",
            field="is_active",
        )


def get_settings(session: Session, principal: Principal) -> StockSettings:
    principal.require(*READERS)
    settings = repo.settings(session, principal.tenant_id)
    assert settings is not None  # prepare_stock runs at sign-up
    return settings


def update_settings(
    session: Session,
    principal: Principal,
    *,
    allow_negative_stock: bool | None = None,
    default_warehouse_id: UUID | None = None,
) -> StockSettings:
    principal.require(*STOCK_ADMINS)
    settings = get_settings(session, principal)
    before = {
        "allow_negative_stock": settings.allow_negative_stock,
        "default_warehouse_id": settings.default_warehouse_id,
    }
    if default_warehouse_id is not None:
        warehouse = get_warehouse(session, principal, default_warehouse_id)
        if not warehouse.is_active:
            raise InvalidInput("Un dépôt archivé ne peut pas être le dépôt par défaut.")
        settings.default_warehouse_id = warehouse.id
    if allow_negative_stock is not None:
        settings.allow_negative_stock = allow_negative_stock
    session.flush()
    record(
        session,
        principal,
        "stock.settings_updated",
        "stock.settings_update",
        target_type="stock_settings",
        target_id=settings.id,
        before=before,
        after={
            "allow_negative_stock": settings.allow_negative_stock,
            "default_warehouse_id": settings.default_warehouse_id,
        },
    )
    return settings
