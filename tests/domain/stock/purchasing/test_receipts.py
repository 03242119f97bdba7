"""Receiving purchase orders: moves and costs, statuses, over-receipts, refusals, lots,
and two receipts of one order at the same time."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.kit.errors import DomainError, InvalidInput
from domain.sales.models import Product
from domain.stock import service as stock
from domain.stock.errors import LotRequired
from domain.stock.models import Lot, StockMove
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.errors import PurchaseOrderNotReceivable
from domain.stock.purchasing.models import PurchaseOrderLine, PurchaseReceipt
from domain.stock.purchasing.schemas import ReceiptCreate, ReceiptLineIn
from tests.purchasing_factories import (
    Buyer,
    clock,
    line,
    make_buyer,
    make_goods,
    make_order,
    move_count,
    receive,
    stock_in,
)


def _part(product_id: object, quantity: str, **extra: object) -> ReceiptCreate:
    return ReceiptCreate(
        lines=[ReceiptLineIn(product_id=product_id, quantity=Decimal(quantity), **extra)]  # type: ignore[arg-type]
    )


def _on_hand(container: Container, buyer: Buyer, product_id: object) -> Decimal:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        rows = stock.stock_levels(session, buyer.principal, product_ids=[product_id])  # type: ignore[list-item]
    return sum((r.on_hand for r in rows), Decimal(0))


class TestReceive:
    def test_receiving_everything_moves_stock_at_the_order_price(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, purchase_price="10000")
        oil = make_goods(container, buyer.account)
        stock_in(container, buyer, rice, "50")  # 50 at 10 000
        order = make_order(
            container, buyer, line(rice, "50", "12000"), line(oil, "5", "20000"), status="sent"
        )
        result = receive(container, buyer, order.id, ReceiptCreate(reference="BL-4411"))
        assert result.order.status == "received" and result.warnings == []
        assert result.order.closed_at is not None
        assert [r.quantity for r in result.lines] == [Decimal(50), Decimal(5)]
        assert _on_hand(container, buyer, rice) == Decimal(100)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            moves = session.scalars(
                select(StockMove).where(StockMove.origin_id == order.id).order_by(StockMove.id)
            ).all()
            product = session.get(Product, (buyer.tenant_id, rice))
            assert product is not None
            assert product.average_cost == Decimal(11000)  # (50×10 000 + 50×12 000) / 100
        assert {(m.origin_type, m.unit_cost, m.kind) for m in moves} == {
            ("purchase_order", Decimal(12000), "in"),
            ("purchase_order", Decimal(20000), "in"),
        }
        assert {m.id for m in moves} == {r.move_id for r in result.lines}

    def test_partial_then_rest(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        order = make_order(container, buyer, line(rice, "50"), status="sent")
        first = receive(container, buyer, order.id, _part(rice, "20"))
        assert first.order.status == "partially_received"
        rest = receive(container, buyer, order.id)  # no lines: everything still expected
        assert rest.order.status == "received"
        assert [r.quantity for r in rest.lines] == [Decimal(30)]
        assert _on_hand(container, buyer, rice) == Decimal(50)

    def test_more_than_ordered_is_received_with_a_warning(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Sac de riz 25kg")
        order = make_order(container, buyer, line(rice, "50"), status="sent")
        result = receive(container, buyer, order.id, _part(rice, "60"))
        assert result.order.status == "received"
        assert len(result.warnings) == 1
        assert "10 de plus que commandé" in result.warnings[0]
        assert "Sac de riz 25kg" in result.warnings[0]
        with container.db.unit_of_work(buyer.tenant_id) as session:
            stored = session.scalars(
                select(PurchaseReceipt.warnings).where(PurchaseReceipt.order_id == order.id)
            ).one()
        assert stored == result.warnings
        assert _on_hand(container, buyer, rice) == Decimal(60)

    @pytest.mark.parametrize("status", ["draft", "cancelled", "received"])
    def test_closed_or_unsent_orders_refuse_receipts_and_write_nothing(
        self, container: Container, status: str
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        order = make_order(
            container, buyer, line(rice, "5"), status="draft" if status == "draft" else "sent"
        )
        with container.db.unit_of_work(buyer.tenant_id) as session:
            if status == "cancelled":
                purchasing.cancel_purchase_order(session, buyer.principal, clock(), order.id)
            if status == "received":
                purchasing.receive_purchase_order(session, buyer.principal, clock(), order.id)
        before = move_count(container, buyer)
        with pytest.raises(PurchaseOrderNotReceivable) as refused:
            receive(container, buyer, order.id, _part(rice, "1"))
        assert order.number in refused.value.message
        assert move_count(container, buyer) == before

    def test_unknown_product_refused_before_anything_moves(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice, oil = make_goods(container, buyer.account), make_goods(container, buyer.account)
        order = make_order(container, buyer, line(rice, "5"), status="sent")
        data = ReceiptCreate(
            lines=[
                ReceiptLineIn(product_id=rice, quantity=Decimal(5)),
                ReceiptLineIn(product_id=oil, quantity=Decimal(1)),
            ]
        )
        with pytest.raises(InvalidInput, match="ne figure pas"):
            receive(container, buyer, order.id, data)
        assert move_count(container, buyer) == 0

    def test_lots_are_required_for_tracked_products_and_recorded(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        milk = make_goods(container, buyer.account, tracks_lots=True)
        order = make_order(container, buyer, line(milk, "24"), status="sent")
        with pytest.raises(LotRequired):
            receive(container, buyer, order.id)
        assert move_count(container, buyer) == 0
        result = receive(
            container,
            buyer,
            order.id,
            _part(milk, "24", lot_number="L-2026-03", expiry_date=date(2026, 9, 30)),
        )
        assert result.lines[0].lot_number == "L-2026-03"
        with container.db.unit_of_work(buyer.tenant_id) as session:
            lot = session.scalars(select(Lot).where(Lot.product_id == milk)).one()
        assert (lot.number, lot.expiry_date) == ("L-2026-03", date(2026, 9, 30))


class TestConcurrentReceipts:
    def test_two_receipts_of_the_whole_order_count_once(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        order = make_order(container, buyer, line(rice, "50"), status="sent")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def attempt() -> None:
            barrier.wait()
            try:
                receive(container, buyer, order.id, _part(rice, "50"))
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.code)

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["ok", "purchase_order_not_receivable"]
        assert _on_hand(container, buyer, rice) == Decimal(50)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            received = session.scalars(
                select(PurchaseOrderLine.received_quantity).where(
                    PurchaseOrderLine.order_id == order.id
                )
            ).one()
        assert received == Decimal(50)

    def test_two_partial_receipts_both_add_up(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        order = make_order(container, buyer, line(rice, "50"), status="sent")
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def attempt() -> None:
            barrier.wait()
            try:
                receive(container, buyer, order.id, _part(rice, "20"))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        with container.db.unit_of_work(buyer.tenant_id) as session:
            view = purchasing.get_purchase_order(session, buyer.principal, order.id)
        assert view.lines[0].received_quantity == Decimal(40)  # no lost update
        assert view.order.status == "partially_received"

    def test_orders_listing_products_in_opposite_orders_do_not_deadlock(
        self, container: Container
    ) -> None:
        # Each receipt locks its products in turn. Taken in line order, the first (A, B)
        # held A and wanted B while the second (B, A) held B and wanted A.
        buyer = make_buyer(container)
        a, b = sorted([make_goods(container, buyer.account), make_goods(container, buyer.account)])
        stock_in(container, buyer, a, "5")
        first = make_order(container, buyer, line(a, "1"), line(b, "1"), status="sent")
        second = make_order(container, buyer, line(b, "1"), line(a, "1"), status="sent")
        errors: list[Exception] = []

        def run(step: object) -> None:
            try:
                step()  # type: ignore[operator]
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        def sale_holding_a() -> None:  # keeps A's level locked while both receipts start
            with container.db.unit_of_work(buyer.tenant_id) as session:
                stock.issue(
                    session, buyer.principal, clock(), product_id=a, quantity=1, reason="Vente"
                )
                time.sleep(0.6)

        def receive_first() -> None:
            time.sleep(0.15)
            receive(container, buyer, first.id)

        def receive_second() -> None:
            time.sleep(0.35)
            receive(container, buyer, second.id)

        threads = [
            threading.Thread(target=run, args=(s,))
            for s in (sale_holding_a, receive_first, receive_second)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        assert (_on_hand(container, buyer, a), _on_hand(container, buyer, b)) == (6, 2)
