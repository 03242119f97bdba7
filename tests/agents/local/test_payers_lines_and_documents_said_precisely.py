"""Payments, document lines and documents read precisely: a second payer is never booked
on the first, a line never swallows another, a word that opens a clause is no line, two
documents are never one, a validation said in passing is kept; and terms said in more
ways (own sentences, not the eval's)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.local.adapters import all_adapters
from agents.local.slots import analyse
from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 9, 14)
BY_TOOL = all_adapters()


def extract(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=TODAY, currency="XOF"))


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestTwoPayers:
    def test_the_second_payer_named_after_its_article_is_that_payer(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(
            local, "Ndour a payé 15 000 en espèces et la Pharmacie Kane 9 000 par Wave", memory
        )
        assert tool_call(plan) == (
            "finance.record_payment",
            {"amount": "15000", "method": "cash", "customer": "Ndour"},
        )
        assert memory.queued is not None
        local.remember(memory, plan.tool or "", plan.arguments, shown=True)
        then = say(local, memory.queued, memory)
        assert tool_call(then)[1]["customer"] == "Pharmacie Kane"


class TestLines:
    def test_a_plus_separates_lines_said_without_numbers(self) -> None:
        said = extract(
            "finance.create_invoice", "facture Atelier Sy : la maquette + une charte graphique"
        )
        assert [x["description"] for x in said["lines"]] == ["maquette", "charte graphique"]

    def test_but_is_no_line_and_a_price_per_bottle_prices_the_one_line(self) -> None:
        said = extract(
            "finance.create_invoice", "facture Chez Loulou 6 rosés, mais à 9 € la bouteille"
        )
        assert said["lines"] == [
            {"product": "rosés", "quantity": Decimal(6), "unit_price": Decimal(9)}
        ]

    def test_a_service_named_before_its_days(self) -> None:
        said = extract("finance.create_invoice", "facture Diop : audit comptable 3 jours")
        assert said["lines"] == [{"product": "audit comptable", "quantity": Decimal(3)}]

    def test_a_validity_in_days_is_no_service(self) -> None:
        said = extract("finance.create_quote", "devis Faye : 2 sacs de riz, valable 20 jours")
        assert said["lines"] == [{"product": "riz", "quantity": Decimal(2)}]
        assert said["valid_days"] == 20

    def test_hours_of_a_service_end_at_a_plus(self) -> None:
        said = extract("finance.create_quote", "devis Ba : 4 heures de pose + la livraison")
        assert said["lines"] == [
            {"product": "pose", "quantity": Decimal(4)},
            {"product": "livraison", "quantity": 1},
        ]

    def test_a_size_right_after_a_name_is_no_count(self) -> None:
        said = extract(
            "finance.create_invoice", "facture Gaye : pose du ballon 150L + la livraison"
        )
        assert said["lines"] == [{"product": "livraison", "quantity": 1}]

    def test_payment_terms_are_no_service(self) -> None:
        said = extract(
            "finance.create_invoice", "Ba prend 4 sacs de riz, facture avec paiement à 30 jours"
        )
        assert said["lines"] == [{"product": "riz", "quantity": Decimal(4)}]
        assert said["payment_terms_days"] == 30


class TestTermsSaid:
    def test_a_discount_named_by_its_kind(self) -> None:
        said = extract(
            "finance.create_quote", "devis Sow : 3 sacs de riz, avec la remise fidélité de 10 %"
        )
        assert said["lines"][0]["discount_percent"] == Decimal(10)

    def test_a_quote_valid_for_days_said_in_words(self) -> None:
        assert (
            extract("finance.create_quote", "devis Ba : 2 sacs de riz, valable trente jours")[
                "valid_days"
            ]
            == 30
        )

    @pytest.mark.parametrize(
        "text",
        [
            "facture Fall : 3 sacs de riz. Valide-la tout de suite",
            "facture Fall : 3 sacs de riz, validée",
        ],
    )
    def test_a_validation_said_in_passing_is_kept(self, text: str) -> None:
        assert extract("finance.create_invoice", text)["post"] is True

    def test_payment_terms_said_in_the_future(self) -> None:
        said = extract("sales.update_customer", "Kane Frères paieront à 60 jours, note-le")
        assert said == {"customer": "Kane Frères", "payment_terms_days": 60}

    def test_a_service_added_to_the_catalogue_at_a_lump_sum(self) -> None:
        said = extract(
            "stock.create_product", "ajoute au catalogue le ramonage de cheminée, forfait 90 €"
        )
        assert said["name"] == "ramonage de cheminée"
        assert said["sale_price"] == Decimal(90)


class TestCustomers:
    def test_a_kind_word_before_the_name_is_no_part_of_it(self) -> None:
        said = extract("sales.create_customer", "nouvelle cliente particulière : Léa Morel, à Lyon")
        assert said["name"] == "Léa Morel"
        assert said["kind"] == "individual"


class TestTwoDocuments:
    def test_another_one_for_someone_else_is_another_document(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(
            local,
            "fais une facture à Sarr pour 3 sacs de riz, et une autre pour Kane : 2 sacs de sucre",
            memory,
        )
        assert tool_call(plan) == (
            "finance.create_invoice",
            {"customer": "Sarr", "lines": [{"product": "riz", "quantity": "3"}]},
        )
        assert memory.queued == "une facture pour Kane : 2 sacs de sucre"


class TestOverdue:
    def test_months_late_said_in_words(self, local: LocalTier) -> None:
        plan = say(local, "les factures en retard de plus de trois mois ?")
        assert tool_call(plan) == ("finance.list_invoices", {"overdue_days": 90})


class TestDocumentsNamed:
    def test_what_one_did_wrong_is_the_credit_notes_reason(self) -> None:
        said = extract(
            "finance.create_credit_note",
            "la facture F-2026-00004 je l'ai mise au mauvais nom, annule-la",
        )
        assert said == {"invoice": "F-2026-00004", "reason": "mise au mauvais nom"}

    def test_a_quote_whose_customer_opens_a_later_clause(self) -> None:
        said = extract("finance.accept_quote", "Enfin, Ngom a accepté le devis !")
        assert said == {"quote": "Ngom"}

    def test_a_quote_thrown_over_by_mail_is_sent(self, local: LocalTier) -> None:
        plan = say(local, "balance le devis du Garage Thiam par mail")
        assert tool_call(plan)[0] == "finance.send_quote"
