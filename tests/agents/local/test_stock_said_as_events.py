"""Stock, products and purchasing said the way a shop says them: the list a new product goes
into, a price left open, dimensions in a product's name, deliveries told as events, a reason
given for an exit, what is missing on an order. No database: the router, the adapters and
the registry."""

from __future__ import annotations

from datetime import date

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand
from tools.confirmation import reply_kind

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestNewProducts:
    def test_the_list_a_record_goes_into_names_its_kind(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(
                local,
                "mets 'Pose de carrelage' dans nos produits, c'est un service, "
                "le prix se fixe au cas par cas",
            )
        )
        assert tool == "stock.create_product"
        assert args["name"] == "Pose de carrelage"
        assert args["kind"] == "service"

    def test_a_price_said_to_be_left_open_is_not_asked_for(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "nouveau produit « Montage de meuble », prix à la demande")
        )
        assert tool == "stock.create_product"
        assert args.get("sale_price") is None

    def test_a_new_product_without_a_price_said_still_has_its_price_asked(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "crée le produit Farine de maïs 1 kg")
        assert plan.kind == "reply" and "prix" in plan.text

    def test_putting_a_count_in_stock_after_a_product_is_made_enters_it(
        self, local: LocalTier
    ) -> None:
        memory = Memory()
        tool, args = tool_call(say(local, "crée le produit Thé vert 250 g à 1 200 F", memory))
        local.remember(memory, tool or "", args, shown=False)
        tool, args = tool_call(say(local, "mets-en 15 en stock, on vient de les recevoir", memory))
        assert tool == "stock.receive"
        assert args == {"product": "Thé vert 250 g", "quantity": "15"}


class TestDimensionsInAName:
    def test_dimensions_after_a_name_are_part_of_it(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "reçu 12 paquets de chevilles 6x30"))
        assert (tool, args["product"], args["quantity"]) == (
            "stock.receive",
            "chevilles 6x30",
            "12",
        )

    def test_a_bare_size_ending_a_question_is_part_of_the_name(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "il reste des rouleaux de scotch de 48 ?"))
        assert (tool, args["product"]) == ("stock.stock_level", "scotch de 48")


class TestStockSayings:
    def test_goods_deducted_from_the_stock_go_out(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "on a offert 3 bouteilles de jus au voisin, déduis-les du stock")
        )
        assert tool == "stock.issue" and args["quantity"] == "3", args

    def test_le_mini_said_with_its_level_is_the_stock_minimum(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "pour le sucre, mets le mini à 20 et le maxi à 60"))
        assert tool == "stock.update_product"
        assert (args["min_stock"], args["max_stock"]) == ("20", "60")

    def test_a_second_product_keeps_its_own_article(self, local: LocalTier) -> None:
        memory = Memory()
        tool, args = tool_call(say(local, "combien il reste d'eau et de sucre ?", memory))
        assert (tool, args) == ("stock.stock_level", {"product": "eau"})
        assert memory.queued == "combien il reste de sucre ?"

    def test_a_buyer_wanting_goods_is_the_reason_they_leave(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "une cliente de Pikine veut 6 sacs de sucre, sors-les du stock")
        )
        assert (tool, args["reason"]) == ("stock.issue", "vente")

    def test_goods_dropped_leave_as_breakage(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "le livreur a fait tomber 3 bouteilles d'huile, enlève-les du stock")
        )
        assert (tool, args["product"], args["quantity"]) == ("stock.issue", "huile", "3")

    def test_a_price_said_for_one_unit_sets_the_product_price(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "maintenant le paquet de café c'est 2 360 F TTC"))
        assert tool == "stock.update_product"
        assert args["sale_price_incl_tax"] == "2360"


class TestOrders:
    def test_what_is_missing_on_the_order_is_read_on_the_orders(self, local: LocalTier) -> None:
        tool, _ = tool_call(say(local, "il en manque encore combien sur cette commande ?"))
        assert tool == "stock.list_purchase_orders"

    def test_a_reason_for_a_cancellation_is_read_and_left_out_of_routing(
        self, local: LocalTier
    ) -> None:
        tool, args = tool_call(
            say(local, "annule la commande chez Sotrac, parce qu'ils ferment jusqu'en mars")
        )
        assert tool == "stock.cancel_purchase_order"
        assert args["reason"] == "ils ferment jusqu'en mars"

    def test_a_yes_repeating_the_verb_of_the_preview_confirms_it(self) -> None:
        assert reply_kind("oui annule", "Annuler un bon de commande") == "yes"
        assert reply_kind("oui annule") == "other"
        assert reply_kind("non annule", "Annuler un bon de commande") == "no"


class TestUndoingAMovementJustDone:
    LAST = {
        "tool": "stock.issue",
        "arguments": {"product": "sucre", "quantity": "6", "reason": "casse"},
    }

    def test_its_opposite_moves_the_same_goods_back(self, local: LocalTier) -> None:
        memory = Memory(last=dict(self.LAST))
        plan = say(local, "zut, mauvais produit, annule ce que tu viens de faire", memory)
        tool, args = tool_call(plan)
        assert tool == "stock.receive"
        assert (args["product"], args["quantity"]) == ("sucre", "6")

    def test_another_count_than_the_one_moved_is_no_undoing(self, local: LocalTier) -> None:
        memory = Memory(last=dict(self.LAST))
        plan = say(local, "annule cette sortie, remets les 9 sacs", memory)
        assert plan.tool != "stock.receive" or plan.kind != "tool", plan
