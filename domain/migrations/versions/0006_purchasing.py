"""purchasing

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21

Purchasing: supplier terms, purchase orders, receipts, reorder rules.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "product_suppliers",
    "reorder_rules",
    "purchase_orders",
    "purchase_order_lines",
    "purchase_receipts",
    "purchase_receipt_lines",
)


def upgrade() -> None:
    op.create_table(
        "product_suppliers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=True),
        sa.Column("price", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("lead_time_days", sa.SmallInteger(), nullable=True),
        sa.Column("min_order_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("is_preferred", sa.Boolean(), nullable=False),
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
            "lead_time_days BETWEEN 0 AND 365", name=op.f("ck_product_suppliers_lead_time")
        ),
        sa.CheckConstraint(
            "min_order_quantity > 0", name=op.f("ck_product_suppliers_min_order_quantity")
        ),
        sa.CheckConstraint("price IS NULL OR price >= 0", name=op.f("ck_product_suppliers_price")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_product_suppliers_tenant_id_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "supplier_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_product_suppliers_tenant_id_supplier_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_product_suppliers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_product_suppliers")),
        sa.UniqueConstraint(
            "tenant_id",
            "product_id",
            "supplier_id",
            name=op.f("uq_product_suppliers_tenant_id_product_id_supplier_id"),
        ),
    )
    op.create_index(
        op.f("ix_product_suppliers_tenant_id_supplier_id"),
        "product_suppliers",
        ["tenant_id", "supplier_id"],
        unique=False,
    )
    op.create_index(
        "uq_product_suppliers_preferred",
        "product_suppliers",
        ["tenant_id", "product_id"],
        unique=True,
        postgresql_where=sa.text("is_preferred"),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
            "status IN ('draft','sent','partially_received','received','cancelled')",
            name=op.f("ck_purchase_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_purchase_orders_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "supplier_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_purchase_orders_tenant_id_supplier_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_purchase_orders_tenant_id_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_orders_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_purchase_orders_tenant_id_number")
        ),
    )
    op.create_index(
        op.f("ix_purchase_orders_tenant_id_status"),
        "purchase_orders",
        ["tenant_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_purchase_orders_tenant_id_supplier_id"),
        "purchase_orders",
        ["tenant_id", "supplier_id"],
        unique=False,
    )
    op.create_table(
        "reorder_rules",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("min_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("max_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
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
            "min_quantity >= 0 AND max_quantity >= min_quantity",
            name=op.f("ck_reorder_rules_bounds"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_reorder_rules_tenant_id_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_reorder_rules_tenant_id_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reorder_rules_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reorder_rules")),
        sa.UniqueConstraint(
            "tenant_id",
            "product_id",
            "warehouse_id",
            name=op.f("uq_reorder_rules_tenant_id_product_id_warehouse_id"),
        ),
    )
    op.create_table(
        "purchase_order_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_category", sa.String(length=2), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("received_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
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
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_lines_quantity")),
        sa.CheckConstraint(
            "received_quantity >= 0", name=op.f("ck_purchase_order_lines_received_quantity")
        ),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_purchase_order_lines_unit_price")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["purchase_orders.tenant_id", "purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_tenant_id_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_purchase_order_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_order_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_purchase_order_lines")),
    )
    op.create_index(
        op.f("ix_purchase_order_lines_tenant_id_order_id"),
        "purchase_order_lines",
        ["tenant_id", "order_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_purchase_order_lines_tenant_id_product_id"),
        "purchase_order_lines",
        ["tenant_id", "product_id"],
        unique=False,
    )
    op.create_table(
        "purchase_receipts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("warnings", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_purchase_receipts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["purchase_orders.tenant_id", "purchase_orders.id"],
            name=op.f("fk_purchase_receipts_tenant_id_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_receipts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_purchase_receipts")),
    )
    op.create_index(
        op.f("ix_purchase_receipts_tenant_id_order_id"),
        "purchase_receipts",
        ["tenant_id", "order_id"],
        unique=False,
    )
    op.create_table(
        "purchase_receipt_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("lot_number", sa.String(length=64), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("move_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_receipt_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "move_id"],
            ["stock_moves.tenant_id", "stock_moves.id"],
            name=op.f("fk_purchase_receipt_lines_tenant_id_move_id_stock_moves"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_line_id"],
            ["purchase_order_lines.tenant_id", "purchase_order_lines.id"],
            name=op.f("fk_purchase_receipt_lines_tenant_id_order_line_id_purchase_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_purchase_receipt_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "receipt_id"],
            ["purchase_receipts.tenant_id", "purchase_receipts.id"],
            name=op.f("fk_purchase_receipt_lines_tenant_id_receipt_id_purchase_receipts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_receipt_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_purchase_receipt_lines")),
    )
    op.create_index(
        op.f("ix_purchase_receipt_lines_tenant_id_receipt_id"),
        "purchase_receipt_lines",
        ["tenant_id", "receipt_id"],
        unique=False,
    )
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(
        op.f("ix_purchase_receipt_lines_tenant_id_receipt_id"), table_name="purchase_receipt_lines"
    )
    op.drop_table("purchase_receipt_lines")
    op.drop_index(op.f("ix_purchase_receipts_tenant_id_order_id"), table_name="purchase_receipts")
    op.drop_table("purchase_receipts")
    op.drop_index(
        op.f("ix_purchase_order_lines_tenant_id_product_id"), table_name="purchase_order_lines"
    )
    op.drop_index(
        op.f("ix_purchase_order_lines_tenant_id_order_id"), table_name="purchase_order_lines"
    )
    op.drop_table("purchase_order_lines")
    op.drop_table("reorder_rules")
    op.drop_index(op.f("ix_purchase_orders_tenant_id_supplier_id"), table_name="purchase_orders")
    op.drop_index(op.f("ix_purchase_orders_tenant_id_status"), table_name="purchase_orders")
    op.drop_table("purchase_orders")
    op.drop_index(
        "uq_product_suppliers_preferred",
        table_name="product_suppliers",
        postgresql_where=sa.text("is_preferred"),
    )
    op.drop_index(
        op.f("ix_product_suppliers_tenant_id_supplier_id"), table_name="product_suppliers"
    )
    op.drop_table("product_suppliers")
