from __future__ import annotations

from decimal import Decimal

import pytest

from domain.finance.documents.words import amount_in_words
from domain.kit.money import Currency


class TestAmountInWords:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("0", "zéro euro"),
            ("1", "un euro"),
            ("1.00", "un euro"),
            ("2", "deux euros"),
            ("80", "quatre-vingts euros"),
            ("200", "deux cents euros"),
            ("21.01", "vingt et un euros et un centime"),
            ("1234.50", "mille deux cent trente-quatre euros et cinquante centimes"),
            ("0.50", "cinquante centimes"),
            ("1000000", "un million d'euros"),
            ("2000000.10", "deux millions d'euros et dix centimes"),
            ("1000001", "un million un euros"),
            ("-12.30", "moins douze euros et trente centimes"),
        ],
    )
    def test_euros(self, amount: str, expected: str) -> None:
        assert amount_in_words(Decimal(amount), Currency.EUR) == expected

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("0", "zéro franc CFA"),
            ("1", "un franc CFA"),
            ("80", "quatre-vingts francs CFA"),
            ("200", "deux cents francs CFA"),
            ("15000", "quinze mille francs CFA"),
            ("1000000", "un million de francs CFA"),
            ("424277", "quatre cent vingt-quatre mille deux cent soixante-dix-sept francs CFA"),
        ],
    )
    def test_cfa_francs(self, amount: str, expected: str) -> None:
        assert amount_in_words(Decimal(amount), Currency.XOF) == expected

    def test_rounds_to_the_currency_first(self) -> None:
        assert amount_in_words(Decimal("21.005"), Currency.EUR) == (
            "vingt et un euros et un centime"
        )
        assert amount_in_words(Decimal("14999.5"), Currency.XOF) == "quinze mille francs CFA"
