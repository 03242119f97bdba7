"""supplier bills and payments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

Payables: supplier bills and credit notes with their lines (charged to an expense or
fixed-asset account, tied to a purchase order line for the three-way match), supplier
payments and what each settles. Every table is tenant-owned, under RLS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("supplier_payments", "supplier_bills", "supplier_bill_lines", "supplier_allocations")

# A posted supplier bill is immutable, like a posted invoice: only its settlement (status,
# amount settled) moves, it never goes back to draft, its lines no longer change, and it
# cannot be deleted. The services refuse it first; the database refuses it too.
GUARD_SQL = [
    """
    CREATE FUNCTION comptoir_supplier_bill_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        settlement text[] := ARRAY['status', 'amount_settled', 'updated_at', 'version'];
    BEGIN
        IF OLD.status = 'draft' THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_OP = 'DELETE' OR NEW.status = 'draft'
           OR (to_jsonb(NEW) - settlement) IS DISTINCT FROM (to_jsonb(OLD) - settlement) THEN
            RAISE EXCEPTION 'supplier bill % is posted and cannot be changed', OLD.number
                USING ERRCODE = '55000';
        END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER supplier_bills_immutable_once_posted
       BEFORE UPDATE OR DELETE ON supplier_bills
       FOR EACH ROW EXECUTE FUNCTION comptoir_supplier_bill_guard()""",
    """
    CREATE FUNCTION comptoir_supplier_bill_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line supplier_bill_lines := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        parent_status text;
    BEGIN
        SELECT status INTO parent_status FROM supplier_bills
         WHERE tenant_id = line.tenant_id AND id = line.bill_id;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION 'the lines of a posted supplier bill cannot be changed'
                USING ERRCODE = '55000';
        END IF;
        RETURN line;
    END $$
    """,
    """CREATE TRIGGER supplier_bill_lines_immutable_once_posted
       BEFORE INSERT OR UPDATE OR DELETE ON supplier_bill_lines
       FOR EACH ROW EXECUTE FUNCTION comptoir_supplier_bill_line_guard()""",
]
DROP_GUARD_SQL = [
    "DROP TRIGGER supplier_bill_lines_immutable_once_posted ON supplier_bill_lines",
    "DROP TRIGGER supplier_bills_immutable_once_posted ON supplier_bills",
    "DROP FUNCTION comptoir_supplier_bill_line_guard()",
    "DROP FUNCTION comptoir_supplier_bill_guard()",
]


def upgrade() -> None:
    op.create_table(
        "supplier_payments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("amount_allocated", sa.Numeric(precision=18, scale=4), nullable=False),
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
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'cheque', 'cash', 'card', 'wave', 'orange_money')",
            name=op.f("ck_supplier_payments_method"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_supplier_payments_amount")),
        sa.CheckConstraint(
            "amount_allocated >= 0 AND amount_allocated <= amount",
            name=op.f("ck_supplier_payments_allocated"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_supplier_payments_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "supplier_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_supplier_payments_tenant_id_supplier_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_payments_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_supplier_payments")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_supplier_payments_tenant_id_number")
        ),
    )
    op.create_index(
        op.f("ix_supplier_payments_tenant_id_paid_on"),
        "supplier_payments",
        ["tenant_id", "paid_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_payments_tenant_id_supplier_id_paid_on"),
        "supplier_payments",
        ["tenant_id", "supplier_id", "paid_on"],
        unique=False,
    )
    op.create_table(
        "supplier_bills",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_number", sa.String(length=60), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_settled", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=True),
        sa.Column("credited_bill_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("warnings", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.Uuid(), nullable=True),
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
            "kind <> 'credit_note' OR credited_bill_id IS NOT NULL",
            name=op.f("ck_supplier_bills_credit"),
        ),
        sa.CheckConstraint("kind IN ('bill','credit_note')", name=op.f("ck_supplier_bills_kind")),
        sa.CheckConstraint(
            "source IN ('manual','einvoice')", name=op.f("ck_supplier_bills_source")
        ),
        sa.CheckConstraint(
            "status IN ('draft','cancelled') OR number IS NOT NULL",
            name=op.f("ck_supplier_bills_posted"),
        ),
        sa.CheckConstraint(
            "status IN ('draft','posted','partially_paid','paid','cancelled')",
            name=op.f("ck_supplier_bills_status"),
        ),
        sa.CheckConstraint(
            "amount_settled >= 0 AND amount_settled <= gross_total",
            name=op.f("ck_supplier_bills_settled"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_supplier_bills_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["users.id"], name=op.f("fk_supplier_bills_posted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "credited_bill_id"],
            ["supplier_bills.tenant_id", "supplier_bills.id"],
            name=op.f("fk_supplier_bills_tenant_id_credited_bill_id_supplier_bills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["documents.tenant_id", "documents.id"],
            name=op.f("fk_supplier_bills_tenant_id_document_id_documents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "purchase_order_id"],
            ["purchase_orders.tenant_id", "purchase_orders.id"],
            name=op.f("fk_supplier_bills_tenant_id_purchase_order_id_purchase_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "supplier_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_supplier_bills_tenant_id_supplier_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_bills_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_supplier_bills")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_supplier_bills_tenant_id_number")),
    )
    op.create_index(
        op.f("ix_supplier_bills_tenant_id_issue_date"),
        "supplier_bills",
        ["tenant_id", "issue_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_bills_tenant_id_status_due_date"),
        "supplier_bills",
        ["tenant_id", "status", "due_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_bills_tenant_id_supplier_id_issue_date"),
        "supplier_bills",
        ["tenant_id", "supplier_id", "issue_date"],
        unique=False,
    )
    op.create_index(
        "uq_supplier_bills_supplier_number",
        "supplier_bills",
        ["tenant_id", "supplier_id", "kind", "supplier_number"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_table(
        "supplier_allocations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("credit_note_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)",
            name=op.f("ck_supplier_allocations_one_source"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_supplier_allocations_amount")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "bill_id"],
            ["supplier_bills.tenant_id", "supplier_bills.id"],
            name=op.f("fk_supplier_allocations_tenant_id_bill_id_supplier_bills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "credit_note_id"],
            ["supplier_bills.tenant_id", "supplier_bills.id"],
            name=op.f("fk_supplier_allocations_tenant_id_credit_note_id_supplier_bills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["supplier_payments.tenant_id", "supplier_payments.id"],
            name=op.f("fk_supplier_allocations_tenant_id_payment_id_supplier_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_allocations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_supplier_allocations")),
    )
    op.create_index(
        op.f("ix_supplier_allocations_tenant_id_bill_id"),
        "supplier_allocations",
        ["tenant_id", "bill_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_allocations_tenant_id_payment_id"),
        "supplier_allocations",
        ["tenant_id", "payment_id"],
        unique=False,
    )
    op.create_table(
        "supplier_bill_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_category", sa.String(length=2), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_supplier_bill_lines_quantity")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_supplier_bill_lines_unit_price")),
        sa.CheckConstraint(
            "vat_rate >= 0 AND vat_rate < 100", name=op.f("ck_supplier_bill_lines_vat_rate")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "bill_id"],
            ["supplier_bills.tenant_id", "supplier_bills.id"],
            name=op.f("fk_supplier_bill_lines_tenant_id_bill_id_supplier_bills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_line_id"],
            ["purchase_order_lines.tenant_id", "purchase_order_lines.id"],
            name=op.f("fk_supplier_bill_lines_tenant_id_order_line_id_purchase_order_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_supplier_bill_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_bill_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_supplier_bill_lines")),
    )
    op.create_index(
        op.f("ix_supplier_bill_lines_tenant_id_bill_id"),
        "supplier_bill_lines",
        ["tenant_id", "bill_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_supplier_bill_lines_tenant_id_order_line_id"),
        "supplier_bill_lines",
        ["tenant_id", "order_line_id"],
        unique=False,
    )

    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    for statement in GUARD_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_GUARD_SQL:
        op.execute(statement)
    op.drop_index(
        op.f("ix_supplier_bill_lines_tenant_id_order_line_id"), table_name="supplier_bill_lines"
    )
    op.drop_index(
        op.f("ix_supplier_bill_lines_tenant_id_bill_id"), table_name="supplier_bill_lines"
    )
    op.drop_table("supplier_bill_lines")
    op.drop_index(
        op.f("ix_supplier_allocations_tenant_id_payment_id"), table_name="supplier_allocations"
    )
    op.drop_index(
        op.f("ix_supplier_allocations_tenant_id_bill_id"), table_name="supplier_allocations"
    )
    op.drop_table("supplier_allocations")
    op.drop_index(
        "uq_supplier_bills_supplier_number",
        table_name="supplier_bills",
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.drop_index(
        op.f("ix_supplier_bills_tenant_id_supplier_id_issue_date"), table_name="supplier_bills"
    )
    op.drop_index(op.f("ix_supplier_bills_tenant_id_status_due_date"), table_name="supplier_bills")
    op.drop_index(op.f("ix_supplier_bills_tenant_id_issue_date"), table_name="supplier_bills")
    op.drop_table("supplier_bills")
    op.drop_index(
        op.f("ix_supplier_payments_tenant_id_supplier_id_paid_on"), table_name="supplier_payments"
    )
    op.drop_index(op.f("ix_supplier_payments_tenant_id_paid_on"), table_name="supplier_payments")
    op.drop_table("supplier_payments")
