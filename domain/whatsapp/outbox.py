"""Queueing outgoing WhatsApp messages: rows written in the caller's transaction, sent
after commit (domain/whatsapp/delivery.py), each at most once per ``dedup_key``.

``queue_text`` is the entry point for other code (automations, notifications): it finds
the member's phone and the business's linked number itself, splits long texts and queues
them; nothing is sent if the transaction rolls back.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.events.models import DomainEvent
from domain.identity.models import Membership, User
from domain.kit.clock import Clock
from domain.kit.db import EVENT_PUBLISHER, on_commit
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.whatsapp.models import WhatsAppLink, WhatsAppMessage
from domain.whatsapp.render import split_text

# The event the relay hands to the sender (automations/whatsapp.py).
QUEUED_EVENT = "whatsapp.message_queued"


def queue(
    session: Session,
    tenant_id: UUID,
    *,
    phone_number_id: str,
    to_phone: str,
    kind: str,
    body: dict[str, Any],
    dedup_key: str,
    user_id: UUID | None = None,
    media: bytes | None = None,
    media_type: str | None = None,
    announce: bool = True,
) -> UUID | None:
    """Queue one message; None when ``dedup_key`` was already queued (nothing added).
    A document message carries its file in ``media``: uploaded when it is sent.
    ``announce=False`` when the caller sends it itself right after commit (a worker's
    replies): no outbox event, no relay task doing it a second time — if the caller dies
    first, the sweep finds the message due and sends it."""
    message_id = session.scalar(
        insert(WhatsAppMessage)
        .values(
            tenant_id=tenant_id,
            id=uuid7(),
            dedup_key=dedup_key[:200],
            phone_number_id=phone_number_id,
            to_phone=to_phone,
            user_id=user_id,
            kind=kind,
            body=body,
            media=media,
            media_type=media_type,
            status="queued",
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "dedup_key"])
        .returning(WhatsAppMessage.id)
    )
    if message_id is not None and announce:
        _announce(session, tenant_id, message_id)
    return message_id


def _announce(session: Session, tenant_id: UUID, message_id: UUID) -> None:
    """An outbox event naming the message: relayed after commit, or by the sweep."""
    event = DomainEvent(
        tenant_id=tenant_id,
        id=uuid7(),
        name=QUEUED_EVENT,
        payload={"message_id": str(message_id)},
        channel="whatsapp",
    )
    session.add(event)
    session.flush()
    publisher = session.info.get(EVENT_PUBLISHER)
    if publisher is not None:
        on_commit(session, partial(publisher, tenant_id, event.id))


def business_number(session: Session, tenant_id: UUID) -> str | None:
    """The WhatsApp number (``phone_number_id``) the business linked first."""
    return session.scalar(
        select(WhatsAppLink.phone_number_id)
        .where(WhatsAppLink.tenant_id == tenant_id)
        .order_by(WhatsAppLink.created_at, WhatsAppLink.id)
        .limit(1)
    )


def member_phone(session: Session, tenant_id: UUID, user_id: UUID) -> str | None:
    """The phone of an active member of the business (None if none is known)."""
    return session.scalar(
        select(User.phone)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.user_id == user_id,
            Membership.is_active.is_(True),
            User.is_active.is_(True),
        )
    )


def queue_text(
    session: Session, tenant_id: UUID, user_id: UUID, text: str, *, dedup_key: str
) -> list[UUID]:
    """Queue ``text`` to a member of the business on WhatsApp, in the caller's
    transaction; sent after commit, once per ``dedup_key`` (e.g. an automation's run and
    period). Long texts go as several messages. Raises ``InvalidInput`` (in French) when
    the business has no WhatsApp number or the member no phone."""
    number = business_number(session, tenant_id)
    if number is None:
        raise InvalidInput("Aucun numéro WhatsApp n'est relié à cette entreprise.")
    phone = member_phone(session, tenant_id, user_id)
    if phone is None:
        raise InvalidInput("Ce membre n'a pas de numéro de téléphone enregistré.")
    queued = []
    for n, part in enumerate(split_text(text)):
        message_id = queue(
            session,
            tenant_id,
            phone_number_id=number,
            to_phone=phone,
            kind="text",
            body=text_body(part),
            dedup_key=f"{dedup_key}:{n}",
            user_id=user_id,
        )
        if message_id is not None:
            queued.append(message_id)
    return queued


def text_body(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def queue_document(
    session: Session,
    tenant_id: UUID,
    user_id: UUID,
    data: bytes,
    *,
    filename: str,
    mime_type: str,
    caption: str | None,
    dedup_key: str,
) -> UUID | None:
    """Queue a file to a member of the business as a WhatsApp document message (uploaded
    to Meta when sent, then sent by its media id)."""
    number = business_number(session, tenant_id)
    phone = member_phone(session, tenant_id, user_id)
    if number is None or phone is None:
        raise InvalidInput("Impossible d'envoyer ce document sur WhatsApp : numéro inconnu.")
    document: dict[str, Any] = {"filename": filename[:240]}
    if caption:
        document["caption"] = caption[:1024]
    return queue(
        session,
        tenant_id,
        phone_number_id=number,
        to_phone=phone,
        kind="document",
        body={"type": "document", "document": document},
        dedup_key=dedup_key,
        user_id=user_id,
        media=data,
        media_type=mime_type,
    )


def queue_invoice_pdf(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID, *, dedup_key: str
) -> UUID | None:
    """« Envoie-moi la facture F-2026-00012 »: the invoice's PDF (Factur-X for a French
    business's posted invoice, as the API serves it) to the person asking, on WhatsApp.
    The invoice is read with the asker's own rights."""
    from domain.finance import printing
    from domain.whatsapp.invoice_sends import pdf_of

    doc = printing.invoice_document(session, principal, clock, invoice_id)
    return queue_document(
        session,
        principal.tenant_id,
        principal.user_id,
        pdf_of(doc),
        filename=f"{doc.number}.pdf",
        mime_type="application/pdf",
        caption=f"Facture {doc.number}",
        dedup_key=dedup_key,
    )
