"""The general ledger: balanced, immutable entries written by the finance services.

Every posted invoice, credit note and payment writes one entry here in the same
transaction. Debit = credit is checked here before anything is written, and again by
PostgreSQL at commit (a deferred constraint trigger); entries and lines are append-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance.books import Books
from domain.finance.errors import UnbalancedEntry
from domain.finance.models import Account, Journal, JournalEntry, JournalLine
from domain.kit.ids import uuid7
from domain.kit.sequences import take_next


@dataclass(frozen=True, slots=True)
class Movement:
    """One side of an entry before it is written: a signed amount on an account
    (positive = debit, negative = credit)."""

    account: str
    amount: Decimal
    label: str
    partner_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class EntryDraft:
    journal: str
    entry_date: date
    label: str
    piece_ref: str
    piece_date: date
    source_type: str
    source_id: UUID | None
    movements: list[Movement]


def _merge(movements: list[Movement]) -> list[Movement]:
    """One line per (account, partner, label), zero lines dropped."""
    totals: dict[tuple[str, UUID | None, str], Decimal] = defaultdict(Decimal)
    for m in movements:
        totals[(m.account, m.partner_id, m.label)] += m.amount
    return [
        Movement(account=a, amount=v, label=lbl, partner_id=p)
        for (a, p, lbl), v in totals.items()
        if v != 0
    ]


def _accounts(session: Session, tenant_id: UUID, numbers: set[str]) -> dict[str, UUID]:
    rows = session.execute(
        select(Account.number, Account.id).where(
            Account.tenant_id == tenant_id, Account.number.in_(numbers)
        )
    )
    found = {number: account_id for number, account_id in rows}
    missing = numbers - found.keys()
    if missing:
        raise RuntimeError(f"accounts missing from the chart: {sorted(missing)}")
    return found


def write_entry(session: Session, books: Books, draft: EntryDraft) -> JournalEntry:
    tenant_id = books.tenant.id
    movements = _merge(draft.movements)
    if sum(m.amount for m in movements) != 0 or len(movements) < 2:
        raise UnbalancedEntry()
    journal = session.scalars(
        select(Journal).where(Journal.tenant_id == tenant_id, Journal.code == draft.journal)
    ).one()
    year = str(draft.entry_date.year)
    seq = take_next(session, tenant_id, f"entry:{draft.journal}", year)
    entry = JournalEntry(
        tenant_id=tenant_id,
        id=uuid7(),
        journal_id=journal.id,
        number=f"{draft.journal}-{year}-{seq:06d}",
        entry_date=draft.entry_date,
        label=draft.label[:200],
        piece_ref=draft.piece_ref,
        piece_date=draft.piece_date,
        source_type=draft.source_type,
        source_id=draft.source_id,
        validated_at=books.now(),
    )
    session.add(entry)
    session.flush()  # the entry row before its lines (no ORM relationship orders them)
    accounts = _accounts(session, tenant_id, {m.account for m in movements})
    # Debits first, then credits: the order accountants read an entry in.
    ordered = sorted(movements, key=lambda m: (m.amount < 0, m.account))
    session.add_all(
        JournalLine(
            tenant_id=tenant_id,
            entry_id=entry.id,
            position=i,
            account_id=accounts[m.account],
            partner_id=m.partner_id,
            label=m.label[:200],
            debit=m.amount if m.amount > 0 else Decimal(0),
            credit=-m.amount if m.amount < 0 else Decimal(0),
        )
        for i, m in enumerate(ordered, start=1)
    )
    session.flush()
    return entry
