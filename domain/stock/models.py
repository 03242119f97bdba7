"""Stock tables: warehouses, locations, lots, moves (double entry), levels, reservations,
inventory counts.

Every quantity moves by a ``StockMove`` from one location to another: a receipt goes from
the tenant's virtual *supplier* location to a warehouse, a sale from a warehouse to the
virtual *customer* location, an adjustment between a warehouse and the virtual *inventory*
location. The quantity of a product in a location is the sum of what moved in minus what
moved out; ``stock_levels`` caches that sum (for internal locations only) and is updated in
the same transaction as each move, under a row lock. ``stock_moves`` is append-only: a
correction is a new move.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk, utcnow

LOCATION_KINDS = ("internal", "supplier", "customer", "inventory", "transit")
MOVE_KINDS = ("in", "out", "transfer", "adjustment")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Warehouse(TenantEntity):
    __tablename__ = "warehouses"
    code: Mapped[str] = mapped_column(String(16))  # "PRINC"
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)


class Location(TenantEntity):
    """A place stock sits in. Each warehouse has one main internal location (``is_main``);
    the tenant has one virtual location per kind supplier / customer / inventory."""

    __tablename__ = "stock_locations"
    warehouse_id: Mapped[UUID | None]
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    is_main: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (
        tenant_fk("warehouse_id", "warehouses"),
        CheckConstraint(_one_of("kind", LOCATION_KINDS), name="kind"),
        CheckConstraint(
            "(kind IN ('internal', 'transit')) = (warehouse_id IS NOT NULL)", name="warehouse"
        ),
        CheckConstraint("NOT is_main OR kind = 'internal'", name="main_internal"),
        Index(
            "uq_stock_locations_main",
            "tenant_id",
            "warehouse_id",
            unique=True,
            postgresql_where=text("is_main"),
        ),
        Index(
            "uq_stock_locations_virtual",
            "tenant_id",
            "kind",
            unique=True,
            postgresql_where=text("warehouse_id IS NULL"),
        ),
    )


class StockSettings(TenantEntity):
    """One row per tenant (``prepare_stock``). The virtual locations are kept here so that
    a move never needs a query to find them."""

    __tablename__ = "stock_settings"
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    default_warehouse_id: Mapped[UUID | None]
    supplier_location_id: Mapped[UUID]
    customer_location_id: Mapped[UUID]
    inventory_location_id: Mapped[UUID]
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        tenant_fk("default_warehouse_id", "warehouses"),
        tenant_fk("supplier_location_id", "stock_locations"),
        tenant_fk("customer_location_id", "stock_locations"),
        tenant_fk("inventory_location_id", "stock_locations"),
    )


class Lot(TenantEntity):
    __tablename__ = "stock_lots"
    product_id: Mapped[UUID]
    number: Mapped[str] = mapped_column(String(64))
    expiry_date: Mapped[date | None]
    __table_args__ = (
        tenant_fk("product_id", "products"),
        UniqueConstraint("tenant_id", "product_id", "number"),
        Index(None, "tenant_id", "expiry_date"),
    )


class StockMove(TenantRecord):
    """``quantity`` (> 0) of a product, from one location to another. Append-only."""

    __tablename__ = "stock_moves"
    product_id: Mapped[UUID]
    lot_id: Mapped[UUID | None]
    quantity: Mapped[Decimal]
    from_location_id: Mapped[UUID]
    to_location_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(10))
    unit_cost: Mapped[Decimal | None]
    reference: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(200))
    origin_type: Mapped[str | None] = mapped_column(String(30))
    origin_id: Mapped[UUID | None]
    moved_at: Mapped[datetime]
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    __table_args__ = (
        tenant_fk("product_id", "products"),
        tenant_fk("lot_id", "stock_lots"),
        tenant_fk("from_location_id", "stock_locations"),
        tenant_fk("to_location_id", "stock_locations"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("from_location_id <> to_location_id", name="two_locations"),
        CheckConstraint(_one_of("kind", MOVE_KINDS), name="kind"),
        CheckConstraint("unit_cost >= 0", name="unit_cost"),
        Index(None, "tenant_id", "product_id", "moved_at"),
        Index(None, "tenant_id", "origin_type", "origin_id"),
        Index(None, "tenant_id", "moved_at"),
    )


class StockLevel(TenantEntity):
    """What a location holds of a product (and lot): a cache of the moves' sum, plus the
    quantity reserved. Reservations sit on the lot-less row of a warehouse's main location."""

    __tablename__ = "stock_levels"
    product_id: Mapped[UUID]
    location_id: Mapped[UUID]
    lot_id: Mapped[UUID | None]
    on_hand: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(default=Decimal(0))
    __table_args__ = (
        tenant_fk("product_id", "products"),
        tenant_fk("location_id", "stock_locations"),
        tenant_fk("lot_id", "stock_lots"),
        UniqueConstraint(
            "tenant_id", "product_id", "location_id", "lot_id", postgresql_nulls_not_distinct=True
        ),
        CheckConstraint("reserved >= 0", name="reserved"),
        Index(None, "tenant_id", "location_id"),
    )


class StockReservation(TenantEntity):
    """Stock promised to a quote or a pending delivery: it lowers what is available, not
    what is on hand. Active until released (by hand, or when the invoice is posted)."""

    __tablename__ = "stock_reservations"
    product_id: Mapped[UUID]
    warehouse_id: Mapped[UUID]
    quantity: Mapped[Decimal]
    origin_type: Mapped[str | None] = mapped_column(String(30))
    origin_id: Mapped[UUID | None]
    reference: Mapped[str | None] = mapped_column(String(100))
    released_at: Mapped[datetime | None]
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("product_id", "products"),
        tenant_fk("warehouse_id", "warehouses"),
        CheckConstraint("quantity > 0", name="quantity"),
        Index(None, "tenant_id", "origin_type", "origin_id"),
        Index(None, "tenant_id", "product_id"),
    )


class InventoryCount(TenantEntity):
    """A count sheet for one warehouse: draft (expected quantities snapshot, counted
    quantities entered) → validated (one adjustment per difference) or cancelled."""

    __tablename__ = "inventory_counts"
    warehouse_id: Mapped[UUID]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    reference: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime]
    validated_at: Mapped[datetime | None]
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    validated_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        tenant_fk("warehouse_id", "warehouses"),
        CheckConstraint("status IN ('draft', 'validated', 'cancelled')", name="status"),
        Index(None, "tenant_id", "warehouse_id", "status"),
    )


class InventoryCountLine(TenantEntity):
    __tablename__ = "inventory_count_lines"
    count_id: Mapped[UUID]
    product_id: Mapped[UUID]
    lot_id: Mapped[UUID | None]
    expected_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    counted_quantity: Mapped[Decimal | None]
    __table_args__ = (
        tenant_fk("count_id", "inventory_counts", ondelete="CASCADE"),
        tenant_fk("product_id", "products"),
        tenant_fk("lot_id", "stock_lots"),
        UniqueConstraint(
            "tenant_id", "count_id", "product_id", "lot_id", postgresql_nulls_not_distinct=True
        ),
        CheckConstraint("counted_quantity >= 0", name="counted"),
    )
