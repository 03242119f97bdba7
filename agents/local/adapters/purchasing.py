"""Purchasing: a supplier's bill said in a sentence (its supplier, its own number, the
amount HT or TTC, a VAT rate, the due date said after « échéance », « à payer »…), a
payment made to a supplier, and the e-invoice just received. Only what is said is taken.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from agents.local.adapters.base import Adapter, before, given, overlaps
from agents.local.adapters.finance import HALF, PAYMENT_TERMS, VAT, without_elision
from agents.local.adapters.sales import name_of
from agents.local.coverage import THE_REST
from agents.local.router import IntentRouter, Routing
from agents.local.slots.payment import find_in_full
from agents.local.slots.types import Utterance
from domain.kit.lexicon import marker_groups, phrasing, words
from domain.kit.text import fold

RECORD = "purchasing.record_supplier_bill"
PAYABLES = "purchasing.payables"
PAY = "purchasing.pay_supplier"
POST = "purchasing.post_supplier_bill"

# Who issued the bill, tried in this order: named as a supplier, then as the one the
# invoice is from, then after « chez ».
BILL_SUPPLIER_MARKERS = marker_groups("bill_supplier_markers")
# The supplier said as the one who billed us, first: « Sotiba nous a facturé 30 000 ».
BILLED_US = phrasing("billed_us", re.IGNORECASE)
PAID_SUPPLIER_MARKERS = marker_groups("paid_supplier_markers")
# Money owed to the business (« Diallo nous doit combien ? »): its customers', never its
# suppliers'.
OWED_TO_US = re.compile(r"\b(?:me|nous|m')\s*doi(?:t|vent)\b|\bqu'on me doi")
# Money the business owes (« tout ce qu'on leur doit », « ce que je lui dois »).
OWED_BY_US = re.compile(r"\b(?:on|je|nous)\s+(?:leur|lui|l')?\s*(?:doi[st]|devons)\b")
# Words that stand for the suppliers in general, not one of them.
ALL_SUPPLIERS = re.compile(r"^(?:mes|nos|les|aux|des|ses|leurs)?\s*fournisseu\w*$", re.IGNORECASE)
# « la facture de Sotiba reçue », « … arrivée hier »: how the bill came, not its issuer.
RECEIVED = re.compile(r"\s+(?:re[çc]ue?s?|arriv[ée]e?s?|envoy[ée]e?s?)$", re.IGNORECASE)
# « Metro n° M-7781 »: the number said after the name.
NUMBER_AFTER = re.compile(r"\s+(?:n|no|num|numero|ref)\.?$", re.IGNORECASE)
# The supplier's own number: after « facture », « n° », « numéro », « réf », after the
# supplier's name that follows « facture » (« la facture Lumina LD-6001 »), or alone after
# « la » (« et la SC-2304 de SOCAS », « c'est la 10045879 »).
SUPPLIER_NUMBER = phrasing("supplier_number", re.IGNORECASE)
# A name followed by a number (« Lumina LD-6001 »): the number ends it.
NUMBERED = re.compile(r"\s+[A-Za-z]{0,6}[-/]?\d[\w/-]*(?:\s.*)?$")
# The number of the cheque or transfer that paid (« par chèque n° 0012345 »): the payment's
# reference, never the bill's number.
PAYMENT_NUMBER = phrasing("payment_number", re.IGNORECASE)
CURRENCY_WORD = r"^\s*(?:(?:fcfa|cfa|f|francs?|eur|euros?|€)\s*)?"
EXCLUDING_VAT = re.compile(CURRENCY_WORD + r"(?:ht\b|h\.t\b|hors tax)")
INCLUDING_VAT = re.compile(CURRENCY_WORD + r"(?:ttc\b|t\.t\.c\b)")
DUE_WORDS = phrasing("due_words")


def _supplier(utt: Utterance, markers: tuple[tuple[str, ...], ...]) -> str | None:
    """The first name after a marker that is a supplier's: never a bill's number
    (« facture GM-601 de … »), never the suppliers in general."""
    for group in markers:
        name = without_elision(name_of(utt, group))
        if name is not None:  # « la facture Lumina LD-6001 »: the name before its number
            name = NUMBER_AFTER.sub("", RECEIVED.sub("", NUMBERED.sub("", name))).strip() or None
        if name is None or ALL_SUPPLIERS.match(name) or any(c.isdigit() for c in name):
            continue
        return name
    return None


def _named_after_number(utt: Utterance, number: str) -> str | None:
    """« facture FA-2290 grands moulins 590 000 »: the words between the bill's number and
    its amount (or date), when they can only be a name."""
    at = utt.text.find(number) + len(number)
    ends = [e for e in [a.start for a in utt.amounts] + [d.start for d in utt.dates] if e > at]
    said = RECEIVED.sub("", utt.text[at : min(ends, default=None)].rstrip(" ,:;.-")).strip(" ,-")
    plain = words("glue_words") | words("not_an_entity") | {"ht", "ttc"}
    named = 1 <= len(said.split()) <= 4 and all(
        w.isalpha() and w not in plain for w in fold(said).split()
    )
    return said if named and at >= len(number) else None


def _supplier_number(utt: Utterance) -> str | None:
    """The supplier's number: not a part of an amount (« facture de 630 000 »)."""
    for found in SUPPLIER_NUMBER.finditer(utt.text):
        slots = [(a.start, a.end) for a in utt.amounts] + [(d.start, d.end) for d in utt.dates]
        group = next(i for i in (1, 2, 3) if found.group(i))
        if not overlaps(*found.span(group), slots):
            return found.group(group).rstrip("-/")
    return None


