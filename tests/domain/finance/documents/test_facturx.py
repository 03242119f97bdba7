from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree

from domain.finance.documents.facturx import NSMAP, cii_xml, facturx_pdf
from domain.finance.documents.model import PrintableDocument
from domain.kit.errors import InvalidInput
from tests.domain.finance.documents import factories, pdf_inspect
from tests.domain.finance.documents.schematron import CEN, FACTURX, fatal_findings, findings

INVOICES: dict[str, Callable[[], PrintableDocument]] = {
    "fr_invoice": factories.fr_invoice,
    "sn_invoice": factories.sn_invoice,
    "credit_note": factories.credit_note,
    "deposit_invoice": factories.deposit_invoice,
    "fr_long_invoice": factories.fr_long_invoice,
}
RULE_SETS = {"cen-en16931-1.3.16": CEN, "facturx-1.09-en16931": FACTURX}


def _xpath(xml: bytes, path: str) -> list[str]:
    found = etree.fromstring(xml).xpath(path, namespaces=NSMAP)
    return [str(v.text) if isinstance(v, etree._Element) else str(v) for v in found]


def _tamper(xml: bytes, path: str, value: str) -> bytes:
    root = etree.fromstring(xml)
    (node,) = root.xpath(path, namespaces=NSMAP)
    node.text = value
    tampered: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return tampered


