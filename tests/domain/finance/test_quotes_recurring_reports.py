"""Quotes (statuses, versions, conversion, deposits), recurring invoices, reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.events.models import DomainEvent
from domain.finance import invoices, quotes, recurring, reports
from domain.finance.errors import QuoteTransition
from domain.finance.models import Quote, RecurringInvoice
from domain.finance.schemas import InvoiceCreate, LineIn, QuoteCreate, RecurringCreate
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput
from domain.sales import service as sales
from domain.sales.schemas import ProductCreate
from tests.finance_factories import Shop, clock_at, make_customer, make_shop, pay, posted_invoice
from tests.stock_factories import make_stock_product, stocked


def _quote(container: Container, shop: Shop, clock: ManualClock, qty: str = "2") -> quotes.Quote:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return quotes.create_quote(
            session,
            shop.principal,
            clock,
            QuoteCreate(
                partner_id=shop.customer_id,
                lines=[LineIn(product_id=shop.service_id, quantity=Decimal(qty))],
            ),
        )


def _move(
    container: Container, shop: Shop, clock: ManualClock, quote_id: object, action: str
) -> quotes.Quote:
    step = {"send": quotes.send_quote, "accept": quotes.accept_quote, "refuse": quotes.refuse_quote}
    with container.db.unit_of_work(shop.tenant_id) as session:
        return step[action](session, shop.principal, clock, quote_id)  # type: ignore[arg-type]


class TestQuotes:
    def test_life_cycle_to_invoice(self, container: Container) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 6, 1))
        quote = _quote(container, shop, clock)
        assert quote.number == "D-2026-00001" and quote.status == "draft"
        assert quote.valid_until == date(2026, 7, 1)
        with pytest.raises(QuoteTransition, match="brouillon"):
            _move(container, shop, clock, quote.id, "accept")
        _move(container, shop, clock, quote.id, "send")
        _move(container, shop, clock, quote.id, "accept")
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoice = quotes.convert_to_invoice(session, shop.principal, clock, quote.id)
        assert invoice.status == "draft" and invoice.quote_id == quote.id
        assert invoice.gross_total == quote.gross_total == Decimal("30.00")
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(QuoteTransition, match="déjà été facturé"),
        ):
            quotes.convert_to_invoice(session, shop.principal, clock, quote.id)

    def test_invoicing_a_quote_not_yet_accepted_records_its_acceptance(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 6, 1))
        quote = _quote(container, shop, clock)
        with container.db.unit_of_work(shop.tenant_id) as session:
            with pytest.raises(QuoteTransition, match="Seul un devis accepté"):
                quotes.convert_to_invoice(session, shop.principal, clock, quote.id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoice = quotes.convert_to_invoice(
                session, shop.principal, clock, quote.id, accepting=True
            )
            status = session.execute(select(Quote.status).where(Quote.id == quote.id)).scalar()
            actions = (
                session.execute(
                    select(AuditEntry.action).where(AuditEntry.target_id == str(quote.id))
                )
                .scalars()
                .all()
            )
        assert invoice.quote_id == quote.id and status == "accepted"
        assert {"quote.send", "quote.accept"} <= set(actions)

    def test_an_expired_quote_is_not_invoiced_even_accepting(self, container: Container) -> None:
        shop = make_shop(container)
        quote = _quote(container, shop, clock_at(date(2026, 6, 1)))
        _move(container, shop, clock_at(date(2026, 6, 1)), quote.id, "send")
        later = clock_at(date(2026, 7, 2))
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(QuoteTransition, match="accepté"),
        ):
            quotes.convert_to_invoice(session, shop.principal, later, quote.id, accepting=True)

    def test_a_product_without_price_is_quoted_only_with_one(self, container: Container) -> None:
        shop = make_shop(container)
        with container.db.unit_of_work(shop.tenant_id) as session:
            product = sales.create_product(
                session, shop.principal, ProductCreate(name="Pose sur mesure", kind="service")
            )
        clock = clock_at(date(2026, 6, 1))
        line = LineIn(product_id=product.id, quantity=Decimal(1))
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(InvalidInput, match="Quel prix unitaire pour « Pose sur mesure » \\?"),
        ):
            quotes.create_quote(
                session,
                shop.principal,
                clock,
                QuoteCreate(partner_id=shop.customer_id, lines=[line]),
            )
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert session.scalar(select(func.count()).select_from(Quote)) == 0
            priced = line.model_copy(update={"unit_price": Decimal(400)})
            quote = quotes.create_quote(
                session,
                shop.principal,
                clock,
                QuoteCreate(partner_id=shop.customer_id, lines=[priced]),
            )
            assert quote.net_total == Decimal(400)

    def test_sent_quote_expires_after_its_validity(self, container: Container) -> None:
        shop = make_shop(container)
        quote = _quote(container, shop, clock_at(date(2026, 6, 1)))
        sent = _move(container, shop, clock_at(date(2026, 6, 1)), quote.id, "send")
        later = clock_at(date(2026, 7, 2))
        assert quotes.effective_status(sent, date(2026, 7, 1)) == "sent"
        assert quotes.effective_status(sent, date(2026, 7, 2)) == "expired"
        with pytest.raises(QuoteTransition, match="expiré"):
            _move(container, shop, later, quote.id, "accept")
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert quotes.expire_quotes(session, shop.principal, later) == 1
            listed, _ = quotes.list_quotes(session, shop.principal, later, status="expired")
        assert [q.id for q in listed] == [quote.id]

    def test_refused_quote_gets_a_new_version(self, container: Container) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 6, 1))
        first = _quote(container, shop, clock)
        _move(container, shop, clock, first.id, "send")
        _move(container, shop, clock, first.id, "refuse")
        with container.db.unit_of_work(shop.tenant_id) as session:
            second = quotes.revise_quote(
                session,
                shop.principal,
                clock,
                first.id,
                QuoteCreate(
                    partner_id=shop.customer_id,
                    lines=[
                        LineIn(
                            product_id=shop.service_id,
                            quantity=Decimal(1),
                            discount_percent=Decimal(10),
                        )
                    ],
                ),
            )
        assert (second.number, second.version, second.status) == (first.number, 2, "draft")
        assert second.gross_total == Decimal("13.50")
        with pytest.raises(QuoteTransition, match="remplacé"):
            _move(container, shop, clock, first.id, "send")

    def test_deposit_then_final_invoice_nets_the_advance(self, container: Container) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 6, 1))
        quote = _quote(container, shop, clock, qty="8")  # 100.00 HT, 120.00 TTC
        _move(container, shop, clock, quote.id, "send")
        _move(container, shop, clock, quote.id, "accept")
        with container.db.unit_of_work(shop.tenant_id) as session:
            deposit = quotes.deposit_from_quote(
                session, shop.principal, clock, quote.id, Decimal(30)
            )
            invoices.post_invoice(session, shop.principal, clock, deposit.id)
        assert (deposit.kind, deposit.gross_total) == ("deposit", Decimal("36.00"))
        with container.db.unit_of_work(shop.tenant_id) as session:
            final = invoices.create_invoice(
                session,
                shop.principal,
                clock,
                InvoiceCreate(
                    partner_id=shop.customer_id,
                    lines=[LineIn(product_id=shop.service_id, quantity=Decimal(8))],
                    deduct_deposits=[deposit.id],
                ),
            )
            invoices.post_invoice(session, shop.principal, clock, final.id)
            trial = {
                r.account: r.balance
                for r in reports.trial_balance(
                    session, shop.principal, start=date(2026, 1, 1), end=date(2026, 12, 31)
                )
            }
        assert final.gross_total == Decimal("84.00")  # 120 − 36
        assert trial["4191"] == 0  # the advance is taken back in full
        assert trial["706"] == Decimal("-100.00")
        assert trial["411"] == Decimal("120.00")
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(InvalidInput, match="déjà déduit"),
        ):
            invoices.create_invoice(
                session,
                shop.principal,
                clock,
                InvoiceCreate(partner_id=shop.customer_id, lines=[], deduct_deposits=[deposit.id]),
            )


class TestRecurring:
    def test_monthly_template_catches_up_and_keeps_its_day(self, container: Container) -> None:
        shop = make_shop(container)
        with container.db.unit_of_work(shop.tenant_id) as session:
            template = recurring.create_recurring(
                session,
                shop.principal,
                clock_at(date(2026, 1, 1)),
                RecurringCreate(
                    partner_id=shop.customer_id,
                    label="Maintenance mensuelle",
                    frequency="monthly",
                    start_date=date(2026, 1, 31),
                    end_date=date(2026, 5, 31),
                    auto_post=True,
                    lines=[LineIn(product_id=shop.service_id, quantity=Decimal(2))],
                ),
            )
        with container.db.unit_of_work(shop.tenant_id) as session:
            made = recurring.generate_due_invoices(
                session, shop.principal, clock_at(date(2026, 3, 31))
            )
            again = recurring.generate_due_invoices(
                session, shop.principal, clock_at(date(2026, 3, 31))
            )
            state = session.get(RecurringInvoice, (shop.tenant_id, template.id))
        assert len(made) == 3 and again == []  # 31 Jan, 28 Feb, 31 Mar
        assert all(i.status == "posted" and i.recurring_id == template.id for i in made)
        assert state is not None and state.next_date == date(2026, 4, 30)
        with container.db.unit_of_work(shop.tenant_id) as session:
            late = recurring.generate_due_invoices(
                session, shop.principal, clock_at(date(2026, 12, 1))
            )
            state = session.get(RecurringInvoice, (shop.tenant_id, template.id))
        assert len(late) == 2  # April and May, then the template ends
        assert state is not None and not state.is_active

    def test_a_refused_posting_leaves_a_draft_and_says_why(self, container: Container) -> None:
        shop = make_shop(container)
        goods = make_stock_product(container, shop.account, sale_price="10")
        stocked(container, shop.account, product_id=goods, quantity="3")
        lines = [LineIn(product_id=goods, quantity=Decimal(2))]
        with container.db.unit_of_work(shop.tenant_id) as session:
            template = recurring.create_recurring(
                session,
                shop.principal,
                clock_at(date(2026, 1, 1)),
                RecurringCreate(
                    partner_id=shop.customer_id,
                    label="Livraison mensuelle",
                    frequency="monthly",
                    start_date=date(2026, 1, 10),
                    auto_post=True,
                    lines=lines,
                ),
            )
        with container.db.unit_of_work(shop.tenant_id) as session:
            made = recurring.generate_due_invoices(
                session, shop.principal, clock_at(date(2026, 2, 15))
            )
            refusals = session.scalars(
                select(DomainEvent).where(
                    DomainEvent.tenant_id == shop.tenant_id,
                    DomainEvent.name == "recurring_invoice.post_refused",
                )
            ).all()
            state = session.get(RecurringInvoice, (shop.tenant_id, template.id))
        # January takes 2 of the 3 in stock; February's 2 are refused and stay a draft.
        assert [i.status for i in made] == ["posted", "draft"]
        assert made[1].number is None
        assert len(refusals) == 1
        assert refusals[0].payload["code"] == "insufficient_stock"
        assert refusals[0].payload["invoice_id"] == str(made[1].id)
        assert state is not None and state.next_date == date(2026, 3, 10)

    def test_add_months_clamps_to_month_end(self) -> None:
        assert recurring.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
        assert recurring.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
        assert recurring.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


class TestReports:
    def test_aged_receivables_buckets(self, container: Container) -> None:
        shop = make_shop(container)
        other = make_customer(container, shop.account, "Ndiaye Frères", payment_terms_days=0)
        # Due dates: 30 days after issue for Diallo; at issue for Ndiaye.
        posted_invoice(
            container, shop, clock=clock_at(date(2026, 1, 1))
        )  # due 31/01 → 91 days late
        posted_invoice(
            container, shop, clock=clock_at(date(2026, 3, 1))
        )  # due 31/03 → 32 days late
        posted_invoice(container, shop, clock=clock_at(date(2026, 4, 25)))  # due 25/05: not due
        recent = posted_invoice(
            container, shop, partner_id=other, clock=clock_at(date(2026, 4, 20))
        )
        pay(container, shop, "5", invoice_id=recent.id, clock=clock_at(date(2026, 4, 21)))
        with container.db.unit_of_work(shop.tenant_id) as session:
            rows = reports.aged_receivables(session, shop.principal, clock_at(date(2026, 5, 2)))
        by_name = {r.partner_name: r for r in rows}
        diallo, ndiaye = by_name["Diallo SARL"], by_name["Ndiaye Frères"]
        assert (diallo.not_due, diallo.days_31_60, diallo.days_over_90) == (
            Decimal("45.00"),
            Decimal("45.00"),
            Decimal("45.00"),
        )
        assert diallo.total == Decimal("135.00")
        assert ndiaye.days_0_30 == Decimal("40.00")  # 12 days late, 5 paid

    def test_revenue_by_month_and_kpis(self, container: Container) -> None:
        shop = make_shop(container)
        jan = posted_invoice(container, shop, clock=clock_at(date(2026, 1, 15)))
        posted_invoice(container, shop, clock=clock_at(date(2026, 2, 15)))
        pay(container, shop, "45", invoice_id=jan.id, clock=clock_at(date(2026, 2, 20)))
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoices.create_credit_note(
                session,
                shop.principal,
                clock_at(date(2026, 2, 25)),
                jan.id,
                invoices.CreditNoteCreate(reason="Geste commercial", lines=None),
            )
            points = reports.revenue(
                session, shop.principal, start=date(2026, 1, 1), end=date(2026, 12, 31)
            )
            k = reports.kpis(
                session,
                shop.principal,
                clock_at(date(2026, 4, 1)),
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
            )
        assert [(p.period, p.invoiced_net, p.collected) for p in points] == [
            (date(2026, 1, 1), Decimal("37.50"), Decimal(0)),
            (
                date(2026, 2, 1),
                Decimal("0.00"),
                Decimal("45.00"),
            ),  # 37.50 invoiced − 37.50 credited
        ]
        assert k.invoiced_net == Decimal("37.50")
        assert (
            k.unpaid == Decimal("45.00") and k.overdue == Decimal("45.00") and k.overdue_count == 1
        )
        assert k.top_customers[0].name == "Diallo SARL"
        assert k.dso_days is not None

    def test_readers_need_a_finance_role(self, container: Container) -> None:
        from domain.kit.errors import PermissionDenied
        from domain.kit.principal import Role
        from tests.factories import make_member

        shop = make_shop(container)
        sales = make_member(container, shop.account, Role.SALES)
        with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(PermissionDenied):
            reports.trial_balance(
                session, sales.principal(Role.SALES), start=date(2026, 1, 1), end=date(2026, 1, 2)
            )
