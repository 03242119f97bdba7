"""Stock queries. Levels are read and changed here only, always inside the caller's
transaction; the services decide what to lock and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, TextualSelect, Uuid, bindparam, column, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.identity.models import Tenant
from domain.kit.ids import uuid7
from domain.sales.models import Product
from domain.stock.models import (
    Location,
    Lot,
    StockLevel,
    StockMove,
    StockReservation,
    StockSettings,
    Warehouse,
)


def settings(session: Session, tenant_id: UUID) -> StockSettings | None:
    return session.scalar(select(StockSettings).where(StockSettings.tenant_id == tenant_id))


@dataclass(frozen=True, slots=True)
class StockTenant:
    """What a stock operation reads of the tenant (read-only)."""

    id: UUID
    currency: str
    timezone: str


@dataclass(frozen=True, slots=True)
class StockRules:
    """The tenant's stock settings as the moves read them (read-only: they are changed
    through ``settings``' ORM row, by the warehouse services)."""

    allow_negative_stock: bool
    default_warehouse_id: UUID | None
    supplier_location_id: UUID
    customer_location_id: UUID
    inventory_location_id: UUID


# Plain columns rather than the Tenant and StockSettings entities: every move reads them,
# and two mapped objects per move cost more Python than the rest of the statement.
_CONTEXT_COLUMNS = (
    Tenant.id,
    Tenant.currency,
    Tenant.timezone,
    StockSettings.allow_negative_stock,
    StockSettings.default_warehouse_id,
    StockSettings.supplier_location_id,
    StockSettings.customer_location_id,
    StockSettings.inventory_location_id,
)
_TENANT_END, _CONTEXT_END = 3, len(_CONTEXT_COLUMNS)


def _context(row: Any) -> tuple[StockTenant, StockRules]:
    return StockTenant(*row[:_TENANT_END]), StockRules(*row[_TENANT_END:_CONTEXT_END])


_TENANT_AND_SETTINGS = (
    select(*_CONTEXT_COLUMNS)
    .join(StockSettings, StockSettings.tenant_id == Tenant.id)
    .where(Tenant.id == bindparam("tenant_id", type_=Uuid))
)


def tenant_and_settings(session: Session, tenant_id: UUID) -> tuple[StockTenant, StockRules] | None:
    """The tenant and its stock settings in one statement (every stock operation reads both)."""
    row = session.execute(_TENANT_AND_SETTINGS, {"tenant_id": tenant_id}).first()
    return None if row is None else _context(row)


@dataclass(frozen=True, slots=True)
class StockItem:
    """A product as a receipt or an issue reads it (read-only: a receipt's new average
    is written by the move's statement, not through this)."""

    id: UUID
    name: str
    unit: str
    kind: str
    is_stockable: bool
    tracks_lots: bool
    purchase_price: Decimal | None
    average_cost: Decimal


@dataclass(frozen=True, slots=True)
class Depot:
    """A warehouse as a move reads it."""

    id: UUID
    name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class MoveRows:
    """What one move reads of the tenant: its settings, the product, the warehouse (None
    if not found), the warehouse's main location and, when asked, the product's levels
    there (locked)."""

    tenant: StockTenant
    settings: StockRules
    product: StockItem
    warehouse: Depot | None
    location_id: UUID | None
    levels: list[LockedLevel]


# Plain columns, run as Core: two entities (product, warehouse) and the ORM's execution
# path cost more Python than the rest of a move's reads. ``{levels}``: an issue locks the
# product's levels in the warehouse in the same statement (as ``lock_levels`` does, same
# order): a ``FOR UPDATE`` subquery returns the row as committed once its lock is had,
# so the quantities are the ones a statement of its own would read.
_MOVE_ROWS_SQL = """
SELECT t.id, t.currency, t.timezone, s.allow_negative_stock, s.default_warehouse_id,
  s.supplier_location_id, s.customer_location_id, s.inventory_location_id,
  p.id, p.name, p.unit, p.kind, p.is_stockable, p.tracks_lots, p.purchase_price,
  p.average_cost, w.id, w.name, w.is_active, l.id{level_columns}
FROM tenants t
JOIN stock_settings s ON s.tenant_id = t.id
JOIN products p ON p.tenant_id = t.id AND p.id = :product_id
LEFT JOIN warehouses w ON w.tenant_id = t.id
  AND w.id = coalesce(CAST(:warehouse_id AS uuid), s.default_warehouse_id)
LEFT JOIN stock_locations l ON l.tenant_id = t.id AND l.warehouse_id = w.id AND l.is_main{levels}
WHERE t.id = :tenant_id{lock}
"""
_LEVELS_LATERAL = """
LEFT JOIN LATERAL (
  SELECT lv.id, lv.location_id, lv.lot_id, lv.on_hand, lv.reserved, lot.expiry_date,
    lot.number AS lot_number
  FROM stock_levels lv
  LEFT JOIN stock_lots lot ON lot.tenant_id = lv.tenant_id AND lot.id = lv.lot_id
  WHERE lv.tenant_id = t.id AND lv.product_id = p.id AND lv.location_id = l.id
  ORDER BY lv.location_id, lv.lot_id NULLS LAST, lv.id
  FOR UPDATE OF lv
) lv ON true"""
_LEVEL_COLUMNS = """,
  lv.id, lv.location_id, lv.lot_id, lv.on_hand, lv.reserved, lv.expiry_date, lv.lot_number"""
