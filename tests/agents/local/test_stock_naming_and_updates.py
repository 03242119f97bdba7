"""Stock, products and purchasing as people say them: a product named by its container and
size, several stock questions in one message, product updates said together, inventory
counts, deliveries of a whole order. No database: the router, the adapters and the
registry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from agents.local.slots import analyse
from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestNamingAProduct:
    def test_a_size_after_a_container_names_the_product_in_that_size(
        self, local: LocalTier
    ) -> None:
        tool, args = tool_call(
            say(local, "la bouteille de 6 kg de gaz butane, il en reste combien ?")
        )
        assert tool == "stock.stock_level"
        assert args["product"] == "gaz butane 6 kg"

    def test_a_message_opening_on_stock_asks_the_level_of_what_follows(
        self, local: LocalTier
    ) -> None:
        assert tool_call(say(local, "stock lait caillé svp")) == (
            "stock.stock_level",
            {"product": "lait caillé"},
        )

    def test_who_asks_after_the_question_is_no_part_of_it(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "on a encore des bouteilles de gaz 6 kg ? le client attend")
        )
        assert (tool, args["product"]) == ("stock.stock_level", "gaz 6 kg")

    def test_a_size_names_goods_never_a_person(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "affiche la fiche de l'eau Kirène 1,5 L"))
        assert (tool, args["query"]) == ("stock.find_product", "eau Kirène 1,5 L")


class TestSeveralRequests:
    def test_two_products_asked_are_answered_one_after_the_other(self, local: LocalTier) -> None:
        memory = Memory()
        tool, args = tool_call(say(local, "il reste combien de ciment et de fer à béton ?", memory))
        assert (tool, args) == ("stock.stock_level", {"product": "ciment"})
        assert memory.queued == "il reste combien de fer à béton ?"

    def test_an_entry_then_a_question_on_another_product(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "rentre 15 cartons de lait et dis moi combien il reste d'huile", memory)
        assert tool_call(plan) == ("stock.receive", {"product": "lait", "quantity": "15"})
        assert memory.queued == "dis moi combien il reste d'huile"


class TestProductUpdates:
    def test_a_price_and_a_minimum_in_one_message(self, local: LocalTier) -> None:
        plan = say(local, "mets le prix du savon noir à 450 et son stock minimum à 40 pièces")
        assert tool_call(plan) == (
            "stock.update_product",
            {"product": "savon noir", "sale_price": "450", "min_stock": "40"},
        )

    def test_a_minimum_and_a_maximum_with_the_unit_said_once(self, local: LocalTier) -> None:
        plan = say(local, "pour le riz parfumé, stock mini 15 sacs et maxi 60")
        assert tool_call(plan) == (
            "stock.update_product",
            {"product": "riz parfumé", "min_stock": "15", "max_stock": "60"},
        )

    def test_what_a_product_costs_us_is_its_purchase_price(self, local: LocalTier) -> None:
        plan = say(local, "la farine nous coûte 19 500 à l'achat désormais")
        assert tool_call(plan) == (
            "stock.update_product",
            {"product": "farine", "purchase_price": "19500"},
        )


class TestNewProducts:
    def test_what_the_container_sold_by_holds_is_no_count(self, local: LocalTier) -> None:
        plan = say(local, "Nouvel article : jus de bissap 33 cl, vendu au pack de 12 à 6 000 F")
        tool, args = tool_call(plan)
        assert tool == "stock.create_product"
        assert (args["unit"], args["sale_price"]) == ("pack", "6000")


class TestCountsAndDeliveries:
    def test_a_count_said_with_its_pronoun_sets_the_product_counted(self, local: LocalTier) -> None:
        plan = say(local, "Comptage terminé pour le ciment : j'en compte 112 sacs")
        assert tool_call(plan) == (
            "stock.adjust",
            {"product": "ciment", "counted_quantity": "112"},
        )

    def test_a_whole_order_delivered_by_the_supplier_said_first(self, local: LocalTier) -> None:
        plan = say(local, "les Établissements Fall ont livré toute la commande de sucre")
        assert tool_call(plan) == (
            "stock.receive_purchase_order",
            {"order": "Établissements Fall"},
        )

    def test_more_than_ordered_is_what_arrived(self, local: LocalTier) -> None:
        plan = say(
            local,
            "Sotiba a livré 30 cartons de savon alors qu'on en avait commandé 24, on les garde",
        )
        tool, args = tool_call(plan)
        assert tool == "stock.receive_purchase_order"
        assert args["lines"] == [{"product": "savon", "quantity": "30"}]

    def test_an_order_said_by_its_number_is_marked_sent(self, local: LocalTier) -> None:
        plan = say(local, "le BC-2026-00007, je l'ai envoyé par mail, note-le comme envoyé")
        assert tool_call(plan) == ("stock.send_purchase_order", {"order": "BC-2026-00007"})


class TestNewProductsSaidPlainly:
    def test_goods_a_message_opens_on_adding_with_their_selling_unit(
        self, local: LocalTier
    ) -> None:
        utt = analyse("ajoute le persil frais, on le vend a la botte a 150 F", today=TODAY)
        assert local.adapters["stock.create_product"].extract(utt) == {
            "name": "persil frais",
            "sale_price": Decimal(150),
            "unit": "botte",
        }

    def test_a_sale_price_said_without_currency_after_its_words(self, local: LocalTier) -> None:
        plan = say(
            local, "nouveau produit : biscuit Choco, au paquet, prix de vente 300 prix d'achat 220"
        )
        tool, args = tool_call(plan)
        assert tool == "stock.create_product"
        assert (args["sale_price"], args["purchase_price"]) == ("300", "220")

    def test_adding_without_saying_a_price_or_a_sale_names_no_product(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "ajoute la ligne transport 5 000")
        assert plan.kind != "tool" or plan.tool != "stock.create_product"


class TestCountsPricesAndFamilies:
    def test_how_much_a_product_sells_for_is_a_product_search(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "la boîte de thé vert, on la vend combien déjà ?"))
        assert (tool, args["query"]) == ("stock.find_product", "thé vert")

    def test_a_count_said_with_on_a_compte_is_an_inventory(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "on a compté les nattes en plastique, il y en a 7"))
        assert tool == "stock.adjust"
        assert args["counted_quantity"] == "7"

    def test_tu_corriges_after_a_count_asks_for_the_change(self, local: LocalTier) -> None:
        plan = say(local, "Comptage d'hier soir : 16 boîtes de sardines, pas 19. Tu corriges ?")
        tool, args = tool_call(plan)
        assert (tool, args["counted_quantity"]) == ("stock.adjust", "16")

    def test_a_section_counted_is_named_with_its_containers_size(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "inventaire du rayon vinaigres : on a 9 bouteilles de 1L, pas 11. Corrige")
        )
        assert (tool, args["product"]) == ("stock.adjust", "vinaigres 1L")

    def test_a_receipt_said_reçu_with_a_number_in_words(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "reçu quarante cartons de biscuits"))
        assert (tool, args["quantity"], args["product"]) == ("stock.receive", "40", "biscuits")

    def test_the_size_of_one_item_is_no_second_item(self, local: LocalTier) -> None:
        memory = Memory()
        tool, args = tool_call(say(local, "reçu : 6 bidons d'eau de javel 5L et 12 savons", memory))
        assert (tool, args["product"], args["quantity"]) == (
            "stock.receive",
            "eau de javel 5L",
            "6",
        )
        assert memory.queued is not None and "12 savons" in memory.queued

    def test_the_stock_of_every_product_of_a_kind_lists_them(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "montre-moi le stock de tous les savons"))
        assert (tool, args["query"]) == ("stock.find_product", "savons")

    def test_an_elision_typed_without_apostrophe_before_h(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "combien il reste dhuile de palme"))
        assert (tool, args["product"]) == ("stock.stock_level", "huile de palme")

    def test_a_delivery_note_number_is_no_product_reference(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "on a reçu 8 cartons de lait blanc, BL-2231"))
        assert (tool, args["product"], args["reference"]) == (
            "stock.receive",
            "lait blanc",
            "BL-2231",
        )
