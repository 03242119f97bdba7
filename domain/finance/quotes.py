"""Quotes: draft → sent → accepted | refused | expired; versions; accepted → invoice.

A quote is numbered when created (its number is a reference, not a fiscal sequence). A
revision keeps the number and adds a version; the earlier version stays as it was, no
longer current. A sent quote past its validity date is expired — derived when read, and
recorded by ``expire_quotes`` (run daily by the automations).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance import repository as repo
from domain.finance.books import Books, open_books
from domain.finance.calc import document_totals
from domain.finance.errors import QuoteNotFound, QuoteTransition
from domain.finance.invoices import WRITERS, new_draft, require_customer
from domain.finance.lines import PricedLine, price_lines, priced_rows
from domain.finance.models import Invoice, Quote, QuoteLine
from domain.finance.schemas import QuoteCreate
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import round_to_currency
from domain.kit.principal import Principal
from domain.kit.sequences import take_next

TRANSITIONS = {
    "send": ({"draft"}, "sent"),
    "accept": ({"sent"}, "accepted"),
    "refuse": ({"sent"}, "refused"),
}
STATUS_LABELS = {
    "draft": "en brouillon",
    "sent": "envoyé",
    "accepted": "accepté",
    "refused": "refusé",
    "expired": "expiré",
}


def effective_status(quote: Quote, today: date) -> str:
    if quote.status == "sent" and quote.valid_until < today:
        return "expired"
    return quote.status


def _require_quote(session: Session, books: Books, quote_id: UUID) -> Quote:
    quote = repo.get_quote(session, books.tenant.id, quote_id, lock=True)
    if quote is None:
        raise QuoteNotFound()
    return quote


def _write(session: Session, books: Books, quote: Quote, lines: list[PricedLine]) -> Quote:
    totals = document_totals((line.taxable() for line in lines), books.currency)
    quote.net_total, quote.tax_total, quote.gross_total = totals.net, totals.tax, totals.gross
    session.add(quote)
    session.flush()
    session.add_all(
        QuoteLine(tenant_id=quote.tenant_id, quote_id=quote.id, **line.columns(invoice=False))
        for line in lines
    )
    session.flush()
    return quote


def create_quote(session: Session, principal: Principal, clock: Clock, data: QuoteCreate) -> Quote:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    partner = require_customer(session, books, data.partner_id)
    if not data.lines:
        raise InvalidInput("Un devis doit avoir au moins une ligne.", field="lines")
    lines = price_lines(session, books, data.lines)
    today = books.today()
    days = data.valid_days or books.settings.quote_validity_days
    seq = take_next(session, books.tenant.id, "quote", str(today.year))
    quote = Quote(
        tenant_id=books.tenant.id,
        id=uuid7(),
        number=books.settings.quote_pattern.format(year=today.year, seq=seq),
        partner_id=partner.id,
        issue_date=today,
        valid_until=today + timedelta(days=days),
        currency=books.currency.value,
        notes=data.notes,
        created_by=principal.user_id,
    )
    _write(session, books, quote, lines)
    events.emit(session, principal, "quote.created", quote_id=quote.id, number=quote.number)
    audit.record(
        session,
        principal,
        "quote.create",
        target_type="quote",
        target_id=quote.id,
        after={"number": quote.number, "partner": partner.name, "gross": quote.gross_total},
    )
    return quote


def _move(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID, action: str
) -> Quote:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    quote = _require_quote(session, books, quote_id)
    allowed, target = TRANSITIONS[action]
    current = effective_status(quote, books.today())
    if not quote.is_current:
        raise QuoteTransition(f"Le devis {quote.number} v{quote.version} a été remplacé.")
    if current not in allowed:
        raise QuoteTransition(
            f"Le devis {quote.number} est {STATUS_LABELS[current]} : impossible de le passer "
            f"à « {STATUS_LABELS[target]} »."
        )
    quote.status = target
    session.flush()
    events.emit(session, principal, f"quote.{target}", quote_id=quote.id, number=quote.number)
    audit.record(session, principal, f"quote.{action}", target_type="quote", target_id=quote.id)
    return quote


def send_quote(session: Session, principal: Principal, clock: Clock, quote_id: UUID) -> Quote:
    return _move(session, principal, clock, quote_id, "send")


def accept_quote(session: Session, principal: Principal, clock: Clock, quote_id: UUID) -> Quote:
    return _move(session, principal, clock, quote_id, "accept")


def refuse_quote(session: Session, principal: Principal, clock: Clock, quote_id: UUID) -> Quote:
    return _move(session, principal, clock, quote_id, "refuse")


def revise_quote(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID, data: QuoteCreate
) -> Quote:
    """A new draft version under the same number; the previous one is kept, not current."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    previous = _require_quote(session, books, quote_id)
    if not previous.is_current or previous.status == "accepted":
        raise QuoteTransition(
            f"Le devis {previous.number} v{previous.version} ne peut plus être révisé."
        )
    if data.partner_id != previous.partner_id:
        raise InvalidInput("Une révision garde le même client : créez un nouveau devis.")
    lines = price_lines(session, books, data.lines)
    if not lines:
        raise InvalidInput("Un devis doit avoir au moins une ligne.", field="lines")
    today = books.today()
    previous.is_current = False
    quote = Quote(
        tenant_id=books.tenant.id,
        id=uuid7(),
        number=previous.number,
        version=previous.version + 1,
        partner_id=previous.partner_id,
        issue_date=today,
        valid_until=today + timedelta(days=data.valid_days or books.settings.quote_validity_days),
        currency=previous.currency,
        notes=data.notes,
        created_by=principal.user_id,
    )
    _write(session, books, quote, lines)
    events.emit(session, principal, "quote.revised", quote_id=quote.id, version=quote.version)
    audit.record(
        session,
        principal,
        "quote.revise",
        target_type="quote",
        target_id=quote.id,
        after={"number": quote.number, "version": quote.version},
    )
    return quote


