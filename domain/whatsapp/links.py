"""Linking a business to its WhatsApp number, and routing a delivery to a member.

Routing runs before any tenant is known, through the definer functions of migration
0012: the businesses that linked the number, and those of their active members whose
phone is the sender's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.identity.models import Membership, User
from domain.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kit.principal import Principal, Role
from domain.whatsapp.models import WhatsAppLink

_PHONE_NUMBER_ID = re.compile(r"^[0-9]{5,32}$")


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    phone_number_id: str
    templates: dict[str, str]
    created_at: datetime


def link_number(session: Session, principal: Principal, phone_number_id: str) -> WhatsAppLink:
    """Link the business to a WhatsApp Business number (Meta's ``phone_number_id``)."""
    principal.require(Role.ADMIN)
    phone_number_id = phone_number_id.strip()
    if not _PHONE_NUMBER_ID.match(phone_number_id):
        raise InvalidInput(
            "L'identifiant du numéro WhatsApp (phone_number_id) est une suite de chiffres.",
            field="phone_number_id",
        )
    existing = session.scalar(
        select(WhatsAppLink).where(
            WhatsAppLink.tenant_id == principal.tenant_id,
            WhatsAppLink.phone_number_id == phone_number_id,
        )
    )
    if existing is not None:
        raise Conflict("Ce numéro WhatsApp est déjà relié à l'entreprise.")
    link = WhatsAppLink(
        tenant_id=principal.tenant_id, phone_number_id=phone_number_id, linked_by=principal.user_id
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        principal,
        "whatsapp.link",
        target_type="whatsapp_link",
        target_id=link.id,
        after={"phone_number_id": phone_number_id},
    )
    return link


def list_links(session: Session, principal: Principal) -> list[WhatsAppLink]:
    principal.require(Role.ADMIN)
    return list(
        session.scalars(
            select(WhatsAppLink)
            .where(WhatsAppLink.tenant_id == principal.tenant_id)
            .order_by(WhatsAppLink.created_at)
        )
    )


@dataclass(frozen=True)
class Business:
    tenant_id: UUID
    name: str
    slug: str


@dataclass(frozen=True)
class Member:
    business: Business
    user_id: UUID
    roles: frozenset[Role]
    last_talk: datetime | None


def linked_businesses(session: Session, phone_number_id: str) -> list[Business]:
    rows = session.execute(
        text("SELECT tenant_id, name, slug FROM comptoir_whatsapp_linked_tenants(:p)"),
        {"p": phone_number_id},
    )
    return [Business(r.tenant_id, r.name, r.slug) for r in rows]


def members_for(session: Session, phone_number_id: str, phone: str) -> list[Member]:
    """Active members with this phone in the businesses that linked the number."""
    rows = session.execute(
        text(
            "SELECT tenant_id, name, slug, user_id, roles, last_talk "
            "FROM comptoir_whatsapp_members(:p, :phone)"
        ),
        {"p": phone_number_id, "phone": phone},
    )
    return [
        Member(
            Business(r.tenant_id, r.name, r.slug),
            r.user_id,
            frozenset(Role(x) for x in r.roles),
            r.last_talk,
        )
        for r in rows
    ]


def sender_business(session: Session, phone_number_id: str, wamid: str) -> UUID | None:
    """The business that sent the message ``wamid`` from this number, if any."""
    found = session.scalar(
        text("SELECT comptoir_whatsapp_sender_of(:p, :w)"), {"p": phone_number_id, "w": wamid}
    )
    return found if isinstance(found, UUID) else None


def _check_may_edit(session: Session, principal: Principal, user_id: UUID) -> None:
    from domain.identity import repository as identity_repo

    if user_id != principal.user_id:
        principal.require(Role.ADMIN)
        tenants = identity_repo.user_tenants(session, user_id)
        if any(t.tenant_id != principal.tenant_id for t in tenants):
            raise PermissionDenied(
                "Ce compte appartient aussi à une autre entreprise : "
                "seule la personne peut changer son numéro."
            )
    if identity_repo.get_membership(session, principal.tenant_id, user_id) is None:
        raise NotFound("Membre introuvable.")


def set_member_phone(
    session: Session, principal: Principal, user_id: UUID, phone: str | None
) -> str | None:
    """Set (or clear) the phone a member talks to the business from on WhatsApp.

    A person sets their own; an admin sets a member's only when that account belongs to no
    other business — an identity is shared, and one business must not change how a person
    is recognised by another. A phone already a member's of this business is refused:
    routing would not know who is talking."""
    from domain.identity import repository as identity_repo
    from domain.identity.legal_ids import normalize_phone

    _check_may_edit(session, principal, user_id)
    user = identity_repo.get_user(session, user_id)
    tenant = identity_repo.get_tenant(session, principal.tenant_id)
    assert user is not None and tenant is not None  # a member of the principal's business
    normalized = normalize_phone(phone, tenant.country) if phone else None
    if normalized and normalized != user.phone:
        taken = session.scalar(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.tenant_id == principal.tenant_id,
                User.phone == normalized,
                User.id != user_id,
            )
        )
        if taken is not None:
            raise Conflict("Ce numéro est déjà celui d'un autre membre de l'entreprise.")
    before, user.phone = user.phone, normalized
    session.flush()
    audit.record(
        session,
        principal,
        "member.phone",
        target_type="user",
        target_id=user_id,
        before={"phone": before},
        after={"phone": normalized},
    )
    return normalized
