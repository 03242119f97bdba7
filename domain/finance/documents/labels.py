"""French wording and number formats shared by the printed documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.finance.documents.model import DocumentKind, Party, PrintableDocument
from domain.finance.documents.words import amount_in_words
from domain.kit.money import Currency, Money

TITLES = {
    DocumentKind.INVOICE: "Facture",
    DocumentKind.DEPOSIT_INVOICE: "Facture d'acompte",
    DocumentKind.CREDIT_NOTE: "Avoir",
    DocumentKind.QUOTE: "Devis",
}

# "Arrêtée la présente facture…": the participle agrees with the document's gender.
_STOPPED_AT = {
    DocumentKind.INVOICE: "Arrêtée la présente facture",
    DocumentKind.DEPOSIT_INVOICE: "Arrêtée la présente facture d'acompte",
    DocumentKind.CREDIT_NOTE: "Arrêté le présent avoir",
    DocumentKind.QUOTE: "Arrêté le présent devis",
}

# UN/ECE Rec 20 codes as a French reader expects them on paper.
_UNIT_LABELS = {
    "C62": "u",
    "H87": "pièce",
    "HUR": "h",
    "DAY": "jour",
    "WEE": "sem.",
    "MON": "mois",
    "ANN": "an",
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "XBG": "sac",
    "XBX": "carton",
    "XPK": "colis",
    "SET": "lot",
    "LS": "forfait",
}


def money(amount: Decimal, currency: Currency) -> str:
    """ "1 234,50 €" with a no-break space before the symbol, so it never wraps alone."""
    return Money(amount, currency).format_fr().replace(" ", "\u00a0")


def french_number(value: Decimal) -> str:
    """``Decimal("2.50")`` → "2,5", ``Decimal("1500")`` → "1 500" (no trailing zeros)."""
    normalized = value.normalize()
    decimals = max(0, -int(normalized.as_tuple().exponent))
    text = f"{normalized:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def percent(rate: Decimal) -> str:
    return f"{french_number(rate)}\u00a0%"


def french_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def unit_label(code: str) -> str:
    return _UNIT_LABELS.get(code, code)


def stopped_at_sentence(doc: PrintableDocument) -> str:
    """The OHADA closing sentence with the total written out in words."""
    amount = doc.totals.gross
    words = amount_in_words(amount, doc.currency)
    return (
        f"{_STOPPED_AT[doc.kind]} à la somme de {words} "
        f"({money(amount, doc.currency)}) toutes taxes comprises."
    )


def party_identifiers(party: Party) -> list[str]:
    """The legal identity lines printed under a party's address."""
    lines: list[str] = []
    company = " ".join(
        part
        for part in (
            party.legal_form,
            f"au capital de {party.share_capital}" if party.share_capital else None,
        )
        if part
    )
    if company:
        lines.append(company)
    if party.registry:
        lines.append(party.registry)
    if party.siret:
        lines.append(f"SIRET : {party.siret}")
    elif party.siren:
        lines.append(f"SIREN : {party.siren}")
    if party.vat_number:
        lines.append(f"N° TVA : {party.vat_number}")
    if party.ninea:
        lines.append(f"NINEA : {party.ninea}")
    return lines
