"""2026 French invoice mentions; scanned supplier bills waiting to be completed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

Invoices get the category of the operation (goods, services, mixed; derived from the lines
when empty) and a delivery address; the fiscal settings say whether the business opted to
pay VAT on its debits. A supplier bill taken in from a scan (a PDF without structured
invoice) is a draft whose supplier and number are not known yet: both become optional
while the bill is a draft, required once it is posted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

DELIVERY = (
    ("delivery_line1", 200),
    ("delivery_postcode", 16),
    ("delivery_city", 100),
    ("delivery_country", 2),
)


def upgrade() -> None:
    op.add_column(
        "fiscal_settings",
        sa.Column("vat_on_debits", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("invoices", sa.Column("operation_category", sa.String(length=8), nullable=True))
    for name, length in DELIVERY:
        op.add_column("invoices", sa.Column(name, sa.String(length=length), nullable=True))
    op.create_check_constraint(
        op.f("ck_invoices_operation_category"),
        "invoices",
        "operation_category IN ('goods','services','mixed')",
    )
    op.alter_column("supplier_bills", "supplier_id", existing_type=sa.Uuid(), nullable=True)
    op.alter_column(
        "supplier_bills", "supplier_number", existing_type=sa.String(length=60), nullable=True
    )
    op.drop_constraint(op.f("ck_supplier_bills_source"), "supplier_bills", type_="check")
    op.create_check_constraint(
        op.f("ck_supplier_bills_source"), "supplier_bills", "source IN ('manual','einvoice','scan')"
    )
    op.create_check_constraint(
        op.f("ck_supplier_bills_known_supplier"),
        "supplier_bills",
        "status IN ('draft','cancelled') OR (supplier_id IS NOT NULL "
        "AND supplier_number IS NOT NULL)",
    )


def downgrade() -> None:
    op.execute("DELETE FROM supplier_bills WHERE supplier_id IS NULL OR supplier_number IS NULL")
    op.drop_constraint(op.f("ck_supplier_bills_known_supplier"), "supplier_bills", type_="check")
    op.drop_constraint(op.f("ck_supplier_bills_source"), "supplier_bills", type_="check")
    op.create_check_constraint(
        op.f("ck_supplier_bills_source"), "supplier_bills", "source IN ('manual','einvoice')"
    )
    op.alter_column(
        "supplier_bills", "supplier_number", existing_type=sa.String(length=60), nullable=False
    )
    op.alter_column("supplier_bills", "supplier_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_constraint(op.f("ck_invoices_operation_category"), "invoices", type_="check")
    for name, _ in DELIVERY:
        op.drop_column("invoices", name)
    op.drop_column("invoices", "operation_category")
    op.drop_column("fiscal_settings", "vat_on_debits")
