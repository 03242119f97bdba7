"""Payments received: allocation to invoices, the customer's credit, the treasury entry.

A payment settles the invoices it is allocated to (explicitly, the one named, or the
customer's oldest open invoices first). What is left over is the customer's credit: it
stays on the customer's account (411) and can later settle another invoice, like the
unused part of a credit note.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance import repository as repo
from domain.finance.books import Books, open_books
from domain.finance.errors import InvoiceNotPayable
from domain.finance.invoices import STATUS_LABELS, balance, require_customer, settle
from domain.finance.ledger import EntryDraft, Movement, write_entry
from domain.finance.models import Allocation, Invoice, Payment
from domain.finance.schemas import PAYMENT_METHOD_LABELS, PaymentCreate
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.ids import uuid7
from domain.kit.money import round_to_currency
from domain.kit.principal import Principal, Role
from domain.kit.sequences import take_next
from domain.sales.models import Partner

WRITERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES)


def _treasury(books: Books, method: str) -> tuple[str, str]:
    """(journal, account) receiving money paid by ``method``."""
    accounts = books.accounts
    return {
        "cash": ("CA", accounts.cash),
        "bank_transfer": ("BQ", accounts.bank),
        "card": ("BQ", accounts.bank),
        "cheque": ("BQ", accounts.cheques),
        "wave": ("MM", accounts.mobile_money),
        "orange_money": ("MM", accounts.mobile_money),
    }[method]


def _require_payable(invoice: Invoice, partner_id: UUID) -> None:
    if invoice.partner_id != partner_id:
        raise InvalidInput(f"La facture {invoice.number} n'est pas de ce client.")
    if invoice.kind == "credit_note":
        raise InvoiceNotPayable(f"{invoice.number} est un avoir, pas une facture à payer.")
    if invoice.status not in repo.OPEN_STATUSES:
        label = STATUS_LABELS.get(invoice.status, invoice.status)
        name = invoice.number or "en brouillon"
        raise InvoiceNotPayable(
            f"La facture {name} est {label} : elle ne peut pas recevoir de paiement.",
            invoice_status=invoice.status,
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    partner: Partner
    invoices: dict[UUID, Invoice]
    shares: list[tuple[UUID, Decimal]]


def _explicit_plan(
    session: Session, books: Books, data: PaymentCreate, amount: Decimal
) -> tuple[UUID, dict[UUID, Invoice], list[tuple[UUID, Decimal]]]:
    assert data.allocations is not None
    ids = [a.invoice_id for a in data.allocations]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Une facture apparaît deux fois dans la répartition.")
    invoices = repo.lock_invoices(session, books.tenant.id, ids)
    if len(invoices) != len(ids):
        raise InvalidInput("Une des factures de la répartition est introuvable.")
    partner_id = data.partner_id or invoices[ids[0]].partner_id
    shares = []
    for wanted in data.allocations:
        invoice = invoices[wanted.invoice_id]
        _require_payable(invoice, partner_id)
        share = round_to_currency(wanted.amount, books.currency)
        if share <= 0 or share > balance(invoice):
            raise InvalidInput(
                f"Montant réparti invalide pour {invoice.number} (reste dû : "
                f"{balance(invoice)} {invoice.currency})."
            )
        shares.append((invoice.id, share))
    if sum(s for _, s in shares) > amount:
        raise InvalidInput("La répartition dépasse le montant du paiement.")
    return partner_id, invoices, shares


def _plan(session: Session, books: Books, data: PaymentCreate, amount: Decimal) -> _Plan:
    if data.allocations:
        partner_id, invoices, shares = _explicit_plan(session, books, data, amount)
    else:
        if data.invoice_id is not None:
            invoice = repo.get_invoice(session, books.tenant.id, data.invoice_id, lock=True)
            if invoice is None:
                raise InvalidInput("Facture introuvable.", field="invoice_id")
            partner_id = invoice.partner_id
            _require_payable(invoice, data.partner_id or partner_id)
            candidates = [invoice]
        elif data.partner_id is not None:
            partner_id = data.partner_id
            candidates = repo.open_invoices(session, books.tenant.id, partner_id, lock=True)
        else:
            raise InvalidInput("Indiquez le client ou la facture payée.", field="partner_id")
        invoices, shares, left = {}, [], amount
        for invoice in candidates:
            share = min(left, balance(invoice))
            if share > 0:
                invoices[invoice.id] = invoice
                shares.append((invoice.id, share))
                left -= share
    return _Plan(require_customer(session, books, partner_id), invoices, shares)


def _amount(books: Books, value: Decimal) -> Decimal:
    amount = round_to_currency(value, books.currency)
    if amount != value:
        hint = "Le franc CFA n'a pas de centimes." if books.currency.minor_units == 0 else ""
        raise InvalidInput(f"Montant trop précis : {value}. {hint}".strip(), field="amount")
    return amount


def record_payment(
    session: Session, principal: Principal, clock: Clock, data: PaymentCreate
) -> Payment:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    amount = _amount(books, data.amount)
    received_on = data.received_on or books.today()
    if received_on > books.today():
        raise InvalidInput("La date du paiement ne peut pas être dans le futur.")
    plan = _plan(session, books, data, amount)
    year = str(received_on.year)
    payment = Payment(
        tenant_id=books.tenant.id,
        id=uuid7(),
        partner_id=plan.partner.id,
        number=f"P-{year}-{take_next(session, books.tenant.id, 'payment', year):05d}",
        received_on=received_on,
        amount=amount,
        currency=books.currency.value,
        method=data.method,
        reference=data.reference,
        amount_allocated=sum((s for _, s in plan.shares), Decimal(0)),
        created_by=principal.user_id,
    )
    session.add(payment)
    session.flush()
    for invoice_id, share in plan.shares:
        session.add(
            Allocation(
                tenant_id=books.tenant.id,
                invoice_id=invoice_id,
                payment_id=payment.id,
                amount=share,
                allocated_on=received_on,
            )
        )
        settle(plan.invoices[invoice_id], share)
    journal, account = _treasury(books, data.method)
    label = f"Règlement {PAYMENT_METHOD_LABELS[data.method]} {plan.partner.name}"
    write_entry(
        session,
        books,
        EntryDraft(
            journal=journal,
            entry_date=received_on,
            label=label,
            piece_ref=payment.number,
            piece_date=received_on,
            source_type="payment",
            source_id=payment.id,
            movements=[
                Movement(account, amount, label),
                Movement(books.accounts.receivable, -amount, label, plan.partner.id),
            ],
        ),
    )
    _announce(session, principal, payment, plan)
    return payment


def _announce(session: Session, principal: Principal, payment: Payment, plan: _Plan) -> None:
    settled = [
        {"invoice_id": i, "number": plan.invoices[i].number, "amount": a} for i, a in plan.shares
    ]
    credit = payment.amount - payment.amount_allocated
    events.emit(
        session,
        principal,
        "payment.recorded",
        payment_id=payment.id,
        partner_id=payment.partner_id,
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        allocations=settled,
        customer_credit=credit,
    )
    audit.record(
        session,
        principal,
        "payment.record",
        target_type="payment",
        target_id=payment.id,
        after={"amount": payment.amount, "method": payment.method, "allocations": settled},
    )


def customer_credit(session: Session, principal: Principal, partner_id: UUID) -> Decimal:
    """What the business owes back to (or can deduct for) this customer."""
    principal.require(*WRITERS)
    # An id that is not one of this business's partners is not found, not a zero credit.
    if session.get(Partner, (principal.tenant_id, partner_id)) is None:
        raise NotFound("Client introuvable.", field="partner_id")
    payments, notes = repo.credit_sources(session, principal.tenant_id, partner_id)
    return sum((p.amount - p.amount_allocated for p in payments), Decimal(0)) + sum(
        (n.gross_total - n.amount_settled for n in notes), Decimal(0)
    )


def apply_customer_credit(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID
) -> Decimal:
    """Settle a posted invoice from the customer's credit; returns the amount used."""
    principal.require(Role.MANAGER, Role.ACCOUNTANT)
    books = open_books(session, principal, clock)
    invoice = repo.get_invoice(session, books.tenant.id, invoice_id, lock=True)
    if invoice is None:
        raise InvalidInput("Facture introuvable.", field="invoice_id")
    _require_payable(invoice, invoice.partner_id)
    payments, notes = repo.credit_sources(session, books.tenant.id, invoice.partner_id)
    used = Decimal(0)
    today = books.today()
    sources: list[Invoice | Payment] = [*notes, *payments]
    for source in sources:
        if isinstance(source, Payment):
            share = min(source.amount - source.amount_allocated, balance(invoice))
            source.amount_allocated += share
            link = {"payment_id": source.id}
        else:
            share = min(source.gross_total - source.amount_settled, balance(invoice))
            source.amount_settled += share
            link = {"credit_note_id": source.id}
        if share <= 0:
            continue
        session.add(
            Allocation(
                tenant_id=books.tenant.id,
                invoice_id=invoice.id,
                amount=share,
                allocated_on=today,
                **link,
            )
        )
        settle(invoice, share)
        used += share
    session.flush()
    if used:
        events.emit(
            session, principal, "invoice.credit_applied", invoice_id=invoice.id, amount=used
        )
        audit.record(
            session,
            principal,
            "invoice.apply_credit",
            target_type="invoice",
            target_id=invoice.id,
            after={"amount": used},
        )
    return used


def list_payments(
    session: Session, principal: Principal, *, partner_id: UUID | None = None
) -> list[Payment]:
    principal.require(*WRITERS)
    return repo.list_payments(session, principal.tenant_id, partner_id=partner_id)
