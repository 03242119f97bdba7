"""Listing purchase orders for follow-up: several statuses at once, a period on the order
date, and the lines of every order read together (what is still to receive)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from comptoir.bootstrap import Container
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.schemas import ReceiptCreate, ReceiptLineIn
from tests.purchasing_factories import NOW, clock, line, make_buyer, make_goods, make_order, receive


class TestListForFollowUp:
    def test_statuses_period_and_lines(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        old = make_order(
            container, buyer, line(rice, "1"), status="sent", at=clock(NOW - timedelta(days=40))
        )
        draft = make_order(container, buyer, line(rice, "2"))
        partial = make_order(container, buyer, line(rice, "10"), line(rice, "5"), status="sent")
        receive(
            container,
            buyer,
            partial.id,
            ReceiptCreate(lines=[ReceiptLineIn(product_id=rice, quantity=Decimal(3))]),
        )
        with container.db.unit_of_work(buyer.tenant_id) as session:
            expected = purchasing.list_purchase_orders(
                session,
                buyer.principal,
                statuses=("sent", "partially_received"),
                with_lines=True,
            )
            march = purchasing.list_purchase_orders(
                session, buyer.principal, start=date(2026, 3, 1), end=date(2026, 3, 31)
            )
        assert [v.order.number for v in expected] == [partial.number, old.number]
        assert [(x.quantity, x.received_quantity) for x in expected[0].lines] == [
            (Decimal(10), Decimal(3)),
            (Decimal(5), Decimal(0)),
        ]
        assert len(expected[1].lines) == 1
        assert {v.order.number for v in march} == {draft.number, partial.number}
        assert all(v.lines == [] for v in march)  # lines only when asked for
