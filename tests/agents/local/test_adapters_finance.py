"""Finance adapters: what French messages say, as the finance tools' arguments."""

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
from tools.finance import TOOLS
from tools.reports import TOOLS as REPORT_TOOLS

TODAY = date(2026, 3, 16)
BY_TOOL = {
    name: a for name, a in every_adapter().items() if name.startswith(("finance.", "reports."))
}
TOOLS_BY_NAME = {t.name: t for t in [*TOOLS, *REPORT_TOOLS]}


def extract(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=TODAY, currency="XOF"))


def correct(tool: str, previous: dict[str, Any], text: str) -> dict[str, Any]:
    adapter: Adapter = BY_TOOL[tool]
    return adapter.corrected(previous, analyse(text, today=TODAY, currency="XOF"))


def rice(quantity: str) -> dict[str, Any]:
    return {"product": "riz", "quantity": Decimal(quantity)}


class TestCoverage:
    def test_one_adapter_per_tool_and_asks_name_real_fields(self) -> None:
        assert set(BY_TOOL) == set(TOOLS_BY_NAME)
        for adapter in BY_TOOL.values():
            fields = TOOLS_BY_NAME[adapter.tool].input_model.model_fields
            assert set(adapter.ask) <= set(fields), adapter.tool
            assert all(q.endswith("?") for q in adapter.ask.values())

    def test_intents_file_covers_every_tool_with_enough_examples(self) -> None:
        folder = Path(__file__).resolve().parents[3] / "prompts" / "intents"
        intents = {
            item["tool"]: item
            for path in folder.glob("*.yaml")
            for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", [])
            if item.get("tool") in TOOLS_BY_NAME
        }
        assert set(intents) == set(TOOLS_BY_NAME)
        for item in intents.values():
            assert 6 <= len(item["examples"]) <= 60, item["tool"]
            assert all(k == k.lower() for k in item["keywords"])


