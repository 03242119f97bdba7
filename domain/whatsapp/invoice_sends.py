"""Sending a document's PDF — an invoice or a quote — outside the app, to its customer or
to the member asking, by WhatsApp or by e-mail, and the record of each sending on the
document. One path serves both kinds; what differs (how the PDF is read, the wording, the
WhatsApp template, what a draft may do) is the ``Kind`` of the document.

A sending is one ``invoice_sends`` row (``invoice_id`` or ``quote_id``) written in the
caller's transaction:

- **WhatsApp** queues a message in the WhatsApp outbox (the business's ``invoice`` or
  ``quote`` template with the PDF for a customer, who has usually not written in the last
  24 hours; a document message for a member). The row follows that message: Meta's statuses
  (``sent``, ``delivered``, ``read``, ``failed``) are copied onto it as they arrive
  (``follow``).
- **E-mail** keeps its subject, body and PDF on the row and announces itself with a
  domain event; after commit the relay hands it to ``deliver_email``, which sends it over
  SMTP (``COMPTOIR_SMTP_URL``) and records the server's answer. The PDF is dropped once the
  server took it.

A draft invoice never goes to a customer (it has no number yet); a draft quote does, and
is then marked sent. Nothing leaves if the transaction rolls back (a preview's dry run, a
refused turn).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from domain.audit import service as audit
from domain.events.models import DomainEvent
from domain.finance.documents.model import DocumentKind, PrintableDocument
from domain.identity.mail import Mail, MailAttachment, SmtpMailer
from domain.identity.models import User
from domain.kit.clock import Clock
from domain.kit.db import EVENT_PUBLISHER, on_commit
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Channel, Principal, Role
from domain.whatsapp.models import InvoiceSend, WhatsAppMessage
from domain.whatsapp.outbox import business_number, member_phone, queue_document
from domain.whatsapp.templates import queue_to_customer, templates_of

log = logging.getLogger("comptoir.invoice_sends")

SendChannel = Literal["whatsapp", "email"]
DocumentName = Literal["invoice", "quote"]
SENDERS = (Role.ACCOUNTANT, Role.SALES, Role.MANAGER)
EMAIL_EVENT = "invoice.email_queued"
DEDUP_PREFIX = "invoice-send:"
CHANNEL_LABELS = {"whatsapp": "WhatsApp", "email": "e-mail"}


@dataclass(frozen=True, slots=True)
class Kind:
    """What differs between sending an invoice and sending a quote."""

    name: DocumentName  # also the WhatsApp template's purpose and the audit's target
    label: str  # « facture », « devis »
    article: str  # « la facture », « le devis »
    draft_goes_out: bool  # a draft may go to the customer (a quote, not an invoice)


INVOICE = Kind("invoice", "facture", "la facture", draft_goes_out=False)
QUOTE = Kind("quote", "devis", "le devis", draft_goes_out=True)


@dataclass(frozen=True, slots=True)
class Plan:
    """Where a sending goes: what the preview shows and the sending does."""

    channel: SendChannel
    address: str  # E.164 phone or e-mail address
    name: str  # the customer's name, or the member's
    to_member: bool


def printable(
    session: Session, principal: Principal, clock: Clock, document_id: UUID, kind: Kind = INVOICE
) -> PrintableDocument:
    from domain.finance import printing

    if kind.name == "quote":
        return printing.quote_document(session, principal, clock, document_id)
    return printing.invoice_document(session, principal, clock, document_id)


def pdf_of(doc: PrintableDocument) -> bytes:
    """The PDF the API serves: Factur-X for a French business's posted invoice."""
    from domain.finance.documents.facturx import facturx_pdf
    from domain.finance.documents.pdf import render_pdf

    facturx = doc.country == "FR" and doc.number != "BROUILLON" and doc.kind != DocumentKind.QUOTE
    return facturx_pdf(doc) if facturx else render_pdf(doc)


