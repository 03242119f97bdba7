"""invitations and verified e-mail addresses

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Members join a business by accepting an invitation sent to their address, and sign-up
proves the address before the account can log in. Accounts that exist before this
revision were created by an operator or a seed and are taken as verified.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.identity.models import ROLES_SQL
from domain.kit.rls import tenant_policy_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE users SET email_verified_at = created_at")
    op.create_table(
        "invitations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_invitations_email_lower")),
        sa.CheckConstraint(
            f"roles <@ {ROLES_SQL} AND cardinality(roles) > 0", name=op.f("ck_invitations_roles")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_invitations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["users.id"],
            name=op.f("fk_invitations_accepted_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invitations")),
        sa.UniqueConstraint(
            "tenant_id", "token_hash", name=op.f("uq_invitations_tenant_id_token_hash")
        ),
    )
    op.create_index(op.f("ix_invitations_tenant_id_email"), "invitations", ["tenant_id", "email"])
    for statement in [*tenant_policy_sql("invitations"), *FUNCTIONS]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS comptoir_release_unverified_account(uuid, uuid)")
    op.execute("DROP FUNCTION IF EXISTS comptoir_auth_email_verified(uuid)")
    op.drop_index(op.f("ix_invitations_tenant_id_email"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_column("users", "email_verified_at")


FUNCTIONS = [
    # Login decides before any tenant is bound whether the address was proven.
    """
    CREATE FUNCTION comptoir_auth_email_verified(p_user_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = p_user_id
    $$
    """,
    # Whoever proves the mailbox takes over an unverified account: the businesses the
    # previous, unproven claimant attached to it are detached (it could never log in to
    # them). Does nothing to a verified account.
    """
    CREATE FUNCTION comptoir_release_unverified_account(p_user_id uuid, p_keep_tenant uuid)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE n integer;
    BEGIN
        UPDATE memberships m SET is_active = false, updated_at = now()
        WHERE m.user_id = p_user_id AND m.tenant_id <> p_keep_tenant AND m.is_active
          AND EXISTS (SELECT 1 FROM users u
                      WHERE u.id = p_user_id AND u.email_verified_at IS NULL);
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
    END $$
    """,
]
