"""Finance requests naming businesses with an article or a kind word, quantities said
loosely, credit notes and recurring invoices (own sentences, not the eval's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.local.adapters.finance import ADAPTERS
from agents.local.mentions import leading_name
from agents.local.slots import analyse, parse_payment_method, parse_quantities
from domain.kit.resolution import name_words
from tools.finance.common import name_variants

TODAY = date(2026, 3, 16)
BY_TOOL = {a.tool: a for a in ADAPTERS}


def extract(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=TODAY, currency="XOF"))


class TestLeadingNameWithArticle:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("La pharmacie Ndour a payé 12 000 par Wave", "pharmacie Ndour"),
            ("L'Auberge du Lac nous a réglé 300 €", "Auberge du Lac"),
            ("Le Relais Fleuri a pris 3 cartons", "Le Relais Fleuri"),
            ("Les Jardins Kane ont accepté le devis", "Les Jardins Kane"),
        ],
    )
    def test_name_opening_the_message(self, text: str, name: str) -> None:
        assert leading_name(analyse(text, today=TODAY)) == name

    def test_an_article_before_a_common_noun_is_no_name(self) -> None:
        assert leading_name(analyse("La facture de Ba est payée ?", today=TODAY)) is None


class TestCustomers:
    def test_kind_word_and_capitalized_article_stay_in_the_name(self) -> None:
        said = extract("finance.create_invoice", "Facture pour le club Les Lions : 3 maillots")
        assert said["customer"] == "club Les Lions"

    def test_customer_after_facture_de(self) -> None:
        said = extract("finance.create_invoice", "Crée la facture de l'Auberge du Lac pour 4 nuits")
        assert said["customer"] == "Auberge du Lac"

    def test_variants_drop_article_and_kind(self) -> None:
        assert name_variants("l'association Les Joyeux Marcheurs") == [
            "Les Joyeux Marcheurs",
            "Joyeux Marcheurs",
        ]
        assert name_variants("Diallo SARL") == []


class TestLines:
    def test_size_after_the_item_names_the_product(self) -> None:
        said = extract("finance.create_invoice", "facture pour Sarr : 2 sacs de sucre 50kg")
        assert said["lines"] == [{"product": "sucre 50kg", "quantity": Decimal(2)}]

    def test_item_without_de_after_a_unit(self) -> None:
        found = parse_quantities("12 sacs charbon et 30 barres de savon")
        assert [(q.unit, q.item) for q in found] == [("sac", "charbon"), ("barre", "savon")]

    def test_a_word_after_a_unit_of_measure_is_not_what_is_counted(self) -> None:
        [volume] = parse_quantities("le bidon d'huile 20 litres coûte désormais 21 000")
        assert (volume.unit, volume.item) == ("litre", None)

    def test_participle_after_a_unit_is_no_item(self) -> None:
        assert parse_quantities("20 sacs livrés hier")[0].item is None

    def test_negative_stated_quantity_is_kept_for_the_refusal(self) -> None:
        said = extract(
            "finance.create_invoice", "Facture Lycée Blaise Diagne : stylos bleus, qté -10"
        )
        assert said["lines"] == [{"product": "stylos bleus", "quantity": Decimal(-10)}]

    def test_unpriced_free_line_is_kept_for_the_price_question(self) -> None:
        said = extract("finance.create_invoice", "nouvelle fact pr Diouf : réparation portail")
        assert said["lines"] == [{"description": "réparation portail", "quantity": Decimal(1)}]


class TestPayments:
    def test_vire_is_a_transfer_but_not_vire_le(self) -> None:
        assert parse_payment_method("Kane nous a viré 40 000") == "bank_transfer"
        assert parse_payment_method("vire Modou demain") is None

    def test_one_unnamed_invoice_is_the_payers(self) -> None:
        said = extract("finance.record_payment", "Le garage Petit a réglé sa facture par chèque")
        assert said["invoice"] == "garage Petit"
        assert "customer" not in said

    def test_several_invoices_stay_the_customers(self) -> None:
        said = extract(
            "finance.record_payment", "La cave Dumas a viré 500 €, mets-les sur ses factures"
        )
        assert said["customer"] == "cave Dumas"
        assert said["method"] == "bank_transfer"

    def test_cheque_number_is_the_reference(self) -> None:
        said = extract("finance.record_payment", "reçu un chèque n° 7781234 de 90 € de Ba")
        assert said["reference"] == "7781234"


class TestCreditNotes:
    def test_customer_after_a_and_the_reason_after(self) -> None:
        said = extract(
            "finance.create_credit_note",
            "Fais un avoir à Sarr Distribution pour 2 cartons de lait, périmés",
        )
        assert said["invoice"] == "Sarr Distribution"
        assert said["reason"] == "périmés"

    def test_what_happened_is_the_reason(self) -> None:
        said = extract(
            "finance.create_credit_note",
            "3 bidons de la facture F-2026-00004 étaient percés, fais un avoir pour ça",
        )
        assert said["invoice"] == "F-2026-00004"
        assert said["reason"] == "percés"

    def test_an_answer_with_the_verb_facturer_names_no_invoice(self) -> None:
        said = extract("finance.create_credit_note", "mauvaise remise, on a facturé trop cher")
        assert "invoice" not in said

    def test_plural_matches_a_singular_line(self) -> None:
        assert name_words("ventilateurs") == name_words("ventilateur") == ["ventilateur"]
        assert name_words("riz") == ["riz"]


class TestRecurring:
    def test_what_is_billed_after_pour(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "Facture mensuelle de 40 € HT au club Les Lions pour le prêt du terrain",
        )
        assert said["lines"] == [
            {"description": "prêt du terrain", "quantity": Decimal(1), "unit_price": Decimal(40)}
        ]

    def test_unpriced_subscription_is_the_catalogue_s_or_asked_its_price(self) -> None:
        """Said without a price, what is billed is looked up in the catalogue (its price),
        and the tool asks a price when the catalogue has none of that name."""
        said = extract(
            "finance.create_recurring_invoice",
            "je veux facturer chaque mois le gardiennage de la Villa Ndour",
        )
        assert said["customer"] == "Villa Ndour"
        assert said["lines"] == [{"product": "gardiennage", "quantity": Decimal(1)}]


class TestLinesSaidLoosely:
    def test_a_service_named_before_its_hours_and_an_hourly_rate(self) -> None:
        lines = extract(
            "finance.create_invoice",
            "facture pour Sylla : réglage 2 heures à 30 000 HT de l'heure + transport 5 000",
        )["lines"]
        assert [(line["description"], line["quantity"], line["unit_price"]) for line in lines] == [
            ("réglage", Decimal(2), Decimal(30000)),
            ("transport", Decimal(1), Decimal(5000)),
        ]

    @pytest.mark.parametrize(
        ("text", "product"),
        [
            ("devis pour Cissé : 80 tuyaux de 40 à 1200f", "tuyaux de 40"),
            ("devis pour Cissé : 300 briques de 10 à 1200f l'unité", "brique de 10"),
        ],
    )
    def test_a_size_after_what_is_counted_names_it_before_its_price(
        self, text: str, product: str
    ) -> None:
        (line,) = extract("finance.create_quote", text)["lines"]
        assert line["product"] == product and line["unit_price"] == Decimal(1200)
