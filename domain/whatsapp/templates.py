"""Message templates: what a business may send once a contact's 24-hour window is closed
(a customer who never wrote, a member silent for a day), and sending an invoice to a
customer with one.

A business names, per purpose, the templates it had Meta approve (``whatsapp_links.
templates``): ``notification`` — one body parameter, the text — turns a plain text to a
member into a template message when the window is closed; ``invoice`` — a document header
(the PDF) and three body parameters (customer, number, amount due) — sends an invoice;
``quote`` — the same shape (customer, number, amount) — sends a quote.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.finance.documents.model import PrintableDocument
from domain.kit import inputs
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.principal import Principal, Role
from domain.whatsapp.models import WhatsAppLink, WhatsAppMessage
from domain.whatsapp.outbox import business_number, queue

PURPOSES = ("notification", "invoice", "quote")
TEMPLATE_NAME = r"^[a-z0-9_]{1,512}$"
PARAMETER_LIMIT = 1024  # characters of one body parameter
TEMPLATE_LABELS = {"invoice": "facture", "quote": "devis"}


class TemplatesIn(inputs.InputModel):
    notification: str | None = Field(default=None, pattern=TEMPLATE_NAME)
    invoice: str | None = Field(default=None, pattern=TEMPLATE_NAME)
    quote: str | None = Field(default=None, pattern=TEMPLATE_NAME)
    language: str = Field(default="fr", pattern=r"^[a-z]{2}(_[A-Z]{2})?$")


def set_templates(
    session: Session, principal: Principal, link_id: UUID, names: TemplatesIn
) -> dict[str, str]:
    principal.require(Role.ADMIN)
    link = session.get(WhatsAppLink, (principal.tenant_id, link_id))
    if link is None:
        raise NotFound("Numéro WhatsApp introuvable.")
    before = dict(link.templates)
    link.templates = {k: v for k, v in names.model_dump().items() if v}
    session.flush()
    audit.record(
        session,
        principal,
        "whatsapp.templates",
        target_type="whatsapp_link",
        target_id=link.id,
        before=before,
        after=link.templates,
    )
    return dict(link.templates)


def templates_of(session: Session, tenant_id: UUID, phone_number_id: str) -> dict[str, str]:
    found = session.scalar(
        select(WhatsAppLink.templates).where(
            WhatsAppLink.tenant_id == tenant_id, WhatsAppLink.phone_number_id == phone_number_id
        )
    )
    return dict(found or {})


def _parameter(value: str) -> dict[str, str]:
    # Meta refuses new lines, tabs and runs of spaces in a template parameter.
    return {"type": "text", "text": " ".join(value.split())[:PARAMETER_LIMIT]}


def notification_body(templates: dict[str, str], text: str) -> dict[str, Any] | None:
    """A text as the business's notification template, if it has one."""
    name = templates.get("notification")
    if not name:
        return None
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": templates.get("language", "fr")},
            "components": [{"type": "body", "parameters": [_parameter(text)]}],
        },
    }


def queue_invoice_to_customer(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID, *, dedup_key: str
) -> UUID | None:
    """Queue a posted invoice to its customer's WhatsApp, with the business's ``invoice``
    template and the PDF as its header (a customer has usually not written in the last 24
    hours). The invoice is read with the principal's rights; refused in French when it is
    a draft, the customer has no phone or the business no such template."""
    from domain.finance import printing
    from domain.whatsapp.invoice_sends import pdf_of

    principal.require(Role.ACCOUNTANT, Role.SALES, Role.MANAGER)
    doc = printing.invoice_document(session, principal, clock, invoice_id)
    if doc.number == "BROUILLON":
        raise InvalidInput("Une facture brouillon ne s'envoie pas : validez-la d'abord.")
    return queue_to_customer(
        session, principal, doc, pdf_of(doc), ("invoice", invoice_id), dedup_key=dedup_key
    )


def queue_to_customer(
    session: Session,
    principal: Principal,
    doc: PrintableDocument,
    pdf: bytes,
    target: tuple[str, UUID],
    *,
    dedup_key: str,
) -> UUID | None:
    """Queue a document's PDF to its customer's WhatsApp with the business's template for
    its kind (``target``: ``invoice`` or ``quote``, and its id): the PDF as header, then
    customer, number and amount. Refused in French when the customer has no phone or the
    business no such template."""
    from domain.finance.documents.labels import money

    purpose, target_id = target
    phone = doc.buyer.phone
    if not phone:
        raise InvalidInput(f"{doc.buyer.name} n'a pas de numéro de téléphone enregistré.")
    number = business_number(session, principal.tenant_id)
    templates = templates_of(session, principal.tenant_id, number) if number else {}
    if number is None or not templates.get(purpose):
        raise InvalidInput(
            f"Aucun modèle WhatsApp « {TEMPLATE_LABELS[purpose]} » n'est configuré pour "
            "l'entreprise (PUT /api/v1/whatsapp/links/{id}/templates)."
        )
    amount = money(doc.totals.due, doc.currency)
    values = [doc.buyer.name, doc.number, amount]
    message_id = queue(
        session,
        principal.tenant_id,
        phone_number_id=number,
        to_phone=phone,
        kind="template",
        body=invoice_body(templates, f"{doc.number}.pdf", values, purpose=purpose),
        dedup_key=dedup_key,
        media=pdf,
        media_type="application/pdf",
    )
    audit.record(
        session,
        principal,
        f"{purpose}.send_whatsapp",
        target_type=purpose,
        target_id=target_id,
        after={"to": phone, "message": message_id, "template": templates[purpose]},
    )
    return message_id


def invoice_body(
    templates: dict[str, str], filename: str, values: list[str], *, purpose: str = "invoice"
) -> dict[str, Any]:
    """A document template (``invoice`` or ``quote``): the PDF as header document (its
    media id is set when it is sent), then the body parameters (customer, number,
    amount)."""
    return {
        "type": "template",
        "template": {
            "name": templates[purpose],
            "language": {"code": templates.get("language", "fr")},
            "components": [
                {
                    "type": "header",
                    "parameters": [{"type": "document", "document": {"filename": filename}}],
                },
                {"type": "body", "parameters": [_parameter(v) for v in values]},
            ],
        },
    }


def sendings(session: Session, tenant_id: UUID, dedup_prefix: str) -> list[WhatsAppMessage]:
    """The messages queued under keys starting with ``dedup_prefix`` (an invoice's
    sendings), oldest first: when, to whom, and their status from Meta's webhooks."""
    return list(
        session.scalars(
            select(WhatsAppMessage)
            .where(
                WhatsAppMessage.tenant_id == tenant_id,
                WhatsAppMessage.dedup_key.startswith(dedup_prefix),
            )
            .order_by(WhatsAppMessage.created_at)
        )
    )
