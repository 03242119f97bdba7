"""Factur-X (profile EN 16931): the invoice as UN/CEFACT CII D16B XML, and the PDF/A-3
that carries it.

Choices that the EN 16931 rules leave open, made once here:

* A line discount (``Line.discount_percent``) is a *price* discount: gross price BT-148,
  discount per unit BT-147 and net price BT-146 = gross − discount, kept exact (no
  rounding, e.g. 22.705). The line net BT-131 = quantity × net price rounded to the
  currency is then exactly what ``Line.net_amount`` holds, with no line allowance (BG-27)
  to reconcile.
* Credit notes (381) carry positive amounts and name the invoice they reverse (BT-25).
* Amounts are written with the currency's minor unit: 2 decimals in EUR, none in XOF.
* French legal mentions go out as notes with the subject codes the French e-invoicing
  rules expect (PMD penalties, PMT the 40 € indemnity, AAB discount for early payment).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import facturx
from lxml import etree

from domain.finance.documents.model import (
    DocumentKind,
    Line,
    Party,
    PrintableDocument,
)
from domain.finance.documents.pdf import render_pdf
from domain.kit.errors import InvalidInput

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"

TYPE_CODES = {
    DocumentKind.INVOICE: "380",
    DocumentKind.DEPOSIT_INVOICE: "386",
    DocumentKind.CREDIT_NOTE: "381",
}

# Keywords of a French payment means text → UNTDID 4461 code.
_PAYMENT_MEANS_CODES = [
    ("prélèvement", "59"),
    ("virement", "30"),
    ("chèque", "20"),
    ("cheque", "20"),
    ("carte", "48"),
    ("espèces", "10"),
    ("especes", "10"),
]
# Keywords of a legal mention → UNTDID 4451 subject code (French CTC usage).
_MENTION_SUBJECTS = [("escompte", "AAB"), ("indemnité", "PMT"), ("pénalité", "PMD")]


def cii_xml(doc: PrintableDocument) -> bytes:
    """The invoice, deposit invoice or credit note as Factur-X EN 16931 CII XML (UTF-8).

    Raises ``ValueError`` for a quote (not an invoice) and ``InvalidInput`` when the
    snapshot lacks what EN 16931 requires (see ``_check_invoiceable``).
    """
    if doc.kind not in TYPE_CODES:
        raise ValueError(f"{doc.kind} documents have no Factur-X form; only invoices do")
    _check_invoiceable(doc)
    root = etree.Element(etree.QName(RSM, "CrossIndustryInvoice"), nsmap=NSMAP)
    context = _el(root, "rsm", "ExchangedDocumentContext")
    if doc.business_process:  # BT-23, before the guideline (XSD order)
        process = _el(context, "ram", "BusinessProcessSpecifiedDocumentContextParameter")
        _el(process, "ram", "ID", doc.business_process)
    guideline = _el(context, "ram", "GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram", "ID", EN16931_GUIDELINE)
    _exchanged_document(root, doc)
    transaction = _el(root, "rsm", "SupplyChainTradeTransaction")
    for line in sorted(doc.lines, key=lambda item: item.position):
        _line_item(transaction, line, doc)
    _agreement(transaction, doc)
    _delivery(transaction, doc)
    _settlement(transaction, doc)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def facturx_pdf(doc: PrintableDocument) -> bytes:
    """The printed invoice as a Factur-X PDF/A-3 with ``factur-x.xml`` attached."""
    xml = cii_xml(doc)
    pdf: bytes = facturx.generate_from_binary(
        render_pdf(doc),
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        check_schematron=False,  # the library would call a Saxon server over HTTP
        pdf_metadata=_pdf_metadata(doc),
        lang="fr-FR",
    )
    return pdf


def _check_invoiceable(doc: PrintableDocument) -> None:
    """What EN 16931 needs beyond the dataclass types, checked before writing anything."""
    if not doc.lines:
        raise InvalidInput("Une facture doit comporter au moins une ligne.")
    if doc.totals.due > 0 and not (doc.due_date or doc.payment_terms):
        raise InvalidInput(
            "Indiquez une date d'échéance ou des conditions de paiement (règle BR-CO-25)."
        )
    charges_vat = any(v.category not in ("O",) for v in doc.vat)
    if charges_vat and not (doc.seller.vat_number or doc.seller.ninea):
        raise InvalidInput("Le numéro de TVA (ou NINEA) du vendeur est obligatoire.")
    for breakdown in doc.vat:
        if breakdown.category == "E" and not breakdown.exemption_reason:
            raise InvalidInput("Le motif d'exonération de TVA est obligatoire (règle BR-E-10).")
    if doc.kind is DocumentKind.CREDIT_NOTE and not doc.preceding_invoice:
        raise InvalidInput("Un avoir doit indiquer la facture qu'il annule ou corrige.")


def _pdf_metadata(doc: PrintableDocument) -> dict[str, str]:
    title = {"380": "Facture", "386": "Facture d'acompte", "381": "Avoir"}[TYPE_CODES[doc.kind]]
    return {
        "author": doc.seller.name,
        "keywords": "Factur-X, facture électronique",
        "title": f"{doc.seller.name} : {title} {doc.number}",
        "subject": f"{title} {doc.number} du {doc.issue_date:%d/%m/%Y} émise par {doc.seller.name}",
    }


# --- XML helpers --------------------------------------------------------------------------


def _el(parent: Any, prefix: str, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, etree.QName(NSMAP[prefix], tag), attrs)
    if text is not None:
        element.text = text
    return element


def _date(parent: Any, tag: str, value: date, *, qualified: bool = False) -> None:
    holder = _el(parent, "ram", tag)
    _el(holder, "qdt" if qualified else "udt", "DateTimeString", f"{value:%Y%m%d}", format="102")


def _amount(value: Decimal, doc: PrintableDocument) -> str:
    return f"{value.quantize(doc.currency.quantum):f}"


def _decimal(value: Decimal) -> str:
    """Quantities, rates and prices: exact, without exponent or trailing zeros."""
    normalized = value.normalize()
    return f"{normalized:f}" if normalized != 0 else "0"


def _price(value: Decimal, doc: PrintableDocument) -> str:
    """A unit price keeps its extra decimals (22.705) but shows at least the currency's."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > doc.currency.minor_units:
        return _decimal(value)
    return _amount(value, doc)