class TestCreateInvoice:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "crée une facture pour Diallo, 3 sacs de riz",
                {"customer": "Diallo", "lines": [rice("3")]},
            ),
            (
                "facturer 10 sacs de riz au client Awa Diop",
                {"customer": "Awa Diop", "lines": [rice("10")]},
            ),
            (
                "facture Diallo SARL 3 sacs de riz stp",
                {"customer": "Diallo SARL", "lines": [rice("3")]},
            ),
        ],
    )
    def test_customer_and_product_lines(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("finance.create_invoice", text) == expected

    def test_unit_price_after_a_quantity(self) -> None:
        said = extract(
            "finance.create_invoice",
            "fais une facture à Ndiaye stp: 2 cartons d'huile et 5 sacs de riz à 14 000",
        )
        assert said == {
            "customer": "Ndiaye",
            "lines": [
                {"product": "huile", "quantity": Decimal(2)},
                {**rice("5"), "unit_price": Decimal(14000)},
            ],
        }

    def test_free_text_line_with_amount(self) -> None:
        said = extract("finance.create_invoice", "fais une facture à Modou : transport 25 000 FCFA")
        assert said == {
            "customer": "Modou",
            "lines": [
                {"description": "transport", "quantity": Decimal(1), "unit_price": Decimal(25000)}
            ],
        }

    def test_nothing_said_gives_nothing_and_asks_customer_first(self) -> None:
        assert extract("finance.create_invoice", "nouvelle facture") == {}
        assert list(BY_TOOL["finance.create_invoice"].ask) == ["customer", "lines"]

    def test_extracted_arguments_validate(self) -> None:
        said = extract("finance.create_invoice", "crée une facture pour Diallo, 3 sacs de riz")
        args = TOOLS_BY_NAME["finance.create_invoice"].validate(said)
        assert args.lines[0].quantity == 3  # type: ignore[attr-defined]


class TestCorrections:
    PREVIOUS = {"customer": "Diallo", "lines": [{"product": "riz", "quantity": "3"}]}

    def test_new_quantity_of_the_single_line(self) -> None:
        fixed = correct("finance.create_invoice", self.PREVIOUS, "non, 4 sacs")
        assert fixed == {"customer": "Diallo", "lines": [rice("4")]}

    def test_other_customer_keeps_the_lines(self) -> None:
        fixed = correct("finance.create_invoice", self.PREVIOUS, "non, pour Ndiaye")
        assert fixed == {"customer": "Ndiaye", "lines": [{"product": "riz", "quantity": "3"}]}

    def test_price_of_the_single_line(self) -> None:
        fixed = correct("finance.create_quote", self.PREVIOUS, "plutôt à 14 000 le sac")
        assert fixed["customer"] == "Diallo"
        assert fixed["lines"] == [{"product": "riz", "quantity": "3", "unit_price": Decimal(14000)}]

    def test_named_line_among_several(self) -> None:
        previous = {
            "customer": "Diallo",
            "lines": [{"product": "riz", "quantity": "3"}, {"product": "huile", "quantity": "2"}],
        }
        fixed = correct("finance.create_invoice", previous, "non, 5 cartons d'huile")
        assert fixed["lines"] == [
            {"product": "riz", "quantity": "3"},
            {"product": "huile", "quantity": Decimal(5)},
        ]

    def test_payment_amount_replaced_by_default(self) -> None:
        previous = {"customer": "Modou", "amount": "50000", "method": "wave"}
        fixed = correct("finance.record_payment", previous, "non, 60 000")
        assert fixed == {"customer": "Modou", "amount": Decimal(60000), "method": "wave"}


class TestRecordPayment:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "Modou a payé 50 000 par Wave",
                {"customer": "Modou", "amount": Decimal(50000), "method": "wave"},
            ),
            (
                "paiement de 120 000 FCFA en espèces pour la facture F-2026-00012",
                {"invoice": "F-2026-00012", "amount": Decimal(120000), "method": "cash"},
            ),
            (
                "la facture de Modou est réglée, 53 100 en espèces",
                {"invoice": "Modou", "amount": Decimal(53100), "method": "cash"},
            ),
            (
                "reçu 30 000 de Ndiaye par Orange Money hier",
                {
                    "customer": "Ndiaye",
                    "amount": Decimal(30000),
                    "method": "orange_money",
                    "received_on": date(2026, 3, 15),
                },
            ),
        ],
    )
    def test_phrasings(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("finance.record_payment", text) == expected

    def test_the_invoice_named_by_its_month(self) -> None:
        said = extract(
            "finance.record_payment", "Mme Ba a réglé sa facture de février hier, 40 000 en espèces"
        )
        assert said["invoice"] == "Ba" and said["invoice_month"] == date(2026, 2, 1)
        assert said["received_on"] == date(2026, 3, 15)

    def test_the_next_payer_named_after_and(self) -> None:
        said = extract("finance.record_payment", "et Quincaillerie Ba 25 000 par chèque")
        assert said == {
            "customer": "Quincaillerie Ba",
            "amount": Decimal(25000),
            "method": "cheque",
        }

    def test_missing_method_is_asked(self) -> None:
        said = extract("finance.record_payment", "Diallo a payé 20 000")
        assert "method" not in said
        assert "Wave" in BY_TOOL["finance.record_payment"].ask["method"]


class TestInvoiceReferences:
    @pytest.mark.parametrize(
        ("tool", "text", "expected"),
        [
            ("finance.post_invoice", "valide la facture de Diallo", {"invoice": "Diallo"}),
            ("finance.post_invoice", "valide la facture F-2026-00012", {"invoice": "F-2026-00012"}),
            ("finance.post_invoice", "émets la facture pour Ndiaye", {"invoice": "Ndiaye"}),
            ("finance.invoice_details", "détail de la facture de Modou", {"invoice": "Modou"}),
            (
                "finance.invoice_details",
                "montre la facture F-2026-00003",
                {"invoice": "F-2026-00003"},
            ),
        ],
    )
    def test_number_or_customer(self, tool: str, text: str, expected: dict[str, Any]) -> None:
        assert extract(tool, text) == expected

    def test_credit_note_with_reason_and_lines(self) -> None:
        assert extract(
            "finance.create_credit_note", "avoir sur la facture F-2026-00012, marchandise abîmée"
        ) == {"invoice": "F-2026-00012", "reason": "marchandise abîmée"}
        assert extract(
            "finance.create_credit_note",
            "fais un avoir pour la facture de Modou parce que le prix était faux",
        ) == {"invoice": "Modou", "reason": "le prix était faux"}
        assert extract(
            "finance.create_credit_note",
            "avoir de 2 sacs de riz sur la facture de Diallo, sacs abîmés",
        ) == {"invoice": "Diallo", "reason": "sacs abîmés", "lines": [rice("2")]}


class TestQuotes:
    @pytest.mark.parametrize(
        ("tool", "text", "expected"),
        [
            (
                "finance.create_quote",
                "devis pour Awa Diop 10 sacs de riz",
                {"customer": "Awa Diop", "lines": [rice("10")]},
            ),
            ("finance.accept_quote", "Diallo a accepté le devis", {"quote": "Diallo"}),
            (
                "finance.accept_quote",
                "le devis D-2026-00003 est accepté",
                {"quote": "D-2026-00003"},
            ),
            (
                "finance.accept_quote",
                "le client Ndiaye a dit oui pour le devis",
                {"quote": "Ndiaye"},
            ),
            (
                "finance.send_quote",
                "j'ai envoyé le devis de Modou",
                {"customer": "Modou", "mode": "mark_sent"},
            ),
            (
                "finance.convert_quote_to_invoice",
                "transforme le devis de Diallo en facture",
                {"quote": "Diallo"},
            ),
        ],
    )
    def test_phrasings(self, tool: str, text: str, expected: dict[str, Any]) -> None:
        assert extract(tool, text) == expected


class TestRecurring:
    def test_monthly_rent_after_the_amount(self) -> None:
        assert extract(
            "finance.create_recurring_invoice", "facture chaque mois 150 000 FCFA de loyer à Diallo"
        ) == {
            "customer": "Diallo",
            "lines": [
                {"description": "loyer", "quantity": Decimal(1), "unit_price": Decimal(150000)}
            ],
            "frequency": "monthly",
        }

    def test_quarterly_with_start(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "abonnement trimestriel pour Ndiaye : maintenance 50 000 à partir du 1er avril",
        )
        assert said["frequency"] == "quarterly" and said["start_date"] == date(2026, 4, 1)
        assert said["lines"][0]["description"] == "maintenance"

    def test_each_invoice_validated_when_said_with_it(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "chaque trimestre facture 90 000 de gardiennage à Ndour, et valide-les",
        )
        assert said["auto_post"] is True and said["frequency"] == "quarterly"

    def test_validated_automatically_said_in_a_sentence_of_its_own(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "Pour Garage Lenoir : un forfait d'hébergement, 40 € HT par mois. Les factures "
            "seront validées automatiquement.",
        )
        assert said["auto_post"] is True
        assert said["lines"] == [
            {
                "description": "forfait d'hébergement",
                "quantity": Decimal(1),
                "unit_price": Decimal(40),
            }
        ]  # its words are this one line, never a second one counted by its article

    def test_the_service_billed_named_after_the_frequency_and_its_verb(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "chaque mois, facture l'entretien des vitres à la Pharmacie Seck",
        )
        assert said["customer"] == "Pharmacie Seck"
        assert said["lines"] == [{"product": "entretien", "quantity": Decimal(1)}]

    def test_the_customer_who_takes_a_contract_billed_once_a_year(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "l'école sainte anne prend le contrat d'assistance, à facturer tous les ans",
        )
        assert said["frequency"] == "yearly"
        assert said["customer"] != "facturer"  # « à facturer » opens a verb, not a name
        assert said["lines"] == [{"product": "contrat d'assistance", "quantity": Decimal(1)}]

    def test_the_billing_itself_is_no_line(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "mets en place une facturation mensuelle pour Ndour : 2 nettoyages de bureaux",
        )
        assert [line["product"] for line in said["lines"]] == ["nettoyages de bureaux"]


class TestReads:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("quelles factures sont en retard ?", {"status": "overdue"}),
            ("les factures de Diallo", {"customer": "Diallo"}),
            (
                "montre les factures impayées de mars",
                {"status": "open", "start": date(2026, 3, 1), "end": date(2026, 3, 31)},
            ),
            ("mes brouillons de factures", {"status": "draft"}),
        ],
    )
    def test_list_invoices(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("finance.list_invoices", text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "quel est le chiffre d'affaires de mars ?",
                {"start": date(2026, 3, 1), "end": date(2026, 3, 31)},
            ),
            (
                "combien j'ai encaissé cette semaine ?",
                {"basis": "collected", "start": date(2026, 3, 16), "end": date(2026, 3, 22)},
            ),
            (
                "chiffre d'affaires du 1er au 15 mars",
                {"start": date(2026, 3, 1), "end": date(2026, 3, 15)},
            ),
            ("CA de l'année par mois", {"grouping": "month"}),
            (
                "mes ventes ont été meilleures en janvier ou en février ?",
                {
                    "start": date(2026, 1, 1),
                    "end": date(2026, 1, 31),
                    "compare_start": date(2026, 2, 1),
                    "compare_end": date(2026, 2, 28),
                },
            ),
            (
                "j'ai vendu moins que l'année dernière sur février-mars ?",
                {
                    "start": date(2026, 2, 1),
                    "end": date(2026, 3, 31),
                    "compare_start": date(2025, 2, 1),
                    "compare_end": date(2025, 3, 31),
                },
            ),
            ("Orange Money m'a rapporté combien ce mois ?", {"method": "orange_money"}),
            (
                "la Boutique Sow nous a acheté combien ce mois-ci ?",
                {"customer": "Boutique Sow", "start": date(2026, 3, 1)},
            ),
        ],
    )
    def test_revenue(self, text: str, expected: dict[str, Any]) -> None:
        said = extract("finance.revenue", text)
        for key, value in expected.items():
            assert said[key] == value

    def test_a_way_of_paying_said_first_is_no_customer(self) -> None:
        said = extract("finance.revenue", "Wave m'a rapporté combien cette semaine ?")
        assert said["method"] == "wave" and "customer" not in said

    def test_kpis_and_receivables(self) -> None:
        assert extract("reports.kpis", "donne-moi les chiffres clés de mars") == {
            "start": date(2026, 3, 1),
            "end": date(2026, 3, 31),
        }
        assert extract("finance.aged_receivables", "qui me doit de l'argent ?") == {}


