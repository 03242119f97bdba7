"""Purchasing tools: a supplier bill recorded from a total incl. tax, a supplier paid by
mobile money, what is owed to suppliers — real PostgreSQL, real ledger."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from comptoir.bootstrap import Container
from domain.documents.models import Document, DocumentBlob
from domain.finance.payables.models import SupplierBill
from domain.kit.errors import PermissionDenied
from domain.kit.money import Currency
from domain.kit.principal import Role
from tests.domain.finance.test_einvoice_import import FILES
from tests.payables_factories import TODAY, Payer, draft_bill, free_line, make_payer, today_clock
from tests.tools.kit import call
from tools.base import AskBack
from tools.purchasing import (
    import_einvoice,
    pay_supplier,
    payables,
    post_supplier_bill,
    record_supplier_bill,
)
from tools.purchasing.bills import ImportedEInvoice, RecordedBill, net_from_gross


class TestRecordSupplierBill:
    def test_a_total_incl_tax_in_francs_cfa_becomes_a_posted_bill(
        self, container: Container
    ) -> None:
        payer = make_payer(container, country="SN")
        result = call(
            container,
            record_supplier_bill,
            payer.principal,
            today_clock(),
            {"supplier": "grands moulins", "supplier_number": "FA-118", "amount": "630000"},
        )
        assert isinstance(result, RecordedBill)
        assert (result.total_excl_tax, result.tax, result.total) == (
            Decimal(533898),
            Decimal(96102),
            Decimal(630000),
        )
        assert result.number == "FF-2026-00001"
        assert "échéance le 04/01/2027" in result.render()  # 45 days' terms

    def test_without_the_suppliers_number_it_asks_for_it(self, container: Container) -> None:
        payer = make_payer(container)
        with pytest.raises(AskBack, match="Quel est le numéro de la facture de Grands Moulins"):
            call(
                container,
                record_supplier_bill,
                payer.principal,
                today_clock(),
                {"supplier": "Grands Moulins", "amount": "120"},
            )

    def test_a_sales_member_may_not_record_one(self, container: Container) -> None:
        payer = make_payer(container)
        with pytest.raises(PermissionDenied):
            call(
                container,
                record_supplier_bill,
                payer.account.principal(Role.SALES),
                today_clock(),
                {"supplier": "Grands Moulins", "supplier_number": "1", "amount": "120"},
            )

    def test_the_amount_excl_tax_is_the_one_whose_total_is_the_one_said(self) -> None:
        assert net_from_gross(Decimal("1234.56"), Decimal(20), "S", Currency.EUR) == Decimal(
            "1028.80"
        )
        assert net_from_gross(Decimal(630000), Decimal(18), "S", Currency.XOF) == Decimal(533898)
        # 83,32 € HT gives 99,98 € and 83,33 € gives 100,00 €: no amount gives 99,99 €.
        with pytest.raises(AskBack, match="quel est le montant hors taxe"):
            net_from_gross(Decimal("99.99"), Decimal(20), "S", Currency.EUR)


def _bill(container: Container, payer: Payer, number: str, amount: str) -> None:
    call(
        container,
        record_supplier_bill,
        payer.principal,
        today_clock(),
        {"supplier": "Grands Moulins", "supplier_number": number, "amount": amount},
    )


class TestPaySupplierAndPayables:
    def test_pay_the_balance_of_a_named_bill_by_wave_then_read_what_is_owed(
        self, container: Container
    ) -> None:
        payer = make_payer(container, country="SN")
        _bill(container, payer, "FA-1", "118000")
        _bill(container, payer, "FA-2", "59000")
        paid = call(
            container,
            pay_supplier,
            payer.principal,
            today_clock(),
            {"bill": "fa-1", "amount": "balance", "method": "wave"},
        )
        assert paid.render().startswith("Paiement PF-2026-00001 de 118\u202f000 FCFA par Wave")
        assert "facture FA-1 soldée" in paid.render()
        owed = call(container, payables, payer.principal, today_clock(), {})
        assert owed.render().startswith("Vous devez 59\u202f000 FCFA à vos fournisseurs")
        one = call(
            container, payables, payer.principal, today_clock(), {"supplier": "Grands Moulins"}
        )
        assert "prochaine échéance le 04/01/2027" in one.render()

    def test_half_of_a_bill_leaves_the_other_half_owed(self, container: Container) -> None:
        payer = make_payer(container, country="SN")
        _bill(container, payer, "FA-5", "118001")
        paid = call(
            container,
            pay_supplier,
            payer.principal,
            today_clock(),
            {"bill": "FA-5", "amount": "half", "method": "cheque"},
        )
        assert paid.amount == 59001  # to the franc, the half rounded up
        assert "reste à payer 59 000 FCFA" in paid.render()

    def test_an_amount_over_what_is_owed_is_an_advance(self, container: Container) -> None:
        payer = make_payer(container, country="SN")
        _bill(container, payer, "FA-9", "11800")
        paid = call(
            container,
            pay_supplier,
            payer.principal,
            today_clock(),
            {"supplier": "Grands Moulins", "amount": "16800", "method": "orange_money"},
        )
        assert "5\u202f000 FCFA restent en avance au fournisseur" in paid.render()
        assert TODAY.year == 2026


class TestPostSupplierBill:
    def test_an_imported_draft_is_posted_by_its_suppliers_number(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        draft_bill(container, payer, free_line("100", "20"), supplier_number="IMP-77")
        posted = call(
            container,
            post_supplier_bill,
            payer.principal,
            today_clock(),
            {"bill": "imp-77", "supplier": "Grands Moulins"},
        )
        assert posted.render().startswith("Facture fournisseur FF-2026-00001 enregistrée")
        with pytest.raises(AskBack, match="en brouillon n° IMP-77"):
            call(container, post_supplier_bill, payer.principal, today_clock(), {"bill": "IMP-77"})


class TestImportEInvoice:
    def test_the_file_just_sent_becomes_a_draft_pointing_at_that_document(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        data = (FILES / "ubl-invoice-minoterie.xml").read_bytes()
        with container.db.unit_of_work(payer.tenant_id) as session:
            sent = Document(
                tenant_id=payer.tenant_id,
                title="minoterie",
                filename="minoterie.xml",
                kind="text",
                size_bytes=len(data),
                sha256="0" * 64,
                access_roles=[],
                meta={},
            )
            session.add(sent)
            session.flush()
            session.add(DocumentBlob(tenant_id=payer.tenant_id, id=sent.id, data=data))
        done = call(container, import_einvoice, payer.principal, today_clock(), {})
        assert isinstance(done, ImportedEInvoice)
        assert done.render().startswith(
            "Brouillon créé pour la facture MB-2026-0412 de Minoterie de Beauce"
        )
        with container.db.unit_of_work(payer.tenant_id) as session:
            bill = session.get(SupplierBill, (payer.tenant_id, UUID(done.bill_id)))
            assert bill is not None and bill.document_id == sent.id
