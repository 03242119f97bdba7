"""Reminding a customer of unpaid invoices now, when a member asks (« relance Diallo par
mail »), rather than waiting for the daily dunning run.

Each invoice reminded is one ``dunning_reminders`` row at the ``manual`` stage, written in
the caller's transaction with the event the dunning sender listens to: the reminder leaves
after commit by the same path as the automatic ones (the e-mail relay, or the WhatsApp
outbox), re-checking that the invoice is still unpaid. Being recorded there, it is the
invoice's dunning history, and the daily run holds back on that invoice for a few days.

Which invoices: the one named, else the customer's overdue invoices, else (none overdue)
all their unpaid ones. Refused in French when there is nothing unpaid, when the customer
opted out of reminders or the invoice is disputed, and when the customer has no address
on the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.automations.models import MANUAL_STAGE, DunningExclusion, DunningReminder
from domain.events import service as events
from domain.finance.books import open_books
from domain.finance.models import Invoice
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role
from domain.sales.models import Partner
from domain.whatsapp.invoice_sends import reach
from domain.whatsapp.outbox import business_number

Channel = Literal["email", "whatsapp"]
REMINDER_EVENT = "dunning.reminder_recorded"  # sent by automations.dunning.send_reminder
UNPAID = ("posted", "partially_paid")
SENDERS = (Role.ACCOUNTANT, Role.SALES, Role.MANAGER)


@dataclass(frozen=True, slots=True)
class Reminded:
    """One invoice reminded: what the preview and the reply show."""

    reminder_id: UUID
    invoice_id: UUID
    number: str
    due: Decimal
    due_date: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class Reminders:
    customer: str
    channel: Channel
    recipient: str
    currency: str
    invoices: list[Reminded]


def remind_now(
    session: Session,
    principal: Principal,
    clock: Clock,
    partner_id: UUID,
    *,
    invoice_id: UUID | None = None,
    channel: Channel | None = None,
) -> Reminders:
    """Record (and, after commit, send) a reminder for the customer's unpaid invoices —
    or the one named — on ``channel`` (unsaid: e-mail when known, else WhatsApp)."""
    principal.require(*SENDERS)
    today = open_books(session, principal, clock).today()
    partner = session.get(Partner, (principal.tenant_id, partner_id))
    if partner is None:
        raise NotFound("Client introuvable.")
    invoices = _to_remind(session, partner, invoice_id, today)
    chosen, address = _address(session, partner, channel)
    now = clock.now()
    reminded = [
        _record(session, principal, invoice, (chosen, address), now, today) for invoice in invoices
    ]
    audit.record(
        session,
        principal,
        "invoice.remind",
        target_type="partner",
        target_id=partner.id,
        after={"channel": chosen, "to": address, "invoices": [r.number for r in reminded]},
    )
    return Reminders(partner.name, chosen, address, invoices[0].currency, reminded)


def _record(
    session: Session,
    principal: Principal,
    invoice: Invoice,
    to: tuple[Channel, str],
    now: datetime,
    today: date,
) -> Reminded:
    """One manual reminder row and the event that sends it after commit."""
    due = invoice.gross_total - invoice.amount_settled
    reminder = DunningReminder(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        invoice_id=invoice.id,
        stage=MANUAL_STAGE,
        channel=to[0],
        recipient=to[1],
        amount_due=due,
        sent_at=now,
    )
    session.add(reminder)
    session.flush()
    events.emit(session, principal, REMINDER_EVENT, reminder_id=reminder.id)
    assert invoice.due_date is not None  # a posted invoice has one
    number = invoice.number or ""
    overdue = invoice.due_date < today
    return Reminded(reminder.id, invoice.id, number, due, invoice.due_date, overdue)


def _to_remind(
    session: Session, partner: Partner, invoice_id: UUID | None, today: date
) -> list[Invoice]:
    """The invoices to remind, or a French refusal saying why there are none."""
    if _excluded(session, partner.tenant_id, partner.id, None):
        raise InvalidInput(
            f"{partner.name} ne doit plus être relancé (relances désactivées pour ce client) "
            "et rien n'a été envoyé."
        )
    if invoice_id is not None:
        return [_one_invoice(session, partner, invoice_id)]
    unpaid = [
        invoice
        for invoice in session.scalars(
            select(Invoice)
            .where(
                Invoice.tenant_id == partner.tenant_id,
                Invoice.partner_id == partner.id,
                Invoice.kind == "invoice",
                Invoice.status.in_(UNPAID),
            )
            .order_by(Invoice.due_date, Invoice.number)
        )
        if not _excluded(session, partner.tenant_id, None, invoice.id)
    ]
    if not unpaid:
        raise InvalidInput(
            f"{partner.name} n'a aucune facture impayée : il n'y a rien à relancer et rien "
            "n'a été envoyé."
        )
    overdue = [i for i in unpaid if i.due_date is not None and i.due_date < today]
    return overdue or unpaid


def _one_invoice(session: Session, partner: Partner, invoice_id: UUID) -> Invoice:
    invoice = session.get(Invoice, (partner.tenant_id, invoice_id))
    if invoice is None or invoice.partner_id != partner.id:
        raise NotFound("Facture introuvable pour ce client.")
    number = invoice.number or "brouillon"
    if invoice.status not in UNPAID or invoice.kind != "invoice":
        raise InvalidInput(
            f"La facture {number} de {partner.name} n'est pas une facture impayée : il n'y "
            "a rien à relancer et rien n'a été envoyé."
        )
    if _excluded(session, partner.tenant_id, None, invoice.id):
        raise InvalidInput(
            f"La facture {number} est contestée : elle n'est pas relancée et rien n'a été envoyé."
        )
    return invoice


def _excluded(
    session: Session, tenant_id: UUID, partner_id: UUID | None, invoice_id: UUID | None
) -> bool:
    target = (
        DunningExclusion.partner_id == partner_id
        if partner_id is not None
        else DunningExclusion.invoice_id == invoice_id
    )
    found = select(DunningExclusion.id).where(DunningExclusion.tenant_id == tenant_id, target)
    return session.scalar(found.limit(1)) is not None


def _address(session: Session, partner: Partner, channel: Channel | None) -> tuple[Channel, str]:
    """The channel and address: the one said, else e-mail when known, else WhatsApp; a
    WhatsApp reminder needs the business's linked number."""
    if channel is None:
        channel = "email" if partner.email or not partner.phone else "whatsapp"
        if not partner.email and not partner.phone:
            raise InvalidInput(
                f"{partner.name} n'a ni numéro de téléphone ni adresse e-mail enregistrés : "
                "ajoutez-en un sur sa fiche client pour le relancer. Rien n'a été envoyé."
            )
    chosen, address = reach(partner.name, partner.phone, partner.email, channel)
    if chosen == "whatsapp" and business_number(session, partner.tenant_id) is None:
        other = f" : je peux le relancer par e-mail ({partner.email})" if partner.email else ""
        raise InvalidInput(
            f"Aucun numéro WhatsApp n'est relié à l'entreprise{other}. Rien n'a été envoyé."
        )
    return chosen, address
