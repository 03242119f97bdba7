"""e-invoicing platform: account, flows, lifecycle statuses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

A business's account on its plateforme agréée (URLs, credentials, the cursor of what was
taken in), the invoices exchanged with it (submitted customer invoices, received supplier
invoices — one per platform flow id) and the lifecycle statuses of both sides. Every
table is tenant-owned, under RLS.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.kit.rls import tenant_policy_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("einvoicing_platforms", "einvoice_flows", "einvoice_statuses")


def _tenant(table: str) -> list[Any]:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _timestamps() -> list[Any]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "einvoicing_platforms",
        *_tenant("einvoicing_platforms"),
        sa.Column("flow_url", sa.String(length=300), nullable=False),
        sa.Column("directory_url", sa.String(length=300), nullable=False),
        sa.Column("token_url", sa.String(length=300), nullable=True),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("client_secret", sa.String(length=500), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("incoming_cursor", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_einvoicing_platforms_tenant_id")),
    )
    op.create_table(
        "einvoice_flows",
        *_tenant("einvoice_flows"),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("platform_flow_id", sa.String(length=36), nullable=False),
        sa.Column("ack_status", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("direction IN ('out','in')", name=op.f("ck_einvoice_flows_direction")),
        sa.CheckConstraint(
            "document_type IN ('invoice','supplier_bill')",
            name=op.f("ck_einvoice_flows_document_type"),
        ),
        sa.CheckConstraint(
            "ack_status IN ('pending','ok','error')", name=op.f("ck_einvoice_flows_ack_status")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "platform_flow_id",
            name=op.f("uq_einvoice_flows_tenant_id_platform_flow_id"),
        ),
    )
    op.create_index(
        op.f("ix_einvoice_flows_tenant_id_document_type_document_id"),
        "einvoice_flows",
        ["tenant_id", "document_type", "document_id"],
        unique=False,
    )
    op.create_table(
        "einvoice_statuses",
        *_tenant("einvoice_statuses"),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform_flow_id", sa.String(length=36), nullable=True),
        sa.Column("dedup_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin IN ('platform','business')", name=op.f("ck_einvoice_statuses_origin")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "flow_id"],
            ["einvoice_flows.tenant_id", "einvoice_flows.id"],
            name=op.f("fk_einvoice_statuses_tenant_id_flow_id_einvoice_flows"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id", "dedup_key", name=op.f("uq_einvoice_statuses_tenant_id_dedup_key")
        ),
    )
    op.create_index(
        op.f("ix_einvoice_statuses_tenant_id_document_type_document_id"),
        "einvoice_statuses",
        ["tenant_id", "document_type", "document_id"],
        unique=False,
    )
    op.create_index(
        "ix_einvoice_statuses_unsent",
        "einvoice_statuses",
        ["tenant_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("origin = 'business' AND sent_at IS NULL"),
    )
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(
        "ix_einvoice_statuses_unsent",
        table_name="einvoice_statuses",
        postgresql_where=sa.text("origin = 'business' AND sent_at IS NULL"),
    )
    op.drop_index(
        op.f("ix_einvoice_statuses_tenant_id_document_type_document_id"),
        table_name="einvoice_statuses",
    )
    op.drop_table("einvoice_statuses")
    op.drop_index(
        op.f("ix_einvoice_flows_tenant_id_document_type_document_id"), table_name="einvoice_flows"
    )
    op.drop_table("einvoice_flows")
    op.drop_table("einvoicing_platforms")
