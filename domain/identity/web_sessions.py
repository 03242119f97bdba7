"""Login sessions for a person already proven: the business chosen after the password (a
person in several businesses), and the switch from one business to another.

Both callers have proven who the person is — the password was checked a moment ago
(``Authentication.login`` refused only for want of a business), or a live session of the
same person asks to switch — so no password is asked again. The business must be one where
the person is an active member; the session is opened, and audited, in that business.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.identity import repository as repo
from domain.identity.errors import TenantAccessDenied
from domain.identity.models import AuthSession
from domain.kit.clock import Clock
from domain.kit.db import Database
from domain.kit.principal import Principal, Role


@dataclass(frozen=True, slots=True)
class Business:
    """One business a person may open a session in."""

    tenant_id: UUID
    slug: str
    name: str
    roles: list[str]


@dataclass(frozen=True, slots=True)
class OpenedSession:
    tenant_id: UUID
    user_id: UUID
    session_id: UUID


def businesses(db: Database, user_id: UUID) -> list[Business]:
    """The businesses where ``user_id`` is an active member, by name."""
    with db.unit_of_work() as session:
        access = [a for a in repo.user_tenants(session, user_id) if a.is_active]
    found = []
    for a in access:
        # Each business's name is read inside that business (RLS shows only its own row).
        with db.unit_of_work(a.tenant_id) as session:
            tenant = repo.get_tenant(session, a.tenant_id)
            name = tenant.name if tenant is not None else a.slug
        found.append(Business(a.tenant_id, a.slug, name, a.roles))
    return sorted(found, key=lambda b: (b.name.lower(), b.slug))


def open_session(
    db: Database, ctx: RequestContext, *, user_id: UUID, slug: str, action: str = "auth.login"
) -> OpenedSession:
    """Open a login session for ``user_id`` in the business ``slug`` (refused unless they
    are an active member of it), recorded as ``action`` in that business's audit log."""
    chosen = next((b for b in businesses(db, user_id) if b.slug == slug.strip().lower()), None)
    if chosen is None:
        raise TenantAccessDenied()
    with db.unit_of_work(chosen.tenant_id) as session:
        row = AuthSession(tenant_id=chosen.tenant_id, user_id=user_id, channel=ctx.channel.value)
        session.add(row)
        session.flush()
        principal = Principal(
            tenant_id=chosen.tenant_id,
            user_id=user_id,
            roles=frozenset(Role(r) for r in chosen.roles),
            channel=ctx.channel,
            session_id=row.id,
            request_id=ctx.request_id,
        )
        audit.record(session, principal, action, target_type="session", target_id=row.id, ip=ctx.ip)
        return OpenedSession(chosen.tenant_id, user_id, row.id)


def close_session(db: Database, principal: Principal, clock: Clock, *, reason: str) -> None:
    """Revoke the principal's session (a switch closes the session it leaves)."""
    assert principal.session_id is not None
    with db.unit_of_work(principal.tenant_id) as session:
        repo.revoke_session(
            session, principal.tenant_id, principal.session_id, at=clock.now(), reason=reason
        )
