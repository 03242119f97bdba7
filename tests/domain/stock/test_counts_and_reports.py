"""Inventory counts, valuation at weighted average cost, expiring lots, and the stock a
new business starts with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.identity.models import Tenant
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from domain.onboarding import prepare_tenant
from domain.stock import service as stock
from domain.stock.errors import CountClosed
from domain.stock.models import Location, StockSettings, Warehouse
from tests.factories import make_tenant
from tests.finance_factories import clock_at
from tests.stock_factories import default_warehouse_id, make_warehouse, stocked


class TestInventoryCount:
    def test_count_snapshot_then_adjustments_on_validation(self, container: Container) -> None:
        account = make_tenant(container)
        rice = stocked(container, account, quantity="10", unit_cost="3")
        oil = stocked(container, account, quantity="4")
        milk = stocked(container, account, quantity="6", lot_number="M1")
        p, clock = account.principal(), container.clock
        with container.db.unit_of_work(account.tenant_id) as session:
            sheet = stock.start_count(session, p, clock, reference="INV-2026-03")
            expected = {
                (x.product_id, x.lot_id is not None): x.expected_quantity for x in sheet.lines
            }
            stock.record_count(
                session, p, clock, sheet.count.id, product_id=rice, counted_quantity=8
            )
            stock.record_count(
                session, p, clock, sheet.count.id, product_id=oil, counted_quantity=4
            )
            stock.record_count(
                session, p, clock, sheet.count.id, product_id=milk, counted_quantity=7,
                lot_number="M2",
            )  # fmt: skip
            moves = stock.validate_count(session, p, clock, sheet.count.id)
        assert expected == {(rice, False): 10, (oil, False): 4, (milk, True): 6}
        assert sorted((m.kind, m.quantity, m.origin_type) for m in moves) == [
            ("adjustment", Decimal(2), "inventory_count"),
            ("adjustment", Decimal(7), "inventory_count"),
        ]
        with container.db.unit_of_work(account.tenant_id) as session:
            levels = {r.product_id: r.on_hand for r in stock.stock_levels(session, p)}
            with pytest.raises(CountClosed):
                stock.record_count(
                    session, p, clock, sheet.count.id, product_id=rice, counted_quantity=1
                )
        assert levels == {rice: 8, oil: 4, milk: 13}  # M1 uncounted stays, M2 found

    def test_employee_counts_but_only_a_manager_validates(self, container: Container) -> None:
        account = make_tenant(container)
        rice = stocked(container, account, quantity="10")
        clerk = account.principal(Role.EMPLOYEE)
        with container.db.unit_of_work(account.tenant_id) as session:
            sheet = stock.start_count(session, clerk, container.clock)
            stock.record_count(
                session, clerk, container.clock, sheet.count.id, product_id=rice, counted_quantity=9
            )
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(account.tenant_id) as session,
        ):
            stock.validate_count(session, clerk, container.clock, sheet.count.id)

    def test_negative_count_is_refused(self, container: Container) -> None:
        account = make_tenant(container)
        rice = stocked(container, account, quantity="1")
        with container.db.unit_of_work(account.tenant_id) as session:
            sheet = stock.start_count(session, account.principal(), container.clock)
        with (
            pytest.raises(InvalidInput),
            container.db.unit_of_work(account.tenant_id) as session,
        ):
            stock.record_count(
                session,
                account.principal(),
                container.clock,
                sheet.count.id,
                product_id=rice,
                counted_quantity=-1,
            )


class TestValuation:
    def test_quantity_times_average_cost_rounded_to_the_currency(
        self, container: Container
    ) -> None:
        account = make_tenant(container, country="SN")
        annex = make_warehouse(container, account)
        rice = stocked(container, account, quantity="3", unit_cost="1000.3333", sale_price="1500")
        stocked(container, account, product_id=rice, quantity="1", warehouse_id=annex)
        oil = stocked(container, account, quantity="2", unit_cost="500", sale_price="900")
        with container.db.unit_of_work(account.tenant_id) as session:
            everything = stock.valuation(session, account.principal(Role.ACCOUNTANT))
            annex_only = stock.valuation(session, account.principal(), warehouse_id=annex)
        values = {line.product_id: line.value for line in everything.lines}
        assert everything.currency.value == "XOF"
        assert values == {rice: Decimal(4001), oil: Decimal(1000)}  # 4 × 1000.3333 → 4001
        assert everything.total == Decimal(5001)
        assert [(x.product_id, x.value) for x in annex_only.lines] == [(rice, Decimal(1000))]

    def test_sales_cannot_see_valuation(self, container: Container) -> None:
        account = make_tenant(container)
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(account.tenant_id) as session,
        ):
            stock.valuation(session, account.principal(Role.SALES))


class TestExpiringLots:
    def test_lots_expiring_within_the_window_soonest_first(self, container: Container) -> None:
        account = make_tenant(container)
        milk = stocked(
            container, account, quantity="2", lot_number="OLD", expiry_date=date(2026, 3, 1)
        )
        stocked(container, account, product_id=milk, quantity="3", lot_number="SOON",
                expiry_date=date(2026, 3, 30))  # fmt: skip
        stocked(container, account, product_id=milk, quantity="3", lot_number="LATER",
                expiry_date=date(2026, 9, 1))  # fmt: skip
        with container.db.unit_of_work(account.tenant_id) as session:
            found = stock.expiring_lots(
                session, account.principal(), clock_at(date(2026, 3, 16)), within_days=30
            )
        assert [(x.number, x.days_left, x.on_hand) for x in found] == [
            ("OLD", -15, Decimal(2)),
            ("SOON", 14, Decimal(3)),
        ]


class TestPrepareStock:
    def test_sign_up_gives_a_default_warehouse_and_is_idempotent(
        self, container: Container
    ) -> None:
        account = make_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as session:
            tenant = session.get(Tenant, account.tenant_id)
            assert tenant is not None
            prepare_tenant(session, account.principal(), tenant)
            prepare_tenant(session, account.principal(), tenant)
            warehouse = stock.default_warehouse(session, account.principal())
            counts = [
                session.scalar(select(func.count()).select_from(model))
                for model in (Warehouse, Location, StockSettings)
            ]
        assert (warehouse.code, warehouse.name) == ("PRINC", "Entrepôt principal")
        assert warehouse.id == default_warehouse_id(container, account)
        assert counts == [1, 4, 1]  # main location + supplier, customer, inventory
