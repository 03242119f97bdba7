"""Purchasing and the product catalogue as people say them: the unit a new product is
priced by, the supplier of an order after « pour », a product retired from the catalogue,
a draft order marked sent by its supplier, a purchase price asked, whether to buy one
product again, a bill's supplier said after its number, a bare count received, a product's
VAT rate. No database: the router, the adapters and the registry."""

from __future__ import annotations

from datetime import date

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 9, 14)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestNewProductUnit:
    def test_a_unit_said_after_the_price_is_the_new_products_unit(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "crée l'article bougie parfumée à 1 500 F la barquette"))
        assert tool == "stock.create_product"
        assert (args["sale_price"], args["unit"]) == ("1500", "barquette")

    def test_a_known_unit_after_the_price_keeps_its_spelling(self, local: LocalTier) -> None:
        _, args = tool_call(say(local, "nouveau produit lessive Madar, 900 F le paquet"))
        assert args["unit"] == "paquet"

    def test_what_the_container_sold_holds_is_no_count(self, local: LocalTier) -> None:
        message = "nouvel article biscuits Choco, vendu au carton de 48 morceaux, 9 000 F le carton"
        tool, args = tool_call(say(local, message))
        assert tool == "stock.create_product"
        assert (args["sale_price"], args["unit"]) == ("9000", "carton")


class TestPurchaseOrders:
    def test_the_supplier_of_an_order_said_after_pour(self, local: LocalTier) -> None:
        tool, args = tool_call(
            say(local, "prépare un bon de commande pour Dinor : 30 bidons d'huile")
        )
        assert tool == "stock.create_purchase_order"
        assert args == {"supplier": "Dinor", "lines": [{"product": "huile", "quantity": "30"}]}

    def test_what_is_needed_of_a_product_leaves_the_quantity_to_the_reorder(
        self, local: LocalTier
    ) -> None:
        tool, args = tool_call(say(local, "commande chez Kirène ce qu'il faut d'eau minérale"))
        assert tool == "stock.create_purchase_order"
        assert args == {"supplier": "Kirène", "lines": [{"product": "eau minérale"}]}

    def test_a_draft_order_marked_sent_by_its_supplier(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "marque le bon de commande de CCBM comme envoyé"))
        assert (tool, args) == ("stock.send_purchase_order", {"supplier": "CCBM"})

    def test_an_order_said_first_then_marked_sent_is_that_order(self, local: LocalTier) -> None:
        message = (
            "le bon de commande de Senico, on le leur a faxé ce matin, tu peux le mettre en envoyé"
        )
        tool, args = tool_call(say(local, message))
        assert (tool, args) == ("stock.send_purchase_order", {"supplier": "Senico"})

    def test_a_bare_count_received_names_the_product_said_delivered(self, local: LocalTier) -> None:
        _, args = tool_call(say(local, "les Ciments du Sahel ont livré le ciment (80 sacs)"))
        assert args["lines"] == [{"product": "ciment", "quantity": "80"}]


class TestCatalogue:
    def test_a_product_retired_from_the_catalogue_is_archived(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "sors la confiture de figue du catalogue"))
        assert (tool, args) == (
            "stock.update_product",
            {"product": "confiture de figue", "is_active": False},
        )

    def test_a_product_no_longer_sold_is_archived(self, local: LocalTier) -> None:
        _, args = tool_call(say(local, "on ne vend plus le lait concentré Gloria, archive-le"))
        assert args == {"product": "lait concentré Gloria", "is_active": False}

    def test_a_purchase_price_asked_reads_the_product(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "je l'achète combien le bidon d'huile déjà ?"))
        assert (tool, args) == ("stock.find_product", {"query": "huile"})

    def test_whether_to_buy_one_product_again(self, local: LocalTier) -> None:
        tool, args = tool_call(say(local, "est-ce qu'on doit racheter du savon noir ?"))
        assert (tool, args) == ("stock.reorder_suggestions", {"product": "savon noir"})

    def test_what_to_buy_again_names_no_product(self, local: LocalTier) -> None:
        assert tool_call(say(local, "qu'est-ce qu'il faut racheter ?")) == (
            "stock.reorder_suggestions",
            {},
        )


class TestSupplierBills:
    def test_the_supplier_said_right_after_the_bills_number(self, local: LocalTier) -> None:
        _, args = tool_call(say(local, "facture SB-118 sotrac 85 000"))
        assert (args["supplier"], args["supplier_number"]) == ("sotrac", "SB-118")

    def test_how_the_bill_came_is_no_supplier(self, local: LocalTier) -> None:
        plan = say(local, "facture SB-118 arrivée 85 000")
        assert "supplier" not in plan.arguments


class TestAProductsVatRate:
    @pytest.mark.parametrize(
        ("message", "product", "rate"),
        [
            ("les confitures c'est TVA 5,5 pas 20, tu corriges", "confitures", "5.5"),
            ("passe la TVA des journaux à 2,1 %", "journaux", "2.1"),
        ],
    )
    def test_a_rate_said_of_a_product_sets_it(
        self, local: LocalTier, message: str, product: str, rate: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == "stock.update_product", plan
        assert plan.arguments == {"product": product, "vat_rate": rate}, plan

    def test_a_rate_said_on_an_invoice_line_stays_on_the_invoice(self, local: LocalTier) -> None:
        plan = say(local, "facture Diop : 10 pots de confiture, TVA 5,5")
        assert plan.tool == "finance.create_invoice", plan

    def test_the_rate_asked_is_never_a_product_named_taux(self, local: LocalTier) -> None:
        plan = say(local, "c'est quoi le taux de TVA sur les confitures ?")
        assert "taux" not in str(plan.arguments.get("product") or ""), plan

    @pytest.mark.parametrize(
        "message", ["la TVA normale, elle est à combien chez nous ?", "c koi les taux de tva ?"]
    )
    def test_the_countrys_rates_asked_are_read(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == "finance.vat_rates", plan


class TestDeliveryNotes:
    def test_a_delivery_note_with_a_unit_cost_is_a_receipt(self, local: LocalTier) -> None:
        message = "réception BL 3307 de chez Sedima : 15 cartons de poulet à 21 000 le carton"
        tool, args = tool_call(say(local, message))
        assert tool == "stock.receive"
        assert (args["quantity"], args["unit_cost"], args["reference"]) == (
            "15",
            "21000",
            "BL 3307",
        )
