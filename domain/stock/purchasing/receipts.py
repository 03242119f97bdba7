"""Receiving a purchase order, all of it or part, into its warehouse.

Each received line becomes a stock move through ``stock.receive`` at the line's unit
price (which updates the weighted average cost), with ``origin_type="purchase_order"``.
More than ordered is accepted — deliveries do that — and recorded as a warning on the
receipt, returned to the caller. A draft, cancelled or fully received order refuses any
receipt. The order row is locked (``FOR UPDATE``) before its lines are read, so two
receipts of one order run one after the other and the second sees what the first did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance.books import open_books
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.sales.models import Product
from domain.stock import service as stock
from domain.stock.errors import LotRequired
from domain.stock.purchasing import repository as repo
from domain.stock.purchasing._common import READERS, RECEIVERS
from domain.stock.purchasing.errors import PurchaseOrderNotReceivable
from domain.stock.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
)
from domain.stock.purchasing.orders import require_order
from domain.stock.purchasing.schemas import ReceiptCreate, ReceiptLineIn

RECEIVABLE = ("sent", "partially_received")
REFUSALS = {
    "draft": "est encore en brouillon : envoyez-le au fournisseur avant de le réceptionner",
    "cancelled": "est annulé : rien ne peut plus être réceptionné",
    "received": "est déjà entièrement reçu",
}


@dataclass(frozen=True, slots=True)
class Arrival:
    line: PurchaseOrderLine
    quantity: Decimal
    lot_number: str | None
    expiry_date: date | None


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    receipt: PurchaseReceipt
    order: PurchaseOrder
    lines: list[PurchaseReceiptLine]
    warnings: list[str]


def remaining(line: PurchaseOrderLine) -> Decimal:
    return max(line.quantity - line.received_quantity, Decimal(0))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _find_line(lines: list[PurchaseOrderLine], wanted: ReceiptLineIn, i: int) -> PurchaseOrderLine:
    if wanted.line_id is not None:
        match = [r for r in lines if r.id == wanted.line_id]
    else:
        # A product ordered on two lines fills the first one still open.
        match = sorted(
            (r for r in lines if r.product_id == wanted.product_id),
            key=lambda r: (remaining(r) == 0, r.position),
        )
    if not match:
        raise InvalidInput(
            f"Réception, ligne {i} : ce produit ne figure pas sur le bon de commande.",
            field="lines",
        )
    return match[0]


def _arrivals(lines: list[PurchaseOrderLine], data: ReceiptCreate) -> list[Arrival]:
    if not data.lines:
        return [Arrival(r, remaining(r), None, None) for r in lines if remaining(r) > 0]
    return [
        Arrival(_find_line(lines, w, i), w.quantity, w.lot_number, w.expiry_date)
        for i, w in enumerate(data.lines, start=1)
    ]


def _check_lots(arrivals: list[Arrival], products: dict[UUID, Product]) -> None:
    for arrival in arrivals:
        product = products[arrival.line.product_id]
        if product.tracks_lots and not arrival.lot_number:
            raise LotRequired(
                f"« {product.name} » est suivi par lots : indiquez le numéro de lot reçu.",
                field="lot_number",
            )
        if not product.tracks_lots and (arrival.lot_number or arrival.expiry_date):
            raise InvalidInput(
                f"« {product.name} » n'est pas suivi par lots : retirez le lot et la date "
                "de péremption.",
                field="lot_number",
            )


def _over_receipts(arrivals: list[Arrival], products: dict[UUID, Product]) -> list[str]:
    """One French warning per line that ends up above what was ordered."""
    totals: dict[UUID, Decimal] = {}
    for arrival in arrivals:
        totals[arrival.line.id] = totals.get(arrival.line.id, Decimal(0)) + arrival.quantity
    warnings = []
    for line_id, quantity in totals.items():
        line = next(a.line for a in arrivals if a.line.id == line_id)
        excess = line.received_quantity + quantity - line.quantity
        if excess > 0:
            warnings.append(
                f"Ligne {line.position} (« {products[line.product_id].name} ») : "
                f"{_fmt(quantity)} reçus pour {_fmt(remaining(line))} attendus — "
                f"{_fmt(excess)} de plus que commandé."
            )
    return warnings


def _refuse_unless_receivable(order: PurchaseOrder) -> None:
    if order.status not in RECEIVABLE:
        raise PurchaseOrderNotReceivable(
            f"Le bon de commande {order.number} {REFUSALS[order.status]}."
        )


def receive_purchase_order(
    session: Session,
    principal: Principal,
    clock: Clock,
    order_id: UUID,
    data: ReceiptCreate | None = None,
) -> ReceiptResult:
    """Receive ``data.lines`` (or everything still expected) into the order's warehouse."""
    principal.require(*RECEIVERS)
    data = data or ReceiptCreate()
    books = open_books(session, principal, clock)
    tenant_id = books.tenant.id
    order = require_order(session, tenant_id, order_id, lock=True)
    _refuse_unless_receivable(order)
    lines = repo.order_lines(session, tenant_id, order.id)
    arrivals = _arrivals(lines, data)
    if not arrivals:
        raise InvalidInput("Rien à réceptionner sur ce bon de commande.", field="lines")
    products = repo.products_by_id(session, tenant_id, [r.product_id for r in lines])
    _check_lots(arrivals, products)
    warnings = _over_receipts(arrivals, products)
    receipt = PurchaseReceipt(
        tenant_id=tenant_id,
        id=uuid7(),
        order_id=order.id,
        received_at=clock.now(),
        reference=data.reference,
        warnings=warnings,
        created_by=principal.user_id,
    )
    session.add(receipt)
    session.flush()
    # Products are locked in id order, as an invoice's delivery locks them: two receipts
    # (or a receipt and a posting) sharing products never wait on each other crosswise.
    in_lock_order = sorted(enumerate(arrivals), key=lambda ia: (ia[1].line.product_id, ia[0]))
    done = {i: _receive_one(session, principal, clock, order, receipt, a) for i, a in in_lock_order}
    rows = [done[i] for i in range(len(arrivals))]
    session.add_all(rows)
    complete = all(r.received_quantity >= r.quantity for r in lines)
    order.status = "received" if complete else "partially_received"
    if complete:
        order.closed_at = clock.now()
    session.flush()
    _record(session, principal, order, receipt, warnings)
    return ReceiptResult(receipt=receipt, order=order, lines=rows, warnings=warnings)


