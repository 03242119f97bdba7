"""Amounts of money.

A number is an amount when (first rule that applies):
1. a currency is written next to it: after (« 15 000 FCFA », « 12,50 € », « 300 euros »,
   « 5000 F », « 2 millions de francs ») or before (« €12.5 », « EUR 300 »). FCFA, F CFA, CFA,
   F, francs, frs, XOF and « balles » (Senegalese slang) are XOF; €, euros, EUR are EUR;
   dollars, USD, livres sterling… are "foreign": no request takes them, nor an amount said in a
   currency other than the business's (« 200 euros » where the books are in FCFA).
2. it is followed by a unit (« 3 sacs ») → never an amount, it is a quantity;
3. it carries a scale: « 15k », « 2,5 millions », « quinze mille »;
4. a payment method follows (« 50 000 par Wave », « 5000 cash », « 2000 en espèces »), or
   the tax basis (« 35400 TTC », « 45000 HT »);
5. a money word comes just before (« payé 50 000 », « le montant est de 300 », « prix : 1500 »,
   « avance de 20000 », « doit 7500 », « reste 2 500 »);
6. it is written with thousands separators (« 15 000 », « 15.000 ») or is ≥ 1000 in words,
   or with two decimals, euros and cents (« 115,50 »);
7. « de », « à » or « pour » comes just before and it has at least 3 digits and is not a year
   (« facture de 150000 », « 3 sacs à 15000 »).
Cents said apart after euros are part of the amount: « 12 euros 50 », « cent cinquante euros
et cinquante centimes », « 3 € 20 » (two digits, or any number followed by « centimes »).
The currency stays None when the message names none: callers apply the tenant default.
"""

from __future__ import annotations

import re
from decimal import Decimal

from agents.local.slots.numbers import Num, Scan, make_scan
from agents.local.slots.quantities import UNIT_AFTER
from agents.local.slots.types import Amount
from domain.kit.lexicon import phrasing

_SP = r"[ \u00a0\u202f]"
_CURRENCY_AFTER = phrasing("currency_after")
_CURRENCY_BEFORE = re.compile(r"(?:(?<![\w])(eur|xof|fcfa|cfa)|(€))" + _SP + r"*$")
_PAY_AFTER = phrasing("pay_after")
_MONEY_BEFORE = phrasing("money_before")
_TAX_BASIS_AFTER = phrasing("tax_basis_after")
CENTS_WRITTEN = re.compile(r"\d{1,7}[.,]\d\d")
_SMALL_BEFORE = re.compile(r"(?<![\w'])(?:de|d'|a|pour)" + _SP + r"*$")
_CURRENCY_CODES = {"eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR"}
_XOF = re.compile(r"f?cfa|francs?(?:cfa)?|frs?|xof|balles|f")
_CENTS_GAP = re.compile(_SP + r"+(?:et" + _SP + r"+)?")
_CENTIMES = re.compile(_SP + r"*centimes?(?![\w])")
_CENTS_END = re.compile(_SP + r"*(?:$|[,;.!?)]|et\b|par\b|en\b|pour\b|sur\b)")


def _code(word: str) -> str:
    word = word.replace(" ", "")
    return _CURRENCY_CODES.get(word) or ("XOF" if _XOF.fullmatch(word) else "foreign")


def _is_year(num: Num) -> bool:
    return num.digits and not num.grouped and not num.scaled and 1900 <= num.value <= 2100


def _context_says_money(scan: Scan, num: Num) -> bool:
    before = scan.folded[max(0, num.start - 60) : num.start]
    if num.scaled or _PAY_AFTER.match(scan.folded, num.end):
        return True
    if num.digits and not _is_year(num) and _TAX_BASIS_AFTER.match(scan.folded, num.end):
        return True
    if _MONEY_BEFORE.search(before):
        return True
    if (num.grouped and num.value >= 1000) or (not num.digits and num.value >= 1000):
        return True
    if CENTS_WRITTEN.fullmatch(scan.text[num.start : num.end]):
        return True  # « 115,50 »: euros and cents
    return (
        num.digits
        and num.value >= 100
        and not _is_year(num)
        and _SMALL_BEFORE.search(before) is not None
    )


def _cents_after(scan: Scan, end: int) -> tuple[Decimal, int] | None:
    """The cents said after « euros » (see the module docstring), and where they end."""
    gap = _CENTS_GAP.match(scan.folded, end)
    if gap is None:
        return None
    cents = next((n for n in scan.nums if n.start == gap.end()), None)
    if cents is None or not 0 < cents.value < 100 or cents.value % 1 or cents.weak:
        return None
    word = _CENTIMES.match(scan.folded, cents.end)
    if word is not None:
        return cents.value / 100, word.end()
    two_digits = cents.digits and cents.end - cents.start == 2
    if two_digits and _CENTS_END.match(scan.folded, cents.end) and "et" not in gap.group(0):
        return cents.value / 100, cents.end
    return None


def _amount_at(scan: Scan, num: Num) -> Amount | None:
    after = _CURRENCY_AFTER.match(scan.folded, num.end)
    # « de francs » only after a scale: « 2 millions de francs », not « 3 sacs de … »
    if after is not None and (num.scaled or not scan.folded[num.end : after.start(1)].strip()):
        end, code, value = after.end(), _code(after.group(1)), num.value
        cents = _cents_after(scan, end) if code == "EUR" and value % 1 == 0 else None
        if cents is not None:
            value, end = value + cents[0], cents[1]
        return Amount(value, code, scan.text[num.start : end], num.start, end)
    before = _CURRENCY_BEFORE.search(scan.folded[max(0, num.start - 6) : num.start])
    if before is not None:
        start = num.start - (len(before.group(0)))
        word = before.group(1) or before.group(2)
        return Amount(num.value, _code(word), scan.text[start : num.end], start, num.end)
    if num.weak or UNIT_AFTER.match(scan.folded, num.end) or not _context_says_money(scan, num):
        return None
    return Amount(num.value, None, scan.text[num.start : num.end], num.start, num.end)


def find_amounts(scan: Scan, currency: str | None = None) -> list[Amount]:
    found: list[Amount] = []
    for num in scan.nums:
        if not scan.free(num.start, num.end):
            continue
        amount = _amount_at(scan, num)
        if amount is not None and scan.free(amount.start, amount.end):
            if currency and amount.currency not in (None, currency) and "balle" not in amount.text:
                amount = Amount(amount.value, "foreign", amount.text, amount.start, amount.end)
            found.append(amount)
            scan.take(amount.start, amount.end)
    return found


def parse_amounts(text: str, *, currency: str | None = None) -> list[Amount]:
    """Amounts of money in ``text`` (rules in the module docstring), ``currency`` being the
    business's: an unsaid currency stays None, another one said is "foreign"."""
    return find_amounts(make_scan(text), currency)
