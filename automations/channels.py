"""Sending notifications and messages outside the app: a small registry of channel senders.

A sender takes ``(container, message)`` — an ``OutgoingMessage``: the business, the member
it is for (None for a customer), the address, subject, body and a ``dedup_key`` naming it
for good — and raises when the message did not leave. E-mail (SMTP when
``COMPTOIR_SMTP_URL`` is set, else the log) and WhatsApp (the WhatsApp outbox, keyed by
``dedup_key``, which sends after commit) are registered here; a delivery on a channel
nobody registered fails with a French reason.

A delivery is sent once: its row is locked (``SKIP LOCKED``) while it is sent and marked
``sent`` in that transaction. A crash between the server's acceptance and the commit would
send it again: at the boundary with the outside, delivery is at least once (a sender
keyed by ``dedup_key`` closes that gap).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from automations.events import subscribe
from automations.maintenance import container_for_tasks
from comptoir.bootstrap import Container
from domain.automations.models import Notification, NotificationDelivery
from domain.documents.models import Document, DocumentBlob
from domain.events.models import DomainEvent
from domain.identity.mail import Mail, MailAttachment
from domain.identity.models import Membership
from domain.kit.principal import Channel, Principal, Role
from domain.whatsapp.delivery import window_open
from domain.whatsapp.invoice_sends import EMAIL_EVENT, deliver_email
from domain.whatsapp.outbox import member_phone, queue_document, queue_text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    tenant_id: UUID
    user_id: UUID | None  # the member it is for; None for a customer
    address: str  # e-mail address, or E.164 phone number
    subject: str
    body: str
    dedup_key: str  # the same message always has the same key
    attachments: tuple[MailAttachment, ...] = ()  # files sent with it (a report, a PDF)


Sender = Callable[[Container, OutgoingMessage], None]
SENDERS: dict[str, Sender] = {}
MAX_DELIVERY_ATTEMPTS = 5
DELIVERY_BACKOFF = timedelta(minutes=2)


def register_channel(name: str, sender: Sender) -> None:
    """Make ``name`` (``"email"``, ``"whatsapp"``…) deliverable through ``sender``."""
    SENDERS[name] = sender


def send_email(container: Container, message: OutgoingMessage) -> None:
    container.mailer.send(
        Mail(
            to=message.address,
            subject=message.subject,
            body=message.body,
            attachments=message.attachments,
        )
    )


register_channel("email", send_email)


def send_whatsapp(container: Container, message: OutgoingMessage) -> None:
    """A member's notification into the WhatsApp outbox, keyed by ``dedup_key`` (sent once,
    as the business's template when the member has not written in 24 hours). Its files go
    as WhatsApp documents while the member's 24-hour window is open (a document cannot be
    a notification template); otherwise the text, which links them, goes alone."""
    if message.user_id is None:
        raise LookupError("un client reçoit ses messages WhatsApp par les modèles de facture")
    text = f"{message.subject}\n{message.body}" if message.subject else message.body
    tenant_id, user_id = message.tenant_id, message.user_id
    with container.db.unit_of_work(tenant_id) as session:
        queue_text(session, tenant_id, user_id, text, dedup_key=message.dedup_key)
        phone = member_phone(session, tenant_id, user_id)
        if not message.attachments or phone is None:
            return
        if not window_open(session, tenant_id, phone, container.clock.now()):
            return
        for n, file in enumerate(message.attachments):
            queue_document(
                session,
                tenant_id,
                user_id,
                file.data,
                filename=file.filename,
                mime_type=file.content_type,
                caption=None,
                dedup_key=f"{message.dedup_key}:file:{n}",
            )


register_channel("whatsapp", send_whatsapp)


def send_message(container: Container, channel: str, message: OutgoingMessage) -> None:
    """Send through ``channel``'s sender; a channel nobody registered is an error."""
    sender = SENDERS.get(channel)
    if sender is None:
        raise LookupError(f"aucun expéditeur pour le canal « {channel} »")
    sender(container, message)


