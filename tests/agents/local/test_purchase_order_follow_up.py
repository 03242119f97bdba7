"""Following purchase orders up in plain French, on the local tier: which orders are still
expected, when one is due, what was ordered from a supplier over a period, and cancelling
one by its number or its supplier — and the neighbouring requests that must stay theirs
(ordering, receiving, cancelling a leave, a credit note). No database: the router, the
declared slots and the registry. The sentences are written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import understand

TODAY = date(2026, 3, 16)  # a Monday
LIST = "stock.list_purchase_orders"
CANCEL = "stock.cancel_purchase_order"


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestWhatIsStillExpected:
    def test_what_we_are_still_waiting_for(self, local: LocalTier) -> None:
        plan = say(local, "on attend encore quelles commandes de nos fournisseurs ?")
        assert (plan.kind, plan.tool) == ("tool", LIST), plan
        assert plan.arguments == {"status": "open"}

    def test_when_a_suppliers_order_is_due(self, local: LocalTier) -> None:
        plan = say(local, "la livraison de Sotiba, elle arrive quand ?")
        assert (plan.kind, plan.tool) == ("tool", LIST), plan
        assert plan.arguments == {"supplier": "Sotiba", "status": "open"}

    def test_what_was_ordered_from_a_supplier_this_month(self, local: LocalTier) -> None:
        plan = say(local, "qu'avons-nous commandé chez Metro ce mois-ci ?")
        assert (plan.kind, plan.tool) == ("tool", LIST), plan
        assert plan.arguments == {"supplier": "Metro", "start": "2026-03-01", "end": "2026-03-31"}

    def test_orders_by_status(self, local: LocalTier) -> None:
        plan = say(local, "montre les bons de commande annulés")
        assert (plan.tool, plan.arguments) == (LIST, {"status": "cancelled"}), plan
        plan = say(local, "les commandes fournisseurs reçues en février")
        assert plan.tool == LIST and plan.arguments["status"] == "received", plan
        assert (plan.arguments["start"], plan.arguments["end"]) == ("2026-02-01", "2026-02-28")

    def test_one_order_by_its_number(self, local: LocalTier) -> None:
        plan = say(local, "où en est le bon BC-2026-00012 ?")
        assert (plan.kind, plan.tool) == ("tool", LIST), plan
        assert plan.arguments.get("order") == "BC-2026-00012"


class TestCancelling:
    def test_by_its_number(self, local: LocalTier) -> None:
        plan = say(local, "annule le bon de commande BC-2026-00004")
        assert (plan.kind, plan.tool, plan.arguments) == (
            "tool",
            CANCEL,
            {"order": "BC-2026-00004"},
        ), plan

    def test_by_its_supplier(self, local: LocalTier) -> None:
        plan = say(
            local, "annule la commande passée à la Brasserie Lorraine, on a trouvé moins cher"
        )
        assert (plan.kind, plan.tool) == ("tool", CANCEL), plan
        assert plan.arguments.get("supplier") == "Brasserie Lorraine"

    def test_a_reason_said_after_parce_que_is_recorded(self, local: LocalTier) -> None:
        plan = say(local, "annule notre commande chez Sotiba parce que le délai est trop long")
        assert (plan.kind, plan.tool) == ("tool", CANCEL), plan
        assert plan.arguments == {"supplier": "Sotiba", "reason": "délai est trop long"}

    def test_the_date_said_picks_the_suppliers_order(self, local: LocalTier) -> None:
        plan = say(local, "annule la commande de Sotiba du 3 mars")
        assert (plan.kind, plan.tool) == ("tool", CANCEL), plan
        assert plan.arguments == {"supplier": "Sotiba", "dated": "2026-03-03"}

    def test_an_amount_the_cancel_cannot_hold_is_not_dropped(self, local: LocalTier) -> None:
        plan = say(local, "annule la commande de Sotiba de 250 000 francs")
        assert plan.kind != "tool", plan  # which order « 250 000 » is: never guessed
        assert "250 000" in plan.text

    def test_no_polite_word_becomes_the_order(self, local: LocalTier) -> None:
        plan = say(local, "annule la commande BC-2026-00002 stp")
        assert (plan.kind, plan.tool, plan.arguments) == (
            "tool",
            CANCEL,
            {"order": "BC-2026-00002"},
        ), plan


class TestNeighboursStayTheirs:
    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("commande 12 cartons de lait chez Satrec", "stock.create_purchase_order"),
            ("la commande BC-2026-00005 est arrivée", "stock.receive_purchase_order"),
            ("qu'est-ce qu'il faut recommander cette semaine ?", "stock.reorder_suggestions"),
            ("annule mon congé de vendredi", "hr.cancel_leave"),
            ("annule la facture F-2026-00008 avec un avoir", "finance.create_credit_note"),
            ("combien on doit encore à Sotiba ?", "purchasing.payables"),
        ],
    )
    def test_routed_as_before(self, local: LocalTier, message: str, tool: str) -> None:
        assert say(local, message).tool == tool
