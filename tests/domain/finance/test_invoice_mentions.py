"""The 2026 French invoice mentions: the customer's SIREN, the delivery address when it
differs, the category of the operation (set, or derived from the lines), and the option for
VAT on debits — on the printed invoice and in its Factur-X (EN 16931 XSD and Schematron
still passing); Senegalese invoices unchanged."""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal
from uuid import UUID

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from comptoir.bootstrap import Container
from domain.finance import invoices, printing
from domain.finance.documents.facturx import NSMAP, cii_xml
from domain.finance.documents.model import Address, PrintableDocument
from domain.finance.documents.pdf import render_pdf
from domain.finance.printing import DEBITS_MENTION
from domain.finance.schemas import DeliveryAddressIn, InvoiceCreate, LineIn
from domain.finance.setup import choose_vat_on_debits
from tests.domain.finance.documents import factories
from tests.domain.finance.documents.schematron import CEN, FACTURX, fatal_findings
from tests.finance_factories import Shop, make_customer, make_shop

WAREHOUSE = DeliveryAddressIn(line1="ZI des Tilleuls, quai 4", postcode="93100", city="Montreuil")


def _xpath(xml: bytes, path: str) -> list[str]:
    return [str(v.text) for v in etree.fromstring(xml).xpath(path, namespaces=NSMAP)]


def _text(doc: PrintableDocument) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages)


def _document(
    container: Container,
    shop: Shop,
    *,
    product: UUID,
    customer: UUID | None = None,
    **extra: object,
) -> PrintableDocument:
    with container.db.unit_of_work(shop.tenant_id) as session:
        invoice = invoices.create_invoice(
            session,
            shop.principal,
            container.clock,
            InvoiceCreate(
                partner_id=customer or shop.customer_id,
                lines=[LineIn(product_id=product, quantity=Decimal(2))],
                **extra,  # type: ignore[arg-type]
            ),
        )
        return printing.invoice_document(session, shop.principal, container.clock, invoice.id)


def _on_debits(container: Container, shop: Shop) -> None:
    with container.db.unit_of_work(shop.tenant_id) as session:
        choose_vat_on_debits(session, shop.principal, chosen=True)


class TestFactorX:
    def test_delivery_address_and_vat_on_debits_pass_en16931(self) -> None:
        doc = dataclasses.replace(
            factories.fr_invoice(),
            delivery=Address(
                line1="ZI des Tilleuls", postcode="93100", city="Montreuil", country="FR"
            ),
            vat_on_debits=True,
        )
        xml = cii_xml(doc)
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
        for rules in (CEN, FACTURX):
            assert fatal_findings(xml, rules) == []
        ship_to = "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress"
        assert _xpath(xml, f"{ship_to}/ram:CityName") == ["Montreuil"]
        assert set(_xpath(xml, "//ram:ApplicableTradeTax/ram:DueDateTypeCode")) == {"5"}

    def test_without_them_nothing_is_added(self) -> None:
        xml = cii_xml(factories.fr_invoice())
        assert _xpath(xml, "//ram:ShipToTradeParty/ram:Name") == []
        assert _xpath(xml, "//ram:DueDateTypeCode") == []


class TestFrenchInvoices:
    def test_services_on_debits_delivered_elsewhere_to_a_customer_with_a_siren(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        _on_debits(container, shop)
        customer = make_customer(container, shop.account, "Hôtel Lumen", siren="552100554")
        doc = _document(
            container, shop, product=shop.service_id, customer=customer, delivery_address=WAREHOUSE
        )
        assert doc.buyer.siren == "552100554" and doc.business_process == "S1"
        assert doc.delivery is not None and doc.delivery.city == "Montreuil"
        assert doc.vat_on_debits and DEBITS_MENTION in doc.notes
        text = _text(doc)
        for said in (
            "SIREN : 552100554",
            "Adresse de livraison",
            "Montreuil",
            "d'après les débits",
        ):
            assert said in text
        assert "Catégorie de l'opération : prestation de services." in text

    def test_goods_never_carry_the_debits_option(self, container: Container) -> None:
        shop = make_shop(container)
        _on_debits(container, shop)
        doc = _document(container, shop, product=shop.goods_id)
        assert doc.business_process == "B1" and not doc.vat_on_debits
        assert DEBITS_MENTION not in doc.notes and doc.delivery is None

    def test_the_category_set_wins_over_the_lines(self, container: Container) -> None:
        shop = make_shop(container)
        doc = _document(container, shop, product=shop.goods_id, operation_category="mixed")
        assert doc.business_process == "M1"
        assert (
            "Catégorie de l'opération : livraison de biens et prestation de services." in doc.notes
        )

    def test_a_delivery_to_the_customers_own_address_is_not_repeated(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        customer = make_customer(
            container,
            shop.account,
            "Café Lumen",
            address={"line1": "ZI des Tilleuls, quai 4", "postcode": "93100", "city": "Montreuil"},
        )
        doc = _document(
            container, shop, product=shop.goods_id, customer=customer, delivery_address=WAREHOUSE
        )
        assert doc.delivery is None


class TestSenegaleseInvoices:
    @pytest.mark.parametrize("category", [None, "services"])
    def test_unchanged(self, container: Container, category: str | None) -> None:
        shop = make_shop(container, country="SN")
        _on_debits(container, shop)
        doc = _document(
            container,
            shop,
            product=shop.service_id,
            delivery_address=WAREHOUSE,
            operation_category=category,
        )
        assert doc.delivery is None and not doc.vat_on_debits and doc.business_process is None
        assert not any("Catégorie" in n or "débits" in n for n in doc.notes)
