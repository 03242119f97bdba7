"""Amounts written out in French words, as OHADA invoices require ("Arrêtée la présente
facture à la somme de …")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

from domain.kit.money import Currency

# (singular, plural) of the main unit and of the minor unit, if any.
_UNITS: dict[Currency, tuple[str, str]] = {
    Currency.EUR: ("euro", "euros"),
    Currency.XOF: ("franc CFA", "francs CFA"),
}
_MINOR_UNITS: dict[Currency, tuple[str, str]] = {
    Currency.EUR: ("centime", "centimes"),
}


def _count_of(count: int, names: tuple[str, str]) -> str:
    words = num2words(count, lang="fr")
    if count <= 1:  # French: "zéro euro", "un euro" — singular below two.
        return f"{words} {names[0]}"
    # "un million d'euros", "deux milliards de francs CFA": a bare million takes "de".
    if words.endswith(("million", "millions", "milliard", "milliards")):
        article = "d'" if names[1][0] in "aeiouyéè" else "de "
        return f"{words} {article}{names[1]}"
    return f"{words} {names[1]}"


def amount_in_words(amount: Decimal, currency: Currency) -> str:
    """``Decimal("1234.50"), EUR`` → "mille deux cent trente-quatre euros et cinquante
    centimes"; ``Decimal(15000), XOF`` → "quinze mille francs CFA".

    The amount is first rounded to the currency's minor unit; negative amounts (refunds)
    read "moins …".
    """
    rounded = amount.quantize(currency.quantum, rounding=ROUND_HALF_UP)
    prefix = "moins " if rounded < 0 else ""
    rounded = abs(rounded)
    whole = int(rounded)
    minor = int((rounded - whole).scaleb(currency.minor_units))
    minor_names = _MINOR_UNITS.get(currency)
    if minor and minor_names is not None:
        cents = _count_of(minor, minor_names)
        if whole == 0:
            return prefix + cents
        return f"{prefix}{_count_of(whole, _UNITS[currency])} et {cents}"
    return prefix + _count_of(whole, _UNITS[currency])
