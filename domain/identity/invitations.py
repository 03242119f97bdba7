"""Joining and leaving a business: invitations, acceptance, departure and removal.

An admin never creates or attaches an account: adding someone writes a pending invitation
for an address, and nothing about an existing account (its existence, name, phone) is
read or returned. The invited person accepts with the e-mailed link — logged in as the
account owning that address, or by choosing a name and a password when no *verified*
account owns it. Holding the link proves the mailbox, so an unverified account (a claim
nobody proved, e.g. an attacker who signed up first with that address) is taken over and
detached from whatever businesses its claimant attached it to.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.events import service as events
from domain.identity import repository as repo
from domain.identity.errors import (
    AlreadyMember,
    InvitationForAnotherAccount,
    InvitationNotFound,
    InvitationUnusable,
    LastAdmin,
    LoginRequired,
    MemberNotFound,
)
from domain.identity.legal_ids import normalize_phone
from domain.identity.links import Links, token_hash
from domain.identity.models import Invitation, Membership, User
from domain.identity.passwords import Passwords
from domain.identity.schemas import InvitationAccept, InvitationCreate
from domain.kit.db import Database
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role

INVITATION_TTL = timedelta(days=7)
INVITATION_EVENT = "invitation.created"
# Events and audit entries written when no account acts (a business inviting its own
# creator at sign-up) carry this id as actor.
PLATFORM_ACTOR = UUID(int=0)


def create_invitation(
    session: Session,
    links: Links,
    *,
    tenant_id: UUID,
    email: str,
    roles: list[str],
    invited_by: UUID | None,
    now: datetime,
) -> Invitation:
    """A pending invitation (older pending ones for the same address are revoked)."""
    for older in repo.pending_invitations(session, tenant_id, now=now, email=email):
        older.revoked_at = now
    invitation_id = uuid7()
    invitation = Invitation(
        tenant_id=tenant_id,
        id=invitation_id,
        email=email,
        roles=sorted(set(roles)),
        token_hash=token_hash(links.invitation_token(tenant_id, invitation_id)),
        invited_by=invited_by,
        expires_at=now + INVITATION_TTL,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    return invitation


def invite_member(
    session: Session, principal: Principal, data: InvitationCreate, links: Links, now: datetime
) -> Invitation:
    principal.require(Role.ADMIN)
    existing = repo.member_by_email(session, principal.tenant_id, data.email)
    if existing is not None and existing.is_active:
        raise AlreadyMember()
    invitation = create_invitation(
        session,
        links,
        tenant_id=principal.tenant_id,
        email=data.email,
        roles=[r.value for r in data.roles],
        invited_by=principal.user_id,
        now=now,
    )
    events.emit(session, principal, INVITATION_EVENT, invitation_id=invitation.id)
    audit.record(
        session,
        principal,
        "invitation.create",
        target_type="invitation",
        target_id=invitation.id,
        after={"email": invitation.email, "roles": invitation.roles},
    )
    return invitation


def list_invitations(session: Session, principal: Principal, now: datetime) -> list[Invitation]:
    principal.require(Role.ADMIN)
    return repo.pending_invitations(session, principal.tenant_id, now=now)


def revoke_invitation(
    session: Session, principal: Principal, invitation_id: UUID, now: datetime
) -> None:
    principal.require(Role.ADMIN)
    invitation = repo.lock_invitation(session, principal.tenant_id, invitation_id)
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        raise InvitationNotFound()
    invitation.revoked_at = now
    audit.record(
        session, principal, "invitation.revoke", target_type="invitation", target_id=invitation.id
    )


def _is_pending(invitation: Invitation, now: datetime) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > now
    )


def _issuer_still_admin(invitation: Invitation, active_admins: list[UUID]) -> bool:
    """An invitation speaks for the admin who issued it: once they are no longer an active
    admin here (removed, left, demoted), it grants nothing — else a departing admin could
    invite a second address of theirs and come back through it. The invitation a sign-up
    sends to an existing account has no issuer. ``active_admins`` are locked by the
    caller, so a removal running at the same moment is seen before or after, not half-way."""
    return invitation.invited_by is None or invitation.invited_by in active_admins


@dataclass(frozen=True, slots=True)
class Accepted:
    tenant_slug: str
    email: str
    roles: list[str]
    user_id: UUID


class InvitationAcceptance:
    """``POST /invitations/accept``: one transaction in the invitation's business."""

    def __init__(self, db: Database, passwords: Passwords, links: Links) -> None:
        self.db = db
        self.passwords = passwords
        self.links = links

    def accept(
        self,
        ctx: RequestContext,
        data: InvitationAccept,
        *,
        now: datetime,
        logged_in: Principal | None = None,
    ) -> Accepted:
        tenant_id, invitation_id = self.links.read_invitation_token(data.token)
        # Argon2 (~0.5 s of CPU) before a pooled connection is taken; the token's MAC is
        # checked above, so only a genuine link costs a hash.
        password_hash = None if logged_in is not None else self._hash_chosen(data)
        with self.db.unit_of_work(tenant_id) as session:
            # Admins first, as a removal does, so the two cannot deadlock.
            admins = repo.lock_active_admins(session, tenant_id)
            invitation = repo.lock_invitation(session, tenant_id, invitation_id)
            if (
                invitation is None
                or not hmac.compare_digest(invitation.token_hash, token_hash(data.token))
                or not _is_pending(invitation, now)
                or not _issuer_still_admin(invitation, admins)
            ):
                raise InvitationUnusable()
            if password_hash is None:
                assert logged_in is not None
                user_id = self._owner_logged_in(session, invitation, logged_in)
            else:
                user_id = self._owner_by_password(session, invitation, data, password_hash, now)
            principal = Principal(
                tenant_id=tenant_id,
                user_id=user_id,
                roles=frozenset(Role(r) for r in invitation.roles),
                channel=ctx.channel,
                request_id=ctx.request_id,
            )
            _join(session, principal, invitation.roles)
            invitation.accepted_at = now
            invitation.accepted_by = user_id
            tenant = repo.get_tenant(session, tenant_id)
            assert tenant is not None
            audit.record(
                session,
                principal,
                "invitation.accept",
                target_type="invitation",
                target_id=invitation.id,
                after={"roles": invitation.roles},
                ip=ctx.ip,
            )
            return Accepted(tenant.slug, invitation.email, invitation.roles, user_id)

    @staticmethod
    def _owner_logged_in(session: Session, invitation: Invitation, who: Principal) -> UUID:
        owner = repo.find_credentials(session, invitation.email)
        if owner is None or owner.user_id != who.user_id:
            raise InvitationForAnotherAccount()
        return who.user_id

    def _hash_chosen(self, data: InvitationAccept) -> str:
        if not data.name or not data.password:
            raise InvalidInput(
                "Indiquez votre nom et choisissez un mot de passe (ou connectez-vous).",
                field="password",
            )
        return self.passwords.hash(data.password)

    @staticmethod
    def _owner_by_password(
        session: Session,
        invitation: Invitation,
        data: InvitationAccept,
        password_hash: str,
        now: datetime,
    ) -> UUID:
        assert data.name  # checked by _hash_chosen
        tenant = repo.get_tenant(session, invitation.tenant_id)
        assert tenant is not None
        phone = normalize_phone(data.phone, tenant.country) if data.phone else None
        owner = repo.find_credentials(session, invitation.email)
        if owner is None:
            created = User(
                id=uuid7(),
                email=invitation.email,
                name=data.name.strip(),
                password_hash=password_hash,
                phone=phone,
                email_verified_at=now,
            )
            session.add(created)
            try:
                session.flush()
            except IntegrityError as exc:
                # Another link for the same address was accepted at the same instant.
                raise LoginRequired() from exc
            return created.id
        if repo.email_verified(session, owner.user_id):
            raise LoginRequired()
        # An unproven claim on this address: the mailbox's owner takes it over.
        repo.release_unverified_account(session, owner.user_id, invitation.tenant_id)
        _ensure_membership_row(session, invitation.tenant_id, owner.user_id, invitation.roles)
        taken = repo.get_user(session, owner.user_id)
        assert taken is not None  # a member of this business now, so visible
        taken.name = data.name.strip()
        taken.password_hash = password_hash
        taken.phone = phone
        taken.email_verified_at = now
        session.flush()
        return taken.id


