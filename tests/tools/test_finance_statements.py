"""A customer's balance, the VAT of a period, the country's VAT rates and invoices overdue
by more than N days, against real PostgreSQL (the ledger written by posting, as in production)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from comptoir.bootstrap import Container
from domain.finance.books import open_books
from domain.finance.ledger import EntryDraft, Movement, write_entry
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Role
from tests.factories import make_tenant
from tests.finance_factories import clock_at
from tests.tools.kit import tool_context
from tests.tools.test_finance import DAY, Shop, fcfa
from tools.finance import (
    create_credit_note,
    create_invoice,
    customer_balance,
    list_invoices,
    record_payment,
    vat_rates,
    vat_summary,
)

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def shop(container: Container) -> Shop:
    """A Senegalese shop (XOF, VAT 18 %) on 16 March 2026, with two customers."""
    shop = Shop(container, make_tenant(container, country="SN"), clock_at(DAY))
    shop.product("Sac de riz 25 kg", "15000", sku="RIZ-25")
    shop.customer("Diallo SARL")
    shop.customer("Modou Fall")
    return shop


class TestCustomerBalance:
    def test_owed_overdue_and_last_payment(self, shop: Shop) -> None:
        first = shop.posted("Diallo SARL")  # 53 100, due 30 days later
        shop.clock.advance(timedelta(days=20))
        shop.posted("Diallo SARL", quantity="1")  # 17 700, issued on 5 April
        shop.clock.advance(timedelta(days=20))  # the first is now 10 days late
        shop.run(
            record_payment,
            {"invoice": first.number, "amount": "20000", "method": "wave"},
        )
        result = shop.run(customer_balance, {"customer": "diallo"}, Role.SALES)
        assert (result.owed, result.overdue) == (Decimal(33100 + 17700), Decimal(33100))
        assert (result.open_invoices, result.overdue_invoices) == (2, 1)
        assert result.render() == (
            f"Diallo SARL vous doit {fcfa('50 800')} (2 factures à payer), dont "
            f"{fcfa('33 100')} en retard (1 facture). Dernier paiement : {fcfa('20 000')} "
            "par Wave le 25/04/2026."
        )

    def test_a_customer_owing_nothing(self, shop: Shop) -> None:
        result = shop.run(customer_balance, {"customer": "Modou Fall"})
        assert result.owed == 0
        assert result.render() == (
            "Modou Fall ne vous doit rien. Aucun paiement reçu de ce client."
        )

    def test_employees_may_not_read_it(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(customer_balance, {"customer": "Diallo SARL"}, Role.EMPLOYEE)


class TestVatSummary:
    def test_collected_by_rate_credit_notes_deducted_nothing_deductible(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")  # base 45 000, VAT 8 100
        shop.posted("Modou Fall", quantity="2")  # base 30 000, VAT 5 400
        shop.run(
            create_credit_note,
            {
                "invoice": "Modou Fall",
                "reason": "sac abîmé",
                "lines": [{"product": "riz", "quantity": "1"}],
            },
        )  # base −15 000, VAT −2 700
        result = shop.run(vat_summary, MARCH, Role.ACCOUNTANT)
        assert result.collected == Decimal(10800) and result.deductible == 0
        assert [(r.rate, r.base, r.tax) for r in result.by_rate] == [
            (Decimal(18), Decimal(60000), Decimal(10800))
        ]
        assert result.render() == (
            f"TVA collectée de mars 2026 : {fcfa('10 800')} :\n"
            f"- à 18 % : {fcfa('10 800')} sur une base HT de {fcfa('60 000')}\n"
            f"TVA déductible : 0 FCFA — aucune TVA sur achats n'est enregistrée dans les "
            "comptes sur la période (aucune facture fournisseur n'y est saisie)."
            f"\nTVA due : {fcfa('10 800')}."
        )

    def test_deductible_vat_in_the_ledger_is_deducted(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")  # VAT 8 100
        with tool_context(shop.container, shop.principal(), shop.clock) as ctx:
            books = open_books(ctx.session, ctx.principal, ctx.clock)
            purchase = [
                Movement("601", Decimal(50000), "Achat riz"),
                Movement("4452", Decimal(9000), "Achat riz"),
                Movement("401", Decimal(-59000), "Achat riz"),
            ]
            write_entry(
                ctx.session,
                books,
                EntryDraft("AC", DAY, "Achat riz", "FF-1", DAY, "manual", None, purchase),
            )
        result = shop.run(vat_summary, MARCH)
        assert (result.collected, result.deductible, result.due) == (8100, 9000, -900)
        assert result.render().endswith(
            f"TVA déductible : {fcfa('9 000')}.\nCrédit de TVA : {fcfa('900')}."
        )

    def test_another_period_is_empty(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        result = shop.run(vat_summary, {"start": "2026-02-01", "end": "2026-02-28"})
        assert result.collected == 0 and result.by_rate == []

    def test_sales_staff_may_not_read_it(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(vat_summary, MARCH, Role.SALES)


class TestOverdueByMoreThan:
    def test_only_invoices_late_by_more_than_the_days_said(self, shop: Shop) -> None:
        old = shop.posted("Diallo SARL")  # due 15 April
        shop.clock.advance(timedelta(days=40))
        recent = shop.posted("Modou Fall")  # due 25 May
        shop.clock.advance(timedelta(days=45))  # 9 June: 55 and 15 days late
        late_30 = shop.run(list_invoices, {"overdue_days": 30})
        assert [x.number for x in late_30.invoices] == [old.number]
        late_10 = shop.run(list_invoices, {"overdue_days": 10})
        assert [x.number for x in late_10.invoices] == [old.number, recent.number]
        assert late_30.render().startswith(
            f"1 facture en retard de plus de 30 jours, reste dû {fcfa('53 100')} :"
        )
        none = shop.run(list_invoices, {"overdue_days": 60})
        assert none.render() == "Aucune facture en retard de plus de 60 jours."
        assert shop.clock.now().date() == date(2026, 6, 9)


RICE_LINE = [{"product": "riz", "quantity": "1"}]


class TestPaidInFull:
    def test_balance_pays_what_the_invoice_still_owes(self, shop: Shop) -> None:
        invoice = shop.posted("Diallo SARL")
        shop.run(record_payment, {"invoice": invoice.number, "amount": "3100", "method": "cash"})
        args = {"invoice": invoice.number, "amount": "balance", "method": "cheque"}
        assert shop.preview(record_payment, args).preview() == (
            f"Enregistrer un paiement de {fcfa('50 000')} par chèque reçu de Diallo SARL le "
            f"16/03/2026 : facture {invoice.number} soldée."
        )
        done = shop.run(record_payment, args)
        assert done.amount == 50000 and done.settled[0].balance == 0

    def test_balance_of_a_customer_is_all_open_invoices(self, shop: Shop) -> None:
        shop.posted("Modou Fall")
        shop.posted("Modou Fall", quantity="1")
        done = shop.run(
            record_payment, {"customer": "Modou", "amount": "balance", "method": "wave"}
        )
        assert done.amount == 53100 + 17700 and all(x.balance == 0 for x in done.settled)

    def test_half_pays_half_of_what_is_owed(self, shop: Shop) -> None:
        shop.posted("Modou Fall", quantity="1")  # 17 700 FCFA
        shop.posted("Modou Fall", quantity="1")
        done = shop.run(record_payment, {"customer": "Modou", "amount": "half", "method": "wave"})
        assert done.amount == 17700  # half of 2 × 17 700
        assert [x.balance for x in done.settled] == [0]  # the oldest is settled first

    def test_paying_a_draft_just_made_validates_it_first(self, shop: Shop) -> None:
        shop.run(create_invoice, {"customer": "Modou Fall", "lines": RICE_LINE})
        args = {"customer": "Modou", "amount": "balance", "method": "wave"}
        shown = shop.preview(record_payment, args).preview()
        assert shown.startswith("Valider la facture brouillon de Modou Fall (elle prendra")
        done = shop.run(record_payment, args)
        assert done.validated and done.settled[0].number == done.validated
        assert done.settled[0].balance == 0

    def test_nothing_owed_asks_the_amount(self, shop: Shop) -> None:
        from tools.base import AskBack

        with pytest.raises(AskBack) as asked:
            shop.run(record_payment, {"customer": "Modou", "amount": "balance", "method": "wave"})
        assert asked.value.field == "amount"

    def test_a_negative_amount_is_still_refused(self, shop: Shop) -> None:
        from domain.kit.errors import InvalidInput

        with pytest.raises(InvalidInput):
            shop.run(record_payment, {"customer": "Modou", "amount": "-5", "method": "wave"})


class TestVatRates:
    def test_the_countrys_rates_standard_first_for_any_member(
        self, shop: Shop, container: Container
    ) -> None:
        result = shop.run(vat_rates, {}, Role.EMPLOYEE)
        assert [(r.rate, r.name) for r in result.rates] == [
            (Decimal(18), "taux normal"),
            (Decimal(10), "taux réduit"),
            (Decimal(0), "exonéré"),
        ]
        assert result.render() == (
            "Taux de TVA au Sénégal : 18\u00a0% (taux normal), 10\u00a0% (taux réduit), "
            "0\u00a0% (exonéré)."
        )
        french = Shop(container, make_tenant(container, country="FR"), clock_at(DAY))
        rates = french.run(vat_rates, {}).rates
        assert [str(r.rate) for r in rates] == ["20", "10", "5.5", "2.1", "0"]
        assert rates[0].name == "taux normal"
