"""Invoice arithmetic, one documented way for quotes, invoices and credit notes.

Rounding (ROUND_HALF_UP to the currency's minor unit, XOF 0 decimals, EUR 2):
1. each line: ``net = round(quantity × unit_price × (1 − discount/100))``;
2. per VAT rate (and category): ``base = Σ line nets`` (already rounded, so exact) and
   ``tax = round(base × rate / 100)`` — VAT is rounded once per rate, never per line;
3. ``total excl. tax = Σ bases``, ``VAT = Σ taxes``, ``total incl. tax = excl. + VAT``.
This is EN 16931's model (BR-CO-10…17, BR-S-08), so Factur-X totals match to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.kit.money import Currency, round_to_currency

HUNDRED = Decimal(100)


def line_net(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: Currency
) -> Decimal:
    return round_to_currency(
        quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED, currency
    )


@dataclass(frozen=True, slots=True)
class TaxableLine:
    net_amount: Decimal
    vat_rate: Decimal
    vat_category: str


@dataclass(frozen=True, slots=True)
class RateTotal:
    rate: Decimal
    category: str
    base: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_rate: tuple[RateTotal, ...]


def document_totals(lines: Iterable[TaxableLine], currency: Currency) -> DocumentTotals:
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate)
        bases[key] = bases.get(key, Decimal(0)) + line.net_amount
    by_rate = tuple(
        RateTotal(
            rate=rate,
            category=category,
            base=base,
            tax=round_to_currency(base * rate / HUNDRED, currency),
        )
        for (category, rate), base in sorted(bases.items(), key=lambda kv: -kv[0][1])
    )
    net = sum((r.base for r in by_rate), Decimal(0))
    tax = sum((r.tax for r in by_rate), Decimal(0))
    zero = round_to_currency(0, currency)
    return DocumentTotals(net=net + zero, tax=tax + zero, gross=net + tax + zero, by_rate=by_rate)
