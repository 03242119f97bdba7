"""Corrections that keep what they do not change, units a product is sold by, and moves
to another service. No database: the router, the adapters and the registry (the sentences
are our own, not the evaluation's)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from agents.local.conversation import correction_value
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset((Role.ADMIN,)))
    return local.understand(message, memory or Memory(), principal, today=TODAY, currency="EUR")


def shown(local: LocalTier, tool: str, arguments: dict[str, Any]) -> Memory:
    memory = Memory()
    local.remember(memory, tool, arguments, shown=True)
    return memory


ORDER = {
    "supplier": "Vergers du Sud",
    "lines": [{"product": "pommes", "quantity": "12", "unit_price": "8.40"}],
}


class TestACorrectionOfAWrite:
    def test_a_word_starting_with_pas_is_kept(self) -> None:
        assert correction_value("non, ils ont passé le prix à 7") == "ils ont passé le prix à 7"
        assert correction_value("non, 6 cartons, pas 4") == "6 cartons"

    def test_a_price_alone_is_the_order_line_new_price(self, local: LocalTier) -> None:
        memory = shown(local, "stock.create_purchase_order", ORDER)
        plan = say(local, "ah non pardon, ils la font à 7,95 la caisse maintenant", memory)
        assert plan.tool == "stock.create_purchase_order" and plan.kind == "tool"
        assert plan.arguments["lines"] == [
            {"product": "pommes", "quantity": "12", "unit_price": "7.95"}
        ]

    def test_one_that_changes_nothing_is_said_not_shown_again(self, local: LocalTier) -> None:
        memory = shown(local, "stock.create_purchase_order", ORDER)
        plan = say(local, "non attends, ils sont toujours en retard chez eux", memory)
        assert plan.kind == "llm"
        assert "Rien n'a été fait" in (plan.text or "")

    def test_the_same_kind_of_period_from_another_day(self, local: LocalTier) -> None:
        memory = shown(
            local, "hr.request_leave", {"start_date": "2026-06-08", "end_date": "2026-06-14"}
        )
        plan = say(local, "oh non pardon, plutôt celle du 22 juin", memory)
        assert plan.tool == "hr.request_leave"
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-06-22",
            "2026-06-28",
        )


class TestTheUnitAProductIsSoldBy:
    def test_sold_in_a_container(self, local: LocalTier) -> None:
        plan = say(local, "nouvel article : thé à la menthe, vendu en boîte, 4,20 € HT")
        assert plan.kind == "tool" and plan.arguments["unit"] == "boîte"

    def test_an_unknown_unit_is_said_not_dropped(self, local: LocalTier) -> None:
        plan = say(local, "nouveau produit : fraises gariguette, vendues en barquette, 3,90 €")
        assert plan.kind == "llm" and "barquette" in (plan.text or "")

    def test_what_the_container_holds_is_no_line(self, local: LocalTier) -> None:
        plan = say(local, "nouveau produit : eau minérale, vendue au pack (6 bouteilles), 2,40 €")
        assert plan.kind == "tool", plan.text
        assert plan.arguments["unit"] == "pack"

    def test_a_size_does_not_use_up_a_number_of_the_name(self, local: LocalTier) -> None:
        plan = say(local, "crée le produit liquide de frein DOT4, vendu au flacon de 4 L, 9 €")
        assert plan.kind == "tool", plan.text


class TestAMoveToAnotherService:
    def test_the_department_moved_to(self, local: LocalTier) -> None:
        plan = say(local, "Ousmane Ba change de service : il passe au magasin dès aujourd'hui")
        assert plan.tool == "hr.update_employee"
        assert plan.arguments == {"employee": "Ousmane Ba", "department": "magasin"}

    def test_a_title_is_still_one(self, local: LocalTier) -> None:
        plan = say(local, "Ousmane Ba passe chef d'équipe")
        assert plan.arguments.get("job_title") == "chef d'équipe"
        assert "department" not in plan.arguments


class TestWhichProductAndWhy:
    def test_the_unit_counted_is_not_the_product_asked_about(self, local: LocalTier) -> None:
        plan = say(local, "il nous reste combien de paquets de café moulu pour l'instant ?")
        assert plan.tool == "stock.stock_level"
        assert plan.arguments == {"product": "café moulu"}

    def test_a_size_after_the_name_tells_the_product(self, local: LocalTier) -> None:
        plan = say(local, "mets le stock minimum de l'huile 5L à 12 bidons")
        assert plan.arguments == {"product": "huile 5L", "min_stock": "12"}

    def test_how_goods_were_lost_is_the_adjustment_reason(self, local: LocalTier) -> None:
        plan = say(local, "j'ai recompté : 25 cartons de lait, 3 cartons ont été volés")
        assert plan.tool == "stock.adjust" and plan.kind == "tool", plan.text
        assert plan.arguments["counted_quantity"] == "25"
        assert plan.arguments["reason"] == "3 cartons ont été volés"

    def test_the_price_a_product_is_sold_at_is_asked(self, local: LocalTier) -> None:
        plan = say(local, "la boîte de sardines, on la vend combien en ce moment ?")
        assert plan.tool == "stock.find_product"


class TestWhomARequestIsFor:
    def test_the_person_spoken_to_is_not_the_one_on_leave(self, local: LocalTier) -> None:
        plan = say(local, "Bonjour patron c'est Awa, je prends un jour de congé demain svp")
        assert plan.tool == "hr.request_leave"
        assert "employee" not in plan.arguments

    def test_a_supplier_added_again(self, local: LocalTier) -> None:
        plan = say(local, "rajoute un fournisseur : Ets Sow, ets.sow@exemple.sn")
        assert plan.tool == "sales.create_supplier"
        assert plan.arguments == {"name": "Ets Sow", "email": "ets.sow@exemple.sn"}