def plan(
    session: Session,
    principal: Principal,
    doc: PrintableDocument,
    channel: SendChannel | None,
    *,
    to_me: bool,
    kind: Kind = INVOICE,
) -> Plan:
    """The channel and address of a sending, or a French refusal: a draft invoice to a
    customer, a customer (or member) with neither phone nor e-mail, the channel asked for
    unknown."""
    if to_me:
        return _to_member(session, principal, channel)
    if doc.number == "BROUILLON" and not kind.draft_goes_out:
        raise InvalidInput(
            "Cette facture est encore un brouillon : elle ne s'envoie pas au client. "
            "Validez-la d'abord (« valide la facture »)."
        )
    phone, email, name = doc.buyer.phone, doc.buyer.email, doc.buyer.name
    if channel is None:
        channel = _customer_channel(session, principal.tenant_id, phone, email, name, kind)
    channel, address = reach(name, phone, email, channel)
    return Plan(channel, address, name, to_member=False)


def reach(
    name: str, phone: str | None, email: str | None, channel: SendChannel
) -> tuple[SendChannel, str]:
    """A customer's address on ``channel``, or a French refusal naming the other one."""
    if channel == "whatsapp" and not phone:
        other = f" (son e-mail : {email})" if email else ""
        raise InvalidInput(f"{name} n'a pas de numéro de téléphone enregistré{other}.")
    if channel == "email" and not email:
        other = f" (son numéro WhatsApp : {phone})" if phone else ""
        raise InvalidInput(f"{name} n'a pas d'adresse e-mail enregistrée{other}.")
    address = phone if channel == "whatsapp" else email
    assert address is not None
    return channel, address


def _customer_channel(
    session: Session,
    tenant_id: UUID,
    phone: str | None,
    email: str | None,
    name: str,
    kind: Kind,
) -> SendChannel:
    """Unsaid: WhatsApp when the customer has a phone and the business a template for
    the document, else e-mail when known, else WhatsApp (which then says what is
    missing)."""
    if phone and _has_template(session, tenant_id, kind.name):
        return "whatsapp"
    if email:
        return "email"
    if phone:
        return "whatsapp"
    raise InvalidInput(
        f"{name} n'a ni numéro de téléphone ni adresse e-mail enregistrés : ajoutez-en un "
        f"sur sa fiche client pour lui envoyer {kind.article}."
    )


def _has_template(session: Session, tenant_id: UUID, purpose: str) -> bool:
    number = business_number(session, tenant_id)
    return number is not None and bool(templates_of(session, tenant_id, number).get(purpose))


def _to_member(session: Session, principal: Principal, channel: SendChannel | None) -> Plan:
    """« Envoie-moi la facture »: on WhatsApp when asked there (or when said), else by
    e-mail to the member's own address."""
    user = session.get(User, principal.user_id)
    name = user.name if user is not None else "vous"
    if channel is None:
        channel = "whatsapp" if principal.channel == Channel.WHATSAPP else "email"
    if channel == "whatsapp":
        phone = member_phone(session, principal.tenant_id, principal.user_id)
        if phone is None or business_number(session, principal.tenant_id) is None:
            raise InvalidInput(
                "Je ne peux pas vous l'envoyer sur WhatsApp : aucun numéro WhatsApp n'est "
                "relié à l'entreprise ou votre téléphone n'est pas enregistré."
            )
        return Plan("whatsapp", phone, name, to_member=True)
    if user is None or not user.email:
        raise InvalidInput("Votre compte n'a pas d'adresse e-mail enregistrée.")
    return Plan("email", user.email, name, to_member=True)


def send_invoice(
    session: Session,
    principal: Principal,
    clock: Clock,
    invoice_id: UUID,
    *,
    channel: SendChannel | None = None,
    to_me: bool = False,
) -> InvoiceSend:
    """Send an invoice's PDF (see the module's docstring)."""
    return send_document(session, principal, clock, INVOICE, invoice_id, channel, to_me=to_me)


