"""stock

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

Stock core: warehouses, locations, lots, moves (append-only double entry), levels,
reservations, inventory counts; the stock columns of products and partners.
Purchasing and reorder tables come in 0006.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from domain.kit.rls import tenant_policy_sql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "warehouses",
    "stock_locations",
    "stock_lots",
    "stock_settings",
    "stock_moves",
    "stock_levels",
    "stock_reservations",
    "inventory_counts",
    "inventory_count_lines",
)

# Check constraints on existing tables (autogenerate does not compare them).
CHECKS = (
    ("partners", "lead_time", "lead_time_days BETWEEN 0 AND 365"),
    ("products", "stockable_goods", "kind = 'goods' OR NOT is_stockable"),
    ("products", "lots_stockable", "is_stockable OR NOT tracks_lots"),
    ("products", "purchase_price", "purchase_price >= 0"),
    ("products", "average_cost", "average_cost >= 0"),
)

# Moves are the stock's ledger: append-only for everyone, the owner included. A mistake is
# corrected by a new move (an adjustment, a return), never by editing history.
MOVES_SQL = [
    """
    CREATE FUNCTION comptoir_stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'stock moves are append-only: record a correcting move instead'
            USING ERRCODE = '42501';
    END $$
    """,
    """CREATE TRIGGER stock_moves_append_only
       BEFORE UPDATE OR DELETE OR TRUNCATE ON stock_moves
       FOR EACH STATEMENT EXECUTE FUNCTION comptoir_stock_moves_append_only()""",
]

# Businesses created before stock existed get what sign-up now gives (``prepare_stock``):
# the settings, « Entrepôt principal » (PRINC) with its main location and the virtual
# locations. Without them every stock service — posting an invoice included — fails.
BACKFILL_SQL = """
DO $$
DECLARE
    t uuid;
    warehouse uuid;
    supplier uuid;
    customer uuid;
    inventory uuid;
