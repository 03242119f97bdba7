"""Invoices: drafts, posting with gapless numbers, immutability, credit notes, the ledger."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from lxml import etree
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from comptoir.bootstrap import Container
from domain.finance import invoices, printing, reports
from domain.finance.documents.facturx import NSMAP, cii_xml
from domain.finance.errors import (
    CreditNoteRefused,
    InvoiceNotPostable,
    InvoicePosted,
    UnknownVatRate,
    WrongCurrency,
)
from domain.finance.models import Invoice, InvoiceLine, JournalEntry, JournalLine
from domain.finance.schemas import CreditLineIn, CreditNoteCreate, InvoiceUpdate, LineIn
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.schemas import ProductCreate
from tests.domain.finance.documents.schematron import CEN, fatal_findings
from tests.factories import make_member
from tests.finance_factories import (
    Shop,
    clock_at,
    draft_invoice,
    make_product,
    make_shop,
    pay,
    posted_invoice,
)


def _count(container: Container, shop: Shop, model: type) -> int:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _entry_lines(container: Container, shop: Shop, invoice_id: object) -> dict[str, Decimal]:
    """Signed amounts (debit − credit) per account number of the entry of a document."""
    with container.db.unit_of_work(shop.tenant_id) as session:
        rows = session.execute(
            text(
                "SELECT a.number, sum(l.debit - l.credit) FROM journal_lines l "
                "JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id "
                "JOIN accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id "
                "WHERE e.source_id = :id GROUP BY a.number"
            ),
            {"id": invoice_id},
        )
        return {number: amount for number, amount in rows}


def _write(container: Container, shop: Shop, row: object) -> None:
    with container.db.unit_of_work(shop.tenant_id) as session:
        session.add(row)


class TestDraftsAndTotals:
    def test_totals_round_per_line_then_per_rate(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = draft_invoice(
            container,
            shop,
            # 3 × 12.50 = 37.50 at 20 %; 0.333 × 10 with 5 % off = 3.16 at 5.5 %
            LineIn(product_id=shop.goods_id, quantity=Decimal(3)),
            LineIn(
                description="Petit article",
                quantity=Decimal("0.333"),
                unit_price=Decimal(10),
                discount_percent=Decimal(5),
                vat_rate=Decimal("5.5"),
            ),
            LineIn(
                description="Autre article",
                quantity=Decimal(1),
                unit_price=Decimal("0.01"),
                vat_rate=Decimal("5.5"),
            ),
        )
        # VAT: 37.50 × 20 % = 7.50; (3.16 + 0.01) × 5.5 % = 0.17435 → 0.17 (once per rate)
        assert invoice.net_total == Decimal("40.67")
        assert invoice.tax_total == Decimal("7.67")
        assert invoice.gross_total == Decimal("48.34")
        assert invoice.status == "draft" and invoice.number is None

    def test_xof_has_no_decimals_and_18_percent(self, container: Container) -> None:
        shop = make_shop(container, country="SN")
        invoice = draft_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(3))
        )
        assert invoice.net_total == Decimal(45000)
        assert invoice.tax_total == Decimal(8100)
        assert invoice.gross_total == Decimal(53100)
        assert invoice.currency == "XOF"

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            ({"quantity": "0"}, InvalidInput),
            ({"quantity": "-2"}, InvalidInput),
            ({"quantity": "1", "vat_rate": "7"}, UnknownVatRate),
            ({"quantity": "1", "discount_percent": "120"}, InvalidInput),
            ({"quantity": "1", "unit_price": "-5"}, InvalidInput),
        ],
    )
    def test_bad_lines_are_refused_and_nothing_written(
        self, container: Container, line: dict[str, str], error: type[Exception]
    ) -> None:
        shop = make_shop(container)
        before = _count(container, shop, Invoice)
        with pytest.raises(error) as caught:
            draft_invoice(
                container, shop, LineIn.model_validate({"product_id": shop.goods_id, **line})
            )
        assert caught.value.args[0]  # a French message
        assert _count(container, shop, Invoice) == before

    def test_unknown_vat_message_lists_the_rates(self, container: Container) -> None:
        shop = make_shop(container)
        with pytest.raises(UnknownVatRate, match=r"Taux de TVA inconnu : 7 %.*20 %, 10 %, 5,5 %"):
            draft_invoice(
                container,
                shop,
                LineIn(product_id=shop.goods_id, quantity=Decimal(1), vat_rate=Decimal(7)),
            )

    def test_other_currency_is_refused(self, container: Container) -> None:
        shop = make_shop(container)
        with pytest.raises(WrongCurrency, match="EUR"):
            draft_invoice(container, shop, currency="XOF")
        assert _count(container, shop, Invoice) == 0

    def test_free_text_line_needs_a_price(self, container: Container) -> None:
        shop = make_shop(container)
        with pytest.raises(InvalidInput, match="prix unitaire manquant"):
            draft_invoice(container, shop, LineIn(description="Conseil", quantity=Decimal(1)))

    def test_employee_cannot_invoice(self, container: Container) -> None:
        shop = make_shop(container)
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(PermissionDenied):
            invoices.create_invoice(
                session,
                employee.principal(Role.EMPLOYEE),
                container.clock,
                invoices.InvoiceCreate(partner_id=shop.customer_id, lines=[]),
            )


class TestPosting:
    def test_posting_numbers_dates_and_books_the_invoice(self, container: Container) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 3, 10))
        invoice = posted_invoice(
            container,
            shop,
            LineIn(product_id=shop.goods_id, quantity=Decimal(2)),
            LineIn(product_id=shop.service_id, quantity=Decimal(1)),
            clock=clock,
        )
        assert invoice.number == "F-2026-00001"
        assert invoice.status == "posted"
        assert invoice.issue_date == date(2026, 3, 10)
        assert invoice.due_date == date(2026, 4, 9)  # 30 days by default
        entry = _entry_lines(container, shop, invoice.id)
        assert entry == {
            "411": Decimal("45.00"),
            "707": Decimal("-25.00"),
            "706": Decimal("-12.50"),
            "44571": Decimal("-7.50"),
        }
        second = posted_invoice(container, shop, clock=clock)
        assert second.number == "F-2026-00002"

    def test_numbering_restarts_each_year(self, container: Container) -> None:
        shop = make_shop(container)
        posted_invoice(container, shop, clock=clock_at(date(2026, 12, 31)))
        first_of_2027 = posted_invoice(container, shop, clock=clock_at(date(2027, 1, 2)))
        assert first_of_2027.number == "F-2027-00001"

    def test_syscohada_posting(self, container: Container) -> None:
        shop = make_shop(container, country="SN")
        invoice = posted_invoice(
            container,
            shop,
            LineIn(product_id=shop.goods_id, quantity=Decimal(1)),
            LineIn(product_id=shop.service_id, quantity=Decimal(1)),
        )
        assert _entry_lines(container, shop, invoice.id) == {
            "411": Decimal(35400),
            "701": Decimal(-15000),
            "706": Decimal(-15000),
            "4431": Decimal(-2700),
            "4432": Decimal(-2700),
        }

    def test_posting_without_lines_is_refused(self, container: Container) -> None:
        shop = make_shop(container)
        with container.db.unit_of_work(shop.tenant_id) as session:
            empty = invoices.create_invoice(
                session,
                shop.principal,
                container.clock,
                invoices.InvoiceCreate(partner_id=shop.customer_id, lines=[]),
            )
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(InvoiceNotPostable, match="sans lignes"),
        ):
            invoices.post_invoice(session, shop.principal, container.clock, empty.id)
        assert _count(container, shop, JournalEntry) == 0

    def test_posted_invoice_cannot_be_edited_deleted_or_reposted(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)
        calls = [
            lambda s: invoices.update_draft(
                s, shop.principal, container.clock, invoice.id, InvoiceUpdate(notes="x")
            ),
            lambda s: invoices.delete_draft(s, shop.principal, container.clock, invoice.id),
            lambda s: invoices.cancel_draft(s, shop.principal, container.clock, invoice.id),
        ]
        for call in calls:
            with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(InvoicePosted):
                call(session)
        with (
            container.db.unit_of_work(shop.tenant_id) as session,
            pytest.raises(InvoiceNotPostable),
        ):
            invoices.post_invoice(session, shop.principal, container.clock, invoice.id)

    def test_the_database_itself_refuses_changing_a_posted_invoice(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)
        statements = [
            update(Invoice).where(Invoice.id == invoice.id).values(gross_total=Decimal(1)),
            update(Invoice).where(Invoice.id == invoice.id).values(status="draft"),
            update(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).values(quantity=9),
            text("DELETE FROM invoices WHERE id = :id").bindparams(id=invoice.id),
        ]
        for statement in statements:
            with pytest.raises(DBAPIError, match="cannot be changed"):
                with container.db.unit_of_work(shop.tenant_id) as session:
                    session.execute(statement)

    def test_the_database_refuses_an_unbalanced_entry(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            line = session.scalars(select(JournalLine).limit(1)).one()
        extra = JournalLine(
            tenant_id=shop.tenant_id,
            entry_id=line.entry_id,
            position=99,
            account_id=line.account_id,
            label="en trop",
            debit=Decimal(1),
        )
        with pytest.raises(DBAPIError, match="unbalanced journal entry"):
            _write(container, shop, extra)
        with pytest.raises(DBAPIError, match="permission denied|append-only"):
            with container.db.unit_of_work(shop.tenant_id) as session:
                session.execute(update(JournalLine).values(label="changé"))
        assert invoice.number

    def test_fifty_concurrent_postings_get_contiguous_numbers(self, container: Container) -> None:
        shop = make_shop(container)
        drafts = [draft_invoice(container, shop) for _ in range(50)]
        barrier = threading.Barrier(10)
        errors: list[BaseException] = []

        def post_some(chunk: list[Invoice]) -> None:
            barrier.wait()
            for draft in chunk:
                try:
                    with container.db.unit_of_work(shop.tenant_id) as session:
                        invoices.post_invoice(session, shop.principal, container.clock, draft.id)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

        threads = [threading.Thread(target=post_some, args=(drafts[i::10],)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with container.db.unit_of_work(shop.tenant_id) as session:
            numbers = sorted(session.scalars(select(Invoice.number)).all())
            entries = session.scalar(select(func.count()).select_from(JournalEntry))
        year = container.clock.now().year
        assert numbers == [f"F-{year}-{n:05d}" for n in range(1, 51)]
        assert entries == 50

    def test_overdue_is_derived_from_the_due_date(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop, clock=clock_at(date(2026, 1, 5)))
        assert invoice.due_date is not None
        assert not invoices.is_overdue(invoice, invoice.due_date)
        assert invoices.is_overdue(invoice, invoice.due_date + timedelta(days=1))
        with container.db.unit_of_work(shop.tenant_id) as session:
            late, _ = invoices.list_invoices(
                session, shop.principal, clock_at(date(2026, 3, 1)), overdue=True
            )
        assert [i.id for i in late] == [invoice.id]


class TestCreditNotes:
    def test_full_credit_note_cancels_an_unpaid_invoice(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            note = invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(reason="Erreur de client"),
            )
            refreshed = session.get(Invoice, (shop.tenant_id, invoice.id))
        assert note.number is not None and note.number.startswith("AV-")
        assert note.gross_total == invoice.gross_total
        assert refreshed is not None and refreshed.status == "cancelled"
        # The credit note's entry mirrors the invoice's.
        original = _entry_lines(container, shop, invoice.id)
        assert _entry_lines(container, shop, note.id) == {k: -v for k, v in original.items()}

    def test_partial_credit_note_and_over_crediting(self, container: Container) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(
            container, shop, LineIn(product_id=shop.goods_id, quantity=Decimal(4))
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            line = invoices.repo.invoice_lines(session, shop.tenant_id, invoice.id)[0]
            note = invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(
                    reason="Un sac abîmé",
                    lines=[CreditLineIn(line_id=line.id, quantity=Decimal(1))],
                ),
            )
            refreshed = session.get(Invoice, (shop.tenant_id, invoice.id))
        assert note.gross_total == Decimal("15.00")
        assert refreshed is not None and refreshed.status == "partially_paid"
        assert invoices.balance(refreshed) == Decimal("45.00")
        with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(InvalidInput):
            invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(
                    reason="Trop", lines=[CreditLineIn(line_id=line.id, quantity=Decimal(5))]
                ),
            )

    def test_credit_note_on_a_paid_invoice_becomes_customer_credit(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        invoice = posted_invoice(container, shop)
        pay(container, shop, str(invoice.gross_total), invoice_id=invoice.id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(reason="Retour"),
            )
            credit = invoices_credit(session, shop)
        assert credit == invoice.gross_total
        with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(CreditNoteRefused):
            invoices.create_credit_note(
                session,
                shop.principal,
                container.clock,
                invoice.id,
                CreditNoteCreate(reason="Encore"),
            )

    def test_draft_cannot_be_credited(self, container: Container) -> None:
        shop = make_shop(container)
        draft = draft_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session, pytest.raises(CreditNoteRefused):
            invoices.create_credit_note(
                session, shop.principal, container.clock, draft.id, CreditNoteCreate(reason="Non")
            )


def invoices_credit(session: object, shop: Shop) -> Decimal:
    from domain.finance.payments import customer_credit

    return customer_credit(session, shop.principal, shop.customer_id)  # type: ignore[arg-type]


class TestLedgerReports:
    def test_trial_balance_is_balanced_and_matches_activity(self, container: Container) -> None:
        shop = make_shop(container)
        clock = clock_at(date(2026, 5, 4))
        first = posted_invoice(container, shop, clock=clock)
        posted_invoice(container, shop, clock=clock)
        pay(container, shop, "20", invoice_id=first.id, clock=clock, method="cash")
        with container.db.unit_of_work(shop.tenant_id) as session:
            rows = reports.trial_balance(
                session, shop.principal, start=date(2026, 1, 1), end=date(2026, 12, 31)
            )
            ledger = reports.general_ledger(
                session,
                shop.principal,
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                account_prefix="411",
            )
        by_account = {r.account: r for r in rows}
        assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
        assert by_account["411"].balance == Decimal("70.00")  # 2 × 45 − 20
        assert by_account["531"].balance == Decimal("20.00")
        assert ledger[-1].balance == Decimal("70.00")
        assert all(line.partner_code for line in ledger)


def _unpriced_service(container: Container, shop: Shop) -> UUID:
    """A service sold at a price agreed each time: no sale price of its own."""
    with container.db.unit_of_work(shop.tenant_id) as session:
        product = sales.create_product(
            session, shop.principal, ProductCreate(name="Dépannage", kind="service", unit="h")
        )
        return product.id


class TestProductWithoutPrice:
    def test_invoicing_it_without_a_price_asks_for_one_and_writes_nothing(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        service_id = _unpriced_service(container, shop)
        before = (_count(container, shop, Invoice), _count(container, shop, InvoiceLine))
        with pytest.raises(InvalidInput) as caught:
            draft_invoice(
                container,
                shop,
                LineIn(product_id=shop.goods_id, quantity=Decimal(2)),
                LineIn(product_id=service_id, quantity=Decimal(3)),
            )
        assert caught.value.message == (
            "Quel prix unitaire pour « Dépannage » ? Ce produit n'a pas de prix de vente."
        )
        assert caught.value.details["field"] == "unit_price"
        assert (_count(container, shop, Invoice), _count(container, shop, InvoiceLine)) == before

    def test_the_price_given_on_the_line_is_used(self, container: Container) -> None:
        shop = make_shop(container)
        service_id = _unpriced_service(container, shop)
        invoice = draft_invoice(
            container,
            shop,
            LineIn(product_id=service_id, quantity=Decimal(3), unit_price=Decimal(65)),
        )
        assert (invoice.net_total, invoice.gross_total) == (Decimal(195), Decimal(234))


class TestOpenUnits:
    def test_lines_keep_the_label_and_factur_x_gets_the_un_ece_code(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        oil = make_product(container, shop.account, price="9.50", vat="5.5", unit="Bidons")
        tray = make_product(container, shop.account, price="3", vat="5.5", unit="barquettes")
        invoice = posted_invoice(
            container,
            shop,
            LineIn(product_id=oil, quantity=Decimal(3)),
            LineIn(product_id=tray, quantity=Decimal(2)),
            LineIn(description="Tomates", quantity=Decimal(1), unit="tas", unit_price=Decimal(1)),
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            doc = printing.invoice_document(session, shop.principal, container.clock, invoice.id)
        assert [(x.unit_name, x.unit) for x in doc.lines] == [
            ("bidon", "XJC"),
            ("barquette", "C62"),
            ("tas", "C62"),
        ]
        xml = cii_xml(doc)
        codes = etree.fromstring(xml).xpath("//ram:BilledQuantity/@unitCode", namespaces=NSMAP)
        assert codes == ["XJC", "C62", "C62"]
        problems = fatal_findings(xml, CEN)
        assert problems == [], "\n".join(map(str, problems))
