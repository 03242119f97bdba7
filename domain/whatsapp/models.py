"""WhatsApp records.

Four tables belong to one business and sit under Row-Level Security like every tenant
table: the WhatsApp numbers it linked (``whatsapp_links``), the messages it sends
(``whatsapp_messages``, the outbox and the delivery statuses) and the references its reply
buttons carry (``whatsapp_choices``).

One table is platform-level: ``whatsapp_inbound``, the inbox of webhook deliveries. Meta
posts a delivery before anyone knows which business (or whether any) it is for — a number
may be shared by several businesses, the sender may be a stranger — so the webhook can only
record it under its own key (the ``wamid``), which is what makes processing exactly-once.
Routing happens afterwards, in the worker, through narrow SECURITY DEFINER functions
(migration 0012) that answer only "which businesses linked this number" and "which active
members have this phone there". A message's text is dropped from the inbox as soon as it
is routed: the inbox keeps keys, not conversations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import GlobalRecord, TenantEntity, TenantRecord, tenant_fk, utcnow

# Where an outgoing message stands. ``queued`` waits for its first try; ``retrying`` for
# the next after a 429/5xx; ``sent``/``delivered``/``read`` follow Meta's statuses (they
# only move forward, whatever order the webhooks come in); ``failed`` is Meta's or a
# refusal that trying again cannot fix; ``given_up`` after the last retry.
MESSAGE_STATUSES = (
    "queued",
    "retrying",
    "sent",
    "delivered",
    "read",
    "failed",
    "given_up",
)
MESSAGE_KINDS = ("text", "interactive", "document", "template")
CHOICE_ACTIONS = ("confirm", "cancel", "option")
INBOUND_KINDS = ("message", "status")
SEND_CHANNELS = ("whatsapp", "email")


class WhatsAppLink(TenantEntity):
    """A WhatsApp Business number (Meta's ``phone_number_id``) the business talks through.

    Several businesses may link the same number (a shared line): their members are then
    told apart by their own phone, and asked which business when they belong to several."""

    __tablename__ = "whatsapp_links"
    phone_number_id: Mapped[str] = mapped_column(String(32))
    linked_by: Mapped[UUID | None]
    # The message templates the business had Meta approve, by purpose (``notification``:
    # one body parameter, the text; ``invoice``: a document header and three body
    # parameters, customer, number, amount due) and their ``language`` code: what may go
    # out once a contact's 24-hour window is closed.
    templates: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    __table_args__ = (
        UniqueConstraint("tenant_id", "phone_number_id"),
        Index(None, "tenant_id", "created_at"),
    )


class WhatsAppMessage(TenantEntity):
    """One outgoing message: written in the transaction that decided to send it, sent
    after commit, retried with back-off, its delivery status kept up to date by Meta's
    webhooks. ``dedup_key`` makes "send this" happen once however often it is asked."""

    __tablename__ = "whatsapp_messages"
    dedup_key: Mapped[str] = mapped_column(String(200))
    phone_number_id: Mapped[str] = mapped_column(String(32))
    to_phone: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[UUID | None]
    kind: Mapped[str] = mapped_column(String(16))
    # The Graph API message object without ``to`` (text, interactive, document, template).
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # A document's bytes, uploaded to Meta at send time (a media id lives 30 days, a
    # retry may need a new one); its MIME type.
    media: Mapped[bytes | None] = mapped_column(LargeBinary)
    media_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    wamid: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedup_key"),
        Index(None, "tenant_id", "wamid", unique=True),
        Index(
            None,
            "tenant_id",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'retrying')"),
        ),
        Index(None, "tenant_id", "to_phone", "created_at"),
        CheckConstraint(f"status IN {MESSAGE_STATUSES}", name="status"),
        CheckConstraint(f"kind IN {MESSAGE_KINDS}", name="kind"),
    )


class WhatsAppChoice(TenantRecord):
    """What a reply button or list row stands for. Its id is all the button carries: a
    « Oui » names the pending confirmation through it (never the confirmation token, which
    is derived again on the server), an option carries its full text."""

    __tablename__ = "whatsapp_choices"
    user_id: Mapped[UUID]
    conversation_id: Mapped[UUID | None]
    action: Mapped[str] = mapped_column(String(16))
    confirmation_id: Mapped[UUID | None]
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        Index(None, "tenant_id", "user_id", "created_at"),
        CheckConstraint(f"action IN {CHOICE_ACTIONS}", name="action"),
    )


class WhatsAppContact(TenantEntity):
    """A phone the business exchanges with, and when it last wrote in: WhatsApp lets a
    business answer freely for 24 hours after that; afterwards only templates go out."""

    __tablename__ = "whatsapp_contacts"
    phone: Mapped[str] = mapped_column(String(16))
    last_inbound_at: Mapped[datetime | None]
    __table_args__ = (UniqueConstraint("tenant_id", "phone"),)


class WhatsAppInbound(GlobalRecord):
    """A webhook delivery item, recorded before anything else under its unique key:
    ``message:<wamid>`` or ``status:<wamid>:<status>``. Meta redelivers; a second insert
    of the same key is a no-op, so each is processed once."""

    __tablename__ = "whatsapp_inbound"
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    phone_number_id: Mapped[str] = mapped_column(String(32))
    wamid: Mapped[str] = mapped_column(String(128))
    # The message or status object (plus the sender's profile name); a message's is set to
    # NULL once routed.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (
        CheckConstraint(f"kind IN {INBOUND_KINDS}", name="kind"),
        Index(None, "received_at", postgresql_where=text("processed_at IS NULL")),
        Index(None, "wamid"),
    )


class InvoiceSend(TenantEntity):
    """One sending of a document's PDF — an invoice or a quote (exactly one of
    ``invoice_id`` / ``quote_id``) — recorded on it: when, by whom, on which
    channel, to which address, and where it stands. A WhatsApp sending follows its
    outgoing message (``whatsapp_message_id``; Meta's statuses are copied here as they
    arrive); an e-mail carries its PDF and text until the SMTP server has taken it."""

    __tablename__ = "invoice_sends"
    invoice_id: Mapped[UUID | None]
    quote_id: Mapped[UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))  # E.164 phone or e-mail address
    recipient_name: Mapped[str] = mapped_column(String(200))
    to_member: Mapped[UUID | None]  # sent to a member themself (« envoie-moi… »)
    sent_by: Mapped[UUID | None]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    whatsapp_message_id: Mapped[UUID | None]
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped once sent
    filename: Mapped[str] = mapped_column(String(240))
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    __table_args__ = (
        tenant_fk("invoice_id", "invoices"),
        tenant_fk("quote_id", "quotes"),
        Index(None, "tenant_id", "invoice_id", "created_at"),
        Index(None, "tenant_id", "quote_id", "created_at"),
        CheckConstraint("(invoice_id IS NULL) <> (quote_id IS NULL)", name="one_document"),
        CheckConstraint(f"status IN {MESSAGE_STATUSES}", name="status"),
        CheckConstraint(f"channel IN {SEND_CHANNELS}", name="channel"),
    )