class TestCiiXml:
    @pytest.mark.parametrize("name", INVOICES)
    def test_matches_the_factur_x_en16931_xsd(self, name: str) -> None:
        xml = cii_xml(INVOICES[name]())
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
        assert facturx.get_level(etree.fromstring(xml)) == "en16931"

    @pytest.mark.parametrize("rules", RULE_SETS)
    @pytest.mark.parametrize("name", INVOICES)
    def test_passes_the_official_en16931_schematron(self, name: str, rules: str) -> None:
        problems = fatal_findings(cii_xml(INVOICES[name]()), RULE_SETS[rules])
        assert problems == [], "\n".join(map(str, problems))

    @pytest.mark.parametrize("rules", RULE_SETS)
    def test_schematron_catches_a_tampered_total(self, rules: str) -> None:
        xml = cii_xml(factories.fr_invoice())
        path = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount"
        problems = fatal_findings(_tamper(xml, path, "1767.98"), RULE_SETS[rules])
        assert "BR-CO-15" in {p.rule for p in problems}

    def test_schematron_catches_a_vat_base_that_is_not_the_sum_of_lines(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        path = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[1]/ram:BasisAmount"
        rules = {p.rule for p in fatal_findings(_tamper(xml, path, "1171.00"), CEN)}
        assert "BR-S-08" in rules

    def test_schematron_catches_an_exemption_without_reason(self) -> None:
        root = etree.fromstring(cii_xml(factories.sn_invoice()))
        for reason in root.xpath("//ram:ExemptionReason", namespaces=NSMAP):
            reason.getparent().remove(reason)
        rules = {p.rule for p in fatal_findings(etree.tostring(root), CEN)}
        assert "BR-E-10" in rules

    def test_only_known_warning_is_the_empty_delivery_block(self) -> None:
        # ApplicableHeaderTradeDelivery is mandatory in CII but we know no delivery data.
        rules = {f.rule for f in findings(cii_xml(factories.fr_invoice()), FACTURX)}
        assert rules <= {"PEPPOL-EN16931-R008"}

    def test_header_and_totals_of_the_french_invoice(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        guideline = "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()"
        assert _xpath(xml, guideline) == ["urn:cen.eu:en16931:2017"]
        assert _xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["380"]
        assert _xpath(xml, "//ram:IssueDateTime/udt:DateTimeString/@format") == ["102"]
        assert _xpath(xml, "//ram:IssueDateTime/udt:DateTimeString/text()") == ["20260115"]
        summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        assert _xpath(xml, summation + "LineTotalAmount/text()") == ["1505.53"]
        assert _xpath(xml, summation + "TaxTotalAmount/text()") == ["262.44"]
        assert _xpath(xml, summation + "GrandTotalAmount/text()") == ["1767.97"]
        assert _xpath(xml, summation + "DuePayableAmount/text()") == ["1767.97"]
        siren = "//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
        assert _xpath(xml, siren + "/text()") == ["123456789"]
        assert _xpath(xml, siren + "/@schemeID") == ["0002"]
        assert _xpath(xml, "//ram:DueDateDateTime/udt:DateTimeString/text()") == ["20260214"]
        assert _xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == [
            "58"
        ]

    def test_vat_breakdown_per_rate(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
        assert _xpath(xml, tax + "RateApplicablePercent/text()") == ["20", "10", "5.5"]
        assert _xpath(xml, tax + "BasisAmount/text()") == ["1170.00", "222.00", "113.53"]
        assert _xpath(xml, tax + "CalculatedAmount/text()") == ["234.00", "22.20", "6.24"]

    def test_discounted_line_is_a_price_discount_that_adds_up(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        item = "//ram:IncludedSupplyChainTradeLineItem[4]"
        gross = Decimal(_xpath(xml, item + "//ram:GrossPriceProductTradePrice/ram:ChargeAmount")[0])
        discount = Decimal(
            _xpath(xml, item + "//ram:AppliedTradeAllowanceCharge/ram:ActualAmount")[0]
        )
        net_price = Decimal(
            _xpath(xml, item + "//ram:NetPriceProductTradePrice/ram:ChargeAmount")[0]
        )
        quantity = Decimal(_xpath(xml, item + "//ram:BilledQuantity")[0])
        line_total = Decimal(_xpath(xml, item + "//ram:LineTotalAmount")[0])
        assert (gross, discount, net_price) == (
            Decimal("23.90"),
            Decimal("1.195"),
            Decimal("22.705"),
        )
        assert gross - discount == net_price
        assert (quantity * net_price).quantize(Decimal("0.01"), "ROUND_HALF_UP") == line_total
        assert line_total == Decimal("113.53")

    def test_cfa_franc_amounts_have_no_decimals(self) -> None:
        xml = cii_xml(factories.sn_invoice())
        amounts = _xpath(xml, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/*/text()")
        assert amounts == ["382438", "382438", "41839", "424277", "100000", "324277"]
        assert _xpath(xml, "//ram:InvoiceCurrencyCode/text()") == ["XOF"]
        exempt = (
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[ram:CategoryCode='E']"
        )
        assert _xpath(xml, exempt + "/ram:ExemptionReason/text()") == [factories.SN_EXEMPTION]
        assert _xpath(xml, "//ram:SellerTradeParty//ram:ID[@schemeID='FC']/text()") == [
            "005678912 2V2"
        ]

    def test_credit_note_references_the_invoice(self) -> None:
        xml = cii_xml(factories.credit_note())
        assert _xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
        reference = "//ram:InvoiceReferencedDocument/"
        assert _xpath(xml, reference + "ram:IssuerAssignedID/text()") == ["F-2026-00042"]
        assert _xpath(xml, reference + "ram:FormattedIssueDateTime/qdt:DateTimeString/text()") == [
            "20260115"
        ]

    def test_deposit_invoice_type_code(self) -> None:
        xml = cii_xml(factories.deposit_invoice())
        assert _xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["386"]

    def test_french_mentions_become_coded_notes(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        assert _xpath(xml, "//ram:IncludedNote/ram:SubjectCode/text()") == ["PMD", "PMT", "AAB"]

    def test_a_quote_has_no_factur_x_form(self) -> None:
        with pytest.raises(ValueError, match="Factur-X"):
            cii_xml(factories.quote())

    def test_refuses_an_amount_due_without_due_date_or_terms(self) -> None:
        doc = dataclasses.replace(factories.fr_invoice(), due_date=None, payment_terms=None)
        with pytest.raises(InvalidInput, match="BR-CO-25"):
            cii_xml(doc)

    def test_refuses_a_credit_note_without_its_invoice(self) -> None:
        doc = dataclasses.replace(factories.credit_note(), preceding_invoice=None)
        with pytest.raises(InvalidInput, match="avoir"):
            cii_xml(doc)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return facturx_pdf(factories.fr_invoice())


class TestFacturxPdf:
    def test_embeds_the_same_xml(self, pdf: bytes) -> None:
        filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
        assert filename == "factur-x.xml"
        assert xml == cii_xml(factories.fr_invoice())

    def test_has_factur_x_xmp_metadata(self, pdf: bytes) -> None:
        xmp = pdf_inspect.catalog(pdf)["/Metadata"].get_object().get_data().decode()
        assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
        assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
        assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
        assert "<pdfaid:part>3</pdfaid:part>" in xmp

    def test_is_pdf_a_friendly(self, pdf: bytes) -> None:
        intent = pdf_inspect.catalog(pdf)["/OutputIntents"][0].get_object()
        assert intent["/S"] == "/GTS_PDFA1"
        profile = intent["/DestOutputProfile"].get_object().get_data()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
        assert pdf_inspect.fonts(pdf)
        assert pdf_inspect.unembedded_fonts(pdf) == []

    def test_a_credit_note_and_a_cfa_invoice_too(self) -> None:
        for doc in (factories.credit_note(), factories.sn_invoice()):
            _, xml = facturx.get_xml_from_pdf(facturx_pdf(doc), check_xsd=True)
            assert xml == cii_xml(doc)


def test_vendored_cen_rules_are_present() -> None:
    # A missing rules file would make every Schematron test fail confusingly.
    assert CEN.is_file() and Path(FACTURX).is_file()
