"""Finance, sales, reports and automations said in chat: a discount on some lines only, a
supplier's bill paid right after it was recorded, the readings of what is owed and
collected, reminders with a reason, quotes, payment terms, recurring invoices and rules,
and an answer to a choice that picks nothing. Own sentences, not the eval's."""

from __future__ import annotations

from datetime import date
from typing import Any

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import understand

TODAY = date(2026, 5, 6)
TWO_LINES = "facture Kane 4 sacs de riz et 3 bidons d'huile"


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


def after(local: LocalTier, first: str) -> Memory:
    """The memory once ``first`` was done (its write confirmed)."""
    memory = Memory()
    plan = say(local, first, memory)
    assert plan.kind == "tool", plan
    local.remember(memory, plan.tool or "", plan.arguments, record=plan.arguments)
    return memory


def discounts(plan: Plan) -> list[Any]:
    return [line.get("discount_percent") for line in plan.arguments["lines"]]


class TestADiscountOnSomeLines:
    def test_a_discount_said_of_one_line_applies_to_it_only(self, local: LocalTier) -> None:
        plan = say(local, "devis pour Sarr : 6 chaises et 2 tables, 5 % de remise sur les tables")
        assert plan.tool == "finance.create_quote", plan
        assert discounts(plan) == [None, "5"]

    def test_a_discount_said_in_a_second_sentence_stays_with_the_request(
        self, local: LocalTier
    ) -> None:
        plan = say(
            local,
            "Facture Kane : 4 sacs de riz et 3 bidons d'huile. Mets-lui 10% de remise "
            "uniquement sur l'huile",
        )
        assert plan.tool == "finance.create_invoice" and "ensuite" not in plan.text, plan
        assert discounts(plan) == [None, "10"]

    def test_a_discount_on_all_but_one_line(self, local: LocalTier) -> None:
        plan = say(local, f"{TWO_LINES}, 10 % de remise sauf l'huile")
        assert discounts(plan) == ["10", None]

    def test_a_discount_on_the_whole_document_applies_to_every_line(self, local: LocalTier) -> None:
        plan = say(local, f"{TWO_LINES}, 10 % de remise sur le tout")
        assert discounts(plan) == ["10", "10"]

    def test_a_discount_on_a_line_not_said_writes_nothing(self, local: LocalTier) -> None:
        plan = say(local, f"{TWO_LINES}, 10 % de remise sur le sucre")
        assert plan.kind != "tool"


class TestPayingABillJustRecorded:
    def test_paid_by_a_method_pays_its_balance(self, local: LocalTier) -> None:
        memory = after(local, "j'ai reçu la facture n° K-5512 de Sotiba, 118 000 TTC")
        plan = say(local, "je viens de la payer par Orange Money", memory)
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments["bill"] == "K-5512" and plan.arguments["amount"] == "balance"

    def test_a_cheque_said_as_it_is_written_pays_part_of_it(self, local: LocalTier) -> None:
        memory = after(local, "facture FR-220 de Sotiba, 500 000 HT")
        plan = say(local, "je leur fais un virement de 200 000 pour commencer", memory)
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments["amount"] == "200000" and plan.arguments["bill"] == "FR-220"
        assert "customer" not in plan.arguments


class TestPaidByTheCustomerJustRead:
    def test_a_payment_said_with_a_pronoun_is_that_customer_s(self, local: LocalTier) -> None:
        memory = after(local, "combien me doit Ndour Frères ?")
        plan = say(local, "bon elle vient de nous virer 30 000 par Wave", memory)
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["customer"] == "Ndour Frères"


class TestReadingWhatIsOwedAndCollected:
    def test_a_customer_named_then_said_again_by_a_pronoun(self, local: LocalTier) -> None:
        plan = say(local, "la pharmacie du port elle nous doit combien en tout ? et en retard ?")
        assert plan.tool == "finance.customer_balance", plan
        assert plan.arguments["customer"].lower().startswith("pharmacie")

    def test_what_one_customer_has_not_paid(self, local: LocalTier) -> None:
        plan = say(local, "qu'est-ce que Ndour ne m'a toujours pas réglé ?")
        assert plan.tool == "finance.list_invoices", plan
        assert plan.arguments == {"customer": "Ndour", "status": "open"}

    def test_collected_by_one_way_of_paying(self, local: LocalTier) -> None:
        plan = say(local, "orange money ça m'a rapporté combien la semaine dernière ?")
        assert plan.tool == "finance.revenue", plan
        assert plan.arguments["basis"] == "collected"
        assert plan.arguments["method"] == "orange_money"

    def test_invoiced_and_collected_asked_together(self, local: LocalTier) -> None:
        plan = say(local, "la semaine dernière on a encaissé combien et facturé combien ?")
        assert plan.tool == "reports.kpis", plan


