"""Following purchase orders up, against real PostgreSQL: which orders are still expected
and what remains to come on each, what was ordered from a supplier over a period, and
cancelling an order (previewed first, refused when it is too late), numbers kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.events.models import DomainEvent
from domain.kit.errors import Conflict, PermissionDenied
from domain.kit.principal import Principal, Role
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine
from domain.stock.purchasing.schemas import ReceiptCreate, ReceiptLineIn
from tests.factories import make_member
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
)
from tests.stock_factories import level
from tests.tools.kit import call, tool_context
from tools.base import AskBack, Tool, ToolResult
from tools.confirmation import dry_run
from tools.stock.purchase_tracking import cancel_purchase_order, list_purchase_orders

NNBSP = "\u202f"
TODAY = NOW.date()


@pytest.fixture
def buyer(container: Container) -> Buyer:
    return make_buyer(container)


@pytest.fixture
def rice(container: Container, buyer: Buyer) -> UUID:
    return make_goods(container, buyer.account, name="Riz brisé 25 kg", sku="RIZ-25")


@pytest.fixture
def oil(container: Container, buyer: Buyer) -> UUID:
    return make_goods(
        container, buyer.account, name="Huile Dinor 5 L", unit="bidon", purchase_price="5000"
    )


def run(
    container: Container, buyer: Buyer, tool: Tool, principal: Principal | None = None, **args: Any
) -> Any:  # fmt: skip
    return call(container, tool, principal or buyer.principal, clock(), args)


def preview(container: Container, buyer: Buyer, tool: Tool, **args: Any) -> ToolResult:
    with tool_context(container, buyer.principal, clock()) as ctx:
        return dry_run(ctx, tool, tool.validate(args))


def plain(text: str) -> str:
    return text.replace(NNBSP, " ").replace("\xa0", " ")


def partly_received(container: Container, buyer: Buyer, rice: UUID, oil: UUID) -> PurchaseOrder:
    """10 sacks of rice and 4 cans of oil sent; 4 sacks arrived."""
    order = make_order(container, buyer, line(rice, "10"), line(oil, "4"), status="sent")
    receive(
        container,
        buyer,
        order.id,
        ReceiptCreate(lines=[ReceiptLineIn(product_id=rice, quantity=Decimal(4))]),
    )
    return order


def count(container: Container, buyer: Buyer, model: Any, **where: Any) -> int:
    with container.db.unit_of_work(buyer.tenant_id) as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(session.scalar(query) or 0)


class TestWhatIsStillExpected:
    def test_open_orders_with_their_date_and_what_remains(
        self, container: Container, buyer: Buyer, rice: UUID, oil: UUID
    ) -> None:
        make_order(container, buyer, line(rice, "3"))  # a draft: not expected, but told
        sent = make_order(container, buyer, line(oil, "2"), status="sent")
        partial = partly_received(container, buyer, rice, oil)
        done = make_order(container, buyer, line(rice, "1"), status="sent")
        receive(container, buyer, done.id)
        listed = run(container, buyer, list_purchase_orders)
        assert [x.number for x in listed.orders] == [partial.number, sent.number]
        assert listed.status == "open" and listed.drafts == 1
        text = plain(listed.render())
        assert text.startswith("Commandes fournisseurs attendues : 2 commandes, ")
        expected = (TODAY + timedelta(days=5)).strftime("%d/%m/%Y")
        assert (
            f"- {partial.number} — Grands Moulins de Dakar, du 16/03/2026, 165 200 FCFA TTC, "
            f"partiellement reçu ; livraison attendue le {expected} ; reste à recevoir : "
            "6 sacs de Riz brisé 25 kg, 4 bidons d'Huile Dinor 5 L."
        ) in text
        assert "reste à recevoir : 2 bidons d'Huile Dinor 5 L." in text
        assert done.number not in text
        assert text.endswith("1 bon de commande en brouillon, pas encore envoyé au fournisseur.")

    def test_an_order_past_its_expected_date_is_late(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        nine_days_ago = clock(NOW - timedelta(days=9))
        make_order(container, buyer, line(rice, "5"), status="sent", at=nine_days_ago)
        listed = run(container, buyer, list_purchase_orders)
        assert listed.orders[0].late
        assert "(en retard)" in listed.render()

    def test_nothing_expected_from_a_supplier(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        make_supplier(container, buyer.account, "Sotiba")
        make_order(container, buyer, line(rice, "5"), status="sent")  # Grands Moulins'
        listed = run(container, buyer, list_purchase_orders, supplier="sotiba")
        assert listed.render() == "Aucune commande fournisseur n'est attendue chez Sotiba."

    def test_one_order_by_its_number(
        self, container: Container, buyer: Buyer, rice: UUID, oil: UUID
    ) -> None:
        partial = partly_received(container, buyer, rice, oil)
        listed = run(container, buyer, list_purchase_orders, order=partial.number.lower())
        assert [x.number for x in listed.orders] == [partial.number]
        assert "reste à recevoir : 6 sacs" in plain(listed.render())


class TestWhatWasOrdered:
    def test_a_period_lists_the_orders_placed_then_from_that_supplier(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        metro = make_supplier(container, buyer.account, "Metro Cash")
        february = clock(NOW - timedelta(days=30))
        make_order(container, buyer, line(rice, "1"), status="sent", supplier_id=metro, at=february)
        received = make_order(container, buyer, line(rice, "2"), status="sent", supplier_id=metro)
        receive(container, buyer, received.id)
        sent = make_order(container, buyer, line(rice, "3"), status="sent", supplier_id=metro)
        make_order(container, buyer, line(rice, "4"), supplier_id=metro)  # a draft: not placed
        make_order(container, buyer, line(rice, "5"), status="sent")  # another supplier
        listed = run(
            container,
            buyer,
            list_purchase_orders,
            supplier="metro",
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
        )
        assert listed.status == "placed"
        assert [x.number for x in listed.orders] == [sent.number, received.number]
        text = plain(listed.render())
        assert text.startswith(
            "Commandes fournisseurs passées chez Metro Cash de mars 2026 : 2 commandes, "
            "70 800 FCFA TTC en tout."
        )
        assert "entièrement reçu." in text and "reste à recevoir : 3 sacs" in text

    def test_by_status(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        dropped = make_order(container, buyer, line(rice, "1"), status="sent")
        run(container, buyer, cancel_purchase_order, order=dropped.number)
        make_order(container, buyer, line(rice, "2"), status="sent")
        cancelled = run(container, buyer, list_purchase_orders, status="cancelled")
        assert [x.number for x in cancelled.orders] == [dropped.number]
        assert plain(cancelled.render()).startswith("Bons de commande annulés : 1 commande")
        assert len(run(container, buyer, list_purchase_orders, status="all").orders) == 2

    def test_costs_are_hidden_from_an_employee(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        make_order(container, buyer, line(rice, "5"), status="sent")
        employee = make_member(container, buyer.account, Role.EMPLOYEE).principal(Role.EMPLOYEE)
        listed = run(container, buyer, list_purchase_orders, employee)
        assert listed.total is None and listed.orders[0].gross_total is None
        assert "TTC" not in listed.render() and "FCFA" not in listed.render()
        assert listed.render().startswith("Commandes fournisseurs attendues : 1 commande.\n")

    def test_unknown_supplier_asks_back(self, container: Container, buyer: Buyer) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, buyer, list_purchase_orders, supplier="Inconnu SA")
        assert asked.value.field == "supplier"


class TestCancel:
    def test_a_sent_order_is_previewed_then_cancelled_with_its_reason(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        order = make_order(container, buyer, line(rice, "10"), status="sent")
        args: dict[str, Any] = {"order": order.number, "reason": "trouvé moins cher ailleurs"}
        shown = preview(container, buyer, cancel_purchase_order, **args)
        assert plain(shown.preview()) == (
            f"Annuler le bon de commande {order.number} du 16/03/2026 (Grands Moulins de Dakar, "
            "envoyé, 141 600 FCFA TTC) : 10 sacs de Riz brisé 25 kg. Motif : trouvé moins cher "
            f"ailleurs. Le numéro {order.number} est conservé."
        )
        assert self._status(container, buyer, order.id) == "sent"  # the preview wrote nothing
        done = run(container, buyer, cancel_purchase_order, **args)
        assert done.render().startswith(f"Annulé : le bon de commande {order.number}")
        with container.db.unit_of_work(buyer.tenant_id) as session:
            row = session.get(PurchaseOrder, (buyer.tenant_id, order.id))
            assert row is not None and row.status == "cancelled"
            assert row.number == order.number and row.notes == "trouvé moins cher ailleurs"
        assert count(container, buyer, DomainEvent, name="purchase_order.cancelled") == 1
        assert count(container, buyer, AuditEntry, action="purchase_order.cancel") == 1
        # numbering stays gapless: the cancelled order keeps its number, the next one follows
        following = make_order(container, buyer, line(rice, "1"))
        assert int(following.number[-5:]) == int(order.number[-5:]) + 1

    def test_a_partially_received_order_cancels_what_is_still_to_come(
        self, container: Container, buyer: Buyer, rice: UUID, oil: UUID
    ) -> None:
        order = partly_received(container, buyer, rice, oil)
        shown = preview(container, buyer, cancel_purchase_order, order=order.number)
        assert plain(shown.preview()) == (
            f"Annuler le reste à livrer du bon de commande {order.number} du 16/03/2026 (Grands "
            "Moulins de Dakar) : 6 sacs de Riz brisé 25 kg, 4 bidons d'Huile Dinor 5 L ; ce qui "
            "est déjà arrivé (4 sacs de Riz brisé 25 kg) reste en stock. "
            f"Le numéro {order.number} est conservé."
        )
        run(container, buyer, cancel_purchase_order, order=order.number)
        assert self._status(container, buyer, order.id) == "cancelled"
        with container.db.unit_of_work(buyer.tenant_id) as session:
            received = session.scalars(
                select(PurchaseOrderLine.received_quantity)
                .where(PurchaseOrderLine.order_id == order.id)
                .order_by(PurchaseOrderLine.position)
            ).all()
        assert received == [Decimal(4), Decimal(0)]
        assert level(container, buyer.account, rice).on_hand == Decimal(4)
        assert run(container, buyer, list_purchase_orders).orders == []  # no longer expected

    def test_by_supplier_when_it_has_one_order_in_progress(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        lorraine = make_supplier(container, buyer.account, "Brasserie Lorraine")
        order = make_order(container, buyer, line(rice, "2"), supplier_id=lorraine)
        make_order(container, buyer, line(rice, "2"), status="sent")  # another supplier's
        done = run(container, buyer, cancel_purchase_order, supplier="brasserie lorraine")
        assert done.number == order.number and done.was == "draft"

    def test_by_supplier_with_several_or_none_asks_which(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        first = make_order(container, buyer, line(rice, "2"), status="sent")
        second = make_order(container, buyer, line(rice, "3"))
        with pytest.raises(AskBack) as several:
            run(container, buyer, cancel_purchase_order, supplier="Grands Moulins")
        assert several.value.field == "order"
        assert set(several.value.options) == {first.number, second.number}
        make_supplier(container, buyer.account, "Sotiba")
        with pytest.raises(AskBack, match="rien à annuler"):
            run(container, buyer, cancel_purchase_order, supplier="Sotiba")
        with pytest.raises(AskBack, match="Quel bon de commande"):
            run(container, buyer, cancel_purchase_order)

    def test_the_date_said_picks_one_of_the_suppliers_orders(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        earlier = make_order(container, buyer, line(rice, "2"), at=clock(NOW - timedelta(days=13)))
        make_order(container, buyer, line(rice, "3"))
        done = run(
            container, buyer, cancel_purchase_order, supplier="Grands Moulins", dated="2026-03-03"
        )
        assert done.number == earlier.number
        assert "du 03/03/2026" in done.render()
        with pytest.raises(AskBack, match="Aucune commande du 04/03/2026"):
            run(
                container,
                buyer,
                cancel_purchase_order,
                supplier="Grands Moulins",
                dated="2026-03-04",
            )

    def test_a_number_of_another_supplier_is_questioned(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        make_supplier(container, buyer.account, "Sotiba")
        order = make_order(container, buyer, line(rice, "2"), status="sent")
        with pytest.raises(AskBack, match="n'est pas passé à Sotiba"):
            run(container, buyer, cancel_purchase_order, order=order.number, supplier="Sotiba")
        assert self._status(container, buyer, order.id) == "sent"

    def test_too_late_is_refused_in_french_and_nothing_changes(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        done = make_order(container, buyer, line(rice, "2"), status="sent")
        receive(container, buyer, done.id)
        with pytest.raises(Conflict, match="entièrement reçu : impossible de l'annuler"):
            run(container, buyer, cancel_purchase_order, order=done.number)
        dropped = make_order(container, buyer, line(rice, "2"))
        run(container, buyer, cancel_purchase_order, order=dropped.number)
        with pytest.raises(Conflict, match="annulé"):
            run(container, buyer, cancel_purchase_order, order=dropped.number)
        assert self._status(container, buyer, done.id) == "received"

    def test_only_managers_cancel_and_polite_words_are_no_reason(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        order = make_order(container, buyer, line(rice, "2"), status="sent")
        employee = make_member(container, buyer.account, Role.EMPLOYEE).principal(Role.EMPLOYEE)
        with pytest.raises(PermissionDenied):
            run(container, buyer, cancel_purchase_order, employee, order=order.number)
        done = run(container, buyer, cancel_purchase_order, order=order.number, reason="stp")
        assert done.reason is None and "Motif" not in done.render()

    @staticmethod
    def _status(container: Container, buyer: Buyer, order_id: UUID) -> str:
        with container.db.unit_of_work(buyer.tenant_id) as session:
            row = session.get(PurchaseOrder, (buyer.tenant_id, order_id))
            assert row is not None
            return row.status
