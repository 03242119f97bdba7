"""What is owed to suppliers: aged payables and one supplier's balance.

Buckets count days past the due date at ``as_of``: not yet due, 1-30, 31-60, 61-90 and over
90 days. A supplier's balance is its open bills minus its unused advances and credit notes;
the same figure read from the ledger (account 401 for that supplier) is returned beside it
so a difference shows at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from domain.finance.books import open_books
from domain.finance.models import Account, JournalLine
from domain.finance.payables import repository as repo
from domain.finance.payables.bills import READERS, balance, require_supplier
from domain.finance.payables.models import OPEN_STATUSES, SupplierBill
from domain.kit.clock import Clock
from domain.kit.principal import Principal
from domain.sales.models import Partner

BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")


def bucket_of(due: date, as_of: date) -> str:
    late = (as_of - due).days
    if late <= 0:
        return "not_due"
    if late <= 30:
        return "days_1_30"
    if late <= 60:
        return "days_31_60"
    return "days_61_90" if late <= 90 else "over_90"


@dataclass
class AgedSupplier:
    supplier_id: UUID
    supplier: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, Decimal(0)))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal(0))


@dataclass(frozen=True)
class AgedPayables:
    as_of: date
    currency: str
    suppliers: list[AgedSupplier]

    @property
    def total(self) -> Decimal:
        return sum((s.total for s in self.suppliers), Decimal(0))


def _bucket_sql(as_of: date) -> Any:
    """The bucket of a bill in SQL, as ``bucket_of`` says it."""
    late = literal(as_of) - SupplierBill.due_date
    return case(
        (late <= 0, "not_due"),
        (late <= 30, "days_1_30"),
        (late <= 60, "days_31_60"),
        (late <= 90, "days_61_90"),
        else_="over_90",
    )


def aged_payables(
    session: Session, principal: Principal, clock: Clock, *, as_of: date | None = None
) -> AgedPayables:
    """Open bills summed per supplier and bucket by PostgreSQL (a year of bills is tens of
    thousands of rows: they are never loaded one by one)."""
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    day = as_of or books.today()
    bucket = _bucket_sql(day).label("bucket")
    rows = session.execute(
        select(
            SupplierBill.supplier_id,
            Partner.name,
            bucket,
            func.sum(SupplierBill.gross_total - SupplierBill.amount_settled),
        )
        .join(
            Partner,
            (Partner.tenant_id == SupplierBill.tenant_id)
            & (Partner.id == SupplierBill.supplier_id),
        )
        .where(
            SupplierBill.tenant_id == books.tenant.id,
            SupplierBill.kind == "bill",
            SupplierBill.status.in_(OPEN_STATUSES),
        )
        .group_by(SupplierBill.supplier_id, Partner.name, bucket)
    )
    found: dict[UUID, AgedSupplier] = {}
    for supplier_id, name, key, amount in rows:
        row = found.setdefault(supplier_id, AgedSupplier(supplier_id, name))
        row.buckets[key] += Decimal(amount)
    ordered = sorted(found.values(), key=lambda r: (-r.total, r.supplier))
    return AgedPayables(day, books.currency.value, ordered)


@dataclass(frozen=True)
class SupplierBalance:
    supplier_id: UUID
    supplier: str
    currency: str
    open_bills: Decimal
    advances: Decimal
    credit_notes: Decimal
    ledger_balance: Decimal
    overdue: Decimal
    next_due_date: date | None

    @property
    def balance(self) -> Decimal:
        return self.open_bills - self.advances - self.credit_notes


def ledger_payable(session: Session, tenant_id: UUID, account: str, supplier_id: UUID) -> Decimal:
    """Credit minus debit on the suppliers' account for this supplier."""
    total = session.scalar(
        select(func.sum(JournalLine.credit - JournalLine.debit))
        .join(
            Account,
            (Account.tenant_id == JournalLine.tenant_id) & (Account.id == JournalLine.account_id),
        )
        .where(
            JournalLine.tenant_id == tenant_id,
            JournalLine.partner_id == supplier_id,
            Account.number == account,
        )
    )
    return Decimal(total or 0)


def supplier_balance(
    session: Session, principal: Principal, clock: Clock, supplier_id: UUID
) -> SupplierBalance:
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    supplier = require_supplier(session, books, supplier_id)
    today = books.today()
    bills = repo.open_bills(session, books.tenant.id, supplier_id)
    due: dict[str, Decimal] = defaultdict(Decimal)
    for bill in bills:
        due["overdue" if bill.due_date < today else "later"] += balance(bill)
    advances = repo.unused_advances(session, books.tenant.id, supplier_id)
    notes = repo.unused_credit_notes(session, books.tenant.id, supplier_id)
    return SupplierBalance(
        supplier_id=supplier.id,
        supplier=supplier.name,
        currency=books.currency.value,
        open_bills=sum((balance(b) for b in bills), Decimal(0)),
        advances=sum((p.amount - p.amount_allocated for p in advances), Decimal(0)),
        credit_notes=sum((balance(n) for n in notes), Decimal(0)),
        ledger_balance=ledger_payable(
            session, books.tenant.id, books.accounts.payable, supplier_id
        ),
        overdue=due["overdue"],
        next_due_date=min((b.due_date for b in bills), default=None),
    )
