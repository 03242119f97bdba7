"""The WhatsApp bot's entry point: one recorded delivery in, the answer queued.

Runs in the Celery worker (automations/whatsapp.py) for each item the webhook recorded. A
status goes onto the message it is about. A message is routed by the number it was sent to
(``phone_number_id`` → the businesses that linked it) and by its sender's phone (→ an
active member), then handed to the conversation (api/whatsapp_turn.py). A delivery
processed once is never processed again, however often Meta sends it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.whatsapp_turn import (
    QUEUED,
    AlreadyProcessed,
    Delivery,
    answer_plainly,
    converse,
    note_inbound,
    queue_reply,
)
from comptoir.bootstrap import Container
from domain.conversations.models import Conversation
from domain.kit.principal import Channel
from domain.whatsapp import inbox, links, outbox
from domain.whatsapp.delivery import WINDOW, apply_status
from domain.whatsapp.invoice_sends import follow
from domain.whatsapp.models import WhatsAppMessage
from domain.whatsapp.render import MAX_ROWS, choices_body

log = logging.getLogger("comptoir.whatsapp")


NOT_A_MEMBER = (
    "Bonjour ! Ce numéro WhatsApp est celui d'une entreprise qui utilise Comptoir, mais "
    "votre numéro n'y est pas enregistré. Demandez à son administrateur de l'ajouter à "
    "votre profil, puis écrivez-nous à nouveau."
)
FAILED = (
    "Désolé, je n'ai pas pu traiter votre message à cause d'une erreur de notre côté. "
    "Rien n'a été enregistré : réessayez dans quelques minutes."
)
CHOSEN = "C'est noté : vous parlez à {name}. Que puis-je faire pour vous ?"
WHICH_BUSINESS = (
    "Votre numéro est enregistré dans plusieurs entreprises. Pour laquelle est ce message ?"
)


def process(c: Container, inbound_id: UUID) -> str:
    """Process one recorded delivery; returns what became of it."""
    now = c.clock.now()
    with c.db.unit_of_work() as session:
        row = inbox.claim(session, inbound_id, now)
        if row is None:
            return "skipped"
        kind, number, wamid = row.kind, row.phone_number_id, row.wamid
        payload, attempts = dict(row.payload or {}), row.attempts
        delivery = Delivery(inbound_id, number, wamid, payload)
        # Who is writing, looked up in the claim's transaction: one round trip fewer.
        found = _lookup(session, delivery) if kind == "message" else None
    try:
        if kind == "status":
            return record_status(c, inbound_id, number, wamid, payload, attempts)
        return _route(c, delivery, found)
    except AlreadyProcessed:
        return "duplicate"
    except Exception:
        if attempts >= inbox.MAX_ATTEMPTS:
            _give_up(c, Delivery(inbound_id, number, wamid, payload), kind)
        else:
            with c.db.unit_of_work() as session:
                inbox.release(session, inbound_id)
        raise


def _give_up(c: Container, delivery: Delivery, kind: str) -> None:
    """The last try failed too: the delivery is closed, and a person who wrote is told."""
    if kind != "message":
        _finish_only(c, delivery, "failed")
        return
    try:
        with c.db.unit_of_work() as session:
            members = links.members_for(session, delivery.phone_number_id, delivery.phone)
        if members:
            answer_plainly(c, members[0].business.tenant_id, delivery, FAILED)
            return
    except Exception:  # noqa: BLE001 - the delivery is closed below whatever happens
        log.exception("WhatsApp delivery %s: the apology failed too", delivery.wamid)
    _finish_only(c, delivery, "failed")


def record_status(
    c: Container, inbound_id: UUID, number: str, wamid: str, status: dict[str, Any], attempts: int
) -> str:
    """Put Meta's status on the message it is about; one about a message whose id is not
    known yet waits (the sender applies it when it records the id)."""
    with c.db.unit_of_work() as session:
        tenant_id = links.sender_business(session, number, wamid)
    if tenant_id is None:
        with c.db.unit_of_work() as session:
            row = inbox.lock_unprocessed(session, inbound_id)
            if row is not None and attempts >= inbox.MAX_ATTEMPTS:
                inbox.finish(session, row, c.clock.now(), "unknown_message")
        return "waiting"
    with c.db.unit_of_work(tenant_id) as session:
        row = inbox.lock_unprocessed(session, inbound_id)
        message = session.scalar(
            select(WhatsAppMessage)
            .where(WhatsAppMessage.tenant_id == tenant_id, WhatsAppMessage.wamid == wamid)
            .with_for_update()
        )
        if row is None or message is None:
            return "duplicate"
        apply_status(message, status)
        follow(message)  # an invoice sending carried by this message
        inbox.finish(session, row, c.clock.now(), "applied")
        return message.status


Found = tuple[list[links.Business], list[links.Member]]


def _lookup(session: Session, delivery: Delivery) -> Found:
    """The businesses that linked the number, and the sender's memberships there."""
    return (
        links.linked_businesses(session, delivery.phone_number_id),
        links.members_for(session, delivery.phone_number_id, delivery.phone),
    )