# A receipt locks the product row only, in lock_product's mode (see there).
_LOCK_PRODUCT = "\nFOR NO KEY UPDATE OF p"
_ROW_NAMES = (
    *("tenant_id", "currency", "timezone", "allow_negative_stock", "default_warehouse_id"),
    *("supplier_location_id", "customer_location_id", "inventory_location_id"),
    *("product_id", "name", "unit", "kind", "is_stockable", "tracks_lots", "purchase_price"),
    *("average_cost", "warehouse_id", "warehouse_name", "is_active", "location_id"),
)
_LEVEL_NAMES = (
    *("level_id", "level_location_id", "lot_id", "on_hand", "reserved", "expiry_date"),
    "lot_number",
)


def _move_rows_text(*, levels: bool, lock: str) -> TextualSelect:
    """The statement with its columns named in order: SQLAlchemy then keeps the result's
    description with the compiled statement instead of reading it again at every move."""
    sql = _MOVE_ROWS_SQL.format(
        level_columns=_LEVEL_COLUMNS if levels else "",
        levels=_LEVELS_LATERAL if levels else "",
        lock=lock,
    )
    names = _ROW_NAMES + _LEVEL_NAMES if levels else _ROW_NAMES
    return text(sql).columns(*(column(name) for name in names))


_MOVE_ROWS = {
    "receipt": _move_rows_text(levels=False, lock=_LOCK_PRODUCT),
    "issue": _move_rows_text(levels=True, lock=""),
    "read": _move_rows_text(levels=False, lock=""),
}
_PRODUCT_END = _CONTEXT_END + 8
_WAREHOUSE_END = _PRODUCT_END + 3


def move_rows(
    session: Session,
    tenant_id: UUID,
    product_id: UUID,
    warehouse_id: UUID | None,
    *,
    lock_product: bool = False,
    lock_levels: bool = False,
) -> MoveRows | None:
    """Everything a move reads before it writes, in one statement: the tenant and its stock
    settings, the product (locked as ``lock_product`` does, when asked), the warehouse
    asked for (else the default one), its main location and — with ``lock_levels`` — the
    product's level rows there, locked and ordered as ``lock_levels`` does. None when the
    product (or the tenant's stock settings) is not found."""
    assert not (lock_product and lock_levels)  # no move takes both: see lock_product
    values = {"tenant_id": tenant_id, "product_id": product_id, "warehouse_id": warehouse_id}
    statement = _MOVE_ROWS["issue" if lock_levels else "receipt" if lock_product else "read"]
    rows = core_read(session, statement, values).all()
    if not rows:
        return None
    row = rows[0]
    tenant, rules = _context(row)
    product = StockItem(*row[_CONTEXT_END:_PRODUCT_END])
    warehouse = None if row[_PRODUCT_END] is None else Depot(*row[_PRODUCT_END:_WAREHOUSE_END])
    levels = [
        LockedLevel(*r[_WAREHOUSE_END + 1 :]) for r in rows if lock_levels and r[_WAREHOUSE_END + 1]
    ]
    return MoveRows(tenant, rules, product, warehouse, row[_WAREHOUSE_END], fefo(levels))


def get_warehouse(session: Session, tenant_id: UUID, warehouse_id: UUID) -> Warehouse | None:
    return session.get(Warehouse, (tenant_id, warehouse_id))


def warehouse_by_code(session: Session, tenant_id: UUID, code: str) -> Warehouse | None:
    return session.scalar(
        select(Warehouse).where(
            Warehouse.tenant_id == tenant_id, func.upper(Warehouse.code) == code.upper()
        )
    )


def list_warehouses(session: Session, tenant_id: UUID, *, active: bool | None) -> list[Warehouse]:
    query = select(Warehouse).where(Warehouse.tenant_id == tenant_id)
    if active is not None:
        query = query.where(Warehouse.is_active == active)
    return list(session.scalars(query.order_by(Warehouse.code)))


