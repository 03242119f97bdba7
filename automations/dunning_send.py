"""Sending one recorded reminder to the customer, on the channel it was recorded for.

- **E-mail** through the channel registry (SMTP); the firm reminder (J+30) carries the
  invoice's PDF — Factur-X for a French business, as the API serves it.
- **WhatsApp** through the business's WhatsApp outbox, keyed by the reminder (queued
  once, sent after commit): the reminder's text, which the outbox turns into the
  business's ``notification`` template when the customer has not written in 24 hours;
  with the firm reminder, the PDF — as a document while the window is open, else as the
  business's ``invoice`` template (the PDF in its header) when it has one.

The PDF is read with the rights of the dunning automation's owner (its current roles).
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.orm import Session

from automations.maintenance import container_for_tasks
from domain.automations.models import Automation, DunningReminder
from domain.events.models import DomainEvent
from domain.finance import printing
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.documents.labels import money
from domain.finance.documents.pdf import render_pdf
from domain.finance.models import Invoice
from domain.identity.mail import MailAttachment
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.money import Currency
from domain.sales.models import Partner
from domain.whatsapp.delivery import window_open
from domain.whatsapp.outbox import business_number, queue, text_body
from domain.whatsapp.templates import invoice_body, templates_of

WITH_PDF = ("overdue_30",)
log = logging.getLogger(__name__)


def send_recorded(
    session: Session,
    event: DomainEvent,
    tenant: Tenant,
    invoice: Invoice,
    reminder: DunningReminder,
) -> None:
    from automations.channels import OutgoingMessage, send_message
    from automations.dunning import reminder_mail

    container = container_for_tasks()
    subject, body = reminder_mail(
        tenant,
        invoice,
        reminder.stage,
        invoice.gross_total - invoice.amount_settled,
        on=reminder.sent_at.date(),
    )
    pdf = None
    if reminder.stage in WITH_PDF:
        pdf = invoice_pdf(session, event, invoice, container.clock)
    if reminder.channel == "whatsapp":
        text = f"{subject}\n\n{body}"
        whatsapp_reminder(session, container.clock, reminder, invoice, text, pdf)
        return
    message = OutgoingMessage(
        tenant_id=event.tenant_id,
        user_id=None,
        address=reminder.recipient,
        subject=subject,
        body=body,
        dedup_key=f"dunning:{reminder.id}",
        attachments=(pdf,) if pdf is not None else (),
    )
    send_message(container, reminder.channel, message)


def invoice_pdf(
    session: Session, event: DomainEvent, invoice: Invoice, clock: Clock
) -> MailAttachment | None:
    """The invoice's PDF, read as the automation's owner; None when nobody may (the
    reminder then goes without it)."""
    from automations.engine import owner_principal

    automation = (
        session.get(Automation, (event.tenant_id, event.automation_id))
        if event.automation_id
        else None
    )
    principal = owner_principal(session, automation) if automation else None
    if principal is None:
        return None
    doc = printing.invoice_document(session, principal, clock, invoice.id)
    data = facturx_pdf(doc) if doc.country == "FR" else render_pdf(doc)
    return MailAttachment(f"{doc.number}.pdf", "application/pdf", data)


def whatsapp_reminder(
    session: Session,
    clock: Clock,
    reminder: DunningReminder,
    invoice: Invoice,
    text: str,
    pdf: MailAttachment | None,
) -> list[UUID]:
    """Queue the reminder (and the PDF) to the customer's WhatsApp; returns the messages
    queued (none when this reminder was queued before)."""
    tenant_id, phone = reminder.tenant_id, reminder.recipient
    number = business_number(session, tenant_id)
    if number is None:  # unlinked since the run: retrying would never send it
        log.warning("reminder %s not sent: the business has no WhatsApp number", reminder.id)
        return []
    key = f"dunning:{reminder.id}"
    queued = [
        queue(
            session,
            tenant_id,
            phone_number_id=number,
            to_phone=phone,
            kind="text",
            body=text_body(text),
            dedup_key=key,
        )
    ]
    if pdf is not None:
        queued.append(_queue_pdf(session, clock, reminder, invoice, number, pdf))
    return [m for m in queued if m is not None]


def _queue_pdf(
    session: Session,
    clock: Clock,
    reminder: DunningReminder,
    invoice: Invoice,
    number: str,
    pdf: MailAttachment,
) -> UUID | None:
    tenant_id, phone = reminder.tenant_id, reminder.recipient
    key = f"dunning:{reminder.id}:pdf"
    if window_open(session, tenant_id, phone, clock.now()):
        kind = "document"
        body = {"type": "document", "document": {"filename": pdf.filename}}
    else:
        templates = templates_of(session, tenant_id, number)
        if not templates.get("invoice"):
            return None  # the text goes alone; the PDF waits for the customer's reply
        partner = session.get(Partner, (tenant_id, invoice.partner_id))
        due = money(invoice.gross_total - invoice.amount_settled, Currency(invoice.currency))
        values = [partner.name if partner else "", str(invoice.number), due]
        kind, body = "template", invoice_body(templates, pdf.filename, values)
    return queue(
        session,
        tenant_id,
        phone_number_id=number,
        to_phone=phone,
        kind=kind,
        body=body,
        dedup_key=key,
        media=pdf.data,
        media_type=pdf.content_type,
    )
