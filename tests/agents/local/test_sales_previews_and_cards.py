"""Sales said in everyday French: a correction while a preview waits changes that preview
(never another record), a number after « un … » names the item, a contact detail of someone
reads their card, a customer's act is why a credit note is made, a quote asked about by
whether the customer answered. No database: the router, the adapters and the registry."""

from __future__ import annotations

from datetime import date
from typing import Any

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 5, 12)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY, currency="EUR")


def extract(tool: str, text: str) -> dict[str, Any]:
    return every_adapter()[tool].extract(analyse(text, today=TODAY, currency="EUR"))


def previewed(local: LocalTier, message: str) -> Memory:
    memory = Memory()
    plan = say(local, message, memory)
    local.remember(memory, str(plan.tool), plan.arguments, shown=True)
    return memory


class TestACorrectionWhileAPreviewWaits:
    def test_a_price_said_of_one_line_prices_that_line(self, local: LocalTier) -> None:
        memory = previewed(
            local, "devis pour Garage Lenoir : 4 pneus neige et 2 balais d'essuie-glace"
        )
        plan = say(local, "non, fais les balais à 9 € pièce", memory)
        tool, arguments = tool_call(plan)
        assert tool == "finance.create_quote"
        lines: Any = arguments["lines"]
        assert {line["product"]: line.get("unit_price") for line in lines} == {
            "pneus neige": None,
            "balais d'essuie-glace": "9",
        }

    def test_a_price_of_nothing_in_it_changes_no_product(self, local: LocalTier) -> None:
        memory = previewed(
            local, "devis pour Garage Lenoir : 4 pneus neige et 2 balais d'essuie-glace"
        )
        plan = say(local, "non mets les enjoliveurs à 15 € pièce", memory)
        assert plan.kind != "tool"
        assert plan.tool != "stock.update_product"


class TestAnItemCountedByItsArticle:
    def test_a_number_after_the_item_names_it(self) -> None:
        said = extract(
            "finance.create_invoice", "facture Martin : une armoire 3 portes et 2 chaises"
        )
        assert said["lines"] == [
            {"product": "armoire 3 portes", "quantity": 1},
            {"product": "chaises", "quantity": 2},
        ]

    def test_the_document_counted_by_its_article_is_no_item(self) -> None:
        said = extract("finance.create_invoice", "fais une facture Martin 2 chaises")
        assert said["lines"] == [{"product": "chaises", "quantity": 2}]


class TestAContactDetailOfSomeone:
    def test_it_reads_the_card_whatever_the_case_of_the_name(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "tu me redonnes le numéro de la boulangerie lemaire ?")
        )
        assert tool == "sales.find_customer"
        assert arguments["query"] == "boulangerie lemaire"


class TestSalesNews:
    def test_good_news_then_record_it_accepts_the_quote(self, local: LocalTier) -> None:
        plan = say(local, "Ferme Dubois a accepté le devis, enregistre-le")
        assert tool_call(plan) == ("finance.accept_quote", {"quote": "Ferme Dubois"})

    def test_whether_a_customer_answered_lists_its_quotes(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "Carrosserie Petit a répondu pour le devis ?"))
        assert tool == "finance.list_quotes"
        assert arguments["customer"] == "Carrosserie Petit"

    def test_what_the_customer_does_is_the_reason_of_the_credit_note(self) -> None:
        said = extract(
            "finance.create_credit_note",
            "M. Royer renonce au chantier, fais un avoir sur sa facture F-2026-00004",
        )
        assert said == {"invoice": "F-2026-00004", "reason": "M. Royer renonce au chantier"}

    def test_a_count_is_part_of_what_a_deal_is_about(self) -> None:
        said = extract(
            "sales.create_opportunity",
            "nouvelle affaire avec Camping Soleil : rénovation des 12 chalets, 30 000 €",
        )
        assert said["title"] == "rénovation des 12 chalets"

    def test_the_town_of_customers_asked_by_what_we_have_there(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "quels clients on a à Grenoble ?"))
        assert (tool, arguments) == ("sales.find_customer", {"city": "Grenoble"})
