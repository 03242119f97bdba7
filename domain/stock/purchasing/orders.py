"""Purchase orders: draft → sent → partially_received → received, or cancelled.

An order is numbered when created (``BC-2026-00001``, a reference like a quote number, from
the gapless per-year ``purchase_order`` sequence). Lines are priced like finance lines:
``net = round(quantity × unit_price)`` per line, VAT rounded once per rate
(``domain.finance.calc``). A draft or sent order can be cancelled; so can a partially
received one, which cancels what is still to come (what arrived stays in stock and on
the lines). Receiving lives in ``receipts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance.books import Books, open_books
from domain.finance.calc import TaxableLine, document_totals, line_net
from domain.finance.vat import active_rates, pick_rate
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.kit.sequences import take_next
from domain.sales.models import Partner
from domain.stock.purchasing import repository as repo
from domain.stock.purchasing._common import (
    BUYERS,
    READERS,
    lead_time,
    require_stockable,
    require_supplier,
    require_warehouse,
)
from domain.stock.purchasing.errors import (
    MissingPurchasePrice,
    PurchaseOrderNotFound,
    PurchaseOrderTransition,
)
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine
from domain.stock.purchasing.schemas import PurchaseLineIn, PurchaseOrderCreate
from domain.stock.service import default_warehouse

NUMBER_PATTERN = "BC-{year}-{seq:05d}"
OPEN_STATUSES = ("draft", "sent", "partially_received")  # still to receive (reorder)
CANCELLABLE = ("draft", "sent", "partially_received")
STATUS_LABELS = {
    "draft": "en brouillon",
    "sent": "envoyé",
    "partially_received": "partiellement reçu",
    "received": "entièrement reçu",
    "cancelled": "annulé",
}
PRICE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class OrderView:
    order: PurchaseOrder
    supplier_name: str
    lines: list[PurchaseOrderLine]


def require_order(
    session: Session, tenant_id: UUID, order_id: UUID, *, lock: bool = False
) -> PurchaseOrder:
    order = repo.get_order(session, tenant_id, order_id, lock=lock)
    if order is None:
        raise PurchaseOrderNotFound()
    return order


def _price_lines(
    session: Session, books: Books, supplier: Partner, data: list[PurchaseLineIn]
) -> tuple[list[PurchaseOrderLine], int]:
    """Validated, priced line rows (not added yet) and the longest lead time among them."""
    tenant_id = books.tenant.id
    ids = [line.product_id for line in data]
    products = repo.products_by_id(session, tenant_id, ids)
    terms = repo.supplier_terms(session, tenant_id, supplier.id, ids)
    rates = active_rates(session, tenant_id)
    rows, longest = [], 0
    for position, line in enumerate(data, start=1):
        product = products.get(line.product_id)
        if product is None:
            raise InvalidInput(f"Ligne {position} : produit introuvable.", field="product_id")
        require_stockable(product, position)
        term = terms.get(product.id)
        price = line.unit_price
        if price is None:
            price = term.price if term is not None and term.price is not None else None
        if price is None:
            price = product.purchase_price
        if price is None:
            raise MissingPurchasePrice(
                f"Ligne {position} : aucun prix d'achat connu pour « {product.name} » — "
                "indiquez le prix unitaire.",
                field="unit_price",
            )
        price = price.quantize(PRICE_PLACES)
        rate = pick_rate(rates, line.vat_rate if line.vat_rate is not None else product.vat_rate)
        longest = max(
            longest, lead_time(term.lead_time_days if term else None, supplier.lead_time_days)
        )
        rows.append(
            PurchaseOrderLine(
                tenant_id=tenant_id,
                position=position,
                product_id=product.id,
                description=(line.description or product.name).strip(),
                quantity=line.quantity,
                unit=product.unit,
                unit_price=price,
                vat_rate=rate.rate,
                vat_category=rate.category,
                net_amount=line_net(line.quantity, price, Decimal(0), books.currency),
            )
        )
    return rows, longest


def create_purchase_order(
    session: Session, principal: Principal, clock: Clock, data: PurchaseOrderCreate
) -> PurchaseOrder:
    """A draft order to a supplier, numbered now. Validates everything before writing."""
    principal.require(*BUYERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    supplier = require_supplier(session, books, data.supplier_id)
    if data.warehouse_id is not None:
        warehouse = require_warehouse(session, books.tenant.id, data.warehouse_id)
    else:
        warehouse = default_warehouse(session, principal)
    lines, _ = _price_lines(session, books, supplier, data.lines)
    totals = document_totals(
        (TaxableLine(r.net_amount, r.vat_rate, r.vat_category) for r in lines), books.currency
    )
    today = books.today()
    seq = take_next(session, books.tenant.id, "purchase_order", str(today.year))
    order = PurchaseOrder(
        tenant_id=books.tenant.id,
        id=uuid7(),
        number=NUMBER_PATTERN.format(year=today.year, seq=seq),
        supplier_id=supplier.id,
        warehouse_id=warehouse.id,
        status="draft",
        order_date=today,
        expected_date=data.expected_date,
        currency=books.currency.value,
        net_total=totals.net,
        tax_total=totals.tax,
        gross_total=totals.gross,
        notes=data.notes,
        created_by=principal.user_id,
    )
    session.add(order)
    session.flush()
    for row in lines:
        row.order_id = order.id
    session.add_all(lines)
    session.flush()
    events.emit(
        session, principal, "purchase_order.created", order_id=order.id, number=order.number
    )
    audit.record(
        session,
        principal,
        "purchase_order.create",
        target_type="purchase_order",
        target_id=order.id,
        after={"number": order.number, "supplier": supplier.name, "gross": order.gross_total},
    )
    return order


def _refuse(order: PurchaseOrder, action: str) -> PurchaseOrderTransition:
    return PurchaseOrderTransition(
        f"Le bon de commande {order.number} est {STATUS_LABELS[order.status]} : "
        f"impossible de {action}."
    )


def send_purchase_order(
    session: Session, principal: Principal, clock: Clock, order_id: UUID
) -> PurchaseOrder:
    """Draft → sent: dated today, expected today + the longest lead time unless given."""
    principal.require(*BUYERS)
    books = open_books(session, principal, clock)
    order = require_order(session, books.tenant.id, order_id, lock=True)
    if order.status != "draft":
        raise _refuse(order, "l'envoyer")
    supplier = require_supplier(session, books, order.supplier_id)
    lines = repo.order_lines(session, books.tenant.id, order.id)
    terms = repo.supplier_terms(
        session, books.tenant.id, supplier.id, [r.product_id for r in lines]
    )
    days = max(
        (
            lead_time(
                terms[r.product_id].lead_time_days if r.product_id in terms else None,
                supplier.lead_time_days,
            )
            for r in lines
        ),
        default=lead_time(None, supplier.lead_time_days),
    )
    today = books.today()
    order.status, order.order_date, order.sent_at = "sent", today, clock.now()
    if order.expected_date is None:
        order.expected_date = today + timedelta(days=days)
    session.flush()
    events.emit(session, principal, "purchase_order.sent", order_id=order.id, number=order.number)
    audit.record(
        session, principal, "purchase_order.send", target_type="purchase_order", target_id=order.id
    )
    return order


def cancel_purchase_order(
    session: Session, principal: Principal, clock: Clock, order_id: UUID, reason: str | None = None
) -> PurchaseOrder:
    """Cancel an order, or what is still to come of a partially received one."""
    principal.require(*BUYERS)
    books = open_books(session, principal, clock)
    order = require_order(session, books.tenant.id, order_id, lock=True)
    if order.status not in CANCELLABLE:
        raise _refuse(order, "l'annuler")
    before = order.status
    order.status, order.closed_at = "cancelled", clock.now()
    if reason:
        order.notes = f"{order.notes}\n{reason}" if order.notes else reason
    session.flush()
    events.emit(
        session, principal, "purchase_order.cancelled", order_id=order.id, number=order.number
    )
    audit.record(
        session,
        principal,
        "purchase_order.cancel",
        target_type="purchase_order",
        target_id=order.id,
        before={"status": before},
        after={"status": "cancelled", "reason": reason},
    )
    return order


def get_purchase_order(session: Session, principal: Principal, order_id: UUID) -> OrderView:
    principal.require(*READERS)
    order = require_order(session, principal.tenant_id, order_id)
    supplier = session.get(Partner, (principal.tenant_id, order.supplier_id))
    assert supplier is not None  # a composite foreign key guarantees it
    lines = repo.order_lines(session, principal.tenant_id, order.id)
    return OrderView(order=order, supplier_name=supplier.name, lines=lines)


def list_purchase_orders(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    statuses: Sequence[str] | None = None,
    supplier_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    with_lines: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[OrderView]:
    """Orders newest first, of one ``status`` or any of ``statuses`` (neither: every
    status), of one supplier, dated (order date) from ``start`` to ``end``; their lines
    too with ``with_lines`` (read in one query, for what is still to receive)."""
    principal.require(*READERS)
    wanted = (status,) if status is not None else statuses
    rows = repo.list_orders(
        session,
        principal.tenant_id,
        statuses=wanted,
        supplier_id=supplier_id,
        since=start,
        until=end,
        limit=limit,
        offset=offset,
    )
    lines = (
        repo.lines_of_orders(session, principal.tenant_id, [o.id for o, _ in rows])
        if with_lines
        else {}
    )
    return [OrderView(order=o, supplier_name=name, lines=lines.get(o.id, [])) for o, name in rows]
