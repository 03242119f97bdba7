"""Payments: partial, split over invoices, overpayment as credit, mobile money, refusals."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from comptoir.bootstrap import Container
from domain.finance import invoices, payments
from domain.finance.errors import InvoiceNotPayable, WrongCurrency
from domain.finance.models import Invoice, Payment
from domain.finance.schemas import AllocationIn, LineIn
from domain.kit.errors import InvalidInput
from tests.finance_factories import Shop, clock_at, draft_invoice, make_shop, pay, posted_invoice


def _invoice(container: Container, shop: Shop, invoice_id: object) -> Invoice:
    with container.db.unit_of_work(shop.tenant_id) as session:
        found = session.get(Invoice, (shop.tenant_id, invoice_id))
        assert found is not None
        return found


def _payments(container: Container, shop: Shop) -> int:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(Payment)) or 0)


class TestRecordPayment:
    def test_partial_then_full_payment(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)  # 45.00
        first = pay(container, shop, "20", invoice_id=invoice.id)
        assert first.number.startswith("P-")
        assert _invoice(container, shop, invoice.id).status == "partially_paid"
        pay(container, shop, "25.00", invoice_id=invoice.id, method="card")
        paid = _invoice(container, shop, invoice.id)
        assert paid.status == "paid" and invoices.balance(paid) == 0

    def test_partner_payment_settles_oldest_first_and_keeps_the_rest_as_credit(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        old = posted_invoice(container, shop, clock=clock_at(date(2026, 1, 10)))
        new = posted_invoice(container, shop, clock=clock_at(date(2026, 2, 10)))
        payment = pay(container, shop, "100", partner_id=shop.customer_id, method="cheque")
        assert payment.amount_allocated == Decimal("90.00")
        assert _invoice(container, shop, old.id).status == "paid"
        assert _invoice(container, shop, new.id).status == "paid"
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert payments.customer_credit(session, shop.principal, shop.customer_id) == Decimal(
                "10.00"
            )
        # The credit settles the next invoice.
        third = posted_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            used = payments.apply_customer_credit(
                session, shop.principal, container.clock, third.id
            )
        assert used == Decimal("10.00")
        assert invoices.balance(_invoice(container, shop, third.id)) == Decimal("35.00")

    def test_explicit_allocation_over_two_invoices(self, container: Container) -> None:
        shop = make_shop(container)
        a = posted_invoice(container, shop)
        b = posted_invoice(container, shop)
        pay(
            container,
            shop,
            "60",
            partner_id=shop.customer_id,
            allocations=[
                AllocationIn(invoice_id=a.id, amount=Decimal("45")),
                AllocationIn(invoice_id=b.id, amount=Decimal("15")),
            ],
        )
        assert _invoice(container, shop, a.id).status == "paid"
        assert invoices.balance(_invoice(container, shop, b.id)) == Decimal("30.00")

    def test_mobile_money_in_xof_goes_to_the_mobile_money_journal(
        self, container: Container
    ) -> None:
        shop = make_shop(container, country="SN")
        invoice = posted_invoice(container, shop)  # 3 × 15 000 + 18 % = 53 100
        payment = pay(container, shop, "53100", invoice_id=invoice.id, method="wave")
        with container.db.unit_of_work(shop.tenant_id) as session:
            rows = session.execute(
                text(
                    "SELECT j.code, a.number, l.debit, l.credit FROM journal_lines l "
                    "JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id "
                    "JOIN journals j ON j.tenant_id = e.tenant_id AND j.id = e.journal_id "
                    "JOIN accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id "
                    "WHERE e.source_id = :id ORDER BY l.position"
                ),
                {"id": payment.id},
            ).all()
        assert [tuple(r) for r in rows] == [
            ("MM", "552", Decimal(53100), Decimal(0)),
            ("MM", "411", Decimal(0), Decimal(53100)),
        ]

    @pytest.mark.parametrize(
        ("amount", "currency", "error", "message"),
        [
            ("100.50", None, InvalidInput, "centimes"),
            ("1000", "EUR", WrongCurrency, "XOF"),
            ("-5", None, InvalidInput, "positif"),
        ],
    )
    def test_bad_amounts_are_refused(
        self, container: Container, amount: str, currency: str | None, error: type, message: str
    ) -> None:
        shop = make_shop(container, country="SN")
        invoice = posted_invoice(container, shop)
        with pytest.raises(error, match=message):
            pay(container, shop, amount, invoice_id=invoice.id, currency=currency)
        assert _payments(container, shop) == 0

    def test_paying_a_cancelled_or_draft_invoice_is_refused(self, container: Container) -> None:
        shop = make_shop(container)
        draft = draft_invoice(container, shop)
        with pytest.raises(InvoiceNotPayable, match="brouillon"):
            pay(container, shop, "10", invoice_id=draft.id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoices.cancel_draft(session, shop.principal, container.clock, draft.id)
        with pytest.raises(InvoiceNotPayable, match="annulée"):
            pay(container, shop, "10", invoice_id=draft.id)
        assert _payments(container, shop) == 0

    def test_future_payment_date_is_refused(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop, clock=clock_at(date(2026, 1, 10)))
        with pytest.raises(InvalidInput, match="futur"):
            pay(
                container,
                shop,
                "10",
                invoice_id=invoice.id,
                received_on=date(2026, 1, 11),
                clock=clock_at(date(2026, 1, 10)),
            )

    def test_concurrent_payments_never_overpay_an_invoice(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(8))
        )
        barrier = threading.Barrier(7)
        refused: list[Exception] = []

        def pay_twenty() -> None:
            barrier.wait()
            try:
                pay(container, shop, "20", invoice_id=invoice.id)
            except InvoiceNotPayable as exc:
                refused.append(exc)

        threads = [threading.Thread(target=pay_twenty) for _ in range(7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settled = _invoice(container, shop, invoice.id)
        # 7 × 20 for a 120.00 invoice: six settle it, the seventh finds it paid.
        assert settled.amount_settled == settled.gross_total == Decimal("120.00")
        assert settled.status == "paid"
        assert len(refused) == 1 and _payments(container, shop) == 6