class TestDocumentTerms:
    def test_discount_and_vat_apply_to_every_line(self) -> None:
        args = extract(
            "finance.create_invoice", "facture à Sarr, peinture 300 € et enduit 50 €, TVA 10 %"
        )
        assert [x["vat_rate"] for x in args["lines"]] == [Decimal(10), Decimal(10)]
        args = extract("finance.create_invoice", "4 cartons de lait pour Ba avec 5 % de remise")
        assert args["lines"][0]["discount_percent"] == Decimal(5)

    def test_customer_after_au_and_pr(self) -> None:
        assert (
            extract("finance.create_invoice", "une facture au Garage Mbaye : vidange 18 000")[
                "customer"
            ]
            == "Garage Mbaye"
        )
        assert (
            extract("finance.create_invoice", "fact pr Ndour 2 sacs de riz")["customer"] == "Ndour"
        )

    def test_hours_of_work_become_a_priced_line(self) -> None:
        args = extract("finance.create_invoice", "facture à Kane : 3 heures de plomberie à 40 €")
        assert args["lines"] == [
            {
                "description": "plomberie",
                "quantity": Decimal(3),
                "unit": "heure",
                "unit_price": Decimal(40),
            }
        ]

    def test_priced_words_before_a_comma(self) -> None:
        args = extract("finance.create_invoice", "Entretien du jardin, 90 € HT")
        assert args["lines"][0]["description"] == "Entretien du jardin"


