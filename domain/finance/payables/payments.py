"""Payments to suppliers: allocation to bills, advances, the treasury entry.

A payment settles the bills it is allocated to (explicitly, the one named, or the supplier's
bills by due date, oldest first). What is left is an advance to the supplier: it stays on
the supplier's account (401, debit side) until a later bill uses it. The entry debits 401
and credits the bank (virement, chèque, carte), the cash box or the mobile-money account.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance.books import Books, open_books
from domain.finance.ledger import EntryDraft, Movement, write_entry
from domain.finance.payables import repository as repo
from domain.finance.payables.bills import WRITERS, balance, require_bill, require_supplier
from domain.finance.payables.errors import BillNotPayable
from domain.finance.payables.models import (
    OPEN_STATUSES,
    SupplierAllocation,
    SupplierBill,
    SupplierPayment,
)
from domain.finance.payables.schemas import (
    BILL_STATUS_LABELS,
    SUPPLIER_PAYMENT_LABELS,
    SupplierPaymentCreate,
)
from domain.finance.payables.settlement import settle
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import round_to_currency
from domain.kit.principal import Principal
from domain.kit.sequences import take_next
from domain.sales.models import Partner


def treasury(books: Books, method: str) -> tuple[str, str]:
    """(journal, account) the money leaves from."""
    accounts = books.accounts
    if method == "cash":
        return "CA", accounts.cash
    if method in ("wave", "orange_money"):
        return "MM", accounts.mobile_money
    return "BQ", accounts.bank  # transfer, card, and cheques issued (debited by the bank)


def _require_payable(bill: SupplierBill, supplier_id: UUID) -> None:
    name = bill.supplier_number
    if bill.supplier_id != supplier_id:
        raise InvalidInput(f"La facture {name} n'est pas de ce fournisseur.")
    if bill.kind != "bill":
        raise BillNotPayable(f"{name} est un avoir, pas une facture à payer.")
    if bill.status not in OPEN_STATUSES:
        raise BillNotPayable(
            f"La facture {name} est {BILL_STATUS_LABELS[bill.status]} : "
            "elle ne peut pas recevoir de paiement.",
            bill_status=bill.status,
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    supplier: Partner
    bills: dict[UUID, SupplierBill]
    shares: list[tuple[UUID, Decimal]]


def _explicit(
    session: Session, books: Books, data: SupplierPaymentCreate, amount: Decimal
) -> tuple[UUID, dict[UUID, SupplierBill], list[tuple[UUID, Decimal]]]:
    assert data.allocations is not None
    ids = [a.bill_id for a in data.allocations]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Une facture apparaît deux fois dans la répartition.")
    bills = repo.lock_bills(session, books.tenant.id, ids)
    if len(bills) != len(ids):
        raise InvalidInput("Une des factures de la répartition est introuvable.")
    supplier_id = data.supplier_id or bills[ids[0]].payee
    shares = []
    for wanted in data.allocations:
        bill = bills[wanted.bill_id]
        _require_payable(bill, supplier_id)
        share = round_to_currency(wanted.amount, books.currency)
        if share <= 0 or share > balance(bill):
            raise InvalidInput(
                f"Montant réparti invalide pour {bill.supplier_number} (reste à payer : "
                f"{balance(bill)} {bill.currency})."
            )
        shares.append((bill.id, share))
    if sum(s for _, s in shares) > amount:
        raise InvalidInput("La répartition dépasse le montant du paiement.")
    return supplier_id, bills, shares


def _plan(session: Session, books: Books, data: SupplierPaymentCreate, amount: Decimal) -> _Plan:
    if data.allocations:
        supplier_id, bills, shares = _explicit(session, books, data, amount)
        return _Plan(require_supplier(session, books, supplier_id), bills, shares)
    if data.bill_id is not None:
        bill = require_bill(session, books.tenant.id, data.bill_id, lock=True)
        supplier_id = bill.payee
        _require_payable(bill, data.supplier_id or supplier_id)
        candidates = [bill]
    elif data.supplier_id is not None:
        supplier_id = data.supplier_id
        candidates = repo.open_bills(session, books.tenant.id, supplier_id, lock=True)
    else:
        raise InvalidInput("Indiquez le fournisseur ou la facture payée.", field="supplier_id")
    supplier = require_supplier(session, books, supplier_id)
    bills, shares, left = {}, [], amount
    for bill in candidates:
        share = min(left, balance(bill))
        if share > 0:
            bills[bill.id] = bill
            shares.append((bill.id, share))
            left -= share
    return _Plan(supplier, bills, shares)


def _amount(books: Books, value: Decimal) -> Decimal:
    amount = round_to_currency(value, books.currency)
    if amount != value or amount <= 0:
        hint = " Le franc CFA n'a pas de centimes." if books.currency.minor_units == 0 else ""
        raise InvalidInput(f"Montant invalide : {value}.{hint}", field="amount")
    return amount


def record_supplier_payment(
    session: Session, principal: Principal, clock: Clock, data: SupplierPaymentCreate
) -> SupplierPayment:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    amount = _amount(books, data.amount)
    paid_on = data.paid_on or books.today()
    if paid_on > books.today():
        raise InvalidInput("La date du paiement ne peut pas être dans le futur.", field="paid_on")
    plan = _plan(session, books, data, amount)
    year = str(paid_on.year)
    payment = SupplierPayment(
        tenant_id=books.tenant.id,
        id=uuid7(),
        supplier_id=plan.supplier.id,
        number=f"PF-{year}-{take_next(session, books.tenant.id, 'supplier_payment', year):05d}",
        paid_on=paid_on,
        amount=amount,
        currency=books.currency.value,
        method=data.method,
        reference=data.reference,
        amount_allocated=sum((s for _, s in plan.shares), Decimal(0)),
        created_by=principal.user_id,
    )
    session.add(payment)
    session.flush()
    for bill_id, share in plan.shares:
        session.add(
            SupplierAllocation(
                tenant_id=books.tenant.id,
                bill_id=bill_id,
                payment_id=payment.id,
                amount=share,
                allocated_on=paid_on,
            )
        )
        settle(plan.bills[bill_id], share)
    _write_entry(session, books, payment, plan.supplier)
    _announce(session, principal, payment, plan)
    return payment


def _write_entry(
    session: Session, books: Books, payment: SupplierPayment, supplier: Partner
) -> None:
    journal, account = treasury(books, payment.method)
    label = f"Paiement {SUPPLIER_PAYMENT_LABELS[payment.method]} {supplier.name}"
    write_entry(
        session,
        books,
        EntryDraft(
            journal=journal,
            entry_date=payment.paid_on,
            label=label,
            piece_ref=payment.number,
            piece_date=payment.paid_on,
            source_type="supplier_payment",
            source_id=payment.id,
            movements=[
                Movement(books.accounts.payable, payment.amount, label, supplier.id),
                Movement(account, -payment.amount, label),
            ],
        ),
    )


def _announce(
    session: Session, principal: Principal, payment: SupplierPayment, plan: _Plan
) -> None:
    settled = [
        {"bill_id": i, "supplier_number": plan.bills[i].supplier_number, "amount": a}
        for i, a in plan.shares
    ]
    events.emit(
        session,
        principal,
        "supplier_payment.recorded",
        payment_id=payment.id,
        supplier_id=payment.supplier_id,
        amount=payment.amount,
        currency=payment.currency,
        method=payment.method,
        allocations=settled,
    )
    audit.record(
        session,
        principal,
        "supplier_payment.record",
        target_type="supplier_payment",
        target_id=payment.id,
        after={"amount": payment.amount, "method": payment.method, "allocations": settled},
    )


def apply_advances(session: Session, principal: Principal, clock: Clock, bill_id: UUID) -> Decimal:
    """Settle a posted bill from the supplier's unused advances; returns the amount used."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    bill = require_bill(session, books.tenant.id, bill_id, lock=True)
    _require_payable(bill, bill.payee)
    used = Decimal(0)
    for payment in repo.unused_advances(session, books.tenant.id, bill.payee, lock=True):
        share = min(payment.amount - payment.amount_allocated, balance(bill))
        if share <= 0:
            break
        payment.amount_allocated += share
        session.add(
            SupplierAllocation(
                tenant_id=books.tenant.id,
                bill_id=bill.id,
                payment_id=payment.id,
                amount=share,
                allocated_on=books.today(),
            )
        )
        settle(bill, share)
        used += share
    session.flush()
    return used