def _dates(utt: Utterance) -> tuple[date | None, date | None]:
    """(issue date, due date): a date after « échéance », « à payer »… is the due date; any
    other, the invoice's date."""
    issue = due = None
    for span in utt.dates:
        before = utt.folded[max(0, span.start - 40) : span.start]
        if DUE_WORDS.search(before) or span.text.lower().startswith(("dans", "fin")):
            due = due or span.first
        else:
            issue = issue or span.first
    return issue, due


def extract_bill(utt: Utterance) -> dict[str, Any]:
    amount = utt.amounts[0] if utt.amounts else None
    after = utt.folded[amount.end :] if amount else ""
    amount_is = None
    if amount is not None and EXCLUDING_VAT.match(after):
        amount_is = "excl_tax"
    elif amount is not None and INCLUDING_VAT.match(after):
        amount_is = "incl_tax"
    rate = VAT.search(utt.folded)
    issue, due = _dates(utt)
    terms = PAYMENT_TERMS.search(utt.folded)
    billed_us = BILLED_US.match(utt.text)
    supplier = _supplier(utt, BILL_SUPPLIER_MARKERS)
    if supplier is None and billed_us is not None:
        supplier = without_elision(billed_us.group("name").strip())
    number = _supplier_number(utt)
    return given(
        supplier=supplier or (_named_after_number(utt, number) if number else None),
        supplier_number=number,
        amount=amount.value if amount else None,
        amount_is=amount_is,
        vat_rate=next(g for g in rate.groups() if g).replace(",", ".") if rate else None,
        issue_date=issue,
        due_date=due,
        payment_terms_days=int(terms.group(1)) if terms and due is None else None,
    )


# A payment is said with one of these (« paye », « réglé », « virement », « par Wave »…).
PAYING = phrasing("paying")
# Reads of what customers owe: a question about suppliers' bills is not one of them.
CUSTOMER_DEBT_READS = frozenset(
    {"finance.list_invoices", "finance.aged_receivables", "finance.customer_balance"}
)
SUPPLIERS = re.compile(r"\bfournisseu\w*")