def send_quote(
    session: Session,
    principal: Principal,
    clock: Clock,
    quote_id: UUID,
    *,
    channel: SendChannel | None = None,
    to_me: bool = False,
) -> InvoiceSend:
    """Send a quote's PDF (see the module's docstring); a draft quote sent to its
    customer becomes sent."""
    from domain.finance import quotes

    quote, _, _ = quotes.quote_with_lines(session, principal, clock, quote_id)
    if not quote.is_current:
        raise InvalidInput(
            f"Le devis {quote.number} v{quote.version} a été remplacé par une version plus "
            "récente : envoyez celle-ci."
        )
    send = send_document(session, principal, clock, QUOTE, quote_id, channel, to_me=to_me)
    if not to_me and quote.status == "draft":
        quotes.send_quote(session, principal, clock, quote_id)
    return send


def send_document(
    session: Session,
    principal: Principal,
    clock: Clock,
    kind: Kind,
    document_id: UUID,
    channel: SendChannel | None,
    *,
    to_me: bool,
) -> InvoiceSend:
    """Send a document's PDF; the sending is recorded on it and leaves after commit.
    Refused in French when it cannot go."""
    principal.require(*SENDERS)
    doc = printable(session, principal, clock, document_id, kind)
    where = plan(session, principal, doc, channel, to_me=to_me, kind=kind)
    send = InvoiceSend(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        invoice_id=document_id if kind.name == "invoice" else None,
        quote_id=document_id if kind.name == "quote" else None,
        channel=where.channel,
        recipient=where.address,
        recipient_name=where.name[:200],
        to_member=principal.user_id if where.to_member else None,
        sent_by=principal.user_id,
        status="queued",
        filename=f"{doc.number}.pdf",
    )
    session.add(send)
    session.flush()
    _queue(session, principal, send, doc, kind, where)
    if where.channel == "email" or where.to_member:  # the customer template audits itself
        audit.record(
            session,
            principal,
            f"{kind.name}.send_{where.channel}",
            target_type=kind.name,
            target_id=document_id,
            after={"send": str(send.id), "to": where.address, "member": where.to_member},
        )
    return send


def _queue(
    session: Session,
    principal: Principal,
    send: InvoiceSend,
    doc: PrintableDocument,
    kind: Kind,
    where: Plan,
) -> None:
    """Hand the sending to its channel: the WhatsApp outbox, or the e-mail relay."""
    key = f"{DEDUP_PREFIX}{send.id}"
    document_id = send.invoice_id or send.quote_id
    assert document_id is not None
    if where.channel == "whatsapp" and where.to_member:
        send.whatsapp_message_id = queue_document(
            session,
            principal.tenant_id,
            principal.user_id,
            pdf_of(doc),
            filename=send.filename,
            mime_type="application/pdf",
            caption=f"{kind.label.capitalize()} {doc.number}",
            dedup_key=key,
        )
    elif where.channel == "whatsapp":
        send.whatsapp_message_id = queue_to_customer(
            session, principal, doc, pdf_of(doc), (kind.name, document_id), dedup_key=key
        )
    else:
        _queue_email(session, send, doc)
    session.flush()


def _queue_email(session: Session, send: InvoiceSend, doc: PrintableDocument) -> None:
    send.subject, send.body = email_text(doc)
    send.attachment = pdf_of(doc)
    event = DomainEvent(
        tenant_id=send.tenant_id,
        id=uuid7(),
        name=EMAIL_EVENT,
        payload={"send_id": str(send.id)},
        channel="email",
    )
    session.add(event)
    session.flush()
    publisher = session.info.get(EVENT_PUBLISHER)
    if publisher is not None:
        on_commit(session, partial(publisher, send.tenant_id, event.id))


