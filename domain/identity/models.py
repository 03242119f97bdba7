from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import GlobalEntity, TenantEntity

ROLES_SQL = "ARRAY['admin','manager','accountant','sales','hr','employee']::varchar[]"


class Tenant(GlobalEntity):
    """A business using Comptoir. Its id is the ``tenant_id`` of everything it owns."""

    __tablename__ = "tenants"
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    ninea: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        CheckConstraint("country IN ('FR','SN')", name="country"),
        CheckConstraint("currency IN ('EUR','XOF')", name="currency"),
    )


class User(GlobalEntity):
    """A person's identity, shared by every tenant they are a member of."""

    __tablename__ = "users"
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set once the person proved they read this mailbox (sign-up link, or an invitation
    # accepted from it). An unverified account cannot log in and may be taken over by
    # whoever proves the mailbox: until then it is only a claim.
    email_verified_at: Mapped[datetime | None]
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)


class Membership(TenantEntity):
    __tablename__ = "memberships"
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint(f"roles <@ {ROLES_SQL} AND cardinality(roles) > 0", name="roles"),
    )


class AuthSession(TenantEntity):
    """One login: the family of refresh tokens rotated from it. Revoking it ends them all,
    and the access tokens naming it stop working at their next request."""

    __tablename__ = "auth_sessions"
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(16))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index(None, "tenant_id", "user_id"),)


class RefreshToken(TenantEntity):
    """A single-use refresh token (its id is the JWT's ``jti``)."""

    __tablename__ = "refresh_tokens"
    session_id: Mapped[UUID]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["auth_sessions.tenant_id", "auth_sessions.id"],
            ondelete="CASCADE",
        ),
        Index(None, "tenant_id", "session_id"),
        Index(None, "tenant_id", "expires_at"),
    )


class Invitation(TenantEntity):
    """An offer to join a business, sent to an e-mail address and accepted with a link.

    Only the SHA-256 of the link's token is stored; the token itself is derived from the
    row's id with the secret key, so neither the database nor the outbox ever holds it.
    """

    __tablename__ = "invitations"
    email: Mapped[str] = mapped_column(String(254))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    token_hash: Mapped[str] = mapped_column(String(64))
    # The admin who invited, or None when the business invites its own creator (a sign-up
    # with an address that already has an account).
    invited_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    revoked_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        Index(None, "tenant_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(f"roles <@ {ROLES_SQL} AND cardinality(roles) > 0", name="roles"),
    )
