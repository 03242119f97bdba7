"""What a new business starts with in stock (called at sign-up; must be idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.identity.models import Tenant
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.stock import repository as repo
from domain.stock.models import Location, StockSettings, Warehouse

DEFAULT_WAREHOUSE = ("PRINC", "Entrepôt principal")
VIRTUAL_LOCATIONS = (
    ("supplier", "Fournisseurs"),
    ("customer", "Clients"),
    ("inventory", "Écarts d'inventaire"),
)


def prepare_stock(session: Session, principal: Principal, tenant: Tenant) -> None:
    """The stock settings, a default warehouse ("Entrepôt principal", code PRINC) with its
    main location, and the virtual supplier / customer / inventory locations.

    Idempotent: whatever already exists is kept (the demo seed calls it again). Part of
    sign-up, covered by its ``tenant.created`` event and audit entry like the books.
    """
    if repo.settings(session, tenant.id) is not None:
        return
    virtual = {}
    for kind, name in VIRTUAL_LOCATIONS:
        location = repo.virtual_location(session, tenant.id, kind)
        if location is None:
            location = Location(tenant_id=tenant.id, id=uuid7(), kind=kind, name=name)
            session.add(location)
        virtual[kind] = location.id
    code, name = DEFAULT_WAREHOUSE
    warehouse = repo.warehouse_by_code(session, tenant.id, code)
    if warehouse is None:
        warehouse = Warehouse(tenant_id=tenant.id, id=uuid7(), code=code, name=name)
        session.add(warehouse)
        session.flush()
        session.add(
            Location(
                tenant_id=tenant.id,
                id=uuid7(),
                warehouse_id=warehouse.id,
                kind="internal",
                name=name,
                is_main=True,
            )
        )
    session.flush()
    session.add(
        StockSettings(
            tenant_id=tenant.id,
            id=uuid7(),
            default_warehouse_id=warehouse.id,
            supplier_location_id=virtual["supplier"],
            customer_location_id=virtual["customer"],
            inventory_location_id=virtual["inventory"],
        )
    )
    session.flush()
