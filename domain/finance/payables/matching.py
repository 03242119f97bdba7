"""Three-way match: a supplier bill against its purchase order and what was received.

For each order line the bill charges, the quantity billed (plus what earlier posted bills
already billed) must not exceed the quantity received, and the unit price must be the
order's. Every difference is a French sentence shown before posting; posting a bill with
differences needs the user to accept them explicitly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance.payables import repository as repo
from domain.finance.payables.models import SupplierBill, SupplierBillLine
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


@dataclass(frozen=True, slots=True)
class LineMatch:
    description: str
    ordered: Decimal
    received: Decimal
    billed_before: Decimal
    billed: Decimal
    order_price: Decimal
    bill_price: Decimal
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Match:
    purchase_order_id: UUID | None
    order_number: str | None
    lines: list[LineMatch]
    differences: list[str]

    @property
    def matches(self) -> bool:
        return not self.differences


def _compare(
    line: PurchaseOrderLine, billed: Decimal, before: Decimal, price: Decimal
) -> LineMatch:
    name = f"« {line.description} »"
    found = []
    if before + billed > line.received_quantity:
        found.append(
            f"{name} : facturé {_fmt(billed)}, reçu {_fmt(line.received_quantity)}"
            + (f" (déjà facturé {_fmt(before)})" if before else "")
            + "."
        )
    if price != line.unit_price:
        found.append(f"{name} : prix facturé {_fmt(price)}, prix commandé {_fmt(line.unit_price)}.")
    return LineMatch(
        description=line.description,
        ordered=line.quantity,
        received=line.received_quantity,
        billed_before=before,
        billed=billed,
        order_price=line.unit_price,
        bill_price=price,
        differences=found,
    )


def match_bill(session: Session, bill: SupplierBill, lines: list[SupplierBillLine]) -> Match:
    """The bill compared with its order and receipts (no order: nothing to compare)."""
    if bill.purchase_order_id is None:
        return Match(None, None, [], [])
    tenant_id = bill.tenant_id
    order = session.get(PurchaseOrder, (tenant_id, bill.purchase_order_id))
    assert order is not None  # the foreign key guarantees it
    order_lines = {
        ol.id: ol
        for ol in session.scalars(
            select(PurchaseOrderLine).where(
                PurchaseOrderLine.tenant_id == tenant_id, PurchaseOrderLine.order_id == order.id
            )
        )
    }
    billed: dict[UUID, Decimal] = defaultdict(Decimal)
    prices: dict[UUID, Decimal] = {}
    differences = []
    for line in lines:
        if line.order_line_id is None or line.order_line_id not in order_lines:
            differences.append(
                f"« {line.description} » : ligne absente de la commande {order.number}."
            )
            continue
        billed[line.order_line_id] += line.quantity
        prices.setdefault(line.order_line_id, line.unit_price)
    before = repo.billed_quantities(session, tenant_id, list(billed), exclude_bill=bill.id)
    matched = [
        _compare(order_lines[i], qty, before.get(i, Decimal(0)), prices[i])
        for i, qty in billed.items()
    ]
    for m in matched:
        differences.extend(m.differences)
    return Match(order.id, order.number, matched, differences)
