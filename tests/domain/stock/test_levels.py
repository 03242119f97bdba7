"""The cached levels equal what the moves say, whatever happens; reservations; and two
concurrent issues of the last units against real PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.errors import DomainError, PermissionDenied
from domain.kit.principal import Role
from domain.stock import service as stock
from domain.stock.errors import InsufficientStock
from tests.factories import Account, make_tenant
from tests.finance_factories import draft_invoice, make_shop
from tests.stock_factories import (
    allow_negative,
    default_warehouse_id,
    level,
    make_stock_product,
    make_stockable,
    make_warehouse,
    stocked,
)


class TestVerifyLevels:
    def test_random_operations_leave_no_difference(self, container: Container) -> None:
        account = make_tenant(container)
        warehouses = [default_warehouse_id(container, account), make_warehouse(container, account)]
        plain = make_stock_product(container, account)
        lots = make_stock_product(container, account, tracks_lots=True)
        rng = random.Random(20260316)
        expected: dict[tuple[UUID, UUID], Decimal] = defaultdict(Decimal)
        reservations: list[UUID] = []
        for step in range(45):
            product = rng.choice([plain, lots])
            where = rng.choice(warehouses)
            qty = Decimal(rng.randint(1, 8))
            op = rng.choice(["receive", "receive", "issue", "transfer", "adjust", "reserve"])
            lot = f"L{rng.randint(1, 3)}" if product == lots else None
            try:
                with container.db.unit_of_work(account.tenant_id) as session:
                    p, clock = account.principal(), container.clock
                    if op == "receive":
                        stock.receive(
                            session, p, clock, product_id=product, quantity=qty,
                            warehouse_id=where, unit_cost=Decimal(step % 7 + 1), lot_number=lot,
                            expiry_date=date(2027, 1, 1) + timedelta(days=int(lot[1:]))
                            if lot else None,
                        )  # fmt: skip
                        expected[(product, where)] += qty
                    elif op == "issue":
                        stock.issue(
                            session, p, clock, product_id=product, quantity=qty,
                            warehouse_id=where, reason="Vente",
                        )  # fmt: skip
                        expected[(product, where)] -= qty
                    elif op == "transfer":
                        other = warehouses[1 - warehouses.index(where)]
                        stock.transfer(
                            session, p, clock, product_id=product, quantity=qty,
                            from_warehouse_id=where, to_warehouse_id=other,
                        )  # fmt: skip
                        expected[(product, where)] -= qty
                        expected[(product, other)] += qty
                    elif op == "adjust":
                        if lot is None:
                            stock.adjust(
                                session, p, clock, product_id=product, counted_quantity=qty,
                                warehouse_id=where,
                            )  # fmt: skip
                            expected[(product, where)] = qty
                    else:
                        r = stock.reserve(
                            session, p, clock, product_id=product, quantity=1, warehouse_id=where
                        )
                        reservations.append(r.id)
            except InsufficientStock:
                pass
            if reservations and step % 9 == 0:
                with container.db.unit_of_work(account.tenant_id) as session:
                    stock.release(session, account.principal(), container.clock, reservations.pop())
        with container.db.unit_of_work(account.tenant_id) as session:
            differences = stock.verify_levels(session, account.principal())
            rows = stock.stock_levels(session, account.principal())
        assert differences == []
        assert {(r.product_id, r.warehouse_id): r.on_hand for r in rows if r.on_hand} == {
            k: v for k, v in expected.items() if v
        }
        assert all(r.on_hand >= 0 for r in rows)  # negative stock is not allowed here
        assert sum(r.reserved for r in rows) == len(reservations)

    def test_a_tampered_level_is_reported(self, container: Container) -> None:
        account = make_tenant(container)
        product = stocked(container, account, quantity="5")
        with container.owner_engine.begin() as conn:
            conn.execute(
                text("UPDATE stock_levels SET on_hand = 4 WHERE product_id = :p"), {"p": product}
            )
        with container.db.unit_of_work(account.tenant_id) as session:
            [difference] = stock.verify_levels(session, account.principal())
        assert (difference.product_id, difference.stored_on_hand) == (product, Decimal(4))
        assert difference.computed_on_hand == Decimal(5)


class TestLevelPages:
    def test_pages_cover_every_level_once_in_order(self, container: Container) -> None:
        account = make_tenant(container)
        second = make_warehouse(container, account)
        for _ in range(3):
            product = stocked(container, account, quantity="2")
            stocked(container, account, product_id=product, warehouse_id=second, quantity="1")
        with container.db.unit_of_work(account.tenant_id) as session:
            p = account.principal()
            whole = stock.stock_levels(session, p)
            pages = [stock.stock_levels(session, p, limit=4, offset=o) for o in (0, 4, 8)]
            with pytest.raises(DomainError) as refused:
                stock.stock_levels(session, p, limit=0)
        assert len(whole) == 6  # 3 products × 2 warehouses
        assert [len(page) for page in pages] == [4, 2, 0]
        assert pages[0] + pages[1] == whole
        assert refused.value.code == "invalid_input"


class TestReservations:
    def test_reservation_lowers_available_until_released(self, container: Container) -> None:
        account = make_tenant(container)
        product = stocked(container, account, quantity="5")
        with container.db.unit_of_work(account.tenant_id) as session:
            reservation = stock.reserve(
                session,
                account.principal(Role.SALES),
                container.clock,
                product_id=product,
                quantity=3,
                reference="Livraison jeudi",
            )
        row = level(container, account, product)
        assert (row.on_hand, row.reserved, row.available) == (5, 3, 2)
        with (
            pytest.raises(InsufficientStock),
            container.db.unit_of_work(account.tenant_id) as session,
        ):
            stock.reserve(
                session, account.principal(), container.clock, product_id=product, quantity=3
            )
        with container.db.unit_of_work(account.tenant_id) as session:
            stock.release(session, account.principal(), container.clock, reservation.id)
            stock.release(session, account.principal(), container.clock, reservation.id)
        assert level(container, account, product).available == 5

    def test_employee_cannot_reserve(self, container: Container) -> None:
        account = make_tenant(container)
        product = stocked(container, account, quantity="5")
        with (
            pytest.raises(PermissionDenied),
            container.db.unit_of_work(account.tenant_id) as session,
        ):
            stock.reserve(
                session,
                account.principal(Role.EMPLOYEE),
                container.clock,
                product_id=product,
                quantity=1,
            )


def _race(container: Container, account: Account, product: UUID) -> list[Exception]:
    """Two sessions issue 3 of the product at once; the first holds its lock a while."""
    barrier = threading.Barrier(2)
    refused: list[Exception] = []

    def first() -> None:
        with container.db.unit_of_work(account.tenant_id) as session:
            barrier.wait()
            stock.issue(
                session,
                account.principal(),
                container.clock,
                product_id=product,
                quantity=3,
                reason="Vente A",
            )
            time.sleep(0.3)  # the second session now waits on the row lock

    def second() -> None:
        barrier.wait()
        time.sleep(0.1)
        try:
            with container.db.unit_of_work(account.tenant_id) as session:
                stock.issue(
                    session,
                    account.principal(),
                    container.clock,
                    product_id=product,
                    quantity=3,
                    reason="Vente B",
                )
        except DomainError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return refused


class TestConcurrentIssues:
    def test_two_issues_of_the_last_units_never_go_below_zero(self, container: Container) -> None:
        account = make_tenant(container)
        product = stocked(container, account, quantity="5")
        refused = _race(container, account, product)
        assert [type(e) for e in refused] == [InsufficientStock]
        assert level(container, account, product).on_hand == 2
        with container.db.unit_of_work(account.tenant_id) as session:
            assert stock.verify_levels(session, account.principal()) == []

    def test_with_negative_stock_allowed_both_go_through(self, container: Container) -> None:
        account = make_tenant(container)
        allow_negative(container, account)
        product = stocked(container, account, quantity="5")
        assert _race(container, account, product) == []
        assert level(container, account, product).on_hand == -1
        with container.db.unit_of_work(account.tenant_id) as session:
            assert stock.verify_levels(session, account.principal()) == []


def _together(*steps: Callable[[], None]) -> list[Exception]:
    """Run ``steps`` in threads at once; what they raised (a deadlock included)."""
    errors: list[Exception] = []

    def run(step: Callable[[], None]) -> None:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


class TestConcurrentWriters:
    def test_a_receipt_while_an_invoice_delivery_holds_the_stock(
        self, container: Container
    ) -> None:
        # The delivery locks the level, then inserts its move (a key share on the
        # product); the receipt locks the product, then adds to the level. With the
        # product locked FOR UPDATE, each waited for the other: a deadlock.
        shop = make_shop(container)
        make_stockable(container, shop.account, shop.goods_id)
        stocked(container, shop.account, product_id=shop.goods_id, quantity="5", unit_cost="2")
        invoice = draft_invoice(container, shop)  # 3 of the goods

        def deliver() -> None:
            with container.db.unit_of_work(shop.tenant_id) as session:
                delivery = stock.plan_invoice_delivery(
                    session, shop.principal, container.clock, invoice.id
                )
                time.sleep(0.5)  # the receipt now waits for the level
                stock.deliver_invoice(session, shop.principal, container.clock, delivery)

        def receive() -> None:
            time.sleep(0.2)
            with container.db.unit_of_work(shop.tenant_id) as session:
                stock.receive(
                    session,
                    shop.principal,
                    container.clock,
                    product_id=shop.goods_id,
                    quantity=4,
                    unit_cost=Decimal(5),
                )

        assert _together(deliver, receive) == []
        assert level(container, shop.account, shop.goods_id).on_hand == 6

    def test_two_first_receipts_of_one_new_lot(self, container: Container) -> None:
        account = make_tenant(container)
        product = make_stock_product(container, account, tracks_lots=True)
        barrier = threading.Barrier(2)

        def receive() -> None:
            with container.db.unit_of_work(account.tenant_id) as session:
                barrier.wait()
                stock.receive(
                    session,
                    account.principal(),
                    container.clock,
                    product_id=product,
                    quantity=3,
                    unit_cost=1,
                    lot_number="L-NEUF",
                )
                time.sleep(0.3)

        assert _together(receive, receive) == []  # no duplicate lot number
        assert level(container, account, product).on_hand == 6
        with container.db.unit_of_work(account.tenant_id) as session:
            assert stock.verify_levels(session, account.principal()) == []

    def test_two_adjustments_of_a_product_never_stocked_set_it_once(
        self, container: Container
    ) -> None:
        # No level row yet: ``lock_levels`` locks nothing, both read zero and both added
        # the counted quantity (10 on hand for a count of 5).
        account = make_tenant(container)
        product = make_stock_product(container, account)
        barrier = threading.Barrier(2)

        def adjust() -> None:
            with container.db.unit_of_work(account.tenant_id) as session:
                barrier.wait()
                stock.adjust(
                    session, account.principal(), container.clock, product_id=product,
                    counted_quantity=5,
                )  # fmt: skip
                time.sleep(0.3)

        assert _together(adjust, adjust) == []
        assert level(container, account, product).on_hand == 5