def warehouse_and_main_location(
    session: Session, tenant_id: UUID, warehouse_id: UUID
) -> tuple[Warehouse, UUID | None] | None:
    """A warehouse and the id of its main location, in one statement (every move needs
    both). None when no such warehouse; the location None if it had none."""
    row = session.execute(
        select(Warehouse, Location.id)
        .outerjoin(
            Location,
            (Location.tenant_id == Warehouse.tenant_id)
            & (Location.warehouse_id == Warehouse.id)
            & Location.is_main,
        )
        .where(Warehouse.tenant_id == tenant_id, Warehouse.id == warehouse_id)
    ).first()
    return None if row is None else (row[0], row[1])


def main_location(session: Session, tenant_id: UUID, warehouse_id: UUID) -> Location | None:
    return session.scalar(
        select(Location).where(
            Location.tenant_id == tenant_id,
            Location.warehouse_id == warehouse_id,
            Location.is_main,
        )
    )


def virtual_location(session: Session, tenant_id: UUID, kind: str) -> Location | None:
    return session.scalar(
        select(Location).where(
            Location.tenant_id == tenant_id,
            Location.kind == kind,
            Location.warehouse_id.is_(None),
        )
    )


def main_locations(session: Session, tenant_id: UUID) -> dict[UUID, UUID]:
    """Main location id → warehouse id, for every warehouse."""
    rows = session.execute(
        select(Location.id, Location.warehouse_id).where(
            Location.tenant_id == tenant_id, Location.is_main
        )
    )
    return {r.id: r.warehouse_id for r in rows}


