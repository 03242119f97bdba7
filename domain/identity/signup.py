"""The public sign-up and the proof of the address.

``POST /tenants`` answers the same way whether or not the address already has an account,
and does the same work in both cases (the password is hashed, the business created and
prepared), so neither the answer nor its timing tells. What differs is only the e-mail:

- a new address gets an unverified administrator and a verification link; until the link
  is opened the account cannot log in (so the business cannot be used);
- an address that already has an account gets no second account: the business is created
  without members, with an admin invitation mailed to that address. Its owner accepts it
  while logged in (the password typed at sign-up is discarded). If that account was itself
  never verified, whoever opens the link from the mailbox takes it over by choosing a
  password (``domain.identity.invitations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from domain import onboarding
from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.events import service as events
from domain.identity import repository as repo
from domain.identity import service as identity
from domain.identity.errors import BadCredentials
from domain.identity.invitations import INVITATION_EVENT, PLATFORM_ACTOR, create_invitation
from domain.identity.links import LinkInvalid, Links
from domain.identity.models import Tenant
from domain.identity.passwords import Passwords
from domain.identity.schemas import SignUp, VerifyEmailIn
from domain.identity.throttle import LoginThrottle
from domain.kit.db import Database
from domain.kit.principal import Role

VERIFICATION_TTL = timedelta(days=3)
VERIFICATION_EVENT = "identity.verification_requested"
SIGNUP_MESSAGE = (
    "Entreprise enregistrée. Un e-mail vient d'être envoyé à {email} : ouvrez le lien "
    "qu'il contient pour activer votre accès."
)


@dataclass(frozen=True, slots=True)
class SignUpResult:
    tenant: Tenant
    message: str
    link: str  # shown to the caller only in development mode


def sign_up(
    db: Database,
    session: Session,
    data: SignUp,
    password_hash: str,
    links: Links,
    ctx: RequestContext,
    now: datetime,
) -> SignUpResult:
    """``password_hash`` is computed by the caller before the session's connection is
    taken, and on both paths alike (the answer's timing does not tell them apart)."""
    email = data.admin.email
    existing = repo.find_credentials(session, email)
    tenant = identity.add_tenant(db, session, data)
    if existing is None:
        link = _with_new_admin(session, data, tenant, password_hash, links, ctx, now)
    else:
        link = _with_admin_invitation(session, tenant, email, links, ctx, now)
    return SignUpResult(tenant, SIGNUP_MESSAGE.format(email=email), link)


def _with_new_admin(
    session: Session,
    data: SignUp,
    tenant: Tenant,
    password_hash: str,
    links: Links,
    ctx: RequestContext,
    now: datetime,
) -> str:
    """A new address: an unverified administrator and the link that proves it."""
    user = identity.new_user(
        session, data.admin, password_hash, data.tenant.country, verified_at=None
    )
    identity.flush_new_tenant(session)
    principal = identity.admin_principal(tenant.id, user.id, ctx)
    identity.start_tenant(session, tenant, user, principal, ctx)
    expires = now + VERIFICATION_TTL
    events.emit(session, principal, VERIFICATION_EVENT, user_id=user.id, expires_at=expires)
    return links.verification_link(
        links.verification_token(tenant.id, user.id, password_hash, expires)
    )


def _with_admin_invitation(
    session: Session,
    tenant: Tenant,
    email: str,
    links: Links,
    ctx: RequestContext,
    now: datetime,
) -> str:
    """An address that has an account: no second account, an admin invitation instead."""
    identity.flush_new_tenant(session)
    principal = identity.admin_principal(tenant.id, PLATFORM_ACTOR, ctx)
    onboarding.prepare_tenant(session, principal, tenant)
    invitation = create_invitation(
        session,
        links,
        tenant_id=tenant.id,
        email=email,
        roles=[Role.ADMIN.value],
        invited_by=None,
        now=now,
    )
    events.emit(session, principal, INVITATION_EVENT, invitation_id=invitation.id)
    events.emit(
        session,
        principal,
        "tenant.created",
        tenant_id=tenant.id,
        slug=tenant.slug,
        country=tenant.country,
        admin_user_id=None,
    )
    audit.record(
        session,
        principal,
        "tenant.create",
        target_type="tenant",
        target_id=tenant.id,
        after={**identity.tenant_fields(tenant), "admin": email},
        ip=ctx.ip,
    )
    return links.invitation_link(links.invitation_token(tenant.id, invitation.id))


@dataclass(frozen=True, slots=True)
class Verifier:
    """What checking a verification needs: the link's MAC, the password, the throttle."""

    links: Links
    passwords: Passwords
    throttle: LoginThrottle


def verify_email(
    db: Database, verifier: Verifier, ctx: RequestContext, data: VerifyEmailIn, now: datetime
) -> tuple[str, str]:
    """Mark the address proven; returns (business slug, e-mail).

    The link proves the mailbox, the password proves that whoever clicks also chose the
    account: otherwise an attacker signing up with someone else's address would get the
    account verified, with the attacker's password, by a victim clicking an unsolicited
    link. Password checks are throttled like logins. Opening the link twice is harmless;
    a link sent before the account was taken over no longer matches."""
    claims, mac = verifier.links.read_verification_token(data.token)
    if claims.expires_at <= int(now.timestamp()):
        raise LinkInvalid(
            "Ce lien a expiré. Inscrivez-vous à nouveau avec la même adresse pour en "
            "recevoir un autre."
        )
    with db.unit_of_work(claims.tenant_id) as session:
        user = repo.get_user(session, claims.user_id)
        if user is None or not verifier.links.verification_matches(claims, mac, user.password_hash):
            raise LinkInvalid()
        email, password_hash = user.email, user.password_hash
    verifier.throttle.take_login_slot(email, ctx.ip)
    # Argon2 (~0.5 s of CPU) runs with no pooled connection held.
    if not verifier.passwords.verify(password_hash, data.password):
        raise BadCredentials()
    verifier.throttle.login_succeeded(email, ctx.ip)
    with db.unit_of_work(claims.tenant_id) as session:
        user = repo.get_user(session, claims.user_id)
        tenant = repo.get_tenant(session, claims.tenant_id)
        # Re-checked: the account may have been taken over while the password was hashed.
        if (
            user is None
            or tenant is None
            or not verifier.links.verification_matches(claims, mac, user.password_hash)
        ):
            raise LinkInvalid()
        if user.email_verified_at is None:
            user.email_verified_at = now
            principal = identity.admin_principal(tenant.id, user.id, ctx)
            audit.record(
                session, principal, "auth.verify_email", target_type="user", target_id=user.id
            )
        return tenant.slug, user.email
