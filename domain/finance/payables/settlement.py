"""How payments and credit notes settle supplier bills (amounts and statuses)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.finance.payables.models import SupplierAllocation, SupplierBill


def settle(bill: SupplierBill, amount: Decimal) -> None:
    bill.amount_settled += amount
    bill.status = "paid" if bill.amount_settled >= bill.gross_total else "partially_paid"


def allocate_credit_note(
    session: Session, note: SupplierBill, bill: SupplierBill, on: date
) -> Decimal:
    """Settle ``bill`` from ``note`` as far as both go; returns the amount used."""
    share = min(note.gross_total - note.amount_settled, bill.gross_total - bill.amount_settled)
    if share <= 0:
        return Decimal(0)
    session.add(
        SupplierAllocation(
            tenant_id=bill.tenant_id,
            bill_id=bill.id,
            credit_note_id=note.id,
            amount=share,
            allocated_on=on,
        )
    )
    settle(bill, share)
    settle(note, share)
    session.flush()
    return share
