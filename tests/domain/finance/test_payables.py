"""Supplier bills, credit notes, supplier payments, three-way match, aged payables."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from comptoir.bootstrap import Container
from domain.finance.errors import UnknownVatRate
from domain.finance.payables import bills, payments, reports
from domain.finance.payables.errors import (
    BillNotPayable,
    BillTransition,
    DuplicateSupplierNumber,
    MatchDifferences,
)
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.schemas import BillCreate, BillLineIn, CreditNoteIn
from domain.kit.errors import InvalidInput
from domain.stock.purchasing.schemas import ReceiptCreate, ReceiptLineIn
from tests.factories import make_tenant
from tests.finance_factories import clock_at
from tests.payables_factories import (
    TODAY,
    draft_bill,
    entry_lines,
    free_line,
    make_payer,
    pay_supplier,
    posted_bill,
    today_clock,
)
from tests.purchasing_factories import Buyer, line, make_goods, make_order, receive

D = Decimal


def _bill(container: Container, tenant_id: object, bill_id: object) -> SupplierBill:
    with container.db.unit_of_work(tenant_id) as session:  # type: ignore[arg-type]
        found = session.get(SupplierBill, (tenant_id, bill_id))
        assert found is not None
        return found


def _count(container: Container, tenant_id: object) -> int:
    with container.db.unit_of_work(tenant_id) as session:  # type: ignore[arg-type]
        return int(session.scalar(select(func.count()).select_from(SupplierBill)) or 0)


class TestBillDraftAndPosting:
    def test_draft_totals_per_rate_and_due_date_from_the_supplier_terms(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        bill = draft_bill(
            container,
            payer,
            free_line("100.00", "20", "3"),
            free_line("33.33", "5.5", description="Sucre"),
            free_line("80", "20", account="6226", description="Honoraires"),
        )
        assert bill.status == "draft" and bill.number is None
        assert (bill.net_total, bill.tax_total, bill.gross_total) == (
            D("413.33"),
            D("77.83"),  # 76.00 at 20 % + 1.83 at 5,5 %
            D("491.16"),
        )
        assert bill.due_date == date(2027, 1, 4)  # 20 Nov + 45 days

    def test_posting_writes_a_balanced_purchases_entry_pcg(self, container: Container) -> None:
        payer = make_payer(container)
        bill = posted_bill(
            container,
            payer,
            free_line("100.00", "20", "3"),
            free_line("50", "20", account="6226", description="Honoraires"),
        )
        assert bill.status == "posted" and bill.number == "FF-2026-00001"
        rows = entry_lines(container, payer.tenant_id, bill.id)
        assert {r[0][:2] for r in rows} == {"AC"}
        assert [(a, d, c) for _, a, d, c in rows] == [
            ("44566", D("70.0000"), D(0)),
            ("607", D("300.0000"), D(0)),
            ("6226", D("50.0000"), D(0)),
            ("401", D(0), D("420.0000")),
        ]

    def test_syscohada_splits_vat_on_goods_and_on_services_in_francs_cfa(
        self, container: Container
    ) -> None:
        payer = make_payer(container, country="SN")
        bill = posted_bill(
            container,
            payer,
            free_line("630000", "18"),
            free_line("100000", "18", account="6324", description="Expert-comptable"),
        )
        assert bill.gross_total == D("861400")
        accounts = {a: (d, c) for _, a, d, c in entry_lines(container, payer.tenant_id, bill.id)}
        assert accounts == {
            "601": (D(630000), D(0)),
            "6324": (D(100000), D(0)),
            "4452": (D(113400), D(0)),
            "4454": (D(18000), D(0)),
            "401": (D(0), D(861400)),
        }

    def test_a_posted_bill_cannot_be_posted_again_nor_cancelled(self, container: Container) -> None:
        payer = make_payer(container)
        bill = posted_bill(container, payer, free_line("10", "20"))
        with container.db.unit_of_work(payer.tenant_id) as session:
            with pytest.raises(BillTransition, match="seul un brouillon"):
                bills.cancel_bill(session, payer.principal, bill.id)

    def test_cents_on_francs_cfa_and_unknown_rates_are_refused_with_nothing_written(
        self, container: Container
    ) -> None:
        payer = make_payer(container, country="SN")
        with pytest.raises(UnknownVatRate, match="Taux de TVA inconnu : 20 %"):
            draft_bill(container, payer, free_line("1000", "18"), free_line("1000", "20"))
        with pytest.raises(InvalidInput, match="classe 6"):
            draft_bill(container, payer, free_line("1000", "18", account="411"))
        assert _count(container, payer.tenant_id) == 0


class TestDuplicates:
    def test_the_same_supplier_number_twice_is_refused_until_the_first_is_cancelled(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        first = draft_bill(container, payer, free_line("10", "20"), supplier_number="FA-17")
        with pytest.raises(DuplicateSupplierNumber, match="n° fa-17 de Grands Moulins"):
            draft_bill(container, payer, free_line("10", "20"), supplier_number="fa-17")
        with container.db.unit_of_work(payer.tenant_id) as session:
            bills.cancel_bill(session, payer.principal, first.id)
        again = draft_bill(container, payer, free_line("10", "20"), supplier_number="FA-17")
        assert again.status == "draft"


class TestThreeWayMatch:
    def _ordered(self, container: Container) -> tuple[Buyer, UUID, UUID]:
        from tests.purchasing_factories import make_buyer

        buyer = make_buyer(container, country="SN")
        flour = make_goods(container, buyer.account, purchase_price="12000")
        order = make_order(container, buyer, line(flour, "10", "12000"), status="sent")
        order_line = order_lines_of(container, buyer, order.id)[0]
        receive(
            container,
            buyer,
            order.id,
            ReceiptCreate(lines=[ReceiptLineIn(line_id=order_line, quantity=D(8))]),
        )
        return buyer, order.id, order_line

    def test_a_bill_from_the_order_bills_what_was_received_and_matches(
        self, container: Container
    ) -> None:
        buyer, order_id, _ = self._ordered(container)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            bill = bills.create_bill(
                session,
                buyer.principal,
                today_clock(),
                BillCreate(
                    supplier_id=buyer.supplier_id,
                    supplier_number="GM-1",
                    purchase_order_id=order_id,
                ),
            )
            assert bill.net_total == D(96000)
            match = bills.check_match(session, buyer.principal, bill.id)
            assert match.matches and match.lines[0].received == D(8)
            posted = bills.post_bill(session, buyer.principal, today_clock(), bill.id)
        assert posted.status == "posted"

    def test_more_than_received_or_another_price_is_shown_and_refused_until_accepted(
        self, container: Container
    ) -> None:
        buyer, order_id, order_line = self._ordered(container)
        wanted = BillLineIn(order_line_id=order_line, quantity=D(10), unit_price=D(12500))
        with container.db.unit_of_work(buyer.tenant_id) as session:
            bill = bills.create_bill(
                session,
                buyer.principal,
                today_clock(),
                BillCreate(
                    supplier_id=buyer.supplier_id,
                    supplier_number="GM-2",
                    purchase_order_id=order_id,
                    lines=[wanted],
                ),
            )
        with container.db.unit_of_work(buyer.tenant_id) as session:
            with pytest.raises(MatchDifferences) as refused:
                bills.post_bill(session, buyer.principal, today_clock(), bill.id)
        assert refused.value.details["differences"] == [
            f"« {_description(container, buyer, order_line)} » : facturé 10, reçu 8.",
            f"« {_description(container, buyer, order_line)} » : prix facturé 12500, "
            "prix commandé 12000.",
        ]
        assert _bill(container, buyer.tenant_id, bill.id).status == "draft"
        with container.db.unit_of_work(buyer.tenant_id) as session:
            posted = bills.post_bill(
                session, buyer.principal, today_clock(), bill.id, accept_differences=True
            )
        assert posted.status == "posted"


def order_lines_of(container: Container, buyer: Buyer, order_id: UUID) -> list[UUID]:
    from domain.stock.purchasing.models import PurchaseOrderLine

    with container.db.unit_of_work(buyer.tenant_id) as session:
        return list(
            session.scalars(
                select(PurchaseOrderLine.id).where(PurchaseOrderLine.order_id == order_id)
            )
        )


def _description(container: Container, buyer: Buyer, order_line: UUID) -> str:
    from domain.stock.purchasing.models import PurchaseOrderLine

    with container.db.unit_of_work(buyer.tenant_id) as session:
        found = session.get(PurchaseOrderLine, (buyer.tenant_id, order_line))
        assert found is not None
        return found.description


class TestPaymentsAndBalances:
    def test_partial_full_and_advance_with_the_ledger_agreeing(self, container: Container) -> None:
        payer = make_payer(container, country="SN")
        old = posted_bill(container, payer, free_line("100000", "18"), issue_date=date(2026, 8, 1))
        new = posted_bill(container, payer, free_line("50000", "18"))
        payment = pay_supplier(container, payer, "100000", bill_id=old.id, method="wave")
        assert _bill(container, payer.tenant_id, old.id).status == "partially_paid"
        assert {a for _, a, _, _ in entry_lines(container, payer.tenant_id, payment.id)} == {
            "401",
            "552",
        }
        pay_supplier(container, payer, "100000", supplier_id=payer.supplier_id, method="cash")
        # 18 000 finish the old bill, 59 000 pay the new one, 23 000 are an advance.
        assert _bill(container, payer.tenant_id, old.id).status == "paid"
        assert _bill(container, payer.tenant_id, new.id).status == "paid"
        with container.db.unit_of_work(payer.tenant_id) as session:
            balance = reports.supplier_balance(
                session, payer.principal, today_clock(), payer.supplier_id
            )
        assert (balance.open_bills, balance.advances) == (D(0), D(23000))
        assert balance.balance == balance.ledger_balance == D(-23000)
        later = posted_bill(container, payer, free_line("10000", "18"))
        with container.db.unit_of_work(payer.tenant_id) as session:
            used = payments.apply_advances(session, payer.principal, today_clock(), later.id)
        assert used == D(11800)
        assert _bill(container, payer.tenant_id, later.id).status == "paid"

    def test_a_paid_bill_refuses_another_payment(self, container: Container) -> None:
        payer = make_payer(container)
        bill = posted_bill(container, payer, free_line("10", "20"))
        pay_supplier(container, payer, "12", bill_id=bill.id)
        with pytest.raises(BillNotPayable, match="payée"):
            pay_supplier(container, payer, "1", bill_id=bill.id)

    def test_aged_payables_by_days_past_due(self, container: Container) -> None:
        payer = make_payer(container)
        posted_bill(container, payer, free_line("100", "20"), issue_date=date(2026, 8, 1))
        posted_bill(container, payer, free_line("10", "20"))
        with container.db.unit_of_work(payer.tenant_id) as session:
            aged = reports.aged_payables(session, payer.principal, today_clock())
        [row] = aged.suppliers
        # 1 Aug + 45 days = 15 Sep, 66 days late on 20 Nov; the other is not due yet.
        assert row.buckets["days_61_90"] == D("120.00")
        assert row.buckets["not_due"] == D("12.00")
        assert aged.total == D("132.00")


class TestCreditNotes:
    def test_a_credit_note_settles_the_bill_and_reverses_its_entry(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        bill = posted_bill(container, payer, free_line("100", "20"))
        with container.db.unit_of_work(payer.tenant_id) as session:
            note = bills.record_credit_note(
                session,
                payer.principal,
                today_clock(),
                bill.id,
                CreditNoteIn(supplier_number="AV-9", lines=[free_line("25", "20")]),
            )
        assert note.number == "AF-2026-00001" and note.gross_total == D("30.00")
        settled = _bill(container, payer.tenant_id, bill.id)
        assert settled.status == "partially_paid" and settled.amount_settled == D("30.00")
        sides = {a: (d, c) for _, a, d, c in entry_lines(container, payer.tenant_id, note.id)}
        assert sides == {
            "401": (D("30.0000"), D(0)),
            "607": (D(0), D("25.0000")),
            "44566": (D(0), D("5.0000")),
        }


class TestIsolation:
    def test_another_business_sees_no_bill(self, container: Container) -> None:
        payer = make_payer(container)
        draft_bill(container, payer, free_line("10", "20"))
        other = make_tenant(container)
        assert _count(container, other.tenant_id) == 0
        assert _count(container, payer.tenant_id) == 1


def test_clock_helper_is_the_bills_day() -> None:
    assert clock_at(TODAY).now().date() == TODAY


class TestPostedBillsAreImmutable:
    def test_the_database_refuses_to_change_a_posted_bill_or_its_lines(
        self, container: Container
    ) -> None:
        payer = make_payer(container)
        bill = posted_bill(container, payer, free_line("10", "20"))
        for statement in (
            "UPDATE supplier_bills SET gross_total = 1 WHERE id = :id",
            "DELETE FROM supplier_bills WHERE id = :id",
            "UPDATE supplier_bill_lines SET unit_price = 1 WHERE bill_id = :id",
        ):
            with pytest.raises(DBAPIError, match="cannot be changed"):
                with container.db.unit_of_work(payer.tenant_id) as session:
                    session.execute(text(statement), {"id": bill.id})


class TestConcurrentPayments:
    def test_two_payments_at_once_never_overpay_a_bill(self, container: Container) -> None:
        """The bill row is locked: the second payment sees what the first settled and keeps
        the rest as an advance, instead of both settling the same balance."""
        payer = make_payer(container)
        bill = posted_bill(container, payer, free_line("100", "20"))  # 120.00
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def pay() -> None:
            barrier.wait()
            try:
                pay_supplier(container, payer, "100", bill_id=bill.id)
                outcomes.append("paid")
            except InvalidInput:
                outcomes.append("refused")

        threads = [threading.Thread(target=pay) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes == ["paid", "paid"]
        settled = _bill(container, payer.tenant_id, bill.id)
        assert (settled.amount_settled, settled.status) == (D("120.00"), "paid")
        with container.db.unit_of_work(payer.tenant_id) as session:
            balance = reports.supplier_balance(
                session, payer.principal, today_clock(), payer.supplier_id
            )
        assert balance.advances == balance.ledger_balance * -1 == D("80.00")