def _net_price(line: Line) -> Decimal:
    return line.unit_price * (1 - line.discount_percent / 100)


# --- header -------------------------------------------------------------------------------


def _exchanged_document(root: Any, doc: PrintableDocument) -> None:
    document = _el(root, "rsm", "ExchangedDocument")
    _el(document, "ram", "ID", doc.number)
    _el(document, "ram", "TypeCode", TYPE_CODES[doc.kind])
    _date(document, "IssueDateTime", doc.issue_date)
    for text, subject in _notes(doc):
        note = _el(document, "ram", "IncludedNote")
        _el(note, "ram", "Content", text)
        if subject:
            _el(note, "ram", "SubjectCode", subject)


def _notes(doc: PrintableDocument) -> list[tuple[str, str | None]]:
    notes: list[tuple[str, str | None]] = [(note, None) for note in doc.notes]
    for mention in doc.legal_mentions:
        lowered = mention.lower()
        subject = next((code for word, code in _MENTION_SUBJECTS if word in lowered), None)
        notes.append((mention, subject))
    return notes


def _line_item(transaction: Any, line: Line, doc: PrintableDocument) -> None:
    item = _el(transaction, "ram", "IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram", "AssociatedDocumentLineDocument"), "ram", "LineID", str(line.position))
    product = _el(item, "ram", "SpecifiedTradeProduct")
    if line.sku:
        _el(product, "ram", "SellerAssignedID", line.sku)
    _el(product, "ram", "Name", line.description)
    agreement = _el(item, "ram", "SpecifiedLineTradeAgreement")
    net_price = _net_price(line)
    if line.discount_percent:
        gross = _el(agreement, "ram", "GrossPriceProductTradePrice")
        _el(gross, "ram", "ChargeAmount", _price(line.unit_price, doc))
        allowance = _el(gross, "ram", "AppliedTradeAllowanceCharge")
        _el(_el(allowance, "ram", "ChargeIndicator"), "udt", "Indicator", "false")
        _el(allowance, "ram", "ActualAmount", _price(line.unit_price - net_price, doc))
    net = _el(agreement, "ram", "NetPriceProductTradePrice")
    _el(net, "ram", "ChargeAmount", _price(net_price, doc))
    delivery = _el(item, "ram", "SpecifiedLineTradeDelivery")
    _el(delivery, "ram", "BilledQuantity", _decimal(line.quantity), unitCode=line.unit)
    settlement = _el(item, "ram", "SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram", "ApplicableTradeTax")
    _el(tax, "ram", "TypeCode", "VAT")
    _el(tax, "ram", "CategoryCode", line.vat_category)
    _el(tax, "ram", "RateApplicablePercent", _decimal(line.vat_rate))
    summation = _el(settlement, "ram", "SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram", "LineTotalAmount", _amount(line.net_amount, doc))


