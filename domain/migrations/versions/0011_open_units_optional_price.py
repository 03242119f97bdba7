"""open units, optional sale price

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A product may have no sale price: a service sold at a price agreed each time; a document
line then takes its price from the person, never from the product. Units are an open
vocabulary (domain/sales/units.py): a label such as « boîte de conserve » needs more than
the 16 characters the unit columns had, so products and document lines take 32.

Downgrading gives a product without a price the price 0 and cuts longer unit labels to 16
characters: the older schema cannot say either.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_UNIT_TABLES = ("products", "quote_lines", "invoice_lines", "purchase_order_lines")


def upgrade() -> None:
    op.alter_column(
        "products", "sale_price", existing_type=sa.Numeric(precision=18, scale=4), nullable=True
    )
    for table in _UNIT_TABLES:
        op.alter_column(
            table,
            "unit",
            existing_type=sa.String(length=16),
            type_=sa.String(length=32),
            existing_nullable=False,
        )


def downgrade() -> None:
    for table in _UNIT_TABLES:
        op.execute(f"UPDATE {table} SET unit = left(unit, 16) WHERE length(unit) > 16")
        op.alter_column(
            table,
            "unit",
            existing_type=sa.String(length=32),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
    op.execute("UPDATE products SET sale_price = 0 WHERE sale_price IS NULL")
    op.alter_column(
        "products", "sale_price", existing_type=sa.Numeric(precision=18, scale=4), nullable=False
    )
