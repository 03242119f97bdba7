"""foundation: tenants, identity, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "platform_audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_hint", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_audit_log")),
    )
    op.create_index(
        op.f("ix_platform_audit_log_occurred_at"),
        "platform_audit_log",
        ["occurred_at"],
        unique=False,
    )
    op.create_table(
        "tenant_guard",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("inner_key", sa.LargeBinary(), nullable=False),
        sa.Column("outer_key", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_tenant_guard_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_guard")),
    )
    op.create_table(
        "tenants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("ninea", sa.String(length=20), nullable=True),
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
        sa.CheckConstraint("country IN ('FR','SN')", name=op.f("ck_tenants_country")),
        sa.CheckConstraint("currency IN ('EUR','XOF')", name=op.f("ck_tenants_currency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
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
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lower")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_phone"), "users", ["phone"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=True),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_audit_log_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        op.f("ix_audit_log_tenant_id_occurred_at"),
        "audit_log",
        ["tenant_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "auth_sessions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
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
            name=op.f("fk_auth_sessions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_auth_sessions_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_auth_sessions")),
    )
    op.create_index(
        op.f("ix_auth_sessions_tenant_id_user_id"),
        "auth_sessions",
        ["tenant_id", "user_id"],
        unique=False,
    )
    op.create_table(
        "memberships",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(length=16)), nullable=False),
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
        sa.CheckConstraint(
            "roles <@ ARRAY['admin','manager','accountant','sales','hr','employee']::varchar[]"
            " AND cardinality(roles) > 0",
            name=op.f("ck_memberships_roles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_memberships_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_memberships_tenant_id_user_id")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
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
            ["tenant_id", "session_id"],
            ["auth_sessions.tenant_id", "auth_sessions.id"],
            name=op.f("fk_refresh_tokens_tenant_id_session_id_auth_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_refresh_tokens_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(
        op.f("ix_refresh_tokens_tenant_id_expires_at"),
        "refresh_tokens",
        ["tenant_id", "expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_refresh_tokens_tenant_id_session_id"),
        "refresh_tokens",
        ["tenant_id", "session_id"],
        unique=False,
    )
    for statement in SECURITY_SQL:
        op.execute(statement)
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE_SQL:
        op.execute(statement)
    op.drop_index(op.f("ix_refresh_tokens_tenant_id_session_id"), table_name="refresh_tokens")
    op.drop_index(op.f("ix_refresh_tokens_tenant_id_expires_at"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_auth_sessions_tenant_id_user_id"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_index(op.f("ix_audit_log_tenant_id_occurred_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_users_phone"), table_name="users")
    op.drop_table("users")
    op.drop_table("tenants")
    op.execute("DROP FUNCTION IF EXISTS comptoir_current_tenant()")
    op.drop_table("tenant_guard")
    op.drop_index(op.f("ix_platform_audit_log_occurred_at"), table_name="platform_audit_log")
    op.drop_table("platform_audit_log")


TENANT_TABLES = ("memberships", "auth_sessions", "refresh_tokens", "audit_log")

SECURITY_SQL = [
    # Tenant context: 'app.tenant' = '<uuid>.<hmac>' checked against tenant_guard.
    """
    CREATE FUNCTION comptoir_current_tenant() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        raw text := current_setting('app.tenant', true);
        tid text;
        guard record;
    BEGIN
        IF raw IS NULL OR raw = '' THEN
            RETURN NULL;
        END IF;
        tid := split_part(raw, '.', 1);
        SELECT inner_key, outer_key INTO guard FROM tenant_guard WHERE id = 1;
        IF NOT FOUND OR encode(sha256(guard.outer_key || sha256(guard.inner_key
                || convert_to(tid, 'UTF8'))), 'hex') <> split_part(raw, '.', 2) THEN
            RAISE EXCEPTION 'invalid tenant context' USING ERRCODE = '42501';
        END IF;
        RETURN tid::uuid;
    END $$
    """,
    # A tenant sees (and creates) only its own row.
    "ALTER TABLE tenants ENABLE ROW LEVEL SECURITY",
    """CREATE POLICY tenant_self ON tenants
       USING (id = (SELECT comptoir_current_tenant()))
       WITH CHECK (id = (SELECT comptoir_current_tenant()))""",
    # Identities are shared across tenants: visible only when a member of the current tenant.
    "ALTER TABLE users ENABLE ROW LEVEL SECURITY",
    """CREATE POLICY users_of_tenant ON users FOR SELECT
       USING (id IN (SELECT user_id FROM memberships))""",
    """CREATE POLICY users_update ON users FOR UPDATE
       USING (id IN (SELECT user_id FROM memberships))""",
    "CREATE POLICY users_insert ON users FOR INSERT WITH CHECK (true)",
    # Audit logs are append-only, even for the owner.
    """
    CREATE FUNCTION comptoir_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '42501';
    END $$
    """,
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_change()""",
    """CREATE TRIGGER platform_audit_log_append_only
       BEFORE UPDATE OR DELETE OR TRUNCATE ON platform_audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_change()""",
    # Login needs two answers before any tenant is known; these give exactly those.
    """
    CREATE FUNCTION comptoir_auth_find_user(p_email text)
    RETURNS TABLE (id uuid, password_hash text, is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT u.id, u.password_hash, u.is_active FROM users u WHERE u.email = lower(p_email)
    $$
    """,
    """
    CREATE FUNCTION comptoir_auth_user_tenants(p_user_id uuid)
    RETURNS TABLE (tenant_id uuid, slug text, roles varchar[], is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT t.id, t.slug, m.roles, (m.is_active AND t.is_active)
        FROM memberships m JOIN tenants t ON t.id = m.tenant_id
        WHERE m.user_id = p_user_id
    $$
    """,
    # Housekeeping across tenants, for the scheduler: removes spent and expired tokens only.
    """
    CREATE FUNCTION comptoir_purge_refresh_tokens(p_before timestamptz) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE n integer;
    BEGIN
        DELETE FROM refresh_tokens WHERE expires_at < p_before;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
    END $$
    """,
]

DOWNGRADE_SQL = [
    "DROP POLICY IF EXISTS users_of_tenant ON users",
    "DROP POLICY IF EXISTS users_update ON users",
    "DROP FUNCTION IF EXISTS comptoir_purge_refresh_tokens(timestamptz)",
    "DROP FUNCTION IF EXISTS comptoir_auth_user_tenants(uuid)",
    "DROP FUNCTION IF EXISTS comptoir_auth_find_user(text)",
    "DROP TRIGGER IF EXISTS platform_audit_log_append_only ON platform_audit_log",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS comptoir_refuse_change()",
]