def _receive_one(
    session: Session,
    principal: Principal,
    clock: Clock,
    order: PurchaseOrder,
    receipt: PurchaseReceipt,
    arrival: Arrival,
) -> PurchaseReceiptLine:
    line = arrival.line
    move = stock.receive(
        session,
        principal,
        clock,
        product_id=line.product_id,
        quantity=arrival.quantity,
        warehouse_id=order.warehouse_id,
        unit_cost=line.unit_price,
        lot_number=arrival.lot_number,
        expiry_date=arrival.expiry_date,
        reference=receipt.reference or order.number,
        origin_type="purchase_order",
        origin_id=order.id,
    )
    line.received_quantity += arrival.quantity
    return PurchaseReceiptLine(
        tenant_id=order.tenant_id,
        id=uuid7(),
        receipt_id=receipt.id,
        order_line_id=line.id,
        product_id=line.product_id,
        quantity=arrival.quantity,
        lot_number=arrival.lot_number,
        expiry_date=arrival.expiry_date,
        move_id=move.id,
    )


def _record(
    session: Session,
    principal: Principal,
    order: PurchaseOrder,
    receipt: PurchaseReceipt,
    warnings: list[str],
) -> None:
    events.emit(
        session,
        principal,
        "purchase_order.received",
        order_id=order.id,
        number=order.number,
        receipt_id=receipt.id,
        status=order.status,
    )
    audit.record(
        session,
        principal,
        "purchase_order.receive",
        target_type="purchase_order",
        target_id=order.id,
        after={"status": order.status, "receipt": receipt.id, "warnings": warnings},
    )


def list_receipts(
    session: Session, principal: Principal, order_id: UUID
) -> list[tuple[PurchaseReceipt, list[PurchaseReceiptLine]]]:
    principal.require(*READERS)
    require_order(session, principal.tenant_id, order_id)
    return [
        (r, repo.receipt_lines(session, principal.tenant_id, r.id))
        for r in repo.receipts_of(session, principal.tenant_id, order_id)
    ]
