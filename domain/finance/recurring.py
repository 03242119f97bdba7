"""Recurring invoices: templates that generate an invoice every month, quarter or year.

``generate_due_invoices`` creates (and, if the template says so, posts) every invoice
whose date has come, catching up missed periods one by one. A posting the books refuse
(stock short for stockable goods) leaves that invoice a draft, with an event saying why.
Scheduling it is the automations' job; templates are locked with SKIP LOCKED so two
workers never generate the same period twice.
"""

from __future__ import annotations

import calendar
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance.books import open_books
from domain.finance.invoices import WRITERS, new_draft, post_invoice, require_customer
from domain.finance.lines import price_lines
from domain.finance.models import Invoice, RecurringInvoice
from domain.finance.schemas import LineIn, RecurringCreate
from domain.kit.clock import Clock
from domain.kit.errors import DomainError, InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal

STEP_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def following_date(template: RecurringInvoice) -> date:
    """The next date after ``template.next_date``, always counted from the start date so
    a template started on the 31st comes back to the 31st after a short month."""
    step = STEP_MONTHS[template.frequency]
    current = template.next_date
    elapsed = (
        (current.year - template.start_date.year) * 12 + current.month - template.start_date.month
    )
    return add_months(template.start_date, (elapsed // step + 1) * step)


def create_recurring(
    session: Session, principal: Principal, clock: Clock, data: RecurringCreate
) -> RecurringInvoice:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    partner = require_customer(session, books, data.partner_id)
    if not data.lines:
        raise InvalidInput("Un modèle de facture doit avoir au moins une ligne.", field="lines")
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput("La date de fin précède la date de début.", field="end_date")
    price_lines(session, books, data.lines)  # validated now, priced again at each run
    template = RecurringInvoice(
        tenant_id=books.tenant.id,
        id=uuid7(),
        partner_id=partner.id,
        label=data.label,
        frequency=data.frequency,
        lines=[line.model_dump(mode="json") for line in data.lines],
        start_date=data.start_date,
        next_date=data.start_date,
        end_date=data.end_date,
        auto_post=data.auto_post,
    )
    session.add(template)
    session.flush()
    events.emit(session, principal, "recurring_invoice.created", recurring_id=template.id)
    audit.record(
        session,
        principal,
        "recurring_invoice.create",
        target_type="recurring_invoice",
        target_id=template.id,
        after={"label": data.label, "frequency": data.frequency, "partner": partner.name},
    )
    return template


def _generate_one(
    session: Session, principal: Principal, clock: Clock, template: RecurringInvoice
) -> Invoice:
    books = open_books(session, principal, clock)
    partner = require_customer(session, books, template.partner_id)
    lines = price_lines(session, books, [LineIn.model_validate(x) for x in template.lines])
    invoice = new_draft(
        session,
        books,
        partner,
        lines,
        recurring_id=template.id,
        notes=f"{template.label} — échéance du {template.next_date:%d/%m/%Y}",
    )
    if template.auto_post:
        _try_posting(session, principal, clock, template, invoice)
    return invoice


def _try_posting(
    session: Session,
    principal: Principal,
    clock: Clock,
    template: RecurringInvoice,
    invoice: Invoice,
) -> None:
    """Post the generated invoice; if posting is refused (not enough stock, say), the
    invoice stays a draft for someone to look at and an event says why — one template's
    problem never stops the others, nor the catch-up of later periods."""
    try:
        with session.begin_nested():
            post_invoice(session, principal, clock, invoice.id)
    except DomainError as refusal:
        session.refresh(invoice)  # the savepoint's changes are gone; reload what is true
        events.emit(
            session,
            principal,
            "recurring_invoice.post_refused",
            recurring_id=template.id,
            invoice_id=invoice.id,
            code=refusal.code,
            message=refusal.message,
        )


def generate_due_invoices(
    session: Session, principal: Principal, clock: Clock, *, template_id: UUID | None = None
) -> list[Invoice]:
    principal.require(*WRITERS)
    today = open_books(session, principal, clock).today()
    query = (
        select(RecurringInvoice)
        .where(
            RecurringInvoice.tenant_id == principal.tenant_id,
            RecurringInvoice.is_active,
            RecurringInvoice.next_date <= today,
        )
        .with_for_update(skip_locked=True)
    )
    if template_id is not None:
        query = query.where(RecurringInvoice.id == template_id)
    generated: list[Invoice] = []
    for template in session.scalars(query).all():
        while template.is_active and template.next_date <= today:
            if template.end_date is not None and template.next_date > template.end_date:
                template.is_active = False
                break
            generated.append(_generate_one(session, principal, clock, template))
            template.next_date = following_date(template)
        session.flush()
    return generated
