"""Precision first: the local tier proposes a write only when its parse accounts for the
whole message; a part left over gets a precise « je n'ai pas bien compris » and nothing is
proposed. No database: the router, the adapters and the registry."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)


@pytest.fixture(scope="module")
def local(container: Container) -> LocalTier:
    return container.agent.local


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, memory or Memory(), principal, today=TODAY, currency="XOF")


class TestAPartLeftOverIsSaid:
    @pytest.mark.parametrize(
        ("message", "left"),
        [
            # a line without a number that the lines did not take
            (
                "facture pour Diallo : 3 sacs de riz, 2 cartons d'huile et une livraison",
                "livraison",
            ),
            # a date the tool has no place for
            ("fais une facture pour Diallo datée du 3 février, 2 sacs de riz", "3 février"),
            # a filter the reading does not take: the age of an invoice (« en retard de
            # plus de 30 jours » is taken, as ``overdue_days``)
            ("liste les factures de Diallo de plus de 30 jours", "30 jours"),
        ],
    )
    def test_nothing_is_proposed_and_the_part_is_named(
        self, local: LocalTier, message: str, left: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "llm", plan
        assert left in plan.text and "Rien n'a été fait" in plan.text

    @pytest.mark.parametrize(
        "message",
        ["rdv avec Ba le 30 février à 9h", "facture Diallo 2 sacs de riz à régler le 35 mars"],
    )
    def test_a_day_the_month_does_not_have_is_said(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.kind == "llm" and "n'existe pas" in plan.text

    def test_another_kind_of_document_is_never_turned_into_this_one(self, local: LocalTier) -> None:
        plan = say(local, "relance le Garage Ndoye pour sa facture impayée")
        assert plan.kind != "tool" or plan.tool != "finance.create_invoice"
        if plan.kind == "llm" and plan.tool == "finance.create_invoice":
            assert "relance" in plan.text

    def test_a_second_request_is_taken_one_at_a_time(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "facture 3 sacs de riz à Diallo et valide-la tout de suite", memory)
        assert (plan.kind, plan.tool) == ("tool", "finance.create_invoice")
        assert plan.text == "Une chose à la fois : ensuite, « valide-la tout de suite »."
        assert memory.queued == "valide-la tout de suite"
        assert len(plan.arguments["lines"]) == 1


class TestWhatTheWholeMessageSaysIsUsed:
    @pytest.mark.parametrize(
        ("message", "tool", "expected"),
        [
            (
                "devis pour Sow : 4 lampadaires arc et 6 heures d'installation",
                "finance.create_quote",
                {"lines": [{"product": "lampadaires arc", "quantity": "4"},
                           {"product": "installation", "quantity": "6"}]},
            ),
            (
                "facture pour Sow, 20 coffrets, paiement à 45 jours",
                "finance.create_invoice",
                {"payment_terms_days": 45},
            ),
            (
                "devis pour Faye : 150 barres de fer de 12",
                "finance.create_quote",
                {"lines": [{"product": "fer de 12", "quantity": "150"}]},
            ),
            (
                "corrige le stock des bouteilles de gaz : on en a compté 12, pas 15",
                "stock.adjust",
                {"counted_quantity": "12"},
            ),
            (
                "le tel de Martin a changé, c'est 05 56 44 12 30 maintenant",
                "sales.update_customer",
                {"phone": "05 56 44 12 30"},
            ),
            (
                "quels contrats arrivent à échéance dans les 3 prochains mois ?",
                "hr.expiring_contracts",
                {"within_days": 90},
            ),
            (
                "crée un avoir sur la facture F-2026-00004, 2 sacs de riz, motif : abîmés",
                "finance.create_credit_note",
                {"invoice": "F-2026-00004"},
            ),
        ],
    )  # fmt: skip
    def test_a_complete_parse_is_proposed(
        self, local: LocalTier, message: str, tool: str, expected: dict[str, object]
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", tool), plan
        for name, value in expected.items():
            assert plan.arguments[name] == value, plan.arguments


class TestDialogue:
    def test_yes_to_the_only_suggestion_takes_it(self, local: LocalTier) -> None:
        memory = Memory(
            draft={
                "tool": "finance.create_quote",
                "arguments": {"customer": "Faye", "lines": [{"product": "fer", "quantity": "2"}]},
                "awaiting": "lines.0.product",
                "options": ["Fer à béton 12mm"],
                "question": "Vouliez-vous dire Fer à béton 12mm ?",
            }
        )
        plan = local.settle("yes", memory)
        assert plan.kind == "tool" and plan.tool == "finance.create_quote"
        assert plan.arguments["lines"][0]["product"] == "Fer à béton 12mm"

    def test_yes_among_several_suggestions_asks_again(self, local: LocalTier) -> None:
        memory = Memory(
            draft={
                "tool": "finance.create_quote",
                "arguments": {"customer": "Faye", "lines": [{"product": "riz", "quantity": "2"}]},
                "awaiting": "lines.0.product",
                "options": ["Riz brisé", "Riz parfumé"],
                "question": "Lequel ?",
            }
        )
        plan = local.settle("yes", memory)
        assert plan.kind == "reply" and "Lequel ?" in plan.text

    def test_the_document_named_by_its_kind_alone_is_the_one_just_made(
        self, local: LocalTier
    ) -> None:
        memory = Memory(about={"quote": "D-2026-00007", "customer": "Café des Arts"})
        plan = say(local, "transforme le devis en facture", memory)
        assert plan.tool == "finance.convert_quote_to_invoice"
        assert plan.arguments.get("quote") == "D-2026-00007"
