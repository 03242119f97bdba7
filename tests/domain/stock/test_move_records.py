"""A receipt's or an issue's event and audit entry are written by the move's own statement
(one round trip less per move), with the same content and order as before, and only
outside savepoints: what a transaction queued before a savepoint survives its rollback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import event, select

from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.events.models import DomainEvent
from domain.kit import records
from domain.stock import service as stock
from tests.factories import Account, make_tenant
from tests.stock_factories import make_stock_product, stocked


@pytest.fixture(scope="module")
def shop(container: Container) -> Account:
    return make_tenant(container)


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    sent: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(container.db.engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(container.db.engine, "before_cursor_execute", capture)


def _events(container: Container, account: Account, move_id: UUID) -> list[str]:
    with container.db.unit_of_work(account.tenant_id) as session:
        found = session.scalars(
            select(DomainEvent.name)
            .where(DomainEvent.payload["stock_move_id"].astext == str(move_id))
            .order_by(DomainEvent.id)
        )
        return list(found)


class TestMoveRecords:
    def test_a_receipt_writes_its_records_with_the_move(
        self, container: Container, shop: Account
    ) -> None:
        product = make_stock_product(container, shop)
        with (
            statements(container) as sent,
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            move = stock.receive(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=Decimal(4),
                unit_cost=Decimal("2.50"),
            )
        inserts = [s for s in sent if "domain_events" in s or "audit_log" in s]
        assert len(inserts) == 1 and "stock_moves" in inserts[0]  # one statement for all
        assert _events(container, shop, move.id) == ["stock.received"]
        with container.db.unit_of_work(shop.tenant_id) as session:
            audit = session.scalar(select(AuditEntry).where(AuditEntry.target_id == str(move.id)))
            moved = session.scalar(
                select(DomainEvent.id).where(
                    DomainEvent.name == "stock.moved", DomainEvent.occurred_at >= move.created_at
                )
            )
        assert audit is not None and audit.action == "stock.receive"
        assert audit.summary["after"]["average_cost"] == "2.5000"
        assert moved is not None

    def test_an_issue_records_the_same_summary(self, container: Container, shop: Account) -> None:
        product = stocked(container, shop, quantity="10")
        with container.db.unit_of_work(shop.tenant_id) as session:
            (move,) = stock.issue(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=Decimal(3),
                reason="Vente comptoir",
            )
        with container.db.unit_of_work(shop.tenant_id) as session:
            issued = session.scalar(
                select(DomainEvent).where(
                    DomainEvent.name == "stock.issued",
                    DomainEvent.payload["stock_move_id"].astext == str(move.id),
                )
            )
        assert issued is not None
        assert Decimal(issued.payload["quantity"]) == 3
        assert issued.payload["reason"] == "Vente comptoir"

    def test_an_issue_locks_its_level_in_the_statement_reading_its_context(
        self, container: Container, shop: Account
    ) -> None:
        product = stocked(container, shop, quantity="10")
        with (
            statements(container) as sent,
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.issue(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=Decimal(2),
                reason="Vente comptoir",
            )
        assert len(sent) == 3  # the tenant bound, the context with the lock, the move
        assert "FOR UPDATE OF lv" in sent[1] and "stock_settings" in sent[1]

    def test_in_a_savepoint_earlier_records_survive_its_rollback(
        self, container: Container, shop: Account
    ) -> None:
        product = make_stock_product(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            kept = records.emit(session, shop.principal(), "essai.avant_le_point")
            savepoint = session.begin_nested()
            stock.receive(
                session,
                shop.principal(),
                container.clock,
                product_id=product,
                quantity=Decimal(1),
                unit_cost=Decimal(1),
            )
            savepoint.rollback()
        with container.db.unit_of_work(shop.tenant_id) as session:
            found = session.get(DomainEvent, (shop.tenant_id, kept))
        assert found is not None  # written at commit, not with the rolled-back move
