"""The VAT return worksheet (FR CA3, SN monthly) from sales and supplier bills, equal to
the ledger's VAT accounts, with the documents behind each figure; the FEC holds purchases
and supplier payments and passes its checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from comptoir.bootstrap import Container
from domain.finance import exporting, vat_return
from domain.finance.documents.fec import check_fec
from domain.finance.vat_return import VatReturn
from tests.finance_factories import Shop, make_shop, posted_invoice
from tests.payables_factories import (
    Payer,
    free_line,
    make_supplier,
    pay_supplier,
    posted_bill,
    today_clock,
)

NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
D = Decimal


def _books(container: Container, country: str) -> tuple[Shop, Payer]:
    shop = make_shop(container, country=country)
    supplier = make_supplier(container, shop.account, "Grands Moulins", payment_terms_days=30)
    return shop, Payer(account=shop.account, supplier_id=supplier)


def _return(container: Container, shop: Shop) -> VatReturn:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return vat_return.vat_return(session, shop.principal, today_clock(), **NOVEMBER)


class TestFrenchCa3:
    def test_boxes_from_sales_and_purchases_equal_the_ledger(self, container: Container) -> None:
        shop, payer = _books(container, "FR")
        sale = posted_invoice(container, shop, clock=today_clock())  # 37,50 + 7,50
        bill = posted_bill(
            container,
            payer,
            free_line("100", "20"),
            free_line("50", "5.5", description="Sucre"),
            free_line("1000", "20", account="2183", description="Ordinateur"),
        )
        result = _return(container, shop)
        boxes = {b.code: b for b in result.boxes}
        assert (boxes["A1"].base, boxes["08"].base, boxes["08"].tax) == (
            D("37.50"),
            D("37.50"),
            D("7.50"),
        )
        assert boxes["16"].tax == D("7.50")
        assert boxes["19"].tax == D("200.00")  # the computer
        assert boxes["20"].tax == D("22.75")  # 20,00 + 2,75
        assert boxes["23"].tax == D("222.75")
        assert (boxes["28"].tax, boxes["25"].tax) == (D(0), D("215.25"))
        assert result.collected == result.ledger_collected == D("7.50")
        assert result.deductible == result.ledger_deductible == D("222.75")
        assert result.differences == []
        [behind] = boxes["08"].sources
        assert behind.document == sale.number and behind.entry and behind.entry.startswith("VT-")
        assert {s.document for s in boxes["23"].sources} == {bill.number}

    def test_the_fec_holds_purchases_and_supplier_payments_and_passes_its_checks(
        self, container: Container
    ) -> None:
        shop, payer = _books(container, "FR")
        bill = posted_bill(container, payer, free_line("100", "20"))
        pay_supplier(container, payer, "120", bill_id=bill.id, method="cheque")
        with container.db.unit_of_work(shop.tenant_id) as session:
            content, _ = exporting.fec_export(session, shop.principal, today_clock(), year=2026)
        assert check_fec(content) == []
        records = [line.split("\t") for line in content.decode("iso-8859-15").splitlines()[1:]]
        journals = {r[0] for r in records}
        assert {"AC", "BQ"} <= journals
        supplier_lines = [r for r in records if r[4] == "401"]
        assert len(supplier_lines) == 2 and all(r[6].startswith("F") for r in supplier_lines)


class TestSenegalMonthlyReturn:
    def test_collected_at_18_minus_deductible_on_goods_and_services(
        self, container: Container
    ) -> None:
        shop, payer = _books(container, "SN")
        posted_invoice(container, shop, clock=today_clock())  # 3 × 15 000 at 18 %
        posted_bill(container, payer, free_line("20000", "18"))
        posted_bill(container, payer, free_line("5000", "18", account="6324"))
        result = _return(container, shop)
        boxes = {b.code: b for b in result.boxes}
        assert (boxes["CA-18"].base, boxes["CA-18"].tax) == (D(45000), D(8100))
        assert boxes["DED-BS"].tax == D(4500)
        assert boxes["TVA-DUE"].tax == D(3600)
        assert result.collected == result.ledger_collected
        assert result.deductible == result.ledger_deductible == D(4500)
