"""Supplier terms, reorder rules, low stock, reorder suggestions and the stock-out forecast."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from comptoir.bootstrap import Container
from domain.kit.errors import InvalidInput
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.errors import InvalidReorderRule
from domain.stock.purchasing.models import ProductSupplier
from domain.stock.purchasing.schemas import ReorderRuleIn
from tests.purchasing_factories import (
    NOW,
    Buyer,
    clock,
    line,
    make_buyer,
    make_goods,
    make_order,
    make_supplier,
    receive,
    sell,
    set_rule,
    set_terms,
    stock_in,
)

TODAY = date(2026, 3, 16)


def _second_warehouse(container: Container, buyer: Buyer) -> UUID:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return stock.create_warehouse(session, buyer.principal, code="DEP2", name="Dépôt Thiès").id


def _suggestions(container: Container, buyer: Buyer) -> list[purchasing.SupplierSuggestion]:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return purchasing.reorder_suggestions(session, buyer.principal, clock())


def _forecast(
    container: Container, buyer: Buyer, **kwargs: object
) -> dict[UUID, purchasing.Forecast]:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        rows = purchasing.forecast_stockout(session, buyer.principal, clock(), **kwargs)  # type: ignore[arg-type]
    return {r.product_id: r for r in rows}


def _prefer(container: Container, buyer: Buyer, product_id: UUID) -> None:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        row = session.scalars(
            select(ProductSupplier).where(
                ProductSupplier.product_id == product_id,
                ProductSupplier.supplier_id == buyer.supplier_id,
            )
        ).one()
        row.is_preferred = True
        session.flush()


@contextmanager
def _statements(container: Container) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, sql: str, *args: object) -> None:
        seen.append(sql)

    event.listen(container.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(container.db.engine, "before_cursor_execute", count)


class TestSupplierTermsAndRules:
    def test_one_preferred_supplier_per_product(self, container: Container) -> None:
        buyer = make_buyer(container)
        other = make_supplier(container, buyer.account, "Sotiba")
        rice = make_goods(container, buyer.account)
        set_terms(container, buyer, rice, is_preferred=True, price=Decimal(11000))
        set_terms(container, buyer, rice, other, is_preferred=True)
        set_terms(container, buyer, rice, price=Decimal(10500))  # an update, not a new row
        with container.db.unit_of_work(buyer.tenant_id) as session:
            terms = purchasing.list_supplier_terms(session, buyer.principal, rice)
        assert [(t.supplier_id, t.is_preferred) for t in terms] == [
            (other, True),
            (buyer.supplier_id, False),
        ]
        assert terms[1].price == Decimal(10500)
        with pytest.raises(IntegrityError):  # the database refuses a second preferred one
            _prefer(container, buyer, rice)

    def test_rule_bounds_are_checked(self) -> None:
        for low, high in (("-1", "5"), ("10", "5")):
            with pytest.raises(InvalidReorderRule):
                ReorderRuleIn(
                    product_id=UUID(int=1), min_quantity=Decimal(low), max_quantity=Decimal(high)
                )
        equal = ReorderRuleIn(product_id=UUID(int=1), min_quantity=Decimal(0), max_quantity=0)
        assert equal.max_quantity == 0

    def test_rule_defaults_to_the_main_warehouse_and_updates_in_place(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        set_rule(container, buyer, rice, "20", "100")
        set_rule(container, buyer, rice, "30", "120")
        with container.db.unit_of_work(buyer.tenant_id) as session:
            rules = purchasing.list_reorder_rules(session, buyer.principal, product_id=rice)
        assert [(r.warehouse_id, r.min_quantity, r.max_quantity) for r in rules] == [
            (buyer.warehouse_id, Decimal(30), Decimal(120))
        ]


class TestSuggestions:
    def test_quantity_reaches_max_counting_incoming_rounded_to_the_minimum_order(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Riz")
        set_terms(container, buyer, rice, min_order_quantity=Decimal(25), is_preferred=True)
        set_rule(container, buyer, rice, "20", "100")
        stock_in(container, buyer, rice, "12")
        make_order(container, buyer, line(rice, "5"), status="sent")  # 12 + 5 = 17 ≤ 20
        [group] = _suggestions(container, buyer)
        [suggested] = group.lines
        assert (suggested.position.available, suggested.position.incoming) == (12, 5)
        assert suggested.quantity == Decimal(100)  # 100 − 17 = 83 → 4 × 25
        assert group.supplier_name == "Grands Moulins de Dakar"
        assert group.lead_time_days == 5
        assert group.expected_date == TODAY + timedelta(days=5)
        assert group.order_by == TODAY  # nothing sold: order today
        assert group.estimated_total == Decimal(1_200_000)

    def test_at_min_is_suggested_above_min_is_not(self, container: Container) -> None:
        buyer = make_buyer(container)
        at_min = make_goods(container, buyer.account)
        above = make_goods(container, buyer.account)
        for product in (at_min, above):
            set_rule(container, buyer, product, "10", "30")
        stock_in(container, buyer, at_min, "10")
        stock_in(container, buyer, above, "11")
        [group] = _suggestions(container, buyer)
        assert [(x.position.product_id, x.quantity) for x in group.lines] == [(at_min, Decimal(20))]

    def test_grouped_by_supplier_with_lead_times_and_unsupplied_last(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        slow = make_supplier(container, buyer.account, "Sotiba", lead_time_days=None)
        a, b, c, d = (make_goods(container, buyer.account, name=n) for n in "ABCD")
        set_terms(container, buyer, a)  # supplier's 5 days
        set_terms(container, buyer, b, lead_time_days=9)
        set_terms(container, buyer, c, slow)  # no lead time anywhere: the default
        set_terms(container, buyer, c, price=Decimal(1), lead_time_days=2)  # cheaper: chosen
        for product in (a, b, c, d):
            set_rule(container, buyer, product, "5", "10")
        groups = _suggestions(container, buyer)
        assert [(g.supplier_id, g.lead_time_days) for g in groups] == [
            (buyer.supplier_id, 9),
            (None, purchasing.DEFAULT_LEAD_TIME_DAYS),
        ]
        assert [(x.position.product_name, x.lead_time_days) for x in groups[0].lines] == [
            ("A", 5),
            ("B", 9),
            ("C", 2),
        ]
        assert [x.position.product_name for x in groups[1].lines] == ["D"]
        assert groups[1].supplier_name is None

    def test_cheapest_supplier_counts_terms_without_price_at_the_purchase_price(
        self, container: Container
    ) -> None:
        # Terms without a price buy at the product's purchase price (12 000), which is
        # cheaper than 15 000: NULLS LAST chose the dearer supplier.
        buyer = make_buyer(container)
        dear = make_supplier(container, buyer.account, "Cher et Fils")
        rice = make_goods(container, buyer.account, purchase_price="12000")
        set_terms(container, buyer, rice)  # no price of its own
        set_terms(container, buyer, rice, dear, price=Decimal(15000))
        set_rule(container, buyer, rice, "5", "10")
        [group] = _suggestions(container, buyer)
        assert (group.supplier_id, group.lines[0].unit_price) == (buyer.supplier_id, 12000)

    def test_order_by_date_comes_from_sales_velocity(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        set_terms(container, buyer, rice)
        set_rule(container, buyer, rice, "100", "200")
        stock_in(container, buyer, rice, "90", at=clock(NOW - timedelta(days=40)))
        sell(container, buyer, rice, "30", clock(NOW - timedelta(days=10)))  # 1 a day over 30
        [group] = _suggestions(container, buyer)
        [suggested] = group.lines
        assert suggested.daily_sales == Decimal(1)
        assert suggested.stockout_date == TODAY + timedelta(days=60)
        assert suggested.order_by == TODAY + timedelta(days=55)  # minus the 5-day lead time

    def test_one_query_however_many_products(self, container: Container) -> None:
        buyer = make_buyer(container)
        products = [make_goods(container, buyer.account) for _ in range(6)]
        for product in products:
            set_terms(container, buyer, product)
        set_rule(container, buyer, products[0], "5", "10")
        with _statements(container) as few:
            _suggestions(container, buyer)
        for product in products[1:]:
            set_rule(container, buyer, product, "5", "10")
        with _statements(container) as many:
            groups = _suggestions(container, buyer)
        assert len(groups[0].lines) == 6
        assert len(many) == len(few)
        assert sum("reorder_rules" in sql for sql in many) == 1

    def test_orders_from_suggestions_are_drafts_counted_as_incoming(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)
        rice, oil = make_goods(container, buyer.account), make_goods(container, buyer.account)
        orphan = make_goods(container, buyer.account)
        for product in (rice, oil):
            set_terms(container, buyer, product)
        for product in (rice, oil, orphan):
            set_rule(container, buyer, product, "5", "10")
        with container.db.unit_of_work(buyer.tenant_id) as session:
            orders = purchasing.create_orders_from_suggestions(session, buyer.principal, clock())
        assert [(o.status, o.supplier_id) for o in orders] == [("draft", buyer.supplier_id)]
        groups = _suggestions(container, buyer)
        assert [(g.supplier_id, len(g.lines)) for g in groups] == [(None, 1)]  # only orphan


class TestLowStock:
    def test_per_warehouse_under_min(self, container: Container) -> None:
        buyer = make_buyer(container)
        second = _second_warehouse(container, buyer)
        rice = make_goods(container, buyer.account)
        set_rule(container, buyer, rice, "10", "50")
        set_rule(container, buyer, rice, "10", "50", warehouse_id=second)
        stock_in(container, buyer, rice, "9")
        stock_in(container, buyer, rice, "10", warehouse_id=second)  # at min: not under
        make_order(container, buyer, line(rice, "40"), status="sent")  # incoming aside
        with container.db.unit_of_work(buyer.tenant_id) as session:
            low = purchasing.low_stock(session, buyer.principal)
            only_second = purchasing.low_stock(session, buyer.principal, warehouse_id=second)
        assert [(p.warehouse_code, p.available, p.incoming) for p in low] == [
            ("PRINC", Decimal(9), Decimal(40))
        ]
        assert only_second == []


class TestForecast:
    def test_average_cover_and_stockout_date(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice, idle = make_goods(container, buyer.account), make_goods(container, buyer.account)
        stock_in(container, buyer, rice, "100", at=clock(NOW - timedelta(days=60)))
        stock_in(container, buyer, idle, "5")
        sell(container, buyer, rice, "40", clock(NOW - timedelta(days=45)))  # outside 30 days
        sell(container, buyer, rice, "30", clock(NOW - timedelta(days=20)))
        sell(container, buyer, rice, "15", clock(NOW - timedelta(days=2)))
        found = _forecast(container, buyer)
        assert found[rice].sold == Decimal(45)
        assert found[rice].daily_average == Decimal("1.5")
        assert found[rice].days_of_cover == Decimal(10)  # 15 left at 1,5 a day
        assert found[rice].stockout_date == TODAY + timedelta(days=10)
        assert (found[idle].days_of_cover, found[idle].stockout_date) == (None, None)
        weekly = _forecast(container, buyer, days=7, product_id=rice)
        assert list(weekly) == [rice]
        assert weekly[rice].stockout_date == TODAY + timedelta(days=7)  # 15 / (15/7)

    def test_window_is_bounded(self, container: Container) -> None:
        buyer = make_buyer(container)
        with pytest.raises(InvalidInput):
            _forecast(container, buyer, days=0)

    def test_receiving_an_order_removes_it_from_incoming(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        set_rule(container, buyer, rice, "10", "20")
        order = make_order(container, buyer, line(rice, "5"), status="sent")
        assert _suggestions(container, buyer)[0].lines[0].position.incoming == Decimal(5)
        receive(container, buyer, order.id)
        [group] = _suggestions(container, buyer)
        assert (group.lines[0].position.available, group.lines[0].position.incoming) == (5, 0)
