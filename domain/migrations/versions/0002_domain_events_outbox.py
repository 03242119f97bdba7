"""domain events outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PENDING_FN = """
CREATE FUNCTION comptoir_pending_events(p_before timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT e.tenant_id, e.id FROM domain_events e
    WHERE e.dispatched_at IS NULL AND e.occurred_at < p_before
    ORDER BY e.occurred_at
    LIMIT p_limit
$$
"""


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_domain_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_domain_events")),
    )
    op.create_index(
        op.f("ix_domain_events_tenant_id_occurred_at"),
        "domain_events",
        ["tenant_id", "occurred_at"],
        unique=False,
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    for statement in tenant_policy_sql("domain_events"):
        op.execute(statement)
    # The sweep looks across tenants: it gets ids only, and relays each in its tenant.
    op.execute(PENDING_FN)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS comptoir_pending_events(timestamptz, integer)")
    op.drop_index(op.f("ix_domain_events_tenant_id_occurred_at"), table_name="domain_events")
    op.drop_table("domain_events")
