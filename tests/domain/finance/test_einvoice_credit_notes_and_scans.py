"""Received credit notes (UBL CreditNote, Factur-X type 381) recorded against the bill they
correct, on that bill's supplier; a PDF without structured invoice (a scan) kept as a
document on an empty draft that the user completes — nothing read, nothing guessed."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.documents.models import DocumentBlob
from domain.finance import invoices, printing
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.payables import bills
from domain.finance.payables.einvoice import EInvoiceRefused
from domain.finance.payables.errors import BillIncomplete
from domain.finance.payables.importing import SCAN_WARNING, ImportedBill, import_einvoice
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.schemas import BillCreate
from domain.finance.schemas import CreditNoteCreate
from tests.finance_factories import Shop, make_shop, posted_invoice
from tests.payables_factories import free_line, make_supplier, today_clock

FILES = Path(__file__).parents[2] / "fixtures" / "einvoices"
UBL = (FILES / "ubl-invoice-minoterie.xml").read_bytes()
UBL_CREDIT = (FILES / "ubl-creditnote-minoterie.xml").read_bytes()
D = Decimal


def _import(container: Container, shop: Shop, data: bytes, name: str = "f.xml") -> ImportedBill:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return import_einvoice(session, shop.principal, today_clock(), data, filename=name)


def _post(container: Container, shop: Shop, bill_id: object) -> SupplierBill:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return bills.post_bill(session, shop.principal, today_clock(), bill_id)  # type: ignore[arg-type]


def _bill(container: Container, shop: Shop, bill_id: object) -> SupplierBill:
    with container.db.unit_of_work(shop.tenant_id) as session:
        bill = session.get(SupplierBill, (shop.tenant_id, bill_id))
        assert bill is not None
        return bill


def _count(container: Container, shop: Shop) -> int:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(SupplierBill)) or 0)


def scanned_pdf() -> bytes:
    """A plain PDF, as a scanner or a phone makes one: text drawn, no invoice inside."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "FACTURE n° 7781 - Quincaillerie du Port - 240,00 EUR TTC")
    page.save()
    return out.getvalue()


class TestReceivedCreditNotes:
    def test_a_ubl_credit_note_is_recorded_against_the_bill_it_names(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        bill = _import(container, shop, UBL).bill
        _post(container, shop, bill.id)
        done = _import(container, shop, UBL_CREDIT, "avoir.xml")
        note = done.bill
        assert (note.kind, note.status, note.source) == ("credit_note", "paid", "einvoice")
        assert (note.supplier_number, note.credited_bill_id) == ("MB-AV-2026-0031", bill.id)
        assert note.supplier_id == bill.supplier_id
        assert (note.net_total, note.tax_total, note.gross_total) == (
            D("41.90"),
            D("2.30"),
            D("44.20"),
        )
        assert _bill(container, shop, bill.id).amount_settled == D("44.20")
        with container.db.unit_of_work(shop.tenant_id) as session:
            blob = session.get(DocumentBlob, (shop.tenant_id, note.document_id))
            assert blob is not None and blob.data == UBL_CREDIT

    def test_comptoirs_own_factur_x_credit_note_credits_the_imported_bill(
        self, container: Container
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        invoice = posted_invoice(container, seller, clock=today_clock())
        with container.db.unit_of_work(seller.tenant_id) as session:
            pdf = facturx_pdf(
                printing.invoice_document(session, seller.principal, today_clock(), invoice.id)
            )
        bill = _import(container, buyer, pdf, "facture.pdf").bill
        _post(container, buyer, bill.id)
        with container.db.unit_of_work(seller.tenant_id) as session:
            note = invoices.create_credit_note(
                session,
                seller.principal,
                today_clock(),
                invoice.id,
                CreditNoteCreate(reason="Marchandise retournée"),
            )
            credit_pdf = facturx_pdf(
                printing.invoice_document(session, seller.principal, today_clock(), note.id)
            )
        done = _import(container, buyer, credit_pdf, "avoir.pdf")
        assert done.invoice is not None and done.invoice.type_code == "381"
        assert (done.bill.kind, done.bill.credited_bill_id) == ("credit_note", bill.id)
        assert done.bill.gross_total == invoice.gross_total
        assert _bill(container, buyer, bill.id).status == "paid"

    @pytest.mark.parametrize(
        ("before", "reason"),
        [
            ("nothing", "vient d'un fournisseur inconnu"),
            ("draft", "qui n'est pas comptabilisée"),
        ],
    )
    def test_refused_with_nothing_written_when_its_bill_is_not_posted(
        self, container: Container, before: str, reason: str
    ) -> None:
        shop = make_shop(container)
        if before == "draft":
            _import(container, shop, UBL)
        count = _count(container, shop)
        with pytest.raises(EInvoiceRefused, match=reason):
            _import(container, shop, UBL_CREDIT, "avoir.xml")
        assert _count(container, shop) == count

    def test_a_credit_note_naming_no_invoice_is_refused(self, container: Container) -> None:
        shop = make_shop(container)
        _post(container, shop, _import(container, shop, UBL).bill.id)
        anonymous = UBL_CREDIT.replace(b"<cbc:ID>MB-2026-0412</cbc:ID>", b"<cbc:ID></cbc:ID>")
        with pytest.raises(EInvoiceRefused):
            _import(container, shop, anonymous, "avoir.xml")


class TestScannedBills:
    def test_a_pdf_without_invoice_becomes_an_empty_draft_with_its_file(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        pdf = scanned_pdf()
        done = _import(container, shop, pdf, "scan.pdf")
        bill = done.bill
        assert (bill.status, bill.source, bill.supplier_id, bill.supplier_number) == (
            "draft",
            "scan",
            None,
            None,
        )
        assert bill.gross_total == 0 and done.warnings == [SCAN_WARNING]
        assert done.supplier is None and done.invoice is None
        with container.db.unit_of_work(shop.tenant_id) as session:
            blob = session.get(DocumentBlob, (shop.tenant_id, bill.document_id))
            assert blob is not None and blob.data == pdf

    def test_it_is_posted_only_once_completed(self, container: Container) -> None:
        shop = make_shop(container)
        bill = _import(container, shop, scanned_pdf(), "scan.pdf").bill
        with pytest.raises(BillIncomplete, match="incomplète"):
            _post(container, shop, bill.id)
        supplier = make_supplier(container, shop.account, "Quincaillerie du Port")
        with container.db.unit_of_work(shop.tenant_id) as session:
            bills.complete_bill(
                session,
                shop.principal,
                today_clock(),
                bill.id,
                BillCreate(
                    supplier_id=supplier,
                    supplier_number="7781",
                    lines=[free_line("200.00", "20")],
                ),
            )
        posted = _post(container, shop, bill.id)
        assert (posted.status, posted.supplier_number, posted.gross_total) == (
            "posted",
            "7781",
            D("240.00"),
        )
        assert posted.document_id == bill.document_id
