"""Money as Decimal with the currency's minor unit. Never float.

Rounding is explicit: ``ROUND_HALF_UP`` (the commercial rounding French and OHADA invoices
use) when an amount is brought to the currency's minor unit — 2 decimals for EUR, none for
XOF. Intermediate results (unit price × quantity × (1 − discount)) keep full precision
until ``rounded()`` is called; the place where rounding happens is decided by the caller
(e.g. per line, then per VAT rate) and documented there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from domain.kit.errors import InvalidInput


class Currency(StrEnum):
    EUR = "EUR"
    XOF = "XOF"

    @property
    def minor_units(self) -> int:
        return _MINOR_UNITS[self]

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_units)

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_MINOR_UNITS = {Currency.EUR: 2, Currency.XOF: 0}
_SYMBOLS = {Currency.EUR: "€", Currency.XOF: "FCFA"}

Number = Decimal | int | str


def to_decimal(value: Number) -> Decimal:
    """Exact conversion; floats are refused because they already lost precision."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("Money and quantities are Decimal: pass a str, int or Decimal, not float")
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"Montant invalide : « {value} ».") from exc
    if not result.is_finite():
        raise InvalidInput(f"Montant invalide : « {value} ».")
    return result


def round_to_currency(amount: Number, currency: Currency) -> Decimal:
    return to_decimal(amount).quantize(currency.quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: Currency

    def __init__(self, amount: Number, currency: Currency | str) -> None:
        object.__setattr__(self, "amount", to_decimal(amount))
        object.__setattr__(self, "currency", Currency(currency))

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        return cls(0, currency)

    def rounded(self) -> Money:
        return Money(round_to_currency(self.amount, self.currency), self.currency)

    @property
    def is_rounded(self) -> bool:
        return self.amount == round_to_currency(self.amount, self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money")
        if other.currency != self.currency:
            raise InvalidInput(
                f"Impossible de combiner des montants en {self.currency} et en {other.currency}."
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Number) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def percent(self, rate: Number) -> Money:
        """``rate`` percent of this amount, unrounded (e.g. VAT at 18 or 5.5)."""
        return Money(self.amount * to_decimal(rate) / 100, self.currency)

    def allocate(self, weights: list[Number]) -> list[Money]:
        """Split into rounded parts proportional to ``weights`` that add up exactly.

        Remainders in minor units go to the largest fractional parts first, so an
        instalment plan or a discount spread over lines never loses or invents a cent.
        """
        total = round_to_currency(self.amount, self.currency)
        ws = [to_decimal(w) for w in weights]
        if not ws or any(w < 0 for w in ws) or sum(ws) == 0:
            raise InvalidInput("Répartition impossible : poids invalides.")
        quantum = self.currency.quantum
        exact = [total * w / sum(ws) for w in ws]
        floors = [(e / quantum).to_integral_value(rounding="ROUND_FLOOR") * quantum for e in exact]
        remainder = int((total - sum(floors)) / quantum)
        order = sorted(range(len(ws)), key=lambda i: exact[i] - floors[i], reverse=True)
        for i in order[:remainder]:
            floors[i] += quantum
        return [Money(f, self.currency) for f in floors]

    def format_fr(self) -> str:
        """French display: ``15 000 FCFA``, ``1 234,50 €`` (narrow no-break space groups)."""
        value = round_to_currency(self.amount, self.currency)
        sign = "-" if value < 0 else ""
        text = f"{abs(value):,.{self.currency.minor_units}f}"
        text = text.replace(",", "\u202f").replace(".", ",")
        return f"{sign}{text} {self.currency.symbol}"

    def __str__(self) -> str:
        return self.format_fr()
