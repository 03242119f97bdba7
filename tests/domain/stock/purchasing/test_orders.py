"""Purchase orders: numbering, pricing and totals, defaults, statuses, refusals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.finance.errors import UnknownVatRate, WrongCurrency
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Role
from domain.stock.errors import NotStockable
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.errors import (
    MissingPurchasePrice,
    PurchaseOrderTransition,
    SupplierNotFound,
)
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine
from domain.stock.purchasing.schemas import PurchaseOrderCreate, ReceiptCreate, ReceiptLineIn
from tests.factories import make_member
from tests.finance_factories import make_customer
from tests.purchasing_factories import (
    Buyer,
    clock,
    line,
    make_buyer,
    make_goods,
    make_order,
    make_supplier,
    receive,
    set_terms,
)

TODAY = date(2026, 3, 16)


def _orders(container: Container, buyer: Buyer) -> int:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(PurchaseOrder)) or 0)


def _create(container: Container, buyer: Buyer, data: PurchaseOrderCreate) -> PurchaseOrder:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        return purchasing.create_purchase_order(session, buyer.principal, clock(), data)


class TestCreate:
    def test_numbers_follow_each_other_per_year(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        first = make_order(container, buyer, line(rice, "1"))
        second = make_order(container, buyer, line(rice, "1"))
        assert (first.number, second.number) == ("BC-2026-00001", "BC-2026-00002")
        assert first.status == "draft" and first.order_date == TODAY

    def test_totals_round_per_line_then_per_rate_in_xof(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice, oil = (
            make_goods(container, buyer.account, vat="0"),
            make_goods(container, buyer.account),
        )
        order = make_order(container, buyer, line(rice, "50", "12000"), line(oil, "3", "8333.5"))
        # rice 600 000 exempt; oil round(25 000,5) = 25 001, VAT round(4 500,18) = 4 500
        assert order.net_total == Decimal("625001")
        assert order.tax_total == Decimal("4500")
        assert order.gross_total == Decimal("629501")
        assert order.currency == "XOF"

    def test_totals_in_euros_keep_cents(self, container: Container) -> None:
        buyer = make_buyer(container, country="FR")
        lamp = make_goods(container, buyer.account, vat="20", purchase_price="4.35")
        book = make_goods(container, buyer.account, vat="5.5", purchase_price="10.01")
        order = make_order(container, buyer, line(lamp, "3"), line(book, "3"))
        # 13.05 at 20 % → 2.61; 30.03 at 5.5 % → 1.65165 → 1.65
        assert (order.net_total, order.tax_total, order.gross_total) == (
            Decimal("43.08"),
            Decimal("4.26"),
            Decimal("47.34"),
        )

    def test_price_comes_from_terms_then_purchase_price(self, container: Container) -> None:
        buyer = make_buyer(container)
        with_terms = make_goods(container, buyer.account, purchase_price="12000")
        set_terms(container, buyer, with_terms, price=Decimal("11500"))
        plain = make_goods(container, buyer.account, purchase_price="9000")
        order = make_order(
            container, buyer, line(with_terms, "1"), line(plain, "1"), line(plain, "1", "8000")
        )
        with container.db.unit_of_work(buyer.tenant_id) as session:
            view = purchasing.get_purchase_order(session, buyer.principal, order.id)
        assert [r.unit_price for r in view.lines] == [Decimal(11500), Decimal(9000), Decimal(8000)]
        assert view.supplier_name == "Grands Moulins de Dakar"

    def test_no_price_anywhere_is_refused_and_nothing_written(self, container: Container) -> None:
        buyer = make_buyer(container)
        ok = make_goods(container, buyer.account)
        unknown = make_goods(container, buyer.account, purchase_price=None)
        data = PurchaseOrderCreate(
            supplier_id=buyer.supplier_id, lines=[line(ok, "1"), line(unknown, "2")]
        )
        with pytest.raises(MissingPurchasePrice, match="Ligne 2"):
            _create(container, buyer, data)
        assert _orders(container, buyer) == 0

    def test_refusals(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        service = make_goods(container, buyer.account, kind="service")
        customer = make_customer(container, buyer.account, "Diallo SARL")
        cases = [
            (PurchaseOrderCreate(supplier_id=customer, lines=[line(rice, "1")]), SupplierNotFound),
            (
                PurchaseOrderCreate(supplier_id=buyer.supplier_id, lines=[line(service, "1")]),
                NotStockable,
            ),
            (
                PurchaseOrderCreate(
                    supplier_id=buyer.supplier_id, lines=[line(rice, "1", vat_rate=Decimal(7))]
                ),
                UnknownVatRate,
            ),
            (
                PurchaseOrderCreate(
                    supplier_id=buyer.supplier_id, lines=[line(rice, "1")], currency="EUR"
                ),
                WrongCurrency,
            ),
        ]
        for data, error in cases:
            with pytest.raises(error):
                _create(container, buyer, data)
        assert _orders(container, buyer) == 0

    def test_only_managers_order(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        seller = make_member(container, buyer.account, Role.SALES)
        data = PurchaseOrderCreate(supplier_id=buyer.supplier_id, lines=[line(rice, "1")])
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(buyer.tenant_id) as session,
        ):
            purchasing.create_purchase_order(session, seller.principal(Role.SALES), clock(), data)


class TestSendAndCancel:
    def test_send_dates_the_order_and_expects_it_after_the_lead_time(
        self, container: Container
    ) -> None:
        buyer = make_buyer(container)  # supplier lead time: 5 days
        slow = make_goods(container, buyer.account)
        set_terms(container, buyer, slow, lead_time_days=12)
        quick = make_goods(container, buyer.account)
        order = make_order(container, buyer, line(quick, "1"), status="sent")
        assert order.status == "sent" and order.expected_date == TODAY + timedelta(days=5)
        both = make_order(container, buyer, line(quick, "1"), line(slow, "1"), status="sent")
        assert both.expected_date == TODAY + timedelta(days=12)  # the longest lead time
        given = make_order(
            container, buyer, line(quick, "1"), status="sent", expected_date=date(2026, 4, 1)
        )
        assert given.expected_date == date(2026, 4, 1)

    def test_supplier_without_lead_time_uses_the_default(self, container: Container) -> None:
        buyer = make_buyer(container)
        other = make_supplier(container, buyer.account, lead_time_days=None)
        rice = make_goods(container, buyer.account)
        order = make_order(container, buyer, line(rice, "1"), status="sent", supplier_id=other)
        assert order.expected_date == TODAY + timedelta(days=purchasing.DEFAULT_LEAD_TIME_DAYS)

    def test_sending_twice_is_refused(self, container: Container) -> None:
        buyer = make_buyer(container)
        order = make_order(container, buyer, line(make_goods(container, buyer.account), "1"))
        with container.db.unit_of_work(buyer.tenant_id) as session:
            purchasing.send_purchase_order(session, buyer.principal, clock(), order.id)
        with (
            pytest.raises(PurchaseOrderTransition, match="envoyé"),
            container.db.unit_of_work(buyer.tenant_id) as session,
        ):
            purchasing.send_purchase_order(session, buyer.principal, clock(), order.id)

    def test_cancel_from_draft_sent_and_partially_received_only(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        draft = make_order(container, buyer, line(rice, "10"))
        sent = make_order(container, buyer, line(rice, "10"), status="sent")
        partial = make_order(container, buyer, line(rice, "10"), status="sent")
        receive(
            container,
            buyer,
            partial.id,
            ReceiptCreate(lines=[ReceiptLineIn(product_id=rice, quantity=Decimal(4))]),
        )
        done = make_order(container, buyer, line(rice, "10"), status="sent")
        receive(container, buyer, done.id)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            for order in (draft, sent, partial):
                cancelled = purchasing.cancel_purchase_order(
                    session, buyer.principal, clock(), order.id, "Plus besoin"
                )
                assert cancelled.status == "cancelled" and cancelled.notes == "Plus besoin"
            kept = session.scalars(
                select(PurchaseOrderLine.received_quantity).where(
                    PurchaseOrderLine.order_id == partial.id
                )
            ).one()
            assert kept == Decimal(4)  # what arrived stays recorded
        with (
            pytest.raises(PurchaseOrderTransition, match="entièrement reçu"),
            container.db.unit_of_work(buyer.tenant_id) as session,
        ):
            purchasing.cancel_purchase_order(session, buyer.principal, clock(), done.id)

    def test_list_filters_by_status(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        make_order(container, buyer, line(rice, "1"))
        sent = make_order(container, buyer, line(rice, "1"), status="sent")
        with container.db.unit_of_work(buyer.tenant_id) as session:
            views = purchasing.list_purchase_orders(session, buyer.principal, status="sent")
            everything = purchasing.list_purchase_orders(session, buyer.principal)
        assert [v.order.number for v in views] == [sent.number]
        assert len(everything) == 2