class TestReminders:
    def test_a_reminder_for_one_numbered_invoice(self, local: LocalTier) -> None:
        plan = say(local, "envoie un rappel de paiement à Ndour pour la facture F-2026-00031")
        assert plan.tool == "finance.send_reminder", plan
        assert plan.arguments["invoice"] == "F-2026-00031"

    def test_a_reminder_said_not_to_be_needed_sends_none(self, local: LocalTier) -> None:
        plan = say(local, "Ndour a payé la facture F-2026-00031, plus besoin de relance")
        assert plan.tool == "finance.record_payment", plan

    def test_how_long_they_have_waited_is_a_reason(self, local: LocalTier) -> None:
        plan = say(local, "relance Ndour par mail, ça fait déjà 3 semaines qu'il doit payer")
        assert plan.tool == "finance.send_reminder", plan
        assert plan.arguments == {"customer": "Ndour", "channel": "email"}

    def test_a_recurring_reminder_to_oneself_is_a_rule(self, local: LocalTier) -> None:
        plan = say(local, "rappelle-moi chaque vendredi à 16h de vérifier la caisse")
        assert plan.tool == "automations.create", plan
        assert plan.arguments["what"] == "reminder"
        assert "caisse" in plan.arguments["text"]

    def test_asking_whether_something_is_sent_lists_the_rules(self, local: LocalTier) -> None:
        plan = say(local, "est-ce que je reçois un bilan chaque semaine sans rien faire ?")
        assert plan.tool == "automations.list", plan


