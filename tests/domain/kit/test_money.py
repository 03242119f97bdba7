from decimal import Decimal

import pytest

from domain.kit.errors import InvalidInput
from domain.kit.money import Currency, Money, round_to_currency


class TestRounding:
    def test_xof_has_no_decimals_and_rounds_half_up(self) -> None:
        assert round_to_currency(Decimal("1234.5"), Currency.XOF) == Decimal("1235")
        assert round_to_currency(Decimal("1234.49"), Currency.XOF) == Decimal("1234")
        assert Money("15000", "XOF").percent(18).rounded().amount == Decimal("2700")

    def test_eur_keeps_cents_and_rounds_half_up(self) -> None:
        # 2.675 as a float is 2.67499…: Decimal keeps the half and rounds it up.
        assert round_to_currency("2.675", Currency.EUR) == Decimal("2.68")
        assert round_to_currency("10.005", Currency.EUR) == Decimal("10.01")
        assert round_to_currency("-10.005", Currency.EUR) == Decimal("-10.01")
        assert Money("12.50", "EUR").percent("5.5").rounded().amount == Decimal("0.69")

    def test_rounding_is_explicit(self) -> None:
        raw = Money("19.99", "EUR") * 3 * Decimal("0.9")
        assert raw.amount == Decimal("53.973")
        assert not raw.is_rounded
        assert raw.rounded().amount == Decimal("53.97")

    def test_minor_units(self) -> None:
        assert Currency.XOF.minor_units == 0
        assert Currency.EUR.minor_units == 2


class TestSafety:
    def test_float_is_refused(self) -> None:
        with pytest.raises(TypeError):
            Money(0.1, "EUR")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Money("1", "EUR") * 1.5  # type: ignore[operator]

    def test_currencies_do_not_mix(self) -> None:
        with pytest.raises(InvalidInput, match="EUR et en XOF"):
            Money("1", "EUR") + Money("1", "XOF")

    def test_garbage_amount_gets_a_french_message(self) -> None:
        with pytest.raises(InvalidInput, match="Montant invalide"):
            Money("douze", "EUR")
        with pytest.raises(InvalidInput):
            Money("NaN", "EUR")


class TestAllocation:
    def test_parts_add_up_exactly_in_xof(self) -> None:
        parts = Money("100000", "XOF").allocate([1, 1, 1])
        assert [p.amount for p in parts] == [Decimal("33334"), Decimal("33333"), Decimal("33333")]
        assert sum(p.amount for p in parts) == Decimal("100000")

    def test_parts_add_up_exactly_in_eur(self) -> None:
        parts = Money("10.00", "EUR").allocate([1, 2])
        assert sum(p.amount for p in parts) == Decimal("10.00")
        assert [p.amount for p in parts] == [Decimal("3.33"), Decimal("6.67")]


class TestFrenchFormat:
    def test_xof(self) -> None:
        assert Money("1500000", "XOF").format_fr() == "1\u202f500\u202f000 FCFA"

    def test_eur(self) -> None:
        assert Money("1234.5", "EUR").format_fr() == "1\u202f234,50 €"
        assert Money("-3", "EUR").format_fr() == "-3,00 €"