class TestCatalogQuestions:
    @pytest.mark.parametrize(
        ("text", "customer"),
        [
            ("combien me doit le Café des Arts ?", "Café des Arts"),
            ("le solde du client Diallo", "Diallo"),
            ("où en est le compte de la Boulangerie Martin ?", "Boulangerie Martin"),
            ("Ndour m'a payé quand la dernière fois ?", "Ndour"),
            ("qu'est-ce que Sow me doit ?", "Sow"),
            ("il me doit combien, Fall ?", "Fall"),
            # the customer named in a first clause, an adverb where a name could be
            ("bon, Sarr a toujours pas payé, il me doit combien exactement ?", "Sarr"),
        ],
    )
    def test_customer_balance_reads_the_customer(self, text: str, customer: str) -> None:
        assert extract("finance.customer_balance", text) == {"customer": customer}

    def test_what_is_said_after_the_question_is_no_customer(self) -> None:
        assert extract("finance.customer_balance", "il me doit encore combien après ça ?") == {}

    def test_vat_summary_reads_the_period(self) -> None:
        assert extract("finance.vat_summary", "quelle TVA j'ai collectée ce trimestre ?") == {
            "start": date(2026, 1, 1),
            "end": date(2026, 3, 31),
        }

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("liste les factures en retard de plus de 30 jours", {"overdue_days": 30}),
            ("les factures impayées depuis plus de 60 jours", {"overdue_days": 60}),
            ("quelles factures ont plus de 90 jours de retard ?", {"overdue_days": 90}),
            ("factures échues depuis plus de deux semaines", {"overdue_days": 14}),
            (
                "les factures de Diallo en retard de plus de 45 jours",
                {"customer": "Diallo", "overdue_days": 45},
            ),
            ("quelles factures sont en retard ?", {"status": "overdue"}),
        ],
    )
    def test_overdue_by_more_than_n_days(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("finance.list_invoices", text) == expected


class TestPaidInFull:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("le Café des Arts a tout payé", {"amount": "balance", "customer": "Café des Arts"}),
            (
                "Sow a soldé sa facture par Wave",
                {"amount": "balance", "method": "wave", "invoice": "Sow"},
            ),
            (
                "Ndiaye m'a payé la totalité par virement",
                {"amount": "balance", "method": "bank_transfer", "customer": "Ndiaye"},
            ),
        ],
    )
    def test_the_amount_is_the_balance_due(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("finance.record_payment", text) == expected

    def test_an_amount_said_wins(self) -> None:
        args = extract("finance.record_payment", "Diallo a payé 50 000 par Wave")
        assert args["amount"] == Decimal(50000)


class TestAPriceSaidInsteadOfAnother:
    def test_au_lieu_de_introduces_no_customer(self) -> None:
        args = extract(
            "finance.create_invoice",
            "boutique sow prend 4 sacs de riz, je lui fais à 14 000 au lieu de 15 000, facture-les",
        )
        assert args["customer"] == "boutique sow"