class TestQuotesAndCreditNotes:
    def test_a_quote_validated_by_a_business_typed_in_lower_case(self, local: LocalTier) -> None:
        plan = say(local, "le restaurant la terrasse a validé le devis, tu peux faire la facture")
        assert plan.tool == "finance.convert_quote_to_invoice", plan
        assert plan.arguments["quote"].lower() == "restaurant la terrasse"

    def test_a_quote_accepted_then_invoiced_one_after_the_other(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(
            local, "le restaurant la terrasse a dit oui pour notre devis, fais la facture", memory
        )
        assert plan.tool == "finance.accept_quote", plan
        assert memory.queued == "fais la facture"
        local.remember(memory, plan.tool or "", plan.arguments, record=plan.arguments)
        then = say(local, memory.queued, memory)
        assert then.tool == "finance.convert_quote_to_invoice", then
        assert then.arguments["quote"].lower() == "restaurant la terrasse"

    def test_a_quote_named_by_when_it_was_made(self, local: LocalTier) -> None:
        plan = say(local, "Sarr Bâtiment est d'accord pour le devis du mois dernier")
        assert plan.tool == "finance.accept_quote", plan
        assert plan.arguments["quote"] == "Sarr Bâtiment"
        made = (plan.arguments["made_from"], plan.arguments["made_to"])
        assert made == ("2026-04-01", "2026-04-30")

    def test_quotes_still_without_an_answer_are_listed(self, local: LocalTier) -> None:
        plan = say(local, "combien de mes devis n'ont toujours pas de réponse ?")
        assert plan.tool == "finance.list_quotes", plan
        assert plan.arguments == {"status": "sent"}

    def test_a_customer_who_has_not_answered_is_no_name(self, local: LocalTier) -> None:
        plan = say(local, "quels devis ont expiré sans que le client ait rappelé ?")
        assert plan.tool == "finance.list_quotes", plan
        assert plan.arguments == {"status": "expired"}

    def test_a_payment_asked_to_be_recorded_as_a_question(self, local: LocalTier) -> None:
        said = "Mme Kane m'a remis 60 € en espèces pour sa facture, vous notez ?"
        plan = understand(local, said, today=TODAY, currency="EUR")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["method"] == "cash"

    def test_a_quote_said_yes_to_then_asked_to_be_invoiced(self, local: LocalTier) -> None:
        plan = say(
            local,
            "la Menuiserie Fall m'a donné son accord pour le devis des portes, vous pouvez "
            "le transformer en facture ?",
        )
        assert plan.tool == "finance.convert_quote_to_invoice", plan
        assert plan.arguments["quote"] == "Menuiserie Fall"

    def test_a_credit_note_for_the_items_just_named(self, local: LocalTier) -> None:
        plan = say(
            local,
            "3 cartons de lait de la facture de Ndour étaient abîmés, fais un avoir pour ces "
            "3 cartons",
        )
        assert plan.tool == "finance.create_credit_note", plan
        assert plan.arguments["invoice"] == "Ndour"
        assert plan.arguments["lines"] == [{"product": "lait", "quantity": "3"}]


class TestCustomersAndInvoices:
    def test_new_payment_terms_of_a_customer(self, local: LocalTier) -> None:
        plan = say(local, "pour la boutique Fall on passe à 45 jours de délai de paiement")
        assert plan.tool == "sales.update_customer", plan
        assert plan.arguments["payment_terms_days"] == 45

    def test_an_invoice_made_and_validated_after_a_comma(self, local: LocalTier) -> None:
        plan = say(local, "fais une facture à Ndour pour 3 sacs de riz, valide-la direct")
        assert plan.tool == "finance.create_invoice", plan
        assert plan.arguments.get("post") is True

    def test_a_service_named_after_its_customer_is_a_line(self, local: LocalTier) -> None:
        plan = say(local, "facture Awa Ndiaye pour la pose du carrelage de sa cuisine")
        assert plan.arguments["customer"] == "Awa Ndiaye", plan
        assert plan.arguments["lines"] == [
            {"description": "pose du carrelage de sa cuisine", "quantity": "1"}
        ]

    def test_a_monthly_amount_before_tax_from_a_date(self, local: LocalTier) -> None:
        plan = say(
            local, "à partir du 1er juin, facture tous les mois 80 000 F HT de gardiennage à Ndour"
        )
        assert plan.tool == "finance.create_recurring_invoice", plan
        assert plan.arguments["lines"] == [
            {"description": "gardiennage", "quantity": "1", "unit_price": "80000"}
        ]
        assert plan.arguments["start_date"] == "2026-06-01"

    def test_a_monthly_amount_with_tax_is_not_read_as_a_price(self, local: LocalTier) -> None:
        plan = say(local, "tous les mois facture 80 000 F TTC de gardiennage à Ndour")
        assert plan.kind != "tool"


class TestAnsweringAChoice:
    def test_a_yes_to_a_choice_between_two_products_asks_again(self, local: LocalTier) -> None:
        question = "Plusieurs produits correspondent : Savon de Marseille ou Savon noir ?"
        memory = Memory(
            draft={
                "tool": "finance.create_invoice",
                "arguments": {"customer": "Ndour", "lines": [{"product": None, "quantity": "4"}]},
                "awaiting": "lines.0.product",
                "options": ["Savon de Marseille", "Savon noir"],
                "question": question,
            }
        )
        plan = say(local, "bon ok, oui", memory)
        assert plan.kind == "reply" and question in plan.text
        assert memory.draft is not None
        chosen = say(local, "le noir", memory)
        assert chosen.arguments["lines"][0]["product"] == "Savon noir"


class TestMoneySaidLoosely:
    def test_a_payment_said_as_making_an_orange_money(self, local: LocalTier) -> None:
        plan = say(local, "Kane m'a fait un OM de 30 000 ce matin")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["method"] == "orange_money" and plan.arguments["amount"] == "30000"
        assert plan.arguments["customer"] == "Kane"

    def test_an_amount_in_a_currency_the_books_are_not_kept_in_writes_nothing(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "facture à Fall : traduction du catalogue, 800 dollars")
        assert plan.kind != "tool" and "800 dollars" in plan.text, plan

    def test_euros_paid_to_a_business_in_francs_cfa_are_never_recorded_as_francs(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "Mbengue a envoyé 150 euros par virement depuis Paris")
        assert plan.kind != "tool" and "150 euros" in plan.text, plan
        plan = understand(local, "Roux a payé 150 euros par virement", today=TODAY, currency="EUR")
        assert plan.tool == "finance.record_payment" and plan.arguments["amount"] == "150", plan

    def test_money_come_in_this_month_is_no_one_back_at_work(self, local: LocalTier) -> None:
        plan = say(local, "combien d'argent est rentré ce mois ci en espèces ?")
        assert (plan.kind, plan.tool) == ("tool", "finance.revenue"), plan
        assert plan.arguments["method"] == "cash"

    def test_a_payment_method_is_never_a_line_sold(self, local: LocalTier) -> None:
        plan = say(local, "une facture pour Seck, un wave 12 000")
        assert plan.kind != "tool" or not any(
            "wave" in str(line.get("description", "")).lower()
            for line in plan.arguments.get("lines", [])
        ), plan


class TestFollowUpsOnWhatWasJustDone:
    def test_what_the_customer_who_just_paid_still_owes(self, local: LocalTier) -> None:
        memory = after(local, "Fall a payé 20 000 par Wave")
        plan = say(local, "et combien il lui reste à régler en tout ?", memory)
        assert plan.tool == "finance.customer_balance", plan
        assert plan.arguments["customer"] == "Fall"

    def test_a_bill_just_recorded_paid_by_a_hyphenated_pronoun(self, local: LocalTier) -> None:
        memory = after(local, "facture Sotiba n° AB-77 reçue : 59 000 TTC")
        plan = say(local, "finalement règle-la aujourd'hui par chèque", memory)
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments["bill"] == "AB-77" and plan.arguments["amount"] == "balance"

    def test_a_quote_just_made_sent_by_two_pronouns(self, local: LocalTier) -> None:
        memory = after(local, "devis pour Ndour : 3 sacs de riz")
        plan = say(local, "tu peux le lui envoyer par SMS", memory)
        assert plan.tool == "finance.send_quote", plan
        assert plan.arguments["quote"] == "Ndour"

    def test_a_bill_given_by_the_supplier_just_added(self, local: LocalTier) -> None:
        memory = after(local, "nouveau fournisseur : Froid Service, tél 77 100 20 30")
        plan = say(local, "il nous a donné sa facture FS-12, 23 600 F TTC", memory)
        assert plan.tool == "purchasing.record_supplier_bill", plan
        assert plan.arguments["supplier"] == "Froid Service"


class TestPaymentsSaidWithWhatComesLater:
    def test_half_paid_now_and_the_rest_later_pays_half_today(self, local: LocalTier) -> None:
        plan = say(local, "Sow a réglé la moitié de sa facture par Wave, le reste dans 15 jours")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["amount"] == "half" and "received_on" not in plan.arguments

    def test_an_invoice_of_a_month_still_to_come_is_last_year_s(self, local: LocalTier) -> None:
        plan = say(local, "Kane a payé sa facture de septembre en espèces, 40 000")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["invoice_month"] == "2025-09-01"

    def test_what_a_customer_typed_in_lower_case_paid_us(self, local: LocalTier) -> None:
        plan = say(local, "l'hôtel du parc nous a réglé combien depuis mars ?")
        assert plan.tool == "finance.revenue", plan
        assert plan.arguments["basis"] == "collected"
        assert plan.arguments["customer"].lower() == "hôtel du parc"


class TestWhoseDebtAndWhichInvoices:
    def test_invoices_past_their_due_date_are_the_overdue_ones(self, local: LocalTier) -> None:
        plan = say(local, "liste les factures qui ont dépassé leur échéance")
        assert plan.tool == "finance.list_invoices", plan
        assert plan.arguments == {"status": "overdue"}


class TestAnotherPayerNamedNext:
    def test_the_next_payer_keeps_only_the_manner_of_the_last_payment(
        self, local: LocalTier
    ) -> None:
        memory = after(local, "Kane a soldé sa facture d'avril par chèque")
        assert memory.last and memory.last["arguments"].get("invoice") == "Kane"
        plan = say(local, "et Sarr 8 000 sur la sienne", memory)
        assert plan.tool == "finance.record_payment", plan
        assert "Kane" not in str(plan.arguments) and "invoice_month" not in plan.arguments
        assert plan.arguments["method"] == "cheque" and plan.arguments["amount"] == "8000"
