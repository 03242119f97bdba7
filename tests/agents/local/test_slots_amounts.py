from decimal import Decimal

import pytest

from agents.local.slots import parse_amounts


class TestParseAmounts:
    @pytest.mark.parametrize(
        ("text", "value", "currency", "written"),
        [
            ("15 000 FCFA", "15000", "XOF", "15 000 FCFA"),
            ("15k", "15000", None, "15k"),
            ("quinze mille francs", "15000", "XOF", "quinze mille francs"),
            ("12,50 €", "12.50", "EUR", "12,50 €"),
            ("2,5 millions", "2500000", None, "2,5 millions"),
            ("50 000 par Wave", "50000", None, "50 000"),
            ("1 245 000 F CFA", "1245000", "XOF", "1 245 000 F CFA"),
            ("300 euros", "300", "EUR", "300 euros"),
            ("€12.5", "12.5", "EUR", "€12.5"),
            ("EUR 300", "300", "EUR", "EUR 300"),
            ("5000F", "5000", "XOF", "5000F"),
            ("il me doit 10 balles", "10", "XOF", "10 balles"),
            ("2 millions de francs", "2000000", "XOF", "2 millions de francs"),
            ("payé 15 000 XOF", "15000", "XOF", "15 000 XOF"),
            ("Modou a payé 50000", "50000", None, "50000"),
            ("facture de 150000", "150000", None, "150000"),
            ("3 sacs à 15000 l'unité", "15000", None, "15000"),
            ("reste 2500", "2500", None, "2500"),
            ("le montant est de 300", "300", None, "300"),
            ("acompte de 20 000 en espèces", "20000", None, "20 000"),
            ("deux virgule cinq millions", "2500000", None, "deux virgule cinq millions"),
            ("15.000 cfa", "15000", "XOF", "15.000 cfa"),
        ],
    )
    def test_reads_one_amount(
        self, text: str, value: str, currency: str | None, written: str
    ) -> None:
        [amount] = parse_amounts(text)
        assert (amount.value, amount.currency, amount.text) == (Decimal(value), currency, written)
        assert text[amount.start : amount.end] == written

    @pytest.mark.parametrize(
        "text",
        ["3 sacs", "10 kg de sucre", "en mars 2026", "le 15", "une facture", "12", "facture 12"],
    )
    def test_reads_no_amount(self, text: str) -> None:
        assert parse_amounts(text) == []

    def test_keeps_the_currency_unsaid_even_with_a_tenant_default(self) -> None:
        [amount] = parse_amounts("payé 5000", currency="XOF")
        assert amount.currency is None

    def test_a_fractional_million_is_not_glued_to_the_next_amount(self) -> None:
        amounts = parse_amounts("1,5 million et 200 000")
        assert [a.value for a in amounts] == [Decimal(1500000), Decimal(200000)]

    def test_reads_several_amounts(self) -> None:
        amounts = parse_amounts("30 000 FCFA en espèces et 20 000 par Wave")
        assert [a.value for a in amounts] == [Decimal(30000), Decimal(20000)]
        assert [a.currency for a in amounts] == ["XOF", None]


class TestAmountsInWordsAndCents:
    @pytest.mark.parametrize(
        ("text", "value", "currency"),
        [
            ("deux cent cinquante mille francs", Decimal(250000), "XOF"),
            ("il a versé cent mille francs en espèces", Decimal(100000), "XOF"),
            ("un million cinq cent mille FCFA", Decimal(1500000), "XOF"),
            ("2 cent mille", Decimal(200000), None),
            ("2 cent cinquante mille francs", Decimal(250000), "XOF"),
            ("cent cinquante euros et cinquante centimes", Decimal("150.50"), "EUR"),
            ("il a payé 12 euros 50", Decimal("12.50"), "EUR"),
            ("3 € 20 par carte", Decimal("3.20"), "EUR"),
            ("12 euros et 5 centimes", Decimal("12.05"), "EUR"),
        ],
    )
    def test_reads_the_whole_amount(self, text: str, value: Decimal, currency: str | None) -> None:
        [amount] = parse_amounts(text)
        assert (amount.value, amount.currency) == (value, currency)

    def test_a_quantity_after_euros_is_no_cents(self) -> None:
        [amount] = parse_amounts("12 euros 50 sacs de riz")
        assert amount.value == Decimal(12)