def owed_to_us(router: IntentRouter, routing: Routing, text: str) -> Routing:
    """Which way the debt runs decides the reading: « Diallo nous doit combien ? » is never
    what is owed to suppliers, and « quelles factures fournisseurs restent à payer ? » never
    what customers owe; « règle ce qu'on leur doit » pays a supplier."""
    folded = fold(text)
    if routing.intent == "finance.record_payment" and OWED_BY_US.search(folded):
        return router.route(text, folded, among={PAY})
    if routing.intent == PAYABLES and OWED_TO_US.search(folded):
        others = {spec.name for spec in router.specs} - {PAYABLES}
        return router.route(text, folded, among=others)
    if routing.intent in CUSTOMER_DEBT_READS and SUPPLIERS.search(folded):
        if not OWED_TO_US.search(folded):
            return router.route(text, folded, among={PAYABLES})
    if routing.intent == PAY and routing.confident and not PAYING.search(folded):
        # « Garage Moreau, à Lyon, 06 45 78 12 90 » looks like « paye 80 000 à Sotrac »
        # but pays no one: a payment is said with a word of paying.
        return dataclasses.replace(routing, confident=False)
    return routing


def extract_payment(utt: Utterance) -> dict[str, Any]:
    if (rest := THE_REST.search(utt.folded)) is not None:  # « …, le reste à la fin du mois »
        utt = dataclasses.replace(
            before(utt, rest.start()), dates=[d for d in utt.dates if d.start < rest.start()]
        )
    amount: Any = utt.amounts[0].value if utt.amounts else None
    if amount is None and (
        find_in_full(utt.folded) is not None
        or re.search(r"\b(?:tout ce qu(?:e|')|solde)", utt.folded)
        or OWED_BY_US.search(utt.folded)  # « règle ce qu'on leur doit »
    ):
        amount = "balance"  # the tool pays what is still owed, and its preview says how much
    elif amount is None and HALF.search(utt.folded):
        amount = "half"  # « on lui paie la moitié »: half of what is still owed
    bill = _supplier_number(utt)
    paid_with = PAYMENT_NUMBER.search(utt.text)
    reference = paid_with.group(1) if paid_with else None
    if bill is not None and bill == reference:
        bill = None
    if amount is None and bill is not None:
        amount = "balance"  # « règle la facture FA-118 »: that bill, in full
    supplier = _supplier(utt, PAID_SUPPLIER_MARKERS)
    if supplier is not None and amount == "half" and HALF.search(fold(supplier)):
        supplier = None  # « on lui paie la moitié »: the share paid, no one's name
    return given(
        supplier=supplier,
        bill=bill,
        amount=amount,
        method=utt.payment_method,
        paid_on=utt.dates[0].first if utt.dates else None,
        reference=reference,
    )


def extract_post(utt: Utterance) -> dict[str, Any]:
    """A draft bill to post: named by the supplier's number, and maybe its supplier."""
    return given(bill=_supplier_number(utt), supplier=_supplier(utt, BILL_SUPPLIER_MARKERS[:2]))


# The business's own invoice numbers (« F-2026-00012 »): any other names a received one.
OWN_NUMBER = re.compile(r"^(?:F|AV|FA)-?\d{4}-?\d+$", re.IGNORECASE)
CREATE_INVOICE = "finance.create_invoice"


def received_invoice(intent: str, utt: Utterance) -> str:
    """A request to make an invoice that gives the invoice's number in another numbering
    than the business's own (« enregistre la facture LD-0912 de Lumina, 1 500 € HT »):
    Comptoir numbers the business's invoices itself, so a number chosen by someone else is
    a supplier's, and the request records that supplier's bill."""
    if intent != CREATE_INVOICE:
        return intent
    number = _supplier_number(utt)
    if number is None or OWN_NUMBER.match(number) or utt.quantities:
        return intent
    return RECORD


ADAPTERS: list[Adapter] = [
    Adapter(RECORD, extract_bill),
    Adapter(PAY, extract_payment),
    Adapter(POST, extract_post),
]
