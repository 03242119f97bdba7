"""Every identity query. Pre-tenant look-ups (login) go through SECURITY DEFINER functions
that return only what the caller already names — never a listing across tenants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from domain.identity.models import (
    AuthSession,
    Invitation,
    Membership,
    RefreshToken,
    Tenant,
    User,
)


@dataclass(frozen=True, slots=True)
class Credentials:
    user_id: UUID
    password_hash: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class TenantAccess:
    tenant_id: UUID
    slug: str
    roles: list[str]
    is_active: bool


def find_credentials(session: Session, email: str) -> Credentials | None:
    row = session.execute(
        text("SELECT id, password_hash, is_active FROM comptoir_auth_find_user(:email)"),
        {"email": email},
    ).first()
    return Credentials(row.id, row.password_hash, row.is_active) if row else None


def user_tenants(session: Session, user_id: UUID) -> list[TenantAccess]:
    rows = session.execute(
        text("SELECT tenant_id, slug, roles, is_active FROM comptoir_auth_user_tenants(:uid)"),
        {"uid": user_id},
    )
    return [TenantAccess(r.tenant_id, r.slug, list(r.roles), r.is_active) for r in rows]


def get_tenant(session: Session, tenant_id: UUID) -> Tenant | None:
    return session.get(Tenant, tenant_id)


def get_user(session: Session, user_id: UUID) -> User | None:
    return session.get(User, user_id)


def get_membership(session: Session, tenant_id: UUID, user_id: UUID) -> Membership | None:
    return session.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )


def list_members(session: Session, tenant_id: UUID) -> list[tuple[Membership, User]]:
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.name)
    )
    return [(m, u) for m, u in rows.all()]


@dataclass(frozen=True, slots=True)
class SessionAccess:
    """What decides whether a login session may still act, read in one query."""

    revoked: bool
    active: bool  # the user, the membership and the business are all active
    roles: list[str]
    slug: str


def session_access(
    session: Session, tenant_id: UUID, session_id: UUID, user_id: UUID
) -> SessionAccess | None:
    row = session.execute(
        select(
            AuthSession.revoked_at.is_not(None).label("revoked"),
            (Membership.is_active & User.is_active & Tenant.is_active).label("active"),
            Membership.roles,
            Tenant.slug,
        )
        .join(Tenant, Tenant.id == AuthSession.tenant_id)
        .join(User, User.id == AuthSession.user_id)
        .join(
            Membership,
            (Membership.tenant_id == AuthSession.tenant_id)
            & (Membership.user_id == AuthSession.user_id),
        )
        .where(
            AuthSession.tenant_id == tenant_id,
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
        )
    ).first()
    return SessionAccess(row.revoked, row.active, list(row.roles), row.slug) if row else None


def revoke_session(
    session: Session, tenant_id: UUID, session_id: UUID, *, at: datetime, reason: str
) -> bool:
    """Revoke a session still open; False if it was already revoked or does not exist."""
    return bool(_revoke_sessions(session, tenant_id, AuthSession.id == session_id, at, reason))


def _revoke_sessions(
    session: Session, tenant_id: UUID, which: Any, at: datetime, reason: str
) -> int:
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.tenant_id == tenant_id, which, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def lock_refresh_token(session: Session, tenant_id: UUID, token_id: UUID) -> RefreshToken | None:
    return session.scalar(
        select(RefreshToken)
        .where(RefreshToken.tenant_id == tenant_id, RefreshToken.id == token_id)
        .with_for_update()
    )


def email_verified(session: Session, user_id: UUID) -> bool:
    return bool(session.scalar(text("SELECT comptoir_auth_email_verified(:uid)"), {"uid": user_id}))


def release_unverified_account(session: Session, user_id: UUID, keep_tenant: UUID) -> int:
    """Detach an unverified account from every business but ``keep_tenant``."""
    return int(
        session.scalar(
            text("SELECT comptoir_release_unverified_account(:uid, :keep)"),
            {"uid": user_id, "keep": keep_tenant},
        )
        or 0
    )


def member_by_email(session: Session, tenant_id: UUID, email: str) -> Membership | None:
    """A membership of this business (RLS shows only its own members' accounts)."""
    return session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, User.email == email)
    )


def lock_membership(session: Session, tenant_id: UUID, user_id: UUID) -> Membership | None:
    return session.scalar(
        select(Membership)
        .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        .with_for_update()
    )


def lock_active_admins(session: Session, tenant_id: UUID) -> list[UUID]:
    """The active administrators, locked: two admins leaving at once cannot both pass the
    « another admin remains » check (the second waits and then sees the first gone)."""
    rows = session.scalars(
        select(Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.is_active.is_(True),
            Membership.roles.contains(["admin"]),
        )
        .order_by(Membership.id)
        .with_for_update()
    )
    return list(rows)


def delete_membership(session: Session, tenant_id: UUID, user_id: UUID) -> None:
    session.execute(
        delete(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )


def revoke_user_sessions(
    session: Session, tenant_id: UUID, user_id: UUID, *, at: datetime, reason: str
) -> int:
    return _revoke_sessions(session, tenant_id, AuthSession.user_id == user_id, at, reason)


def lock_invitation(session: Session, tenant_id: UUID, invitation_id: UUID) -> Invitation | None:
    return session.scalar(
        select(Invitation)
        .where(Invitation.tenant_id == tenant_id, Invitation.id == invitation_id)
        .with_for_update()
    )


def get_invitation(session: Session, tenant_id: UUID, invitation_id: UUID) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(Invitation.tenant_id == tenant_id, Invitation.id == invitation_id)
    )


def revoke_invitations_from(
    session: Session, tenant_id: UUID, invited_by: UUID, *, now: datetime
) -> int:
    """Revoke the pending invitations someone issued (they are leaving the business)."""
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.tenant_id == tenant_id,
            Invitation.invited_by == invited_by,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def pending_invitations(
    session: Session, tenant_id: UUID, *, now: datetime, email: str | None = None
) -> list[Invitation]:
    query = select(Invitation).where(
        Invitation.tenant_id == tenant_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )
    if email is not None:
        query = query.where(Invitation.email == email)
    return list(session.scalars(query.order_by(Invitation.created_at.desc())))
