"""The purchases-journal entry of a supplier bill or credit note.

A bill debits each line's account by its net amount and the deductible-VAT account by the
VAT, and credits the supplier (401, with the supplier as auxiliary account) by the total.
VAT is computed once per rate (``domain.finance.calc``), then split between the VAT
accounts of that rate's lines in proportion to their bases, the rounding remainder going
to the largest share, so the entry's VAT equals the bill's to the cent. A credit note
writes the same entry with the sides swapped.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from domain.finance.books import Books
from domain.finance.calc import document_totals
from domain.finance.ledger import EntryDraft, Movement
from domain.finance.payables.accounts import vat_account
from domain.finance.payables.lines import BillLineDraft
from domain.finance.payables.models import SupplierBill
from domain.kit.money import round_to_currency
from domain.sales.models import Partner


def _vat_movements(books: Books, lines: list[BillLineDraft], label: str) -> list[Movement]:
    totals = document_totals((line.taxable() for line in lines), books.currency)
    movements: list[Movement] = []
    for rate in totals.by_rate:
        if rate.tax == 0:
            continue
        shares: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            if (line.vat_category, line.vat_rate) == (rate.category, rate.rate):
                shares[vat_account(books, line.account)] += line.net_amount
        split = {
            account: round_to_currency(rate.tax * base / rate.base, books.currency)
            for account, base in shares.items()
        }
        largest = max(split, key=lambda a: shares[a])
        split[largest] += rate.tax - sum(split.values())
        movements.extend(Movement(a, v, label) for a, v in split.items())
    return movements


def bill_entry(
    books: Books, bill: SupplierBill, lines: list[BillLineDraft], supplier: Partner
) -> EntryDraft:
    sign = Decimal(-1) if bill.kind == "credit_note" else Decimal(1)
    word = "Avoir" if bill.kind == "credit_note" else "Facture"
    label = f"{word} {supplier.name} {bill.supplier_number}"
    movements = [Movement(line.account, line.net_amount, label) for line in lines]
    movements += _vat_movements(books, lines, label)
    movements.append(Movement(books.accounts.payable, -bill.gross_total, label, supplier.id))
    assert bill.number is not None  # numbered just before
    return EntryDraft(
        journal="AC",
        entry_date=bill.issue_date,
        label=label,
        piece_ref=bill.number,
        piece_date=bill.issue_date,
        source_type="supplier_bill",
        source_id=bill.id,
        movements=[Movement(m.account, sign * m.amount, m.label, m.partner_id) for m in movements],
    )
