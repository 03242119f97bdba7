"""Payment methods and document numbers.

Payment methods (first one said wins): « par Wave » / « wave » → wave; « Orange Money »,
« OM » (a whole word), « orange » → orange_money; « espèces », « cash », « liquide »,
« comptant » → cash; « par carte », « en carte », « CB », « carte bancaire », « carte bleue »,
« TPE » → card; « virement » → bank_transfer; « chèque » → cheque. Free Money, Wari, Yas… →
None: finance records none of them.

Paid in full: « a tout payé », « a tout réglé », « il a soldé (sa facture) », « a payé la
totalité », « l'intégralité », « en totalité », « intégralement », « le solde », « tout ce
qu'il doit », « (tout) le reste » → the span of the words, for a payment of what is still due.

Document numbers: F- (invoice), AV- (credit note), D- (quote), BC- (purchase order) followed by
a year and a sequence (« f-2026-00012 » → "F-2026-00012"). Short forms (« facture 12 ») are
left to the finance adapter.
"""

from __future__ import annotations

import re

from agents.local.slots.numbers import Scan, make_scan
from agents.local.slots.types import PaymentMethod
from domain.kit.lexicon import phrasing, phrasings_of

_PAYMENT = re.compile(
    "|".join(
        f"(?P<{name}>(?<![\\w'-])(?:{said.pattern})(?![\\w-]))"
        for name, said in phrasings_of("payment_methods")
    )
)

_IN_FULL = phrasing("in_full")
_DOCUMENT = re.compile(r"(?<![\w-])(f|av|d|bc)\s?-\s?(\d{4})\s?-\s?(\d{1,6})(?![\w-])")


def find_payment_method(scan: Scan) -> tuple[PaymentMethod, int, int] | None:
    return next((m for m in payment_methods(scan.folded) if scan.free(m[1], m[2])), None)


def payment_methods(folded: str) -> list[tuple[PaymentMethod, int, int]]:
    """Every payment method a folded message names, in order (« 200 en espèces et le reste
    par carte » names two)."""
    return [(m.lastgroup, m.start(), m.end()) for m in _PAYMENT.finditer(folded)]  # type: ignore[misc]


def parse_payment_method(text: str) -> PaymentMethod | None:
    """The payment method a message names (see the module docstring), else None."""
    found = find_payment_method(make_scan(text))
    return found[0] if found else None


def find_in_full(folded: str) -> tuple[int, int] | None:
    """Where the message says a payment settles everything still due, else None."""
    found = _IN_FULL.search(folded)
    return (found.start(), found.end()) if found else None


def find_document_numbers(scan: Scan) -> list[tuple[str, int, int]]:
    return [
        (f"{m[1].upper()}-{m[2]}-{m[3]}", m.start(), m.end())
        for m in _DOCUMENT.finditer(scan.folded)
    ]


def parse_document_numbers(text: str) -> list[str]:
    """Invoice, credit-note, quote and purchase-order numbers, upper case ("F-2026-00012")."""
    return [number for number, _, _ in find_document_numbers(make_scan(text))]
