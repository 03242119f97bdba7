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

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from domain.finance.books import Books
from domain.finance.errors import UnbalancedEntry
from domain.finance.models import Account
from domain.kit.bulk import json_rows
from domain.kit.ids import uuid7


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


# The entry's number, the entry and its lines in one statement, its text the same for
# every entry (compiled once, prepared once per connection). ``seq`` is the upsert of
# ``domain.kit.sequences.take_next``: the journal's counter, locked until commit (gapless).
# The journal is found by code, each line's account by number, the lines come as one JSON
# parameter. RETURNING one row per line written.
_WRITE_ENTRY = text(
    """
WITH seq AS (
  INSERT INTO sequences (tenant_id, id, name, period, next_value, created_at, updated_at)
  VALUES (:tenant_id, :sequence_id, :sequence, :year, 2, now(), now())
  ON CONFLICT (tenant_id, name, period)
  DO UPDATE SET next_value = sequences.next_value + 1, updated_at = now()
  RETURNING next_value - 1 AS taken
),
entry AS (
  INSERT INTO journal_entries (tenant_id, id, journal_id, number, entry_date, label,
    piece_ref, piece_date, source_type, source_id, validated_at)
  SELECT :tenant_id, :entry_id, j.id,
    CAST(:journal AS text) || '-' || CAST(:year AS text) || '-'
      || lpad(seq.taken::text, greatest(6, length(seq.taken::text)), '0'),
    :entry_date, :label, :piece_ref, :piece_date, :source_type, :source_id, :validated_at
  FROM journals j CROSS JOIN seq
  WHERE j.tenant_id = :tenant_id AND j.code = :journal
  RETURNING id
)
INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, partner_id, label,
  debit, credit)
SELECT :tenant_id, m.id, entry.id, m.position, a.id, m.partner_id, m.label, m.debit, m.credit
FROM jsonb_to_recordset(CAST(:lines AS jsonb)) AS m(id uuid, position smallint,
  account text, partner_id uuid, label text, debit numeric, credit numeric)
JOIN accounts a ON a.tenant_id = :tenant_id AND a.number = m.account
CROSS JOIN entry
RETURNING entry_id
"""
)


def write_entry(session: Session, books: Books, draft: EntryDraft) -> UUID:
    """Write a balanced entry and its lines; returns the entry's id.

    One statement (``_WRITE_ENTRY``): the journal's counter, the entry and its lines —
    rather than a read of the journal, the counter, a flush of the entry, a read of the
    accounts and a flush of the lines. A journal or account missing from the chart writes
    fewer lines than asked: refused (and the rollback gives the number back).
    """
    tenant_id = books.tenant.id
    movements = _merge(draft.movements)
    if sum(m.amount for m in movements) != 0 or len(movements) < 2:
        raise UnbalancedEntry()
    # Debits first, then credits: the order accountants read an entry in.
    ordered = sorted(movements, key=lambda m: (m.amount < 0, m.account))
    lines = [
        {
            "id": uuid7(),
            "position": i,
            "account": m.account,
            "partner_id": m.partner_id,
            "label": m.label[:200],
            "debit": m.amount if m.amount > 0 else Decimal(0),
            "credit": -m.amount if m.amount < 0 else Decimal(0),
        }
        for i, m in enumerate(ordered, start=1)
    ]
    entry_id = uuid7()
    written = session.execute(
        _WRITE_ENTRY,
        {
            "tenant_id": tenant_id,
            "entry_id": entry_id,
            "journal": draft.journal,
            "sequence_id": uuid7(),
            "sequence": f"entry:{draft.journal}",
            "year": str(draft.entry_date.year),
            "entry_date": draft.entry_date,
            "label": draft.label[:200],
            "piece_ref": draft.piece_ref,
            "piece_date": draft.piece_date,
            "source_type": draft.source_type,
            "source_id": draft.source_id,
            "validated_at": books.now(),
            "lines": json_rows(lines),
        },
    ).all()
    if len(written) != len(lines):
        numbers = {m.account for m in ordered}
        found = session.scalars(
            select(Account.number).where(
                Account.tenant_id == tenant_id, Account.number.in_(numbers)
            )
        )
        missing = sorted(numbers - set(found))
        raise RuntimeError(f"journal {draft.journal} or accounts {missing} missing from the chart")
    return entry_id
