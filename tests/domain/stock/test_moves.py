"""Receipts, issues, transfers, adjustments and returns: double entry between locations,
the cached levels, and bad input refused with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy import func, select, text

from comptoir.bootstrap import Container
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Role
from domain.sales.errors import ProductNotFound
from domain.stock import service as stock
from domain.stock.errors import (
    InsufficientStock,
    InvalidQuantity,
    LotRequired,
    NotStockable,
    SameWarehouse,
    WarehouseNotFound,
)
from domain.stock.models import StockLevel, StockMove
from tests.factories import Account, make_tenant
from tests.finance_factories import make_product
from tests.stock_factories import (
    default_warehouse_id,
    level,
    make_stock_product,
    make_warehouse,
    stocked,
)


@pytest.fixture(scope="module")
def shop(container: Container) -> Account:
    return make_tenant(container)


def _moves(container: Container, account: Account, product_id: object) -> list[StockMove]:
    with container.db.unit_of_work(account.tenant_id) as session:
        return list(
            session.scalars(
                select(StockMove)
                .where(StockMove.product_id == product_id)
                .order_by(StockMove.moved_at, StockMove.id)
            )
        )


def _count_rows(container: Container, account: Account) -> tuple[int, int]:
    with container.db.unit_of_work(account.tenant_id) as session:
        moves = session.scalar(select(func.count()).select_from(StockMove))
        levels = session.scalar(select(func.count()).select_from(StockLevel))
        return int(moves or 0), int(levels or 0)


class TestReceive:
    def test_receipt_moves_from_supplier_to_the_default_warehouse(
        self, container: Container, shop: Account
    ) -> None:
        product = stocked(container, shop, quantity="12", unit_cost="8.50")
        [move] = _moves(container, shop, product)
        with container.db.unit_of_work(shop.tenant_id) as session:
            settings = stock.get_settings(session, shop.principal())
            events = session.execute(
                text("SELECT count(*) FROM domain_events WHERE name = 'stock.received'")
            ).scalar_one()
        assert move.kind == "in"
        assert move.from_location_id == settings.supplier_location_id
        assert (move.quantity, move.unit_cost, move.origin_type) == (
            Decimal(12),
            Decimal("8.5"),
            "manual",
        )
        row = level(container, shop, product, default_warehouse_id(container, shop))
        assert (row.on_hand, row.reserved, row.available) == (Decimal(12), 0, Decimal(12))
        assert events >= 1

    def test_weighted_average_cost_follows_receipts(
        self, container: Container, shop: Account
    ) -> None:
        product = stocked(container, shop, quantity="10", unit_cost="10")
        stocked(container, shop, product_id=product, quantity="30", unit_cost="14")
        # (10 × 10 + 30 × 14) / 40 = 13
        stocked(container, shop, product_id=product, quantity="5")  # no cost, no purchase price
        with container.db.unit_of_work(shop.tenant_id) as session:
            p = session.scalar(
                text("SELECT average_cost FROM products WHERE id = :id"), {"id": product}
            )
        assert p == Decimal(13)
        assert _moves(container, shop, product)[-1].unit_cost == Decimal(13)

    def test_receipts_in_one_unit_of_work_each_average_the_one_before(
        self, container: Container, shop: Account
    ) -> None:
        product = make_stock_product(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            for quantity, cost in (("10", "10"), ("30", "14"), ("40", "7")):
                move = stock.receive(
                    session,
                    shop.principal(),
                    container.clock,
                    product_id=product,
                    quantity=Decimal(quantity),
                    unit_cost=Decimal(cost),
                )
            # (10 × 10 + 30 × 14) / 40 = 13, then (40 × 13 + 40 × 7) / 80 = 10
            assert move.unit_cost == Decimal(7)
        with container.db.unit_of_work(shop.tenant_id) as session:
            average = session.scalar(
                text("SELECT average_cost FROM products WHERE id = :id"), {"id": product}
            )
        assert average == Decimal(10)

    def test_purchase_price_is_the_default_cost(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="4", purchase_price="7.25")
        assert _moves(container, shop, product)[0].unit_cost == Decimal("7.25")

    @pytest.mark.parametrize("quantity", ["0", "-3", "1.00001"])
    def test_bad_quantity_writes_nothing(
        self, container: Container, shop: Account, quantity: str
    ) -> None:
        product = make_stock_product(container, shop)
        before = _count_rows(container, shop)
        with (
            pytest.raises(InvalidQuantity),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.receive(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=Decimal(quantity),
            )
        assert _count_rows(container, shop) == before

    def test_float_quantity_is_refused(self, container: Container, shop: Account) -> None:
        product = make_stock_product(container, shop)
        with (
            pytest.raises(InvalidQuantity),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.receive(
                session, shop.principal(), container.clock, product_id=product, quantity=1.5
            )

    def test_unknown_product_service_and_warehouse_are_refused(
        self, container: Container, shop: Account
    ) -> None:
        service = make_product(container, shop, price="50", vat="20", kind="service")
        unmanaged = make_product(container, shop, price="50", vat="20")  # goods, not stocked
        goods = make_stock_product(container, shop)
        cases = [
            (ProductNotFound, {"product_id": uuid4()}),
            (NotStockable, {"product_id": service}),
            (NotStockable, {"product_id": unmanaged}),
            (WarehouseNotFound, {"product_id": goods, "warehouse_id": uuid4()}),
        ]
        for error, kwargs in cases:
            with (
                pytest.raises(error) as raised,
                container.db.unit_of_work(shop.tenant_id) as session,
            ):
                stock.receive(session, shop.principal(), container.clock, quantity=1, **kwargs)
            assert raised.value.message  # a French sentence for the user
        assert level(container, shop, goods).on_hand == 0

    def test_lot_tracked_product_needs_a_lot(self, container: Container, shop: Account) -> None:
        product = make_stock_product(container, shop, tracks_lots=True)
        with (
            pytest.raises(LotRequired) as raised,
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.receive(
                session, shop.principal(), container.clock, product_id=product, quantity=5
            )
        assert "lot" in raised.value.message
        assert level(container, shop, product).on_hand == 0

    def test_accountant_cannot_receive(self, container: Container, shop: Account) -> None:
        product = make_stock_product(container, shop)
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.receive(
                session,
                shop.principal(Role.ACCOUNTANT),
                container.clock,
                product_id=product,
                quantity=1,
            )


class TestIssue:
    def test_issue_moves_to_the_customer_location(
        self, container: Container, shop: Account
    ) -> None:
        product = stocked(container, shop, quantity="12", unit_cost="5")
        with container.db.unit_of_work(shop.tenant_id) as session:
            [move] = stock.issue(
                session,
                shop.principal(Role.SALES),
                container.clock,
                product_id=product,
                quantity=Decimal("4.5"),
                reason="Vente comptoir",
            )
            customer = stock.get_settings(session, shop.principal()).customer_location_id
        assert (move.kind, move.to_location_id, move.unit_cost) == ("out", customer, Decimal(5))
        assert level(container, shop, product).on_hand == Decimal("7.5")

    def test_issue_beyond_stock_is_refused_in_french(
        self, container: Container, shop: Account
    ) -> None:
        product = stocked(container, shop, quantity="2", name="Sac de riz 25 kg", unit="sac")
        with (
            pytest.raises(InsufficientStock) as raised,
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.issue(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=3,
                reason="Vente",
            )
        assert "Sac de riz 25 kg" in raised.value.message
        assert "3 sac demandé(s), 2 en stock" in raised.value.message
        assert level(container, shop, product).on_hand == 2

    def test_reason_is_required(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="2")
        with pytest.raises(Exception, match="reason"):
            with container.db.unit_of_work(shop.tenant_id) as session:
                stock.issue(
                    session,
                    shop.principal(),
                    container.clock,
                    product_id=product,
                    quantity=1,
                    reason="  ",
                )
        assert level(container, shop, product).on_hand == 2


class TestTransferAndAdjust:
    def test_transfer_between_warehouses(self, container: Container, shop: Account) -> None:
        main = default_warehouse_id(container, shop)
        annex = make_warehouse(container, shop, name="Boutique Plateau")
        product = stocked(container, shop, quantity="10")
        with container.db.unit_of_work(shop.tenant_id) as session:
            [move] = stock.transfer(
                session,
                shop.principal(Role.EMPLOYEE),
                container.clock,
                product_id=product,
                quantity=4,
                from_warehouse_id=main,
                to_warehouse_id=annex,
            )
        assert move.kind == "transfer"
        assert level(container, shop, product, main).on_hand == 6
        assert level(container, shop, product, annex).on_hand == 4
        assert level(container, shop, product).on_hand == 10

    def test_transfer_to_the_same_warehouse_is_refused(
        self, container: Container, shop: Account
    ) -> None:
        main = default_warehouse_id(container, shop)
        product = stocked(container, shop, quantity="10")
        with (
            pytest.raises(SameWarehouse),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.transfer(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=1,
                from_warehouse_id=main,
                to_warehouse_id=main,
            )
        assert len(_moves(container, shop, product)) == 1

    def test_adjust_to_the_counted_quantity(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="10", unit_cost="3")
        with container.db.unit_of_work(shop.tenant_id) as session:
            settings = stock.get_settings(session, shop.principal())
            down = stock.adjust(
                session, shop.principal(), container.clock, product_id=product, counted_quantity=7
            )
            same = stock.adjust(
                session, shop.principal(), container.clock, product_id=product, counted_quantity=7
            )
            up = stock.adjust(
                session, shop.principal(), container.clock, product_id=product, counted_quantity=9
            )
        assert down is not None and up is not None and same is None
        assert (down.kind, down.quantity, down.to_location_id) == (
            "adjustment",
            Decimal(3),
            settings.inventory_location_id,
        )
        assert (up.quantity, up.from_location_id) == (Decimal(2), settings.inventory_location_id)
        assert level(container, shop, product).on_hand == 9

    def test_only_a_manager_adjusts(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="10")
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.adjust(
                session,
                shop.principal(Role.EMPLOYEE),
                container.clock,
                product_id=product,
                counted_quantity=0,
            )

    def test_return_from_customer(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="5")
        with container.db.unit_of_work(shop.tenant_id) as session:
            stock.issue(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=5,
                reason="Vente",
            )
            move = stock.return_from_customer(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=2,
                reason="Retour client",
            )
        assert (move.kind, move.origin_type) == ("in", "customer_return")
        assert level(container, shop, product).on_hand == 2


class TestAppendOnly:
    def test_moves_cannot_be_changed_or_deleted(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="1")
        for statement in ("UPDATE stock_moves SET quantity = 2", "DELETE FROM stock_moves"):
            with (
                pytest.raises(Exception, match="append-only"),
                container.db.unit_of_work(shop.tenant_id) as session,
            ):
                session.execute(text(statement + " WHERE product_id = :p"), {"p": product})
        assert len(_moves(container, shop, product)) == 1


class TestLots:
    def test_fefo_and_expiring_lots(self, container: Container, shop: Account) -> None:
        product = stocked(
            container, shop, quantity="5", lot_number="L-LATE", expiry_date=date(2031, 6, 1)
        )
        stocked(
            container,
            shop,
            product_id=product,
            quantity="3",
            lot_number="L-SOON",
            expiry_date=date(2030, 1, 1),
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            moves = stock.issue(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=4,
                reason="Vente",
            )
            lots = {m.lot_id: m.quantity for m in moves}
            numbers = dict(
                session.execute(
                    text("SELECT id, number FROM stock_lots WHERE product_id = :p"), {"p": product}
                ).all()
            )
        assert {numbers[k]: v for k, v in lots.items()} == {"L-SOON": 3, "L-LATE": 1}
        assert level(container, shop, product).on_hand == 4
