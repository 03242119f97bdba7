"""Posting an invoice delivers its stockable goods, in the posting's transaction; a
shortfall fails the whole posting (no number, no entry, no move)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.finance import invoices, quotes
from domain.finance.models import Invoice, JournalEntry
from domain.finance.schemas import CreditNoteCreate, LineIn, QuoteCreate
from domain.kit.errors import NotFound
from domain.stock import service as stock
from domain.stock.errors import InsufficientStock
from domain.stock.models import StockMove
from tests.finance_factories import Shop, clock_at, draft_invoice, make_shop, posted_invoice
from tests.stock_factories import allow_negative, level, make_stockable, stocked

DAY = date(2026, 3, 16)


def _moves_of(container: Container, shop: Shop, invoice_id: object) -> list[StockMove]:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return list(
            session.scalars(
                select(StockMove).where(
                    StockMove.origin_type == "invoice", StockMove.origin_id == invoice_id
                )
            )
        )


def _stock_shop(container: Container, **kwargs: str) -> Shop:
    """``make_shop`` with its goods managed in stock."""
    shop = make_shop(container, **kwargs)
    make_stockable(container, shop.account, shop.goods_id)
    return shop


def _count(container: Container, shop: Shop, model: type) -> int:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestPostingDelivers:
    def test_goods_not_managed_in_stock_are_invoiced_freely(self, container: Container) -> None:
        shop = make_shop(container)  # is_stockable defaults to false
        invoice = posted_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(3))
        )
        assert invoice.status == "posted"
        assert _moves_of(container, shop, invoice.id) == []

    def test_posting_issues_goods_but_not_services(self, container: Container) -> None:
        shop = _stock_shop(container)
        stocked(container, shop.account, product_id=shop.goods_id, quantity="12", unit_cost="6")
        invoice = posted_invoice(
            container,
            shop,
            LineIn(product_id=shop.goods_id, quantity=Decimal(3)),
            LineIn(product_id=shop.goods_id, quantity=Decimal(2)),
            LineIn(product_id=shop.service_id, quantity=Decimal(1)),
            clock=clock_at(DAY),
        )
        [move] = _moves_of(container, shop, invoice.id)
        assert (move.kind, move.quantity, move.unit_cost) == ("out", Decimal(5), Decimal(6))
        assert move.reference == invoice.number
        assert level(container, shop.account, shop.goods_id).on_hand == 7

    def test_shortfall_fails_the_whole_posting(self, container: Container) -> None:
        shop = _stock_shop(container)
        stocked(container, shop.account, product_id=shop.goods_id, quantity="2")
        draft = draft_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(3))
        )
        with pytest.raises(InsufficientStock) as raised:
            with container.db.unit_of_work(shop.tenant_id) as session:
                invoices.post_invoice(session, shop.principal, clock_at(DAY), draft.id)
        assert "3 sac demandé(s), 2 en stock" in raised.value.message
        assert raised.value.details["product_id"] == str(shop.goods_id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            still = session.get(Invoice, (shop.tenant_id, draft.id))
            assert still is not None and (still.status, still.number) == ("draft", None)
        assert _count(container, shop, JournalEntry) == 0
        assert _count(container, shop, StockMove) == 1  # the receipt only
        # The number was not consumed: the next posting takes the first one.
        stocked(container, shop.account, product_id=shop.goods_id, quantity="1")
        with container.db.unit_of_work(shop.tenant_id) as session:
            posted = invoices.post_invoice(session, shop.principal, clock_at(DAY), draft.id)
        assert posted.number == "F-2026-00001"
        assert level(container, shop.account, shop.goods_id).on_hand == 0

    def test_negative_stock_allowed_lets_the_posting_through(self, container: Container) -> None:
        shop = _stock_shop(container)
        allow_negative(container, shop.account)
        posted_invoice(container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(4)))
        assert level(container, shop.account, shop.goods_id).on_hand == -4

    def test_deposit_invoice_moves_no_stock(self, container: Container) -> None:
        shop = _stock_shop(container)
        deposit = posted_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(2)), kind="deposit"
        )
        assert deposit.status == "posted"
        assert _moves_of(container, shop, deposit.id) == []

    def test_lots_leave_earliest_expiry_first(self, container: Container) -> None:
        shop = _stock_shop(container)
        product = stocked(
            container,
            shop.account,
            quantity="2",
            lot_number="A-2027",
            expiry_date=date(2027, 1, 1),
            sale_price="12.50",
        )
        stocked(
            container,
            shop.account,
            product_id=product,
            quantity="5",
            lot_number="B-2026",
            expiry_date=date(2026, 6, 1),
        )
        invoice = posted_invoice(container, shop, LineIn(product_id=product, quantity=Decimal(6)))
        taken = sorted(m.quantity for m in _moves_of(container, shop, invoice.id))
        assert taken == [Decimal(1), Decimal(5)]
        assert level(container, shop.account, product).on_hand == 1


class TestCreditNotesAndQuotes:
    def test_credit_note_moves_nothing_a_return_does(self, container: Container) -> None:
        shop = _stock_shop(container)
        stocked(container, shop.account, product_id=shop.goods_id, quantity="5")
        invoice = posted_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(5))
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            note = invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(reason="Marchandise rapportée"),
            )
        assert level(container, shop.account, shop.goods_id).on_hand == 0
        with container.db.unit_of_work(shop.tenant_id) as session:
            stock.return_from_customer(
                session,
                shop.principal,
                container.clock,
                product_id=shop.goods_id,
                quantity=5,
                reason="Retour après avoir",
                origin_type="credit_note",
                origin_id=note.id,
            )
        assert level(container, shop.account, shop.goods_id).on_hand == 5

    def test_invoicing_a_quote_releases_its_reservation(self, container: Container) -> None:
        shop = _stock_shop(container)
        stocked(container, shop.account, product_id=shop.goods_id, quantity="10")
        with container.db.unit_of_work(shop.tenant_id) as session:
            quote = quotes.create_quote(
                session,
                shop.principal,
                container.clock,
                QuoteCreate(
                    partner_id=shop.customer_id,
                    lines=[LineIn(product_id=shop.goods_id, quantity=Decimal(4))],
                ),
            )
            quotes.send_quote(session, shop.principal, container.clock, quote.id)
            quotes.accept_quote(session, shop.principal, container.clock, quote.id)
            stock.reserve(
                session,
                shop.principal,
                container.clock,
                product_id=shop.goods_id,
                quantity=4,
                origin_type="quote",
                origin_id=quote.id,
            )
        reserved = level(container, shop.account, shop.goods_id)
        assert (reserved.on_hand, reserved.reserved, reserved.available) == (10, 4, 6)
        with container.db.unit_of_work(shop.tenant_id) as session:
            draft = quotes.convert_to_invoice(session, shop.principal, container.clock, quote.id)
            invoices.post_invoice(session, shop.principal, container.clock, draft.id)
        after = level(container, shop.account, shop.goods_id)
        assert (after.on_hand, after.reserved, after.available) == (6, 0, 6)

    def test_a_return_or_reservation_names_only_the_tenants_own_documents(
        self, container: Container
    ) -> None:
        shop = _stock_shop(container)
        other = make_shop(container)
        invoice = posted_invoice(
            container, other, LineIn(product_id=other.goods_id, quantity=Decimal(1))
        )
        with container.db.unit_of_work(other.tenant_id) as session:
            foreign_note = invoices.create_credit_note(
                session,
                other.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(reason="Erreur"),
            )
        own = posted_invoice(container, shop, LineIn(product_id=shop.service_id, quantity=1))
        stocked(container, shop.account, product_id=shop.goods_id, quantity="5")
        for origin_type, origin_id in [
            ("credit_note", foreign_note.id),  # another business's credit note
            ("credit_note", own.id),  # an invoice, not a credit note
        ]:
            with (
                pytest.raises(NotFound, match="Avoir introuvable"),
                container.db.unit_of_work(shop.tenant_id) as session,
            ):
                stock.return_from_customer(
                    session, shop.principal, container.clock, product_id=shop.goods_id,
                    quantity=1, reason="Retour", origin_type=origin_type, origin_id=origin_id,
                )  # fmt: skip
        with (
            pytest.raises(NotFound, match="Devis introuvable"),
            container.db.unit_of_work(shop.tenant_id) as session,
        ):
            stock.reserve(
                session, shop.principal, container.clock, product_id=shop.goods_id,
                quantity=1, origin_type="quote", origin_id=foreign_note.id,
            )  # fmt: skip
        after = level(container, shop.account, shop.goods_id)
        assert (after.on_hand, after.reserved) == (5, 0)
