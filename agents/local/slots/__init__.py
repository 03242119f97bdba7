"""Slot parsers of the local tier: what one French message says, with offsets.

``analyse`` reads everything at once. Politeness (« stp », « svp », « s'il te plaît »,
« merci », greetings) is blanked out first (replaced by spaces, so offsets still point into
the message as written). Spans are then claimed in this order, a later parser never reading a
character an earlier one took:

1. document numbers (« F-2026-00012 »);
2. dates (« le 3 mars », « dans 3 jours », « demain 14h »);
3. durations (« 3 jours », « 1h30 »);
4. amounts: a number with a currency, a scale (« 15k »), a payment method after it, a money
   word before it (« payé », « montant »), thousands separators, or ≥ 3 digits after « de »,
   « à », « pour » — but never a number followed by a unit (see ``amounts``);
5. quantities: a number followed by a unit and/or an item (« 3 sacs de riz », « 5 riz »);
6. the payment method (« par Wave »);
7. ``numbers``: every number left (articles « un »/« une » excluded).

Only the first ``MAX_CHARS`` characters are read (a chat message is far shorter); ``text`` and
``folded`` still hold the whole message. ``folded`` is ``fold(text)``: same length, whitespace
kept as written (not collapsed), so any offset is valid in both.
"""

from __future__ import annotations

from datetime import date

from agents.local.slots.amounts import find_amounts, parse_amounts
from agents.local.slots.dates import find_dates, parse_dates
from agents.local.slots.durations import find_durations, parse_durations
from agents.local.slots.numbers import Scan, parse_number, scan_numbers
from agents.local.slots.payment import (
    find_document_numbers,
    find_payment_method,
    parse_document_numbers,
    parse_payment_method,
)
from agents.local.slots.quantities import find_quantities, parse_quantities
from agents.local.slots.text import blank_spans, fold, politeness_spans, strip_politeness
from agents.local.slots.types import Utterance

__all__ = [
    "analyse",
    "fold",
    "parse_amounts",
    "parse_dates",
    "parse_document_numbers",
    "parse_durations",
    "parse_number",
    "parse_payment_method",
    "parse_quantities",
    "strip_politeness",
]

MAX_CHARS = 2000  # longer messages are read on their first 2000 characters only


def analyse(
    text: str, *, today: date, currency: str | None = None, month: date | None = None
) -> Utterance:
    """Everything the message says (see the module docstring); never raises. Days said
    without their month fall in ``month``'s month when given (a correction of dates).

    ``currency`` is the business's: an unsaid currency stays None (the caller applies the
    default), an amount said in another one is "foreign"."""
    folded_full = fold(text)
    head, folded = text[:MAX_CHARS], folded_full[:MAX_CHARS]
    spans = politeness_spans(folded)
    clean, clean_folded = blank_spans(head, spans), blank_spans(folded, spans)
    scan = Scan(clean, clean_folded, scan_numbers(clean_folded, clean))
    documents = find_document_numbers(scan)
    for _, start, end in documents:
        scan.take(start, end)
    dates = find_dates(scan, today, month)
    durations = find_durations(scan)
    amounts = find_amounts(scan, currency)
    quantities = find_quantities(scan)
    method = find_payment_method(scan)
    numbers = [n.value for n in scan.nums if not n.weak and scan.free(n.start, n.end)]
    return Utterance(
        text=text,
        folded=folded_full,
        amounts=amounts,
        quantities=quantities,
        dates=dates,
        durations=durations,
        payment_method=method[0] if method else None,
        document_numbers=[number for number, _, _ in documents],
        numbers=numbers,
        today=today,
    )
