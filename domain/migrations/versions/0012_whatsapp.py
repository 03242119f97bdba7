"""whatsapp: linked numbers, inbox of deliveries, outgoing messages, button references

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

The business tables (links, outgoing messages, button references, contacts' windows) are
under Row-Level Security like every tenant table. ``whatsapp_inbound`` is platform-level:
the webhook records a delivery under its ``wamid`` before anyone knows which business it is
for (see domain/whatsapp/models.py). Routing then goes through three SECURITY DEFINER
functions that each answer one narrow question without a tenant context — which businesses
linked this number, which of their active members has this phone, which business sent this
``wamid`` — and one for the scheduler: which outgoing messages are due.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TENANT_TABLES = ("whatsapp_links", "whatsapp_messages", "whatsapp_choices", "whatsapp_contacts")
_PATH = "SET search_path = pg_catalog, public, pg_temp"

FUNCTIONS = [
    f"""
    CREATE FUNCTION comptoir_whatsapp_linked_tenants(p_phone_number_id text)
    RETURNS TABLE (tenant_id uuid, name text, slug text)
    LANGUAGE sql STABLE SECURITY DEFINER {_PATH} AS $$
        SELECT t.id, t.name, t.slug
        FROM whatsapp_links l JOIN tenants t ON t.id = l.tenant_id
        WHERE l.phone_number_id = p_phone_number_id AND t.is_active
        ORDER BY l.created_at, t.id
    $$
    """,
    # Members of those businesses whose phone is the sender's, with the time of their last
    # WhatsApp conversation there (to keep talking to the business they last chose).
    f"""
    CREATE FUNCTION comptoir_whatsapp_members(p_phone_number_id text, p_phone text)
    RETURNS TABLE (tenant_id uuid, name text, slug text, user_id uuid, roles varchar[],
                   last_talk timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER {_PATH} AS $$
        SELECT t.id, t.name, t.slug, u.id, m.roles,
               (SELECT max(c.updated_at) FROM conversations c
                WHERE c.tenant_id = t.id AND c.user_id = u.id AND c.channel = 'whatsapp')
        FROM whatsapp_links l
        JOIN tenants t ON t.id = l.tenant_id
        JOIN memberships m ON m.tenant_id = t.id
        JOIN users u ON u.id = m.user_id
        WHERE l.phone_number_id = p_phone_number_id AND u.phone = p_phone
          AND t.is_active AND m.is_active AND u.is_active
        ORDER BY l.created_at, t.id
    $$
    """,
    f"""
    CREATE FUNCTION comptoir_whatsapp_sender_of(p_phone_number_id text, p_wamid text)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER {_PATH} AS $$
        SELECT w.tenant_id FROM whatsapp_messages w
        WHERE w.tenant_id IN (SELECT l.tenant_id FROM whatsapp_links l
                              WHERE l.phone_number_id = p_phone_number_id)
          AND w.wamid = p_wamid
        LIMIT 1
    $$
    """,
    f"""
    CREATE FUNCTION comptoir_whatsapp_due(p_now timestamptz, p_limit integer)
    RETURNS TABLE (tenant_id uuid, id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER {_PATH} AS $$
        SELECT w.tenant_id, w.id FROM whatsapp_messages w
        WHERE w.status IN ('queued', 'retrying') AND w.next_attempt_at <= p_now
        ORDER BY w.next_attempt_at LIMIT p_limit
    $$
    """,
]
DROP_FUNCTIONS = [
    "DROP FUNCTION IF EXISTS comptoir_whatsapp_due(timestamptz, integer)",
    "DROP FUNCTION IF EXISTS comptoir_whatsapp_sender_of(text, text)",
    "DROP FUNCTION IF EXISTS comptoir_whatsapp_members(text, text)",
    "DROP FUNCTION IF EXISTS comptoir_whatsapp_linked_tenants(text)",
]


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="RESTRICT",
    )


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _inbound() -> None:
    op.create_table(
        "whatsapp_inbound",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("phone_number_id", sa.String(length=32), nullable=False),
        sa.Column("wamid", sa.String(length=128), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.CheckConstraint("kind IN ('message', 'status')", name=op.f("ck_whatsapp_inbound_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_inbound")),
        sa.UniqueConstraint("key", name=op.f("uq_whatsapp_inbound_key")),
    )
    op.create_index(
        op.f("ix_whatsapp_inbound_received_at"),
        "whatsapp_inbound",
        ["received_at"],
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_index(op.f("ix_whatsapp_inbound_wamid"), "whatsapp_inbound", ["wamid"])


def _links_choices_contacts() -> None:
    op.create_table(
        "whatsapp_links",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("phone_number_id", sa.String(length=32), nullable=False),
        sa.Column("linked_by", sa.Uuid(), nullable=True),
        sa.Column(
            "templates",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        *_timestamps(),
        _tenant_fk("whatsapp_links"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_whatsapp_links")),
        sa.UniqueConstraint(
            "tenant_id",
            "phone_number_id",
            name=op.f("uq_whatsapp_links_tenant_id_phone_number_id"),
        ),
    )
    op.create_index(
        op.f("ix_whatsapp_links_tenant_id_created_at"),
        "whatsapp_links",
        ["tenant_id", "created_at"],
    )
    op.create_table(
        "whatsapp_choices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("confirmation_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('confirm', 'cancel', 'option')", name=op.f("ck_whatsapp_choices_action")
        ),
        _tenant_fk("whatsapp_choices"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_whatsapp_choices")),
    )
    op.create_index(
        op.f("ix_whatsapp_choices_tenant_id_user_id_created_at"),
        "whatsapp_choices",
        ["tenant_id", "user_id", "created_at"],
    )
    op.create_table(
        "whatsapp_contacts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _tenant_fk("whatsapp_contacts"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_whatsapp_contacts")),
        sa.UniqueConstraint(
            "tenant_id", "phone", name=op.f("uq_whatsapp_contacts_tenant_id_phone")
        ),
    )


def _messages() -> None:
    op.create_table(
        "whatsapp_messages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("phone_number_id", sa.String(length=32), nullable=False),
        sa.Column("to_phone", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("media", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("wamid", sa.String(length=128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "kind IN ('text', 'interactive', 'document', 'template')",
            name=op.f("ck_whatsapp_messages_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'retrying', 'sent', 'delivered', 'read', 'failed', 'given_up')",
            name=op.f("ck_whatsapp_messages_status"),
        ),
        _tenant_fk("whatsapp_messages"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_whatsapp_messages")),
        sa.UniqueConstraint(
            "tenant_id", "dedup_key", name=op.f("uq_whatsapp_messages_tenant_id_dedup_key")
        ),
    )
    op.create_index(
        op.f("ix_whatsapp_messages_tenant_id_next_attempt_at"),
        "whatsapp_messages",
        ["tenant_id", "next_attempt_at"],
        postgresql_where=sa.text("status IN ('queued', 'retrying')"),
    )
    op.create_index(
        op.f("ix_whatsapp_messages_tenant_id_to_phone_created_at"),
        "whatsapp_messages",
        ["tenant_id", "to_phone", "created_at"],
    )
    op.create_index(
        op.f("ix_whatsapp_messages_tenant_id_wamid"),
        "whatsapp_messages",
        ["tenant_id", "wamid"],
        unique=True,
    )


def upgrade() -> None:
    _inbound()
    _links_choices_contacts()
    _messages()
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    for statement in FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_FUNCTIONS:
        op.execute(statement)
    for table in (*TENANT_TABLES, "whatsapp_inbound"):
        op.drop_table(table)