def lock_product(session: Session, tenant_id: UUID, product_id: UUID) -> Product | None:
    """``FOR NO KEY UPDATE``: serializes the writers that take it (receipts, adjustments)
    without blocking the ``FOR KEY SHARE`` that inserting a move or a level takes on the
    product (its foreign key). A plain ``FOR UPDATE`` would: a receipt holding it waits for
    the level an issue holds, while the issue waits to insert its move — a deadlock."""
    return session.scalar(
        select(Product)
        .where(Product.tenant_id == tenant_id, Product.id == product_id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE
        .execution_options(populate_existing=True)
    )


def lot_by_number(session: Session, tenant_id: UUID, product_id: UUID, number: str) -> Lot | None:
    return session.scalar(
        select(Lot).where(
            Lot.tenant_id == tenant_id, Lot.product_id == product_id, Lot.number == number
        )
    )


def get_lot(session: Session, tenant_id: UUID, lot_id: UUID) -> Lot | None:
    return session.get(Lot, (tenant_id, lot_id))


@dataclass(frozen=True, slots=True)
class LockedLevel:
    id: UUID
    location_id: UUID
    lot_id: UUID | None
    on_hand: Decimal
    reserved: Decimal
    expiry_date: date | None
    lot_number: str | None


_LOCK_LEVELS = (  # built once: every issue, transfer and count sends it
    select(
        StockLevel.id,
        StockLevel.location_id,
        StockLevel.lot_id,
        StockLevel.on_hand,
        StockLevel.reserved,
        Lot.expiry_date,
        Lot.number.label("lot_number"),
    )
    .outerjoin(Lot, (Lot.tenant_id == StockLevel.tenant_id) & (Lot.id == StockLevel.lot_id))
    .where(
        StockLevel.tenant_id == bindparam("tenant_id", type_=Uuid),
        StockLevel.product_id == bindparam("product_id", type_=Uuid),
        StockLevel.location_id.in_(bindparam("locations", expanding=True)),
    )
    .order_by(StockLevel.location_id, StockLevel.lot_id.nulls_last(), StockLevel.id)
    .with_for_update(of=StockLevel)
)


def lock_levels(
    session: Session, tenant_id: UUID, product_id: UUID, location_ids: list[UUID]
) -> list[LockedLevel]:
    """The product's level rows in these locations, locked until commit, in FEFO order
    (earliest expiry first, lots without expiry last, the lot-less row at the end).

    ``SELECT … FOR UPDATE`` rather than a conditional ``UPDATE``: an issue of a lot-tracked
    product spreads over several rows (FEFO), which needs their quantities before deciding
    what to take. A concurrent issue waits on the lock, then reads the committed quantity.
    Rows are locked in one statement, ordered by location then lot, so two transactions
    locking the same rows never wait on each other crosswise.
    """
    values = {"tenant_id": tenant_id, "product_id": product_id, "locations": sorted(location_ids)}
    rows = core_read(session, _LOCK_LEVELS, values).all()
    return fefo([LockedLevel(**r._mapping) for r in rows])


def fefo(levels: list[LockedLevel]) -> list[LockedLevel]:
    """Earliest expiry first, lots without expiry last, the lot-less row at the end."""
    return sorted(
        levels,
        key=lambda lv: (
            lv.lot_id is None,
            lv.expiry_date is None,
            lv.expiry_date or date.max,
            lv.lot_number or "",
        ),
    )


def _level_upsert() -> Any:
    levels = cast(Table, StockLevel.__table__)  # Core: no ORM bulk machinery per move
    row = insert(levels).values(
        {
            name: bindparam(name)
            for name in ("tenant_id", "id", "product_id", "location_id", "lot_id")
            + ("on_hand", "reserved")
        }
    )
    return row.on_conflict_do_update(
        index_elements=["tenant_id", "product_id", "location_id", "lot_id"],
        set_={
            "on_hand": levels.c.on_hand + row.excluded.on_hand,
            "reserved": levels.c.reserved + row.excluded.reserved,
            "updated_at": func.now(),
        },
    ).returning(levels.c.on_hand)


# Built once: the statement (and its compiled form) is the same for every move.
_LEVEL_UPSERT = _level_upsert()


def add_to_level(
    session: Session,
    tenant_id: UUID,
    product_id: UUID,
    location_id: UUID,
    lot_id: UUID | None,
    *,
    on_hand: Decimal = Decimal(0),
    reserved: Decimal = Decimal(0),
) -> Decimal:
    """Add to a level row (created at need); returns the new on-hand quantity."""
    values = {
        "tenant_id": tenant_id,
        "id": uuid7(),
        "product_id": product_id,
        "location_id": location_id,
        "lot_id": lot_id,
        "on_hand": on_hand,
        "reserved": reserved,
    }
    return Decimal(session.execute(_LEVEL_UPSERT, values).scalar_one())


def unreserve(
    session: Session, tenant_id: UUID, product_id: UUID, location_id: UUID, quantity: Decimal
) -> None:
    """Take ``quantity`` off the reserved stock of the lot-less row (an ``UPDATE``: the
    upsert's candidate row would fail the ``reserved >= 0`` check before conflicting)."""
    session.execute(
        update(StockLevel)
        .where(
            StockLevel.tenant_id == tenant_id,
            StockLevel.product_id == product_id,
            StockLevel.location_id == location_id,
            StockLevel.lot_id.is_(None),
        )
        .values(reserved=StockLevel.reserved - quantity, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


_ON_HAND_TOTAL = select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
    StockLevel.tenant_id == bindparam("tenant_id", type_=Uuid),
    StockLevel.product_id == bindparam("product_id", type_=Uuid),
)


def on_hand_total(session: Session, tenant_id: UUID, product_id: UUID) -> Decimal:
    """On hand over every internal location (levels exist for internal locations only)."""
    values = {"tenant_id": tenant_id, "product_id": product_id}
    total = core_read(session, _ON_HAND_TOTAL, values).scalar()
    return Decimal(total or 0)


def core_read(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """``statement`` run as Core on the session's connection, after the flush an ORM
    query would make: the levels are plain rows (no entity to build), and the ORM's
    execution path costs more than these statements on every move."""
    session.flush()
    return session.connection().execute(statement, values)


@dataclass(frozen=True, slots=True)
class LevelRow:
    """A product in a warehouse (summed over its lots); ``warehouse_id`` None: all of them."""

    product_id: UUID
    warehouse_id: UUID | None
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def level_sums(
    session: Session,
    tenant_id: UUID,
    *,
    product_ids: list[UUID] | None,
    warehouse_id: UUID | None,
    limit: int | None = None,
    offset: int = 0,
) -> list[LevelRow]:
    query = (
        select(
            StockLevel.product_id,
            Location.warehouse_id,
            func.sum(StockLevel.on_hand).label("on_hand"),
            func.sum(StockLevel.reserved).label("reserved"),
        )
        .join(
            Location,
            (Location.tenant_id == StockLevel.tenant_id) & (Location.id == StockLevel.location_id),
        )
        .where(StockLevel.tenant_id == tenant_id)
        .group_by(StockLevel.product_id, Location.warehouse_id)
        .order_by(StockLevel.product_id, Location.warehouse_id)
    )
    if product_ids is not None:
        query = query.where(StockLevel.product_id.in_(product_ids))
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    # Plain tuples straight into the rows: a whole tenant is tens of thousands of them.
    return [LevelRow(*row) for row in session.execute(query)]


# Levels recomputed from the moves (on hand) and the active reservations (reserved),
# compared with the cached rows: any row where they differ.
LEVEL_DIFFERENCES = text("""
WITH flows AS (
    SELECT product_id, to_location_id AS location_id, lot_id, quantity AS qty
      FROM stock_moves WHERE tenant_id = :tenant
    UNION ALL
    SELECT product_id, from_location_id, lot_id, -quantity
      FROM stock_moves WHERE tenant_id = :tenant
), computed_on_hand AS (
    SELECT f.product_id, f.location_id, f.lot_id, sum(f.qty) AS on_hand
      FROM flows f
      JOIN stock_locations l ON l.tenant_id = :tenant AND l.id = f.location_id
     WHERE l.kind = 'internal'
     GROUP BY f.product_id, f.location_id, f.lot_id
), computed_reserved AS (
    SELECT r.product_id, l.id AS location_id, NULL::uuid AS lot_id, sum(r.quantity) AS reserved
      FROM stock_reservations r
      JOIN stock_locations l
        ON l.tenant_id = r.tenant_id AND l.warehouse_id = r.warehouse_id AND l.is_main
     WHERE r.tenant_id = :tenant AND r.released_at IS NULL
     GROUP BY r.product_id, l.id
), computed AS (
    SELECT coalesce(o.product_id, r.product_id) AS product_id,
           coalesce(o.location_id, r.location_id) AS location_id,
           coalesce(o.lot_id, r.lot_id) AS lot_id,
           coalesce(o.on_hand, 0) AS on_hand, coalesce(r.reserved, 0) AS reserved
      FROM computed_on_hand o
      FULL JOIN computed_reserved r
        ON r.product_id = o.product_id AND r.location_id = o.location_id
       AND r.lot_id IS NOT DISTINCT FROM o.lot_id
)
SELECT coalesce(c.product_id, s.product_id) AS product_id,
       coalesce(c.location_id, s.location_id) AS location_id,
       coalesce(c.lot_id, s.lot_id) AS lot_id,
       coalesce(s.on_hand, 0) AS stored_on_hand, coalesce(c.on_hand, 0) AS computed_on_hand,
       coalesce(s.reserved, 0) AS stored_reserved, coalesce(c.reserved, 0) AS computed_reserved
  FROM computed c
  FULL JOIN (SELECT * FROM stock_levels WHERE tenant_id = :tenant) s
    ON s.product_id = c.product_id AND s.location_id = c.location_id
   AND s.lot_id IS NOT DISTINCT FROM c.lot_id
 WHERE coalesce(s.on_hand, 0) <> coalesce(c.on_hand, 0)
    OR coalesce(s.reserved, 0) <> coalesce(c.reserved, 0)
 ORDER BY 1, 2, 3
""")


@dataclass(frozen=True, slots=True)
class LevelDifference:
    product_id: UUID
    location_id: UUID
    lot_id: UUID | None
    stored_on_hand: Decimal
    computed_on_hand: Decimal
    stored_reserved: Decimal
    computed_reserved: Decimal


def level_differences(session: Session, tenant_id: UUID) -> list[LevelDifference]:
    rows = session.execute(LEVEL_DIFFERENCES, {"tenant": tenant_id})
    return [LevelDifference(**r._mapping) for r in rows]


def active_reservations(
    session: Session, tenant_id: UUID, origin_type: str, origin_id: UUID
) -> list[StockReservation]:
    return list(
        session.scalars(
            select(StockReservation)
            .where(
                StockReservation.tenant_id == tenant_id,
                StockReservation.origin_type == origin_type,
                StockReservation.origin_id == origin_id,
                StockReservation.released_at.is_(None),
            )
            .order_by(StockReservation.product_id, StockReservation.id)
            .with_for_update()
        )
    )


def list_moves(
    session: Session,
    tenant_id: UUID,
    *,
    product_id: UUID | None,
    location_ids: list[UUID] | None,
    kind: str | None,
    origin: tuple[str, UUID] | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> list[StockMove]:
    query = select(StockMove).where(StockMove.tenant_id == tenant_id)
    if product_id is not None:
        query = query.where(StockMove.product_id == product_id)
    if location_ids is not None:
        query = query.where(
            StockMove.from_location_id.in_(location_ids)
            | StockMove.to_location_id.in_(location_ids)
        )
    if kind is not None:
        query = query.where(StockMove.kind == kind)
    if origin is not None:
        query = query.where(StockMove.origin_type == origin[0], StockMove.origin_id == origin[1])
    if since is not None:
        query = query.where(StockMove.moved_at >= since)
    query = query.order_by(StockMove.moved_at.desc(), StockMove.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))