BEGIN
    FOR t IN SELECT id FROM tenants
              WHERE id NOT IN (SELECT tenant_id FROM stock_settings) LOOP
        warehouse := gen_random_uuid();
        supplier := gen_random_uuid();
        customer := gen_random_uuid();
        inventory := gen_random_uuid();
        INSERT INTO stock_locations (tenant_id, id, kind, name) VALUES
            (t, supplier, 'supplier', 'Fournisseurs'),
            (t, customer, 'customer', 'Clients'),
            (t, inventory, 'inventory', 'Écarts d''inventaire');
        INSERT INTO warehouses (tenant_id, id, code, name, is_active)
            VALUES (t, warehouse, 'PRINC', 'Entrepôt principal', true);
        INSERT INTO stock_locations (tenant_id, id, warehouse_id, kind, name, is_main)
            VALUES (t, gen_random_uuid(), warehouse, 'internal', 'Entrepôt principal', true);
        INSERT INTO stock_settings (tenant_id, id, allow_negative_stock, default_warehouse_id,
                                    supplier_location_id, customer_location_id,
                                    inventory_location_id)
            VALUES (t, gen_random_uuid(), false, warehouse, supplier, customer, inventory);
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "warehouses",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_warehouses_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_warehouses_tenant_id_code")),
    )
    op.create_table(
        "inventory_counts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("validated_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'validated', 'cancelled')", name=op.f("ck_inventory_counts_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_inventory_counts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_inventory_counts_tenant_id_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_inventory_counts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["validated_by"], ["users.id"], name=op.f("fk_inventory_counts_validated_by_users")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_inventory_counts")),
    )
    op.create_index(
        op.f("ix_inventory_counts_tenant_id_warehouse_id_status"),
        "inventory_counts",
        ["tenant_id", "warehouse_id", "status"],
        unique=False,
    )
    op.create_table(
        "stock_locations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_main", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind IN ('internal', 'transit')) = (warehouse_id IS NOT NULL)",
            name=op.f("ck_stock_locations_warehouse"),
        ),
        sa.CheckConstraint(
            "NOT is_main OR kind = 'internal'", name=op.f("ck_stock_locations_main_internal")
        ),
        sa.CheckConstraint(
            "kind IN ('internal', 'supplier', 'customer', 'inventory', 'transit')",
            name=op.f("ck_stock_locations_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_stock_locations_tenant_id_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_locations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_locations")),
    )
    op.create_index(
        "uq_stock_locations_main",
        "stock_locations",
        ["tenant_id", "warehouse_id"],
        unique=True,
        postgresql_where=sa.text("is_main"),
    )
    op.create_index(
        "uq_stock_locations_virtual",
        "stock_locations",
        ["tenant_id", "kind"],
        unique=True,
        postgresql_where=sa.text("warehouse_id IS NULL"),
    )
    op.create_table(
        "stock_lots",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_stock_lots_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_lots_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_lots")),
        sa.UniqueConstraint(
            "tenant_id",
            "product_id",
            "number",
            name=op.f("uq_stock_lots_tenant_id_product_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_stock_lots_tenant_id_expiry_date"),
        "stock_lots",
        ["tenant_id", "expiry_date"],
        unique=False,
    )
    op.create_table(
        "stock_reservations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("origin_type", sa.String(length=30), nullable=True),
        sa.Column("origin_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_reservations_quantity")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_stock_reservations_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_stock_reservations_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_stock_reservations_tenant_id_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_reservations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_reservations")),
    )
    op.create_index(
        op.f("ix_stock_reservations_tenant_id_origin_type_origin_id"),
        "stock_reservations",
        ["tenant_id", "origin_type", "origin_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_stock_reservations_tenant_id_product_id"),
        "stock_reservations",
        ["tenant_id", "product_id"],
        unique=False,
    )
    op.create_table(
        "inventory_count_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("count_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("expected_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("counted_quantity", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("counted_quantity >= 0", name=op.f("ck_inventory_count_lines_counted")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "count_id"],
            ["inventory_counts.tenant_id", "inventory_counts.id"],
            name=op.f("fk_inventory_count_lines_tenant_id_count_id_inventory_counts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lot_id"],
            ["stock_lots.tenant_id", "stock_lots.id"],
            name=op.f("fk_inventory_count_lines_tenant_id_lot_id_stock_lots"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_inventory_count_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_inventory_count_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_inventory_count_lines")),
        sa.UniqueConstraint(
            "tenant_id",
            "count_id",
            "product_id",
            "lot_id",
            name=op.f("uq_inventory_count_lines_tenant_id_count_id_product_id_lot_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "stock_levels",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("on_hand", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reserved", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_levels_tenant_id_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lot_id"],
            ["stock_lots.tenant_id", "stock_lots.id"],
            name=op.f("fk_stock_levels_tenant_id_lot_id_stock_lots"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_stock_levels_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_levels_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint(
            "tenant_id",
            "product_id",
            "location_id",
            "lot_id",
            name=op.f("uq_stock_levels_tenant_id_product_id_location_id_lot_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_stock_levels_tenant_id_location_id"),
        "stock_levels",
        ["tenant_id", "location_id"],
        unique=False,
    )
    op.create_table(
        "stock_moves",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("from_location_id", sa.Uuid(), nullable=False),
        sa.Column("to_location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("origin_type", sa.String(length=30), nullable=True),
        sa.Column("origin_id", sa.Uuid(), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('in', 'out', 'transfer', 'adjustment')", name=op.f("ck_stock_moves_kind")
        ),
        sa.CheckConstraint(
            "from_location_id <> to_location_id", name=op.f("ck_stock_moves_two_locations")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_moves_quantity")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_stock_moves_unit_cost")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_stock_moves_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "from_location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_moves_tenant_id_from_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "lot_id"],
            ["stock_lots.tenant_id", "stock_lots.id"],
            name=op.f("fk_stock_moves_tenant_id_lot_id_stock_lots"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_stock_moves_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "to_location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_moves_tenant_id_to_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_moves_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_moves")),
    )
    op.create_index(
        op.f("ix_stock_moves_tenant_id_moved_at"),
        "stock_moves",
        ["tenant_id", "moved_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_stock_moves_tenant_id_origin_type_origin_id"),
        "stock_moves",
        ["tenant_id", "origin_type", "origin_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_stock_moves_tenant_id_product_id_moved_at"),
        "stock_moves",
        ["tenant_id", "product_id", "moved_at"],
        unique=False,
    )
    op.create_table(
        "stock_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("allow_negative_stock", sa.Boolean(), nullable=False),
        sa.Column("default_warehouse_id", sa.Uuid(), nullable=True),
        sa.Column("supplier_location_id", sa.Uuid(), nullable=False),
        sa.Column("customer_location_id", sa.Uuid(), nullable=False),
        sa.Column("inventory_location_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_settings_tenant_id_customer_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "default_warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_stock_settings_tenant_id_default_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "inventory_location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_settings_tenant_id_inventory_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "supplier_location_id"],
            ["stock_locations.tenant_id", "stock_locations.id"],
            name=op.f("fk_stock_settings_tenant_id_supplier_location_id_stock_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_settings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_stock_settings_tenant_id")),
    )
    op.add_column("partners", sa.Column("lead_time_days", sa.SmallInteger(), nullable=True))
    op.add_column(
        "products",
        sa.Column("is_stockable", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "products", sa.Column("purchase_price", sa.Numeric(precision=18, scale=4), nullable=True)
    )
    op.add_column("products", sa.Column("barcode", sa.String(length=64), nullable=True))
    op.add_column(
        "products",
        sa.Column("tracks_lots", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "products",
        sa.Column(
            "average_cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False
        ),
    )
    op.create_unique_constraint(
        op.f("uq_products_tenant_id_barcode"), "products", ["tenant_id", "barcode"]
    )
    for table, name, condition in CHECKS:
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition)
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    for statement in MOVES_SQL:
        op.execute(statement)
    op.execute(BACKFILL_SQL)


def downgrade() -> None:
    op.execute("DROP TRIGGER stock_moves_append_only ON stock_moves")
    op.execute("DROP FUNCTION comptoir_stock_moves_append_only()")
    for table, name, _ in CHECKS:
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
    op.drop_constraint(op.f("uq_products_tenant_id_barcode"), "products", type_="unique")
    op.drop_column("products", "average_cost")
    op.drop_column("products", "tracks_lots")
    op.drop_column("products", "barcode")
    op.drop_column("products", "purchase_price")
    op.drop_column("products", "is_stockable")
    op.drop_column("partners", "lead_time_days")
    op.drop_table("stock_settings")
    op.drop_index(op.f("ix_stock_moves_tenant_id_product_id_moved_at"), table_name="stock_moves")
    op.drop_index(op.f("ix_stock_moves_tenant_id_origin_type_origin_id"), table_name="stock_moves")
    op.drop_index(op.f("ix_stock_moves_tenant_id_moved_at"), table_name="stock_moves")
    op.drop_table("stock_moves")
    op.drop_index(op.f("ix_stock_levels_tenant_id_location_id"), table_name="stock_levels")
    op.drop_table("stock_levels")
    op.drop_table("inventory_count_lines")
    op.drop_index(
        op.f("ix_stock_reservations_tenant_id_product_id"), table_name="stock_reservations"
    )
    op.drop_index(
        op.f("ix_stock_reservations_tenant_id_origin_type_origin_id"),
        table_name="stock_reservations",
    )
    op.drop_table("stock_reservations")
    op.drop_index(op.f("ix_stock_lots_tenant_id_expiry_date"), table_name="stock_lots")
    op.drop_table("stock_lots")
    op.drop_index(
        "uq_stock_locations_virtual",
        table_name="stock_locations",
        postgresql_where=sa.text("warehouse_id IS NULL"),
    )
    op.drop_index(
        "uq_stock_locations_main", table_name="stock_locations", postgresql_where=sa.text("is_main")
    )
    op.drop_table("stock_locations")
    op.drop_index(
        op.f("ix_inventory_counts_tenant_id_warehouse_id_status"), table_name="inventory_counts"
    )
    op.drop_table("inventory_counts")
    op.drop_table("warehouses")