def email_text(doc: PrintableDocument) -> tuple[str, str]:
    """The French subject and body of an invoice or quote e-mail."""
    from domain.finance.documents.labels import money

    if doc.kind == DocumentKind.QUOTE:
        return _quote_email_text(doc)
    due = f", à régler avant le {doc.due_date:%d/%m/%Y}" if doc.due_date else ""
    subject = f"Facture {doc.number} — {doc.seller.name}"
    body = (
        f"Bonjour,\n\nVeuillez trouver ci-joint la facture {doc.number} du "
        f"{doc.issue_date:%d/%m/%Y}, d'un montant de {money(doc.totals.gross, doc.currency)} "
        f"TTC (reste à payer : {money(doc.totals.due, doc.currency)}){due}.\n\n"
        f"Cordialement,\n{doc.seller.name}\n"
    )
    return subject, body


def _quote_email_text(doc: PrintableDocument) -> tuple[str, str]:
    from domain.finance.documents.labels import money

    valid = f", valable jusqu'au {doc.valid_until:%d/%m/%Y}" if doc.valid_until else ""
    subject = f"Devis {doc.number} — {doc.seller.name}"
    body = (
        f"Bonjour,\n\nVeuillez trouver ci-joint notre devis {doc.number} du "
        f"{doc.issue_date:%d/%m/%Y}, d'un montant de {money(doc.totals.gross, doc.currency)} "
        f"TTC{valid}.\n\nCordialement,\n{doc.seller.name}\n"
    )
    return subject, body


def deliver_email(
    session: Session,
    tenant_id: UUID,
    send_id: UUID,
    *,
    smtp_url: str | None,
    sender: str,
    now: datetime,
) -> str:
    """Send one queued invoice or quote e-mail over SMTP and record the answer: ``sent`` (the PDF
    is then dropped) or ``failed`` with the reason. Without an SMTP server it fails
    saying so: an invoice e-mail is never just written to a log."""
    send = session.scalar(
        select(InvoiceSend)
        .where(
            InvoiceSend.tenant_id == tenant_id,
            InvoiceSend.id == send_id,
            InvoiceSend.channel == "email",
            InvoiceSend.status == "queued",
        )
        .with_for_update(skip_locked=True)
    )
    if send is None:
        return "skipped"
    try:
        if not smtp_url:
            raise RuntimeError("aucun serveur d'envoi configuré (COMPTOIR_SMTP_URL)")
        _smtp_send(smtp_url, sender, send)
    except (OSError, smtplib.SMTPException, RuntimeError) as exc:
        log.warning("invoice e-mail %s failed: %s", send.id, exc)
        send.status, send.error = "failed", f"envoi refusé : {exc}"[:2000]
    else:
        send.status, send.sent_at, send.attachment, send.error = "sent", now, None, None
    session.flush()
    return send.status


def _smtp_send(smtp_url: str, sender: str, send: InvoiceSend) -> None:
    pdf = MailAttachment(send.filename, "application/pdf", send.attachment or b"")
    mail = Mail(send.recipient, send.subject or send.filename, send.body or "", (pdf,))
    SmtpMailer(smtp_url, sender).send(mail)


def follow(message: WhatsAppMessage) -> None:
    """Copy a WhatsApp message's status onto the invoice sending it carries, if any (its
    dedup key names the sending)."""
    if not message.dedup_key.startswith(DEDUP_PREFIX):
        return
    session = object_session(message)
    if session is None:
        return
    send = session.get(
        InvoiceSend, (message.tenant_id, UUID(message.dedup_key[len(DEDUP_PREFIX) :]))
    )
    if send is None:
        return
    send.status, send.error = message.status, message.last_error
    send.sent_at, send.delivered_at, send.read_at = (
        message.sent_at,
        message.delivered_at,
        message.read_at,
    )
    session.flush()


def sends_of(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID
) -> list[InvoiceSend]:
    """An invoice's sendings, oldest first (read with the principal's rights)."""
    from domain.finance.invoices import READERS, invoice_with_lines

    principal.require(*READERS)
    invoice_with_lines(session, principal, clock, invoice_id)  # NotFound for another's
    return list(
        session.scalars(
            select(InvoiceSend)
            .where(
                InvoiceSend.tenant_id == principal.tenant_id, InvoiceSend.invoice_id == invoice_id
            )
            .order_by(InvoiceSend.created_at, InvoiceSend.id)
        )
    )
