"""invoice sends: each sending of an invoice's PDF, by WhatsApp or e-mail

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

One row per sending, recorded on the invoice: channel, recipient, who sent it, and its
status (a WhatsApp sending follows Meta's statuses; an e-mail the SMTP server's answer).
Tenant-owned, under RLS like every business table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from domain.kit.rls import tenant_policy_sql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "invoice_sends"
STATUSES = "('queued', 'retrying', 'sent', 'delivered', 'read', 'failed', 'given_up')"


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        TABLE,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("to_member", sa.Uuid(), nullable=True),
        sa.Column("sent_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("whatsapp_message_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("filename", sa.String(length=240), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", stamp, nullable=True),
        sa.Column("delivered_at", stamp, nullable=True),
        sa.Column("read_at", stamp, nullable=True),
        sa.Column("created_at", stamp, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", stamp, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_invoice_sends_status")),
        sa.CheckConstraint(
            "channel IN ('whatsapp', 'email')", name=op.f("ck_invoice_sends_channel")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoice_sends_tenant_id_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_invoice_sends_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invoice_sends")),
    )
    op.create_index(
        op.f("ix_invoice_sends_tenant_id_invoice_id_created_at"),
        TABLE,
        ["tenant_id", "invoice_id", "created_at"],
    )
    for statement in tenant_policy_sql(TABLE):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_sends_tenant_id_invoice_id_created_at"), table_name=TABLE)
    op.drop_table(TABLE)