def deliver(container: Container, tenant_id: UUID, delivery_id: UUID) -> str:
    """Send one pending delivery whose time has come; returns its status afterwards."""
    now = container.clock.now()
    with container.db.unit_of_work(tenant_id) as session:
        delivery = session.scalar(
            select(NotificationDelivery)
            .where(
                NotificationDelivery.tenant_id == tenant_id,
                NotificationDelivery.id == delivery_id,
                NotificationDelivery.status == "pending",
                NotificationDelivery.not_before <= now,
            )
            .with_for_update(skip_locked=True)
        )
        if delivery is None:
            return "skipped"
        notification = session.get(Notification, (tenant_id, delivery.notification_id))
        assert notification is not None
        delivery.attempts += 1
        try:
            message = OutgoingMessage(
                tenant_id=tenant_id,
                user_id=notification.user_id,
                address=delivery.address,
                subject=notification.title,
                body=_body(notification),
                dedup_key=f"notification:{delivery.id}",
                attachments=attached_files(session, tenant_id, notification),
            )
            send_message(container, delivery.channel, message)
        except Exception as exc:  # noqa: BLE001 - recorded, retried with back-off
            log.warning("delivery %s (%s) failed: %s", delivery.id, delivery.channel, exc)
            delivery.error = str(exc)[:2000]
            if delivery.attempts >= MAX_DELIVERY_ATTEMPTS or delivery.channel not in SENDERS:
                delivery.status = "failed"
            else:
                delivery.not_before = now + DELIVERY_BACKOFF * 2 ** (delivery.attempts - 1)
            return delivery.status
        delivery.status, delivery.sent_at, delivery.error = "sent", now, None
        return "sent"


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attached_files(
    session: Session, tenant_id: UUID, notification: Notification
) -> tuple[MailAttachment, ...]:
    """The documents a notification names in ``data["attachments"]`` (a report's files),
    as files to send; one deleted since, or that the member's current roles may not read,
    is left out."""
    from rag.service import may_read

    ids = notification.data.get("attachments") or []
    roles = session.scalar(
        select(Membership.roles).where(
            Membership.tenant_id == tenant_id,
            Membership.user_id == notification.user_id,
            Membership.is_active,
        )
    )
    if not ids or roles is None:
        return ()
    reader = Principal(
        tenant_id=tenant_id,
        user_id=notification.user_id,
        roles=frozenset(Role(r) for r in roles),
        channel=Channel.AUTOMATION,
    )
    files = []
    for document_id in ids:
        document = session.get(Document, (tenant_id, UUID(document_id)))
        blob = session.get(DocumentBlob, (tenant_id, UUID(document_id)))
        if document is None or blob is None or not may_read(reader, document):
            continue
        kind = CONTENT_TYPES.get(document.kind, "application/octet-stream")
        files.append(MailAttachment(document.filename, kind, blob.data))
    return tuple(files)


def _body(notification: Notification) -> str:
    footer = "— Comptoir (vos préférences de notification se règlent dans l'application)"
    return f"{notification.body}\n\n{footer}\n"


def due_deliveries(
    container: Container, *, tenant_id: UUID | None = None
) -> list[tuple[UUID, UUID]]:
    """Deliveries waiting to go out now (of one business, or of all)."""
    with container.db.unit_of_work(tenant_id) as session:
        rows = session.execute(
            text("SELECT tenant_id, id FROM comptoir_due_deliveries(:now, 500)"),
            {"now": container.clock.now()},
        )
        return [(r.tenant_id, r.id) for r in rows if tenant_id is None or r.tenant_id == tenant_id]


@subscribe(EMAIL_EVENT)
def send_invoice_email(session: Session, event: DomainEvent) -> None:
    """An invoice e-mail queued by ``finance.send_invoice``: sent over SMTP after commit,
    its outcome recorded on the sending (in the relay's transaction)."""
    container = container_for_tasks()
    deliver_email(
        session,
        event.tenant_id,
        UUID(event.payload["send_id"]),
        smtp_url=container.settings.smtp_url,
        sender=container.settings.mail_from,
        now=container.clock.now(),
    )