def _route(c: Container, delivery: Delivery, found: Found | None = None) -> str:
    if found is None:
        with c.db.unit_of_work() as session:
            found = _lookup(session, delivery)
    businesses, members = found
    if not businesses:
        log.warning("WhatsApp delivery for an unlinked number %s", delivery.phone_number_id)
        return _finish_only(c, delivery, "unlinked")
    button = delivery.button_id or ""
    if button.startswith("b:"):
        return _business_chosen(c, delivery, members, button)
    if not members:
        answer_plainly(c, businesses[0].tenant_id, delivery, NOT_A_MEMBER)
        return "unknown_sender"
    member = _current_member(members, c.clock.now())
    if member is None:
        _ask_business(c, delivery, members)
        return "asked_business"
    return converse(c, member, delivery)


def _current_member(members: list[links.Member], now: datetime) -> links.Member | None:
    """The only membership, or the one talked to in the last 24 hours (else: ask)."""
    if len(members) == 1:
        return members[0]
    recent = [m for m in members if m.last_talk is not None and now - m.last_talk < WINDOW]
    return max(recent, key=lambda m: m.last_talk or now) if recent else None


def _finish_only(c: Container, delivery: Delivery, outcome: str) -> str:
    with c.db.unit_of_work() as session:
        row = inbox.lock_unprocessed(session, delivery.inbound_id)
        if row is not None:
            inbox.finish(session, row, c.clock.now(), outcome)
    return outcome


def _ask_business(c: Container, delivery: Delivery, members: list[links.Member]) -> None:
    """Which business? Buttons (or a list) naming them; the message waits for the answer."""
    tenant_id = members[0].business.tenant_id
    options = [(f"b:{m.business.slug}:{delivery.inbound_id}", m.business.name) for m in members]
    with c.db.unit_of_work(tenant_id) as session:
        row = inbox.lock_unprocessed(session, delivery.inbound_id)
        if row is None:
            raise AlreadyProcessed()
        note_inbound(session, tenant_id, delivery.phone, c.clock.now())
        queue_reply(
            session,
            tenant_id,
            phone_number_id=delivery.phone_number_id,
            to_phone=delivery.phone,
            kind="interactive",
            body=choices_body(WHICH_BUSINESS, options[:MAX_ROWS]),
            dedup_key=f"reply:{delivery.wamid}:0",
            user_id=members[0].user_id,
        )
        inbox.finish(session, row, c.clock.now(), "asked_business", keep=True)


def _business_chosen(
    c: Container, delivery: Delivery, members: list[links.Member], button: str
) -> str:
    """The answer to « pour quelle entreprise ? »: the waiting message goes to it."""
    _, slug, waiting_id = (button.split(":", 2) + ["", ""])[:3]
    member = next((m for m in members if m.business.slug == slug), None)
    if member is None:
        return _finish_only(c, delivery, "unknown_business")
    original = _waiting_message(c, waiting_id, delivery.phone)
    if original is None:  # nothing waits any more: the choice opens the conversation
        return _start_conversation(c, member, delivery)
    return converse(
        c,
        member,
        Delivery(
            delivery.inbound_id,
            delivery.phone_number_id,
            delivery.wamid,
            {**original, "from": delivery.payload.get("from")},
        ),
        waiting_id=waiting_id,
    )


def _start_conversation(c: Container, member: links.Member, delivery: Delivery) -> str:
    """A WhatsApp conversation with the business chosen (later messages go to it), and
    a reply saying so."""
    tenant_id = member.business.tenant_id
    with c.db.unit_of_work(tenant_id) as session:
        row = inbox.lock_unprocessed(session, delivery.inbound_id)
        if row is None:
            raise AlreadyProcessed()
        now = c.clock.now()
        conversation = Conversation(
            tenant_id=tenant_id, user_id=member.user_id, channel=Channel.WHATSAPP.value
        )
        session.add(conversation)
        note_inbound(session, tenant_id, delivery.phone, now)
        queue_reply(
            session,
            tenant_id,
            phone_number_id=delivery.phone_number_id,
            to_phone=delivery.phone,
            kind="text",
            body=outbox.text_body(CHOSEN.format(name=member.business.name)),
            dedup_key=f"reply:{delivery.wamid}:0",
            user_id=member.user_id,
        )
        inbox.finish(session, row, now, "chose_business")
    return "chose_business"


def _waiting_message(c: Container, waiting_id: str, phone: str) -> dict[str, Any] | None:
    from domain.whatsapp.models import WhatsAppInbound

    try:
        row_id = UUID(waiting_id)
    except ValueError:
        return None
    with c.db.unit_of_work() as session:
        row = session.get(WhatsAppInbound, row_id)
        if row is None or row.payload is None or row.outcome != "asked_business":
            return None
        if "+" + str(row.payload.get("from") or "") != phone:
            return None
        return dict(row.payload)


__all__ = ["QUEUED", "note_inbound", "process"]