def _ensure_membership_row(
    session: Session, tenant_id: UUID, user_id: UUID, roles: list[str]
) -> Membership:
    membership = repo.lock_membership(session, tenant_id, user_id)
    if membership is None:
        membership = Membership(tenant_id=tenant_id, user_id=user_id, roles=sorted(roles))
        session.add(membership)
    else:
        membership.roles = sorted(roles)
        membership.is_active = True
    session.flush()
    return membership


def _join(session: Session, principal: Principal, roles: list[str]) -> None:
    _ensure_membership_row(session, principal.tenant_id, principal.user_id, roles)
    events.emit(session, principal, "member.added", user_id=principal.user_id, roles=roles)


def remove_member(session: Session, principal: Principal, user_id: UUID, now: datetime) -> None:
    """An admin removes a member, or a member leaves (``user_id`` is their own). Their
    sessions in this business end at once, and so do the invitations they issued that are
    still pending (no way back in through an address of their own); the last active admin
    cannot go."""
    leaving = user_id == principal.user_id
    if not leaving:
        principal.require(Role.ADMIN)
    admins = repo.lock_active_admins(session, principal.tenant_id)
    membership = repo.lock_membership(session, principal.tenant_id, user_id)
    if membership is None:
        raise MemberNotFound()
    if admins == [user_id]:
        raise LastAdmin()
    repo.revoke_user_sessions(
        session, principal.tenant_id, user_id, at=now, reason="left" if leaving else "removed"
    )
    repo.revoke_invitations_from(session, principal.tenant_id, user_id, now=now)
    repo.delete_membership(session, principal.tenant_id, user_id)
    events.emit(session, principal, "member.removed", user_id=user_id)
    audit.record(
        session,
        principal,
        "member.leave" if leaving else "member.remove",
        target_type="user",
        target_id=user_id,
        before={"roles": membership.roles},
    )
