"""Finance tools against real PostgreSQL: resolution of what a person says, roles,
ask-backs, previews (dry runs) and French renderings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from comptoir.bootstrap import Container
from domain.finance import invoices as invoice_service
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.factories import Account, make_tenant
from tests.finance_factories import clock_at, make_customer, make_product
from tests.tools.kit import call, tool_context
from tools.base import AskBack, Tool, ToolResult
from tools.confirmation import dry_run
from tools.finance import (
    TOOLS,
    accept_quote,
    aged_receivables,
    convert_quote_to_invoice,
    create_credit_note,
    create_invoice,
    create_quote,
    create_recurring_invoice,
    invoice_details,
    list_invoices,
    list_quotes,
    post_invoice,
    record_payment,
    revenue,
    send_quote,
)
from tools.finance.common import period_label, strip_document_words

NB = "\u202f"  # the narrow no-break space grouping thousands
DAY = date(2026, 3, 16)
RICE = [{"product": "riz", "quantity": "3"}]


def fcfa(text: str) -> str:
    return text.replace(" ", NB) + " FCFA"


@dataclass
class Shop:
    container: Container
    account: Account
    clock: ManualClock

    def principal(self, *roles: Role) -> Principal:
        return self.account.principal(*roles)

    def run(self, tool: Tool, args: dict[str, Any], *roles: Role) -> Any:
        return call(self.container, tool, self.principal(*roles), self.clock, args)

    def preview(self, tool: Tool, args: dict[str, Any], *roles: Role) -> ToolResult:
        with tool_context(self.container, self.principal(*roles), self.clock) as ctx:
            return dry_run(ctx, tool, tool.validate(args))

    def invoice_count(self) -> int:
        with tool_context(self.container, self.principal(), self.clock) as ctx:
            found, _ = invoice_service.list_invoices(ctx.session, ctx.principal, ctx.clock)
            return len(found)

    def customer(self, name: str) -> None:
        make_customer(self.container, self.account, name)

    def product(self, name: str, price: str, unit: str = "sac", **fields: Any) -> None:
        make_product(
            self.container, self.account, price=price, vat="18", name=name, unit=unit, **fields
        )

    def posted(self, customer: str, quantity: str = "3") -> Any:
        draft = self.run(
            create_invoice,
            {"customer": customer, "lines": [{"product": "riz", "quantity": quantity}]},
        )
        return self.run(post_invoice, {"invoice_id": draft.invoice_id})


@pytest.fixture
def shop(container: Container) -> Shop:
    """A Senegalese shop (XOF, VAT 18 %) on 16 March 2026."""
    account = make_tenant(container, country="SN", name="Boutique Test")
    shop = Shop(container, account, clock_at(DAY))
    shop.product("Sac de riz 25 kg", "15000", sku="RIZ-25")
    shop.product("Carton d'huile", "12000", unit="carton")
    shop.customer("Diallo SARL")
    shop.customer("Modou Fall")
    return shop


class TestCatalog:
    def test_every_tool_is_finance_with_examples_and_closed_inputs(self) -> None:
        names = {t.name for t in TOOLS}
        assert "finance.create_invoice" in names and "finance.record_payment" in names
        assert "finance.send_invoice" in names
        for t in TOOLS:
            assert t.area == "finance"
            assert "Exemples" in t.description
            assert t.input_model.model_config.get("extra") == "forbid"
            assert t.json_schema()["parameters"]["type"] == "object"


class TestCreateInvoice:
    def test_draft_with_catalog_product_totals_and_render(self, shop: Shop) -> None:
        result = shop.run(create_invoice, {"customer": "diallo", "lines": RICE}, Role.SALES)
        assert (result.net_total, result.tax_total, result.gross_total) == (45000, 8100, 53100)
        assert result.status == "draft" and result.number is None
        assert result.render().startswith(
            "Facture brouillon créée pour Diallo SARL : 3 × Sac de riz 25 kg, "
            f"total TTC {fcfa('53 100')}."
        )

    def test_preview_is_a_dry_run_with_lines_and_vat(self, shop: Shop) -> None:
        preview = shop.preview(
            create_invoice, {"customer": "Diallo SARL", "lines": RICE}, Role.MANAGER
        ).preview()
        assert preview.startswith("Créer une facture brouillon pour Diallo SARL :")
        assert f"3 × Sac de riz 25 kg à {fcfa('15 000')}" in preview
        assert f"Total HT {fcfa('45 000')}, TVA {fcfa('8 100')}, TTC {fcfa('53 100')}." in preview
        assert shop.invoice_count() == 0

    def test_free_text_line_with_price_and_sku(self, shop: Shop) -> None:
        result = shop.run(
            create_invoice,
            {
                "customer": "Modou",
                "lines": [
                    {"product": "RIZ-25", "quantity": 1},
                    {"description": "Transport jusqu'à Thiès", "unit_price": "5000"},
                ],
            },
        )
        assert [x.description for x in result.lines] == [
            "Sac de riz 25 kg",
            "Transport jusqu'à Thiès",
        ]
        assert result.net_total == 20000

    def test_ambiguous_customer_asks_back_with_names(self, shop: Shop) -> None:
        shop.customer("Diallo & Fils")
        with pytest.raises(AskBack) as asked:
            shop.run(create_invoice, {"customer": "Diallo", "lines": RICE})
        assert asked.value.field == "customer"
        assert set(asked.value.options) == {"Diallo SARL", "Diallo & Fils"}
        assert shop.invoice_count() == 0

    def test_unknown_customer_asks_back(self, shop: Shop) -> None:
        with pytest.raises(AskBack) as asked:
            shop.run(create_invoice, {"customer": "Zoulou Import", "lines": RICE})
        assert asked.value.field == "customer"
        assert "Zoulou Import" in asked.value.message

    def test_ambiguous_product_asks_about_that_line(self, shop: Shop) -> None:
        shop.product("Sac de riz 50 kg", "28000")
        with pytest.raises(AskBack) as asked:
            shop.run(
                create_invoice, {"customer": "Diallo SARL", "lines": [{"product": "sac de riz"}]}
            )
        assert asked.value.field == "lines.0.product"
        assert set(asked.value.options) == {"Sac de riz 25 kg", "Sac de riz 50 kg"}

    def test_a_product_not_in_the_catalogue_asks_its_price(self, shop: Shop) -> None:
        with pytest.raises(AskBack) as asked:
            shop.run(
                create_invoice,
                {"customer": "Diallo SARL", "lines": [{"product": "parasol", "quantity": 2}]},
            )
        assert asked.value.field == "lines.0.unit_price"
        assert "« parasol »" in asked.value.message
        line = {"product": "parasol", "quantity": 2, "unit_price": "15000"}
        shop.run(create_invoice, {"customer": "Diallo SARL", "lines": [line]})

    @pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.HR])
    def test_roles_without_invoicing_are_refused(self, shop: Shop, role: Role) -> None:
        with pytest.raises(PermissionDenied, match="créer une facture"):
            shop.run(create_invoice, {"customer": "Diallo SARL", "lines": RICE}, role)
        assert shop.invoice_count() == 0

    @pytest.mark.parametrize(
        ("args", "says"),
        [
            ({"customer": "Diallo SARL", "lines": []}, "les articles et leurs quantités"),
            (
                {"customer": "Diallo SARL", "lines": [{"product": "riz", "quantity": "0"}]},
                "la quantité : doit être un nombre positif",
            ),
            ({"customer": "Diallo SARL", "lines": RICE, "client_id": "x"}, "client_id"),
        ],
    )
    def test_bad_input_is_refused_in_french_and_nothing_written(
        self, shop: Shop, args: dict[str, Any], says: str
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            shop.run(create_invoice, args)
        assert refused.value.message.startswith("Je ne peux pas le faire")
        assert says in refused.value.message
        assert shop.invoice_count() == 0

    def test_a_free_line_naming_one_product_takes_its_price(self, shop: Shop) -> None:
        shown = shop.preview(
            create_invoice,
            {"customer": "Diallo SARL", "lines": [{"description": "sac de riz", "quantity": 2}]},
        )
        assert "2 × Sac de riz 25 kg à 15\u202f000 FCFA" in shown.preview(), shown.preview()

    def test_made_and_validated_in_one_operation_when_asked(self, shop: Shop) -> None:
        args = {"customer": "Diallo SARL", "lines": RICE, "post": True}
        preview = shop.preview(create_invoice, args, Role.MANAGER).preview()
        assert preview.startswith("Créer et valider une facture pour Diallo SARL :")
        assert "Elle prendra le numéro F-2026-00001" in preview
        assert shop.invoice_count() == 0
        result = shop.run(create_invoice, args, Role.MANAGER)
        assert result.status == "posted" and result.number == "F-2026-00001"
        assert result.render().startswith("Facture F-2026-00001 créée et validée pour Diallo SARL")

    def test_sales_may_make_but_not_validate_in_one_operation(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(
                create_invoice, {"customer": "Diallo SARL", "lines": RICE, "post": True}, Role.SALES
            )
        assert shop.invoice_count() == 0

    def test_free_line_without_price_asks_its_price(self, shop: Shop) -> None:
        with pytest.raises(AskBack) as asked:
            shop.run(
                create_invoice, {"customer": "Diallo SARL", "lines": [{"description": "Pose"}]}
            )
        assert asked.value.field == "lines.0.unit_price"
        assert "prix unitaire" in asked.value.message
        assert shop.invoice_count() == 0


class TestPostInvoice:
    def test_customer_name_posts_their_latest_draft(self, shop: Shop) -> None:
        shop.run(create_invoice, {"customer": "Diallo SARL", "lines": RICE})
        preview = shop.preview(post_invoice, {"invoice": "la facture de Diallo"}).preview()
        assert "Elle prendra le numéro F-2026-00001" in preview
        result = shop.run(post_invoice, {"invoice": "Diallo"}, Role.ACCOUNTANT)
        assert result.number == "F-2026-00001" and result.status == "posted"
        assert result.due_date is not None and result.due_date > DAY
        assert result.render() == (
            f"Facture F-2026-00001 validée pour Diallo SARL : {fcfa('53 100')} TTC, "
            f"échéance le {result.due_date:%d/%m/%Y}."
        )

    def test_sales_role_may_not_post(self, shop: Shop) -> None:
        shop.run(create_invoice, {"customer": "Diallo SARL", "lines": RICE})
        with pytest.raises(PermissionDenied):
            shop.run(post_invoice, {"invoice": "Diallo"}, Role.SALES)

    def test_no_draft_asks_back(self, shop: Shop) -> None:
        with pytest.raises(AskBack, match="Modou Fall n'a aucune facture en brouillon"):
            shop.run(post_invoice, {"invoice": "Modou"})

    def test_posting_twice_is_a_french_refusal(self, shop: Shop) -> None:
        posted = shop.posted("Diallo SARL")
        with pytest.raises(Exception, match="déjà validée"):
            shop.run(post_invoice, {"invoice": posted.number})


class TestRecordPayment:
    def test_customer_payment_settles_oldest_and_says_what_is_left(self, shop: Shop) -> None:
        shop.posted("Modou Fall")
        preview = shop.preview(
            record_payment, {"customer": "Modou", "amount": "50000", "method": "wave"}
        ).preview()
        assert preview.startswith(
            f"Enregistrer un paiement de {fcfa('50 000')} par Wave reçu de Modou Fall"
        )
        assert f"reste dû {fcfa('3 100')}" in preview
        paid = shop.run(record_payment, {"customer": "Modou", "amount": "50000", "method": "wave"})
        assert paid.settled[0].balance == 3100
        rest = shop.run(
            record_payment, {"invoice": "F-2026-1", "amount": "3100", "method": "cash"}, Role.SALES
        )
        assert rest.render() == (
            f"Paiement {rest.number} de {fcfa('3 100')} en espèces enregistré pour Modou Fall : "
            "facture F-2026-00001 soldée."
        )

    def test_overpayment_stays_as_customer_credit(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        paid = shop.run(
            record_payment, {"invoice": "Diallo", "amount": "60000", "method": "cheque"}
        )
        assert paid.unallocated == 6900
        assert f"{fcfa('6 900')} restent au crédit du client" in paid.render()

    def test_an_invoice_not_of_the_customer_named_asks_back(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        args = {"invoice": "Diallo", "customer": "Modou Fall", "amount": "1000", "method": "cash"}
        with pytest.raises(AskBack) as asked:
            shop.run(record_payment, args)
        assert asked.value.field == "invoice"
        args["customer"] = "Zoulou Import"  # no customer's name: the invoice says who paid
        assert shop.run(record_payment, args).settled[0].number == "F-2026-00001"

    def test_the_invoice_of_the_month_said(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        args = {"invoice": "Diallo", "amount": "1000", "method": "cash"}
        with pytest.raises(AskBack):
            shop.run(record_payment, {**args, "invoice_month": "2026-01-01"})
        paid = shop.run(record_payment, {**args, "invoice_month": "2026-03-01"})
        assert paid.settled[0].number == "F-2026-00001"

    def test_several_open_invoices_ask_back_with_numbers(self, shop: Shop) -> None:
        shop.posted("Modou Fall")
        shop.posted("Modou Fall", quantity="1")
        with pytest.raises(AskBack) as asked:
            shop.run(
                record_payment,
                {"invoice": "la facture de Modou", "amount": "1000", "method": "cash"},
            )
        assert asked.value.field == "invoice"
        assert sorted(asked.value.options) == ["F-2026-00001", "F-2026-00002"]

    def test_unknown_number_asks_back(self, shop: Shop) -> None:
        with pytest.raises(AskBack, match="F-2026-00099"):
            shop.run(
                record_payment, {"invoice": "F-2026-00099", "amount": "1000", "method": "cash"}
            )

    def test_a_number_typed_loosely_finds_the_invoice(self, shop: Shop) -> None:
        shop.posted("Modou Fall")
        for typed in ("f2026-1", "F 2026 00001", "la facture n° F-2026-1"):
            payment = {"invoice": typed, "amount": "1000", "method": "cash"}
            assert "F-2026-00001" in shop.preview(record_payment, payment).preview(), typed
        with pytest.raises(AskBack, match="pas un numéro de facture"):
            shop.run(record_payment, {"invoice": "D-2026-1", "amount": "1000", "method": "cash"})

    def test_neither_customer_nor_invoice_asks_who(self, shop: Shop) -> None:
        with pytest.raises(AskBack) as asked:
            shop.run(record_payment, {"amount": "1000", "method": "cash"})
        assert asked.value.field == "customer"

    def test_bad_method_and_centimes_in_fcfa_are_refused(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        with pytest.raises(InvalidInput, match=r"le mode de paiement \(espèces"):
            shop.run(record_payment, {"customer": "Diallo", "amount": "1000", "method": "bitcoin"})
        with pytest.raises(InvalidInput, match="centimes"):
            shop.run(record_payment, {"customer": "Diallo", "amount": "10.5", "method": "cash"})

    def test_employee_may_not_record(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(
                record_payment,
                {"customer": "Diallo", "amount": "1000", "method": "cash"},
                Role.EMPLOYEE,
            )


class TestCreditNote:
    def test_whole_invoice(self, shop: Shop) -> None:
        posted = shop.posted("Diallo SARL")
        note = shop.run(
            create_credit_note, {"invoice": posted.number, "reason": "erreur de client"}
        )
        assert note.kind == "credit_note" and note.number == "AV-2026-00001"
        assert note.render() == (
            f"Avoir AV-2026-00001 créé sur la facture F-2026-00001 de Diallo SARL : "
            f"{fcfa('53 100')} TTC."
        )

    def test_some_lines_by_product_words(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        preview = shop.preview(
            create_credit_note,
            {
                "invoice": "Diallo",
                "reason": "sacs abîmés",
                "lines": [{"product": "riz", "quantity": 1}],
            },
        ).preview()
        assert "Créer un avoir sur la facture F-2026-00001 de Diallo SARL" in preview
        assert f"TTC {fcfa('17 700')}" in preview

    def test_unknown_line_asks_back_with_the_invoice_lines(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        with pytest.raises(AskBack) as asked:
            shop.run(
                create_credit_note,
                {
                    "invoice": "Diallo",
                    "reason": "abîmé",
                    "lines": [{"product": "huile", "quantity": 1}],
                },
            )
        assert asked.value.field == "lines.0.product"
        assert asked.value.options == ["Sac de riz 25 kg"]

    def test_sales_may_not_credit(self, shop: Shop) -> None:
        posted = shop.posted("Diallo SARL")
        with pytest.raises(PermissionDenied):
            shop.run(create_credit_note, {"invoice": posted.number, "reason": "erreur"}, Role.SALES)


class TestQuotes:
    def test_create_send_accept_and_invoice(self, shop: Shop) -> None:
        quote = shop.run(create_quote, {"customer": "Diallo", "lines": RICE}, Role.SALES)
        assert quote.number == "D-2026-00001" and quote.status == "draft"
        assert quote.render().startswith(
            "Devis D-2026-00001 créé pour Diallo SARL : 3 × Sac de riz 25 kg, "
            f"total TTC {fcfa('53 100')}"
        )
        sent = shop.run(send_quote, {"quote": "le devis de Diallo"})
        assert sent.status == "sent" and "marqué comme envoyé" in sent.render()
        accepted = shop.run(accept_quote, {"quote": "d-2026-1"})
        assert accepted.status == "accepted"
        preview = shop.preview(convert_quote_to_invoice, {"quote": "Diallo"}).preview()
        assert preview.startswith("Facturer le devis D-2026-00001 de Diallo SARL")
        invoice = shop.run(convert_quote_to_invoice, {"quote": "Diallo"})
        assert invoice.status == "draft" and invoice.gross_total == 53100
        with pytest.raises(AskBack, match="aucun devis accepté non facturé"):
            shop.run(convert_quote_to_invoice, {"quote": "Diallo"})

    def test_invoicing_a_draft_quote_by_its_number_accepts_it(self, shop: Shop) -> None:
        quote = shop.run(create_quote, {"customer": "Diallo", "lines": RICE})
        preview = shop.preview(convert_quote_to_invoice, {"quote": quote.number}).preview()
        assert "(il sera marqué accepté)" in preview
        invoice = shop.run(convert_quote_to_invoice, {"quote": quote.number})
        assert invoice.accepted_now and invoice.render().startswith("Devis D-2026-00001 accepté.")

    def test_accepting_a_draft_asks_back(self, shop: Shop) -> None:
        shop.run(create_quote, {"customer": "Diallo", "lines": RICE})
        with pytest.raises(AskBack, match="Diallo SARL n'a aucun devis envoyé"):
            shop.run(accept_quote, {"quote": "Diallo"})

    def test_a_quote_looked_for_in_the_period_it_was_made(self, shop: Shop) -> None:
        shop.run(create_quote, {"customer": "Diallo", "lines": RICE})
        shop.run(send_quote, {"quote": "Diallo"})
        earlier = {"quote": "Diallo", "made_from": "2026-03-02", "made_to": "2026-03-08"}
        with pytest.raises(AskBack, match="aucun devis envoyé fait du 02/03/2026 au 08/03"):
            shop.run(accept_quote, earlier)
        this_week = {"quote": "Diallo", "made_from": "2026-03-16", "made_to": "2026-03-22"}
        assert shop.run(accept_quote, this_week).status == "accepted"

    def test_unknown_quote_number(self, shop: Shop) -> None:
        with pytest.raises(AskBack, match="D-2026-00042"):
            shop.run(send_quote, {"quote": "D-2026-00042"})

    def test_employee_refused(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(create_quote, {"customer": "Diallo", "lines": RICE}, Role.EMPLOYEE)

    def test_quotes_listed_with_their_validity(self, shop: Shop) -> None:
        shop.run(create_quote, {"customer": "Diallo", "lines": RICE})  # a draft
        shop.run(create_quote, {"customer": "Modou Fall", "lines": RICE, "valid_days": 10})
        shop.run(send_quote, {"quote": "D-2026-00002"})
        every = shop.run(list_quotes, {})
        assert [q.number for q in every.quotes] == ["D-2026-00002", "D-2026-00001"]
        fall = shop.run(list_quotes, {"customer": "Modou Fall"})
        assert fall.render() == (
            "1 devis :\n- D-2026-00002 · Modou Fall · 16/03/2026 · "
            f"{fcfa('53 100')} TTC · envoyé, valable jusqu'au 26/03/2026"
        )
        assert [q.number for q in shop.run(list_quotes, {"status": "draft"}).quotes] == [
            "D-2026-00001"
        ]
        shop.clock.advance(timedelta(days=11))
        expired = shop.run(list_quotes, {"status": "expired"})
        assert [q.number for q in expired.quotes] == ["D-2026-00002"]
        assert shop.run(list_quotes, {"status": "sent"}).render() == "Aucun devis ne correspond."
        with pytest.raises(PermissionDenied):
            shop.run(list_quotes, {}, Role.EMPLOYEE)


class TestRecurring:
    def test_monthly_template_with_estimated_totals(self, shop: Shop) -> None:
        args = {
            "customer": "Modou",
            "lines": [{"description": "Loyer du dépôt", "unit_price": "150000"}],
            "start_date": "2026-04-01",
        }
        preview = shop.preview(create_recurring_invoice, args).preview()
        assert preview.startswith(
            "Créer une facturation mensuelle « Loyer du dépôt » pour Modou Fall, "
            "à partir du 01/04/2026"
        )
        assert "brouillon" in preview
        result = shop.run(create_recurring_invoice, args)
        assert result.gross_total == 177000 and result.frequency == "monthly"
        assert "c'est noté" in result.render()

    def test_end_before_start_is_refused(self, shop: Shop) -> None:
        with pytest.raises(InvalidInput, match="fin"):
            shop.run(
                create_recurring_invoice,
                {
                    "customer": "Modou",
                    "lines": RICE,
                    "start_date": "2026-04-01",
                    "end_date": "2026-01-01",
                },
            )


class TestReading:
    def test_list_open_and_by_customer(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.posted("Modou Fall", quantity="1")
        shop.run(create_invoice, {"customer": "Modou Fall", "lines": RICE})
        listed = shop.run(list_invoices, {"status": "open"}, Role.SALES)
        assert [x.number for x in listed.invoices] == ["F-2026-00002", "F-2026-00001"]
        assert listed.total_balance == 53100 + 17700
        assert listed.render().startswith(f"2 factures, reste dû {fcfa('70 800')} :")
        mine = shop.run(list_invoices, {"customer": "Modou"})
        assert len(mine.invoices) == 2 and "brouillon" in mine.render()
        assert (
            shop.run(list_invoices, {"status": "paid"}).render() == "Aucune facture ne correspond."
        )

    def test_overdue(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.clock.advance(timedelta(days=45))
        listed = shop.run(list_invoices, {"status": "overdue"})
        assert len(listed.invoices) == 1 and "en retard" in listed.render()

    def test_a_list_reads_its_customers_in_one_statement(self, shop: Shop) -> None:
        shop.customer("Awa Sow")
        for customer in ("Diallo SARL", "Modou Fall", "Awa Sow"):
            shop.posted(customer)
        seen: list[str] = []

        def statement(conn: object, cursor: object, sql: str, *args: object) -> None:
            seen.append(sql)

        event.listen(shop.container.db.engine, "before_cursor_execute", statement)
        try:
            listed = shop.run(list_invoices, {"status": "open"})
        finally:
            event.remove(shop.container.db.engine, "before_cursor_execute", statement)
        assert sorted(x.customer for x in listed.invoices) == [
            "Awa Sow",
            "Diallo SARL",
            "Modou Fall",
        ]
        assert len([s for s in seen if "FROM partners" in s]) == 1

    def test_details_by_customer_name(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        details = shop.run(invoice_details, {"invoice": "la facture de Diallo"})
        text = details.render()
        assert text.startswith("Facture F-2026-00001 de Diallo SARL, du 16/03/2026")
        assert f"reste dû : {fcfa('53 100')}" in text

    def test_revenue_of_a_month(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        result = shop.run(revenue, {"start": "2026-03-01", "end": "2026-03-31"}, Role.ACCOUNTANT)
        assert result.render() == (
            f"Le chiffre d'affaires de mars 2026 est de {fcfa('45 000')} HT ({fcfa('53 100')} TTC)."
        )
        default = shop.run(revenue, {})
        assert default.total == 45000 and (default.start, default.end) == (
            date(2026, 3, 1),
            date(2026, 3, 31),
        )

    def test_collected_by_month(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.run(record_payment, {"customer": "Diallo", "amount": "20000", "method": "cash"})
        result = shop.run(
            revenue,
            {"start": "2026-01-01", "end": "2026-12-31", "basis": "collected", "grouping": "month"},
        )
        assert result.render() == (
            f"Les encaissements de 2026 s'élèvent à {fcfa('20 000')}.\n"
            f"- mars 2026 : {fcfa('20 000')}"
        )

    def test_collected_one_way_of_paying(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.run(record_payment, {"customer": "Diallo", "amount": "20000", "method": "cash"})
        shop.run(record_payment, {"customer": "Diallo", "amount": "5000", "method": "wave"})
        args = {"start": "2026-03-01", "end": "2026-03-31", "basis": "collected"}
        by_wave = shop.run(revenue, {**args, "method": "wave"})
        assert by_wave.total == 5000 and by_wave.collected == 5000
        assert by_wave.render().startswith("Les encaissements par Wave de mars 2026")
        assert shop.run(revenue, args).total == 25000
        invoiced = shop.run(revenue, {**args, "basis": "invoiced", "method": "wave"})
        assert invoiced.total == 45000  # a way of paying says nothing of what is invoiced

    def test_revenue_of_one_customer(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.customer("Ndiaye Commerce")
        shop.posted("Ndiaye Commerce", quantity="1")
        shop.run(record_payment, {"customer": "Ndiaye", "amount": "7000", "method": "cash"})
        march = {"start": "2026-03-01", "end": "2026-03-31"}
        assert shop.run(revenue, march).total == 60000  # both customers
        ndiaye = shop.run(revenue, {**march, "customer": "Ndiaye"})
        assert ndiaye.total == 15000 and ndiaye.customer == "Ndiaye Commerce"
        assert ndiaye.render().startswith("Le chiffre d'affaires facturé à Ndiaye Commerce de mars")
        paid = shop.run(revenue, {**march, "customer": "Diallo", "basis": "collected"})
        assert paid.total == 0  # Ndiaye's payment is not Diallo's
        assert paid.render().startswith("Les encaissements de Diallo SARL de mars 2026")

    def test_revenue_beside_another_period(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        args = {"start": "2026-02-01", "end": "2026-02-28"}
        result = shop.run(
            revenue, {**args, "compare_start": "2026-03-01", "compare_end": "2026-03-31"}
        )
        assert result.total == 0 and result.compared is not None
        assert result.compared.total == 45000
        assert result.render() == (
            f"Le chiffre d'affaires de février 2026 est de {fcfa('0')}, contre "
            f"{fcfa('45 000')} de mars 2026 : mars 2026 fait {fcfa('45 000')} de plus."
        )

    def test_sales_may_not_read_revenue(self, shop: Shop) -> None:
        with pytest.raises(PermissionDenied):
            shop.run(revenue, {}, Role.SALES)

    def test_aged_receivables(self, shop: Shop) -> None:
        shop.posted("Diallo SARL")
        shop.clock.advance(timedelta(days=40))
        result = shop.run(aged_receivables, {})
        assert result.total == 53100 and result.overdue == 53100
        assert result.render() == (
            f"Les clients vous doivent {fcfa('53 100')}, dont {fcfa('53 100')} en retard :\n"
            f"- Diallo SARL : {fcfa('53 100')}, dont {fcfa('53 100')} en retard"
        )


class TestWording:
    @pytest.mark.parametrize(
        ("start", "end", "label"),
        [
            (date(2026, 3, 1), date(2026, 3, 31), "de mars 2026"),
            (date(2026, 4, 1), date(2026, 4, 30), "d'avril 2026"),
            (date(2026, 1, 1), date(2026, 3, 31), "du 1er trimestre 2026"),
            (date(2026, 1, 1), date(2026, 12, 31), "de 2026"),
            (date(2026, 3, 3), date(2026, 3, 7), "du 03/03/2026 au 07/03/2026"),
        ],
    )
    def test_period_labels(self, start: date, end: date, label: str) -> None:
        assert period_label(start, end) == label

    def test_numbers_and_names(self) -> None:
        assert strip_document_words("la facture de Modou") == "Modou"
        assert strip_document_words("le devis d'Awa") == "Awa"