def _quote_lines(session: Session, books: Books, quote: Quote) -> list[PricedLine]:
    return priced_rows(repo.quote_lines(session, books.tenant.id, quote.id))


def convert_to_invoice(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID, *, accepting: bool = False
) -> Invoice:
    """The draft invoice of an accepted quote (posting it stays a separate, explicit step).
    With ``accepting``, a quote still in draft or sent is first marked sent and accepted
    (the customer said yes): each step recorded as if done by hand."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    quote = _require_quote(session, books, quote_id)
    if accepting and quote.invoice_id is None:
        for action in ("send", "accept"):
            if effective_status(quote, books.today()) in TRANSITIONS[action][0]:
                _move(session, principal, clock, quote.id, action)
    if quote.status != "accepted":
        raise QuoteTransition(
            f"Seul un devis accepté devient une facture (le devis {quote.number} est "
            f"{STATUS_LABELS[effective_status(quote, books.today())]})."
        )
    if quote.invoice_id is not None:
        raise QuoteTransition(f"Le devis {quote.number} a déjà été facturé.")
    partner = require_customer(session, books, quote.partner_id)
    invoice = new_draft(
        session, books, partner, _quote_lines(session, books, quote), quote_id=quote.id
    )
    quote.invoice_id = invoice.id
    session.flush()
    return invoice


def deposit_from_quote(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID, percent: Decimal
) -> Invoice:
    """A draft deposit invoice for ``percent`` of an accepted quote, per VAT rate."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    quote = _require_quote(session, books, quote_id)
    if quote.status != "accepted":
        raise QuoteTransition("Un acompte se facture sur un devis accepté.")
    totals = document_totals(
        (line.taxable() for line in _quote_lines(session, books, quote)), books.currency
    )
    parts = [
        PricedLine(
            position=i,
            product_id=None,
            description=f"Acompte de {percent.normalize()} % sur le devis {quote.number}",
            quantity=Decimal(1),
            unit="forfait",
            unit_price=base,
            discount_percent=Decimal(0),
            vat_rate=rate.rate,
            vat_category=rate.category,
            net_amount=base,
        )
        for i, (rate, base) in enumerate(
            (
                (r, round_to_currency(r.base * percent / 100, books.currency))
                for r in totals.by_rate
            ),
            start=1,
        )
    ]
    partner = require_customer(session, books, quote.partner_id)
    return new_draft(session, books, partner, parts, kind="deposit", quote_id=quote.id)


def expire_quotes(session: Session, principal: Principal, clock: Clock) -> int:
    """Record as expired every sent quote past its validity date; returns how many."""
    books = open_books(session, principal, clock)
    ids = list(
        session.scalars(
            select(Quote.id).where(
                Quote.tenant_id == books.tenant.id,
                Quote.status == "sent",
                Quote.valid_until < books.today(),
            )
        )
    )
    if ids:
        session.execute(
            update(Quote)
            .where(Quote.tenant_id == books.tenant.id, Quote.id.in_(ids))
            .values(status="expired")
        )
        for quote_id in ids:
            events.emit(session, principal, "quote.expired", quote_id=quote_id)
    return len(ids)


def list_quotes(
    session: Session, principal: Principal, clock: Clock, **filters: Any
) -> tuple[list[Quote], date]:
    principal.require(*WRITERS)
    today = open_books(session, principal, clock).today()
    return repo.list_quotes(session, principal.tenant_id, **filters), today


def quote_with_lines(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID
) -> tuple[Quote, list[QuoteLine], date]:
    """One quote (any version), its lines and today's date, against which "expired" is
    judged."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    quote = repo.get_quote(session, books.tenant.id, quote_id)
    if quote is None:
        raise QuoteNotFound()
    return quote, repo.quote_lines(session, books.tenant.id, quote.id), books.today()