def _agreement(transaction: Any, doc: PrintableDocument) -> None:
    agreement = _el(transaction, "ram", "ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _el(agreement, "ram", "BuyerReference", doc.buyer_reference)
    _party(agreement, "SellerTradeParty", doc.seller, seller=True)
    _party(agreement, "BuyerTradeParty", doc.buyer, seller=False)


def _party(parent: Any, tag: str, party: Party, *, seller: bool) -> None:
    element = _el(parent, "ram", tag)
    _el(element, "ram", "Name", party.name)
    legal_info = ", ".join(
        part
        for part in (
            party.legal_form,
            f"capital {party.share_capital}" if party.share_capital else None,
            party.registry,
        )
        if part
    )
    if seller and legal_info:
        _el(element, "ram", "Description", legal_info)  # BT-33
    _legal_organization(element, party)
    if party.phone:
        contact = _el(element, "ram", "DefinedTradeContact")
        phone = _el(contact, "ram", "TelephoneUniversalCommunication")
        _el(phone, "ram", "CompleteNumber", party.phone)
    _address(element, party)
    if party.email:
        uri = _el(element, "ram", "URIUniversalCommunication")
        _el(uri, "ram", "URIID", party.email, schemeID="EM")
    if party.vat_number:
        registration = _el(element, "ram", "SpecifiedTaxRegistration")
        _el(registration, "ram", "ID", party.vat_number, schemeID="VA")
    if seller and party.ninea:  # BT-32: the seller's local tax registration
        registration = _el(element, "ram", "SpecifiedTaxRegistration")
        _el(registration, "ram", "ID", party.ninea, schemeID="FC")


def _legal_organization(element: Any, party: Party) -> None:
    """BT-30 / BT-47: SIREN under ISO 6523 scheme 0002, else the NINEA without scheme
    (Senegal has no ISO 6523 code). BR-CO-26 wants one of BT-29/30/31 for the seller."""
    siren = party.siren or (party.siret[:9] if party.siret else None)
    if siren:
        organization = _el(element, "ram", "SpecifiedLegalOrganization")
        _el(organization, "ram", "ID", siren, schemeID="0002")
    elif party.ninea:
        organization = _el(element, "ram", "SpecifiedLegalOrganization")
        _el(organization, "ram", "ID", party.ninea)


def _address(element: Any, party: Party) -> None:
    address = _el(element, "ram", "PostalTradeAddress")
    _el(address, "ram", "PostcodeCode", party.address.postcode)
    _el(address, "ram", "LineOne", party.address.line1)
    if party.address.line2:
        _el(address, "ram", "LineTwo", party.address.line2)
    _el(address, "ram", "CityName", party.address.city)
    _el(address, "ram", "CountryID", party.address.country)


def _delivery(transaction: Any, doc: PrintableDocument) -> None:
    """BG-13/BG-15: the place the goods go, when it is not the buyer's address."""
    delivery = _el(transaction, "ram", "ApplicableHeaderTradeDelivery")
    if doc.delivery is None:
        return
    ship_to = _el(delivery, "ram", "ShipToTradeParty")
    _el(ship_to, "ram", "Name", doc.buyer.name)
    address = _el(ship_to, "ram", "PostalTradeAddress")
    if doc.delivery.postcode:
        _el(address, "ram", "PostcodeCode", doc.delivery.postcode)
    _el(address, "ram", "LineOne", doc.delivery.line1)
    if doc.delivery.city:
        _el(address, "ram", "CityName", doc.delivery.city)
    _el(address, "ram", "CountryID", doc.delivery.country)


# BT-8, the VAT point date code: 5 = the invoice's date (VAT paid on debits).
ON_DEBITS = "5"


# --- settlement ---------------------------------------------------------------------------


def _settlement(transaction: Any, doc: PrintableDocument) -> None:
    settlement = _el(transaction, "ram", "ApplicableHeaderTradeSettlement")
    _el(settlement, "ram", "InvoiceCurrencyCode", doc.currency.value)
    _payment_means(settlement, doc)
    for breakdown in doc.vat:
        tax = _el(settlement, "ram", "ApplicableTradeTax")
        _el(tax, "ram", "CalculatedAmount", _amount(breakdown.tax, doc))
        _el(tax, "ram", "TypeCode", "VAT")
        if breakdown.exemption_reason:
            _el(tax, "ram", "ExemptionReason", breakdown.exemption_reason)
        _el(tax, "ram", "BasisAmount", _amount(breakdown.base, doc))
        _el(tax, "ram", "CategoryCode", breakdown.category)
        if doc.vat_on_debits:
            _el(tax, "ram", "DueDateTypeCode", ON_DEBITS)
        _el(tax, "ram", "RateApplicablePercent", _decimal(breakdown.rate))
    if doc.payment_terms or doc.due_date:
        terms = _el(settlement, "ram", "SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _el(terms, "ram", "Description", doc.payment_terms)
        if doc.due_date:
            _date(terms, "DueDateDateTime", doc.due_date)
    _monetary_summation(settlement, doc)
    if doc.preceding_invoice:
        reference = _el(settlement, "ram", "InvoiceReferencedDocument")
        _el(reference, "ram", "IssuerAssignedID", doc.preceding_invoice)
        if doc.preceding_invoice_date:
            _date(reference, "FormattedIssueDateTime", doc.preceding_invoice_date, qualified=True)


def _payment_means_code(doc: PrintableDocument) -> str:
    text = (doc.payment_means or "").lower()
    code = next((c for word, c in _PAYMENT_MEANS_CODES if word in text), None)
    if doc.iban and code in (None, "30"):
        return "58" if doc.currency.value == "EUR" else "30"  # SEPA only in euros
    if code == "30":  # BR-61: a credit transfer must name the account; none is known
        return "42"
    return code or "ZZZ"  # mobile money (Wave, Orange Money…) has no UNTDID code


def _payment_means(settlement: Any, doc: PrintableDocument) -> None:
    if not (doc.payment_means or doc.iban):
        return
    means = _el(settlement, "ram", "SpecifiedTradeSettlementPaymentMeans")
    _el(means, "ram", "TypeCode", _payment_means_code(doc))
    if doc.payment_means:
        _el(means, "ram", "Information", doc.payment_means)
    if doc.iban:
        account = _el(means, "ram", "PayeePartyCreditorFinancialAccount")
        _el(account, "ram", "IBANID", doc.iban.replace(" ", ""))


def _monetary_summation(settlement: Any, doc: PrintableDocument) -> None:
    totals = doc.totals
    summation = _el(settlement, "ram", "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram", "LineTotalAmount", _amount(totals.net, doc))
    _el(summation, "ram", "TaxBasisTotalAmount", _amount(totals.net, doc))
    _el(summation, "ram", "TaxTotalAmount", _amount(totals.tax, doc), currencyID=doc.currency.value)
    _el(summation, "ram", "GrandTotalAmount", _amount(totals.gross, doc))
    if totals.paid:
        _el(summation, "ram", "TotalPrepaidAmount", _amount(totals.paid, doc))
    _el(summation, "ram", "DuePayableAmount", _amount(totals.due, doc))
