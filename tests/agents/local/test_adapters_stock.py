"""Stock adapters: what each French phrasing gives the ``stock.*`` tools, and corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.local.adapters.base import Adapter
from agents.local.declared import every_adapter
from agents.local.slots import analyse
from tools.stock import TOOLS

BY_TOOL = {name: a for name, a in every_adapter().items() if name.startswith("stock.")}
TOOLS_BY_NAME = {t.name: t for t in TOOLS}
D = Decimal


def said(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=date(2026, 3, 16), currency="XOF"))


def corrected(tool: str, previous: dict[str, Any], text: str) -> dict[str, Any]:
    adapter: Adapter = BY_TOOL[tool]
    return adapter.corrected(previous, analyse(text, today=date(2026, 3, 16), currency="XOF"))


class TestCoverage:
    def test_one_adapter_per_tool_asking_for_real_fields(self) -> None:
        assert set(BY_TOOL) == set(TOOLS_BY_NAME)
        for adapter in BY_TOOL.values():
            fields = TOOLS_BY_NAME[adapter.tool].input_model.model_fields
            assert set(adapter.ask) <= set(fields), adapter.tool

    def test_intents_file_names_every_tool(self) -> None:
        path = Path(__file__).resolve().parents[3] / "prompts" / "intents" / "stock.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intents = {i["tool"]: i for i in data["intents"]}
        assert set(intents) == set(TOOLS_BY_NAME)
        assert all(8 <= len(i["examples"]) <= 40 for i in intents.values())


class TestStockLevel:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("combien il reste de riz ?", {"product": "riz"}),
            ("stock de l'huile à la boutique", {"product": "huile", "warehouse": "boutique"}),
            ("on a encore des sacs de ciment ?", {"product": "ciment"}),
            ("niveau de stock RIZ-25 stp", {"product": "RIZ-25"}),
        ],
    )
    def test_phrasings(self, text: str, expected: dict[str, Any]) -> None:
        assert said("stock.stock_level", text) == expected

    def test_arguments_are_valid_for_the_tool(self) -> None:
        args = said("stock.stock_level", "combien il reste de riz dans la boutique")
        TOOLS_BY_NAME["stock.stock_level"].validate(args)


class TestFindAndProducts:
    def test_find(self) -> None:
        assert said("stock.find_product", "tu as quoi comme huile ?") == {"query": "huile"}
        assert said("stock.find_product", "trouve la référence RIZ-25") == {"query": "RIZ-25"}

    def test_create(self) -> None:
        assert said(
            "stock.create_product", "crée le produit Riz brisé 25 kg à 15 000 F le sac"
        ) == {
            "name": "Riz brisé 25 kg",
            "sale_price": D(15000),
            "unit": "sac",
        }
        assert said(
            "stock.create_product",
            "nouvel article : huile Dinor 5 L, prix 6 500, achat 5 200, réf HUI-5",
        ) == {
            "name": "huile Dinor 5 L",
            "sale_price": D(6500),
            "purchase_price": D(5200),
            "sku": "HUI-5",
        }
        assert said("stock.create_product", "ajoute le service livraison à 2 000 F") == {
            "name": "livraison",
            "sale_price": D(2000),
            "kind": "service",
        }

    def test_update(self) -> None:
        assert said("stock.update_product", "le riz passe à 16 000 F") == {
            "product": "riz",
            "sale_price": D(16000),
        }
        assert said("stock.update_product", "change le prix d'achat de l'huile à 5 400") == {
            "product": "huile",
            "purchase_price": D(5400),
        }
        assert said("stock.update_product", "renomme Savon en Savon Marseille 400 g") == {
            "product": "Savon",
            "name": "Savon Marseille 400 g",
        }
        assert said("stock.update_product", "le sucre c'est 27 mille 250 désormais") == {
            "product": "sucre",
            "sale_price": D(27250),
        }

    def test_a_price_change_said_as_a_signed_share(self) -> None:
        assert said("stock.update_product", "la farine : +5 %") == {
            "product": "farine",
            "sale_price_change": D(5),
        }
        assert said("stock.update_product", "les tôles, -3 % sur le prix") == {
            "product": "tôles",
            "sale_price_change": D(-3),
        }

    def test_a_share_is_never_the_new_price(self) -> None:
        assert said("stock.update_product", "la farine passe à 8 %").get("sale_price") is None

    def test_unchanged_flags(self) -> None:
        assert said("stock.update_product", "l'article RIZ-25 n'est plus géré en stock") == {
            "product": "RIZ-25",
            "is_stockable": False,
        }


class TestMoves:
    def test_receive(self) -> None:
        assert said("stock.receive", "j'ai reçu 20 sacs de riz") == {
            "product": "riz",
            "quantity": D(20),
        }
        assert said("stock.receive", "entrée de 50 cartons d'huile à la boutique, BL 4521") == {
            "product": "huile",
            "quantity": D(50),
            "warehouse": "boutique",
            "reference": "BL 4521",
        }
        assert said("stock.receive", "ajoute 10 bidons d'huile au stock à 9 500 F l'unité") == {
            "product": "huile",
            "quantity": D(10),
            "unit_cost": D(9500),
        }
        assert said("stock.receive", "reçu 20 sacs de Riz brisé 25 kg")["product"] == (
            "Riz brisé 25 kg"
        )

    def test_issue_reasons(self) -> None:
        assert said("stock.issue", "sors 3 sacs de riz, vente comptoir") == {
            "product": "riz",
            "quantity": D(3),
            "reason": "vente comptoir",
        }
        assert said("stock.issue", "2 cartons de lait cassés, retire-les du stock") == {
            "product": "lait",
            "quantity": D(2),
            "reason": "casse",
        }
        assert said("stock.issue", "sortie de 5 bidons d'huile pour usage interne")["reason"] == (
            "usage interne"
        )
        assert "reason" not in said("stock.issue", "sors 3 sacs de riz")

    def test_the_goods_name_gives_no_reason_and_the_counter_is_a_sale(self) -> None:
        assert said("stock.issue", "5 sacs de riz brisé vont partir au comptoir") == {
            "product": "riz brisé",
            "quantity": D(5),
            "reason": "vente comptoir",
        }
        assert "reason" not in said("stock.issue", "6 paquets de riz brisé, enlève-les")

    def test_transfer(self) -> None:
        assert said("stock.transfer", "transfère 10 sacs de riz à la boutique") == {
            "product": "riz",
            "quantity": D(10),
            "to_warehouse": "boutique",
        }
        assert said(
            "stock.transfer",
            "envoie 5 cartons d'huile du dépôt principal vers le magasin de Thiès",
        ) == {
            "product": "huile",
            "quantity": D(5),
            "from_warehouse": "dépôt principal",
            "to_warehouse": "magasin de Thiès",
        }
        assert said("stock.transfer", "passe 20 savons de PRINC à BOUT") == {
            "product": "savons",
            "quantity": D(20),
            "from_warehouse": "PRINC",
            "to_warehouse": "BOUT",
        }

    def test_adjust(self) -> None:
        assert said("stock.adjust", "j'ai compté 40 sacs de riz") == {
            "product": "riz",
            "counted_quantity": D(40),
        }
        assert said("stock.adjust", "en vrai il reste 12 bidons d'huile à la boutique") == {
            "product": "huile",
            "counted_quantity": D(12),
            "warehouse": "boutique",
        }
        assert said("stock.adjust", "corrige le stock du ciment à 0, tout est cassé") == {
            "product": "ciment",
            "counted_quantity": D(0),
            "reason": "tout est cassé",  # how the goods were lost
        }

    @pytest.mark.parametrize("text", ["non, 4 sacs", "non, 4", "plutôt 4 sacs"])
    def test_quantity_correction(self, text: str) -> None:
        previous = {"product": "riz", "quantity": "3", "reason": "casse"}
        assert corrected("stock.issue", previous, text) == {
            "product": "riz",
            "quantity": D(4),
            "reason": "casse",
        }

    def test_counted_quantity_correction(self) -> None:
        previous = {"product": "riz", "counted_quantity": "40"}
        fixed = corrected("stock.adjust", previous, "non, 38 sacs")
        assert fixed == {"product": "riz", "counted_quantity": D(38)}


class TestReports:
    def test_reports(self) -> None:
        assert said("stock.low_stock", "qu'est-ce qui manque en stock ?") == {}
        assert said("stock.low_stock", "stock bas à la boutique") == {"warehouse": "boutique"}
        assert said("stock.valuation", "valorisation du stock de la boutique") == {
            "warehouse": "boutique"
        }
        assert said("stock.valuation", "combien vaut mon stock ?") == {}
        assert said("stock.reorder_suggestions", "qu'est-ce que je dois commander ?") == {}

    def test_forecast(self) -> None:
        assert said("stock.forecast_stockout", "quand est-ce que je serai à court de riz ?") == {
            "product": "riz"
        }
        assert said("stock.forecast_stockout", "le ciment va tenir combien de jours ?") == {
            "product": "ciment"
        }
        assert said("stock.forecast_stockout", "prévisions de rupture") == {}


class TestPurchaseOrders:
    def test_create(self) -> None:
        assert said(
            "stock.create_purchase_order", "commande 50 sacs de riz chez Grands Moulins"
        ) == {
            "supplier": "Grands Moulins",
            "lines": [{"product": "riz", "quantity": D(50)}],
        }
        assert said(
            "stock.create_purchase_order",
            "fais un bon de commande à Sedima : 20 cartons de poulet à 18 000 et 10 sacs de sucre",
        ) == {
            "supplier": "Sedima",
            "lines": [
                {"product": "poulet", "quantity": D(20), "unit_price": D(18000)},
                {"product": "sucre", "quantity": D(10)},
            ],
        }
        assert said(
            "stock.create_purchase_order", "il faut commander 30 cartons d'huile auprès de Dinor"
        ) == {"supplier": "Dinor", "lines": [{"product": "huile", "quantity": D(30)}]}

    @pytest.mark.parametrize(
        ("text", "day"),
        [
            ("commande 40 sacs de sucre chez Sedima, ils nous livrent jeudi", date(2026, 3, 19)),
            (
                "bon de commande Dinor : 12 cartons d'huile, livraison prévue le 25 mars",
                date(2026, 3, 25),
            ),
        ],
    )
    def test_the_day_an_order_is_delivered_is_its_expected_date(self, text: str, day: date) -> None:
        assert said("stock.create_purchase_order", text)["expected_date"] == day

    def test_corrections(self) -> None:
        one = {"supplier": "Sedima", "lines": [{"product": "riz", "quantity": "50"}]}
        assert corrected("stock.create_purchase_order", one, "non, 60 sacs")["lines"] == [
            {"product": "riz", "quantity": D(60)}
        ]
        two = {
            "supplier": "Sedima",
            "lines": [{"product": "riz", "quantity": "50"}, {"product": "sucre", "quantity": "5"}],
        }
        fixed = corrected("stock.create_purchase_order", two, "non, 8 sacs de sucre")
        assert fixed["lines"][1] == {"product": "sucre", "quantity": D(8)}
        added = corrected("stock.create_purchase_order", one, "et 10 cartons d'huile")
        assert added["lines"][-1] == {"product": "huile", "quantity": D(10)}
        moved = corrected("stock.create_purchase_order", one, "non, chez Grands Moulins")
        assert moved["supplier"] == "Grands Moulins"
        assert moved["lines"] == one["lines"]

    def test_send_and_receive(self) -> None:
        assert said("stock.send_purchase_order", "envoie le bon de commande BC-2026-00004") == {
            "order": "BC-2026-00004"
        }
        assert said("stock.receive_purchase_order", "la commande BC-2026-00004 est arrivée") == {
            "order": "BC-2026-00004"
        }
        assert said(
            "stock.receive_purchase_order", "réceptionne BC-2026-00004 : 30 sacs de riz seulement"
        ) == {"order": "BC-2026-00004", "lines": [{"product": "riz", "quantity": D(30)}]}
        assert said(
            "stock.receive_purchase_order", "on a reçu la livraison du bon BC-2026-00007, BL 8812"
        ) == {"order": "BC-2026-00007", "reference": "BL 8812"}


class TestReadingMore:
    """Phrasings read since the stock eval: references, prices, VAT, bounds, reasons,
    places, sizes, negative and unknown counts."""

    def test_create_reads_unit_purchase_price_vat_and_reference(self) -> None:
        assert said(
            "stock.create_product",
            "nouveau produit : Semoule fine, sac de 10 kg, vendu 9,80 € HT, acheté 7,15, "
            "TVA 5,5, réf SEM10",
        ) == {
            "name": "Semoule fine",
            "sale_price": D("9.80"),
            "purchase_price": D("7.15"),
            "sku": "SEM10",
            "unit": "sac",
            "vat_rate": D("5.5"),
        }
        assert said("stock.create_product", "crée l'article Cahier 100 pages, code CAH100") == {
            "name": "Cahier 100 pages",
            "sku": "CAH100",
        }
        assert (
            said("stock.create_product", "ajoute le produit Gomme, vendue à la pièce")["unit"]
            == "pièce"
        )

    @pytest.mark.parametrize(
        ("text", "unit"),
        [
            ("crée le produit Huile de palme à 6 500 F le bidon", "bidon"),
            ("nouvel article : Beurre de karité, pot de 250 g, à 2 500 F", "pot"),
            ("ajoute le produit Menthe fraîche à 200 F la botte", "botte"),
            ("crée le produit Tomates à 500 F le tas", "tas"),
            ("crée le service Gardiennage à 50 000 F par mois", "mois"),
            ("crée le produit Savon à 500 F prix d'achat 300", None),
            ("crée le produit Menu de la semaine à 3 500 F", None),
            ("ajoute le service Dépannage, 65 € de l'heure", "heure"),
        ],
    )
    def test_create_reads_any_unit_of_the_lexicon_and_nothing_else(
        self, text: str, unit: str | None
    ) -> None:
        assert said("stock.create_product", text).get("unit") == unit

    def test_update_reads_a_bare_purchase_price_and_vat(self) -> None:
        assert said("stock.update_product", "mets le prix d'achat du thé a 3,45") == {
            "product": "thé",
            "purchase_price": D("3.45"),
        }
        assert said("stock.update_product", "la TVA des biscuits passe à 5,5 %") == {
            "product": "biscuits",
            "vat_rate": D("5.5"),
        }

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("fixe le stock minimum du savon à 40 pièces", {"min_stock": D(40)}),
            ("seuil d'alerte de la farine : 12", {"min_stock": D(12)}),
            (
                "minimum 20 sacs et maximum 80 pour le sucre",
                {"min_stock": D(20), "max_stock": D(80)},
            ),
            ("stock max du ciment 300 sacs", {"max_stock": D(300)}),
        ],
    )
    def test_update_reads_stock_bounds(self, text: str, expected: dict[str, Any]) -> None:
        args = said("stock.update_product", text)
        assert {k: v for k, v in args.items() if k != "product"} == expected
        assert "product" in args

    def test_a_size_said_after_the_goods_counted_tells_the_product(self) -> None:
        args = said("stock.issue", "jette 3 seaux de peinture de 15L, ils ont gelé")
        assert args["product"] == "peinture 15L" and args["quantity"] == D(3)

    def test_a_size_after_the_product_named_before_its_bounds_is_its_name(self) -> None:
        args = said("stock.update_product", "pour les tuyaux de 40, minimum 15 et maximum 90")
        assert args == {"product": "tuyaux de 40", "min_stock": D(15), "max_stock": D(90)}

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("4 sacs de sucre se sont déchirés, sors-les", "emballage déchiré"),
            ("sors 2 cartons de lait pour la réception de samedi", "la réception de samedi"),
            ("retire 5 sacs de farine, la pluie les a mouillés", "la pluie les a mouillés"),
            ("c'est pour le goûter des enfants", "le goûter des enfants"),
            ("sors 3 paquets de thé motif dégustation", "dégustation"),
        ],
    )
    def test_issue_reasons_in_the_sentence(self, text: str, reason: str) -> None:
        assert said("stock.issue", text)["reason"] == reason

    def test_a_purpose_is_no_product_nor_warehouse(self) -> None:
        assert said("stock.issue", "c'est pour la kermesse de l'école") == {
            "reason": "la kermesse de l'école"
        }
        args = said("stock.issue", "sors 8 cahiers, on les offre à la paroisse")
        assert "warehouse" not in args and args["product"] == "cahiers"
        assert "warehouse" not in said("stock.issue", "retire 2 pots de miel, cassés au déballage")
        assert (
            said("stock.issue", "sors 3 sacs de riz du dépôt de Pikine pour la vente")["warehouse"]
            == "dépôt de Pikine"
        )

    def test_ordinary_words_are_no_warehouse(self) -> None:
        assert said("stock.low_stock", "qu'est-ce qui commence à baisser ?") == {}
        assert said("stock.valuation", "il me faut la valorisation pour le bilan") == {}
        assert said("stock.adjust", "mets le stock des bougies à zéro") == {
            "product": "bougies",
            "counted_quantity": D(0),
        }
        assert said("stock.low_stock", "stock bas à Thiès") == {"warehouse": "Thiès"}

    def test_negative_counts_are_kept_for_the_tool_to_refuse(self) -> None:
        assert said("stock.issue", "sortie de -2 cartons de lait pour casse")["quantity"] == D(-2)
        assert said("stock.adjust", "j'ai compté -5 savons") == {
            "product": "savons",
            "counted_quantity": D(-5),
        }

    def test_unknown_units_and_who_delivered(self) -> None:
        assert said("stock.receive", "j'ai reçu 6 fardeaux de Fanta") == {
            "product": "Fanta",
            "quantity": D(6),
        }
        assert said("stock.receive", "le chauffeur de Sedima a déposé le sucre") == {
            "product": "sucre"
        }

    def test_a_size_points_at_a_product(self) -> None:
        assert said("stock.adjust", "le 5 kg") == {"product": "5 kg"}
        assert said("stock.adjust", "celui de 20 litres") == {"product": "20 litres"}
        assert said("stock.adjust", "inventaire savon : j'en ai compté 14") == {
            "product": "savon",
            "counted_quantity": D(14),
        }

    def test_references_after_ref_or_code(self) -> None:
        assert said("stock.find_product", "c'est quoi l'article code TH250 ?") == {"query": "TH250"}

    def test_order_of_a_suggested_product_and_send_without_number(self) -> None:
        assert said(
            "stock.create_purchase_order", "passe la commande de sucre suggérée chez CSS"
        ) == {"supplier": "CSS", "lines": [{"product": "sucre"}]}
        assert said("stock.send_purchase_order", "envoie-le au fournisseur") == {}
        assert BY_TOOL["stock.send_purchase_order"].ask == {}

    def test_receipt_of_a_suppliers_order_without_number(self) -> None:
        assert said("stock.receive_purchase_order", "la commande de Sotiba est arrivée") == {
            "order": "Sotiba"
        }
        assert "order" not in said("stock.receive_purchase_order", "on a reçu 12 pots de miel")

    def test_en_inside_a_products_name_and_after_it(self) -> None:
        order = said(
            "stock.create_purchase_order", "commande 10 sacs de sucre en poudre 50 kg chez CSS"
        )
        assert order["lines"] == [{"product": "sucre en poudre 50 kg", "quantity": D(10)}]
        assert said("stock.receive", "reçu 10 sacs de riz en stock")["product"] == "riz"

    def test_an_order_that_arrived_names_its_supplier_and_what_came(self) -> None:
        tool = "stock.receive_purchase_order"
        assert said(tool, "Sotiba a livré seulement 20 sacs sur les 50 commandés") == {
            "order": "Sotiba",
            "lines": [{"quantity": D(20)}],
        }
        assert said(tool, "réception de 24 pots de peinture de chez Tollens") == {
            "order": "Tollens",
            "lines": [{"product": "peinture", "quantity": D(24)}],
        }
        assert said(tool, "les 12 cartons de lait de Satrec sont arrivés") == {
            "order": "Satrec",
            "lines": [{"product": "lait", "quantity": D(12)}],
        }


class TestPricesPerContainer:
    """A bare number said per a unit (« 4200 le carton ») is a price; sizes stay in names."""

    def test_a_price_per_container_on_a_new_product(self) -> None:
        assert said(
            "stock.create_product", "nouvel article sucre Saint Louis 1kg, 950 le paquet"
        ) == {"name": "sucre Saint Louis 1kg", "sale_price": D(950), "unit": "paquet"}
        assert said(
            "stock.create_product", "crée produit jus Presséa 33cl, 400 la canette, achat 310"
        ) == {
            "name": "jus Presséa 33cl",
            "sale_price": D(400),
            "purchase_price": D(310),
            "unit": "canette",
        }

    def test_a_count_is_no_price(self) -> None:
        assert "sale_price" not in said("stock.create_product", "nouveau produit thé 3 paquets")

    def test_a_share_of_the_price_of_the_product_after_its_container(self) -> None:
        assert said(
            "stock.update_product", "monte le prix de vente du sachet de café Touba de 8 %"
        ) == {"product": "café Touba", "sale_price_change": D(8)}
        assert said("stock.update_product", "le prix de la canette de bissap passe à 600 F") == {
            "product": "bissap",
            "sale_price": D(600),
        }

    def test_a_place_said_with_the_reason_is_part_of_it(self) -> None:
        assert said("stock.issue", "sors 4 bidons d'huile, une vente au comptoir") == {
            "product": "huile",
            "quantity": D(4),
            "reason": "une vente au comptoir",
        }
        assert said("stock.issue", "sors 3 volailles au dépôt, vendues")["warehouse"] == "dépôt"

    def test_a_decimal_size_and_an_article_stay_out_of_the_name_s_end(self) -> None:
        assert said(
            "stock.create_product", "nouveaux produits : jus Bissap 0,5L à 500 F la bouteille"
        ) == {"name": "jus Bissap 0,5L", "sale_price": D(500), "unit": "bouteille"}
        bucket = said("stock.create_product", "nouvel article : le seau de 5 kg de karité, 9 000")
        assert bucket["name"] == "seau de 5 kg de karité"


class TestEverydayStockAndOrders:
    """Goods counted beside how they were lost, suppliers named without a marker, sizes
    that are part of a product's name."""

    def test_the_count_is_the_goods_not_the_container_that_fell(self) -> None:
        assert said(
            "stock.issue", "une caisse a glissé, 5 bouteilles de sirop cassées, sors-les"
        ) == {"product": "sirop", "quantity": D(5), "reason": "casse"}

    def test_a_supplier_written_in_capitals_after_the_order_word(self) -> None:
        assert said("stock.create_purchase_order", "bon de commande CFAO pour 12 pneus") == {
            "supplier": "CFAO",
            "lines": [{"product": "pneus", "quantity": D(12)}],
        }

    def test_what_is_left_of_an_order_from_a_supplier_in_capitals(self) -> None:
        assert said("stock.receive_purchase_order", "le reste du fer SOMETA est là, 40 barres") == {
            "order": "SOMETA",
            "lines": [{"quantity": D(40)}],
        }

    def test_capitals_inside_a_products_name_are_no_supplier(self) -> None:
        assert "order" not in said("stock.receive_purchase_order", "reçu 10 cartons de lait UHT")

    def test_the_suggested_product_said_after_the_supplier(self) -> None:
        assert said(
            "stock.create_purchase_order", "passe chez Sotiba la commande de tissu suggérée"
        ) == {"supplier": "Sotiba", "lines": [{"product": "tissu"}]}

    def test_a_size_number_after_taille_is_part_of_the_name(self) -> None:
        assert said(
            "stock.update_product", "mets le stock minimum des gants taille 8 à 20 paires"
        ) == {"product": "gants taille 8", "min_stock": D(20)}

    def test_a_number_before_the_share_names_the_product(self) -> None:
        assert said("stock.update_product", "baisse le prix du câble de 16 de 3 %") == {
            "product": "câble de 16",
            "sale_price_change": D(-3),
        }
