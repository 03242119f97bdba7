"""Received e-invoices (Factur-X PDF, CII, UBL) taken in as draft supplier bills: totals
equal to the file's, supplier found or created, original kept, warnings; malformed,
tampered, duplicate and foreign-currency files refused with nothing written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from comptoir.einvoice_cli import import_file
from domain.documents.models import Document, DocumentBlob
from domain.finance import printing
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.payables.einvoice import EInvoiceRefused
from domain.finance.payables.errors import DuplicateSupplierNumber
from domain.finance.payables.importing import ImportedBill, import_einvoice
from domain.finance.payables.models import SupplierBill, SupplierBillLine
from domain.sales.models import Partner
from tests.finance_factories import Shop, make_shop, posted_invoice
from tests.payables_factories import today_clock

FILES = Path(__file__).parents[2] / "fixtures" / "einvoices"
UBL = (FILES / "ubl-invoice-minoterie.xml").read_bytes()
CII = (FILES / "cii-basicwl-imprimerie.xml").read_bytes()
D = Decimal


def _import(container: Container, shop: Shop, data: bytes, name: str = "f.xml") -> ImportedBill:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return import_einvoice(session, shop.principal, today_clock(), data, filename=name)


def _counts(container: Container, shop: Shop) -> tuple[int, int, int]:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (SupplierBill, Document, Partner)
        )


class TestImport:
    def test_ubl_becomes_a_draft_with_the_files_totals_and_its_original(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        done = _import(container, shop, UBL, "mb.xml")
        bill = done.bill
        assert (bill.status, bill.source, bill.supplier_number) == (
            "draft",
            "einvoice",
            "MB-2026-0412",
        )
        assert (bill.net_total, bill.tax_total, bill.gross_total) == (
            D("551.40"),
            D("73.83"),
            D("625.23"),
        )
        assert str(bill.due_date) == "2026-12-10"
        assert done.supplier.siren == "443061841" and done.supplier.is_supplier
        assert any("créé d'après la facture" in w for w in done.warnings)
        with container.db.unit_of_work(shop.tenant_id) as session:
            lines = session.scalars(select(SupplierBillLine).order_by(SupplierBillLine.position))
            assert [(x.quantity, x.unit_price) for x in lines] == [
                (D("2.0000"), D("150.0000")),
                (D("300.0000"), D("0.8380")),
            ]
            blob = session.get(DocumentBlob, (shop.tenant_id, bill.document_id))
            assert blob is not None and blob.data == UBL

    def test_the_same_file_twice_is_refused_and_the_supplier_is_found_by_siren(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        _import(container, shop, UBL)
        before = _counts(container, shop)
        with pytest.raises(DuplicateSupplierNumber, match="MB-2026-0412 de Minoterie de Beauce"):
            _import(container, shop, UBL)
        assert _counts(container, shop) == before

    def test_a_file_for_another_buyer_is_a_draft_with_a_warning(self, container: Container) -> None:
        shop = make_shop(container)
        done = _import(container, shop, CII)
        assert done.bill.status == "draft" and done.bill.gross_total == D("228.00")
        assert any("adressée à Boulangerie Voisine (552100554)" in w for w in done.warnings)
        assert done.invoice.profile == "basicwl"

    def test_comptoirs_own_factur_x_imports_back_with_equal_totals(
        self, container: Container
    ) -> None:
        seller = make_shop(container)
        invoice = posted_invoice(container, seller, clock=today_clock())
        with container.db.unit_of_work(seller.tenant_id) as session:
            pdf = facturx_pdf(
                printing.invoice_document(session, seller.principal, today_clock(), invoice.id)
            )
        buyer = make_shop(container)
        done = _import(container, buyer, pdf, "facture.pdf")
        assert done.invoice.syntax == "Factur-X"
        assert (done.bill.net_total, done.bill.tax_total, done.bill.gross_total) == (
            invoice.net_total,
            invoice.tax_total,
            invoice.gross_total,
        )

    def test_the_cli_core_prints_the_created_bill(self, container: Container) -> None:
        shop = make_shop(container)
        printed = import_file(container, shop.account.slug, FILES / "ubl-invoice-minoterie.xml")
        assert {k: printed[k] for k in ("number", "currency", "total", "status")} == {
            "number": "MB-2026-0412",
            "currency": "EUR",
            "total": "625.23",
            "status": "draft",
        }


class TestRefusals:
    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (
                UBL.replace(b">625.23</cbc:TaxInclusiveAmount", b">652.23</cbc:TaxInclusiveAmount"),
                "totaux ne concordent pas",
            ),
            (
                UBL.replace(b">60.00</cbc:TaxAmount", b">66.00</cbc:TaxAmount"),
                "totaux ne concordent pas",
            ),
            (
                UBL.replace(b'currencyID="EUR"', b'currencyID="USD"').replace(b">EUR<", b">USD<"),
                "elle est en USD",
            ),
            (UBL.replace(b"<cbc:IssueDate>", b"<cbc:Issued>"), "XML mal formé"),
            (UBL.replace(b"<cbc:ID>MB-2026-0412</cbc:ID>", b""), "schéma XSD UBL"),
            (b"%PDF-1.7\nnot really a pdf", "PDF est illisible"),
            (b"bonjour", "ni un PDF Factur-X"),
        ],
        ids=["gross", "vat", "currency", "malformed", "schema", "pdf", "text"],
    )
    def test_refused_in_french_with_nothing_written(
        self, container: Container, data: bytes, reason: str
    ) -> None:
        shop = make_shop(container)
        before = _counts(container, shop)
        with pytest.raises(EInvoiceRefused, match=reason):
            _import(container, shop, data)
        assert _counts(container, shop) == before


class TestCommand:
    def test_a_refused_file_prints_french_and_exits_non_zero(
        self, container: Container, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        from typer.testing import CliRunner

        import comptoir.bootstrap
        from comptoir.cli import app

        shop = make_shop(container)
        bad = tmp_path / "faux.xml"
        bad.write_bytes(UBL.replace(b">625.23<", b">652.23<"))
        monkeypatch.setattr(comptoir.bootstrap, "build_container", lambda: container)
        monkeypatch.setattr(container, "close", lambda: None)  # the session's container
        args = ["import", "einvoice", "--tenant", shop.account.slug, str(bad)]
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 2
        assert "Facture électronique refusée : les totaux ne concordent pas" in refused.output
        good = FILES / "ubl-invoice-minoterie.xml"
        done = CliRunner().invoke(app, [*args[:-1], str(good), "--json"])
        assert done.exit_code == 0, done.output
        assert '"total": "625.23"' in done.output and '"status": "draft"' in done.output
        assert _counts(container, shop)[0] == 1
