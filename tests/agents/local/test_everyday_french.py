"""Everyday French the local tier reads: SMS spellings, Wolof greetings, numbers that name a
product, the half day and the weekday that fix a date, the verb that decides between two
close requests — and what it must not read into a message (a payment is no invoice line,
two days apart are not the week between). No database: the router, the adapters and the
registry. Messages are written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from agents.local.slots.text import expand_sms
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role
from tools.confirmation import reply_kind

TODAY = date(2026, 3, 16)  # a Monday


def say(local: LocalTier, message: str, role: Role = Role.ADMIN) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({role}))
    return local.understand(message, Memory(), principal, today=TODAY, currency="XOF")


class TestSmsAndWolof:
    def test_sms_spellings_are_written_out(self) -> None:
        assert expand_sms("cmb il reste ds le depot ?") == "combien il reste dans le depot ?"
        assert expand_sms("ki é en retard de paiman") == "qui est en retard de paiement"
        assert expand_sms("c koi le pri du thé") == "c'est quoi le prix du thé"
        # a word that only contains a spelling is left alone
        assert expand_sms("Cmbodia et prière") == "Cmbodia et prière"

    def test_an_elision_glued_before_a_mute_h_and_never_in_a_name(self) -> None:
        assert expand_sms("2 bidons dhuile avant lheure") == "2 bidons d'huile avant l'heure"
        assert expand_sms("client Maison dhoktaf et lhacfa") == "client Maison dhoktaf et lhacfa"

    def test_a_question_in_sms_is_read(self, local: LocalTier) -> None:
        plan = say(local, "slt, il me reste cmb de jours de congé ?")
        assert plan.tool == "hr.leave_balance" and plan.kind == "tool", plan

    def test_a_wolof_greeting_is_greeted_back(self, local: LocalTier) -> None:
        plan = say(local, "Asalaa maalekum, naka nga def ?")
        assert plan.kind == "reply" and plan.text.startswith("Maalekum salaam")
        assert say(local, "bonjour").text.startswith("Bonjour")

    def test_wolof_around_a_french_request_does_not_hide_it(self, local: LocalTier) -> None:
        plan = say(local, "dama bëgg congé vendredi 20 mars", Role.EMPLOYEE)
        assert plan.tool == "hr.request_leave", plan
        assert plan.arguments.get("start_date") == "2026-03-20"

    def test_a_wolof_aside_in_a_french_message_is_read(self, local: LocalTier) -> None:
        plan = say(local, "il reste combien de sacs de riz ? dama begg xam")
        assert plan.tool == "stock.stock_level", plan
        assert say(local, "dama bëgg jënd ceeb").text.startswith("Je ne comprends pas encore")

    @pytest.mark.parametrize("answer", ["waaw dafa baax", "oui, valide-la", "ok vas-y directement"])
    def test_yes_in_the_words_of_the_trade(self, answer: str) -> None:
        assert reply_kind(answer) == "yes"

    @pytest.mark.parametrize("message", ["je m'en vais, bonne soirée !", "je débauche, à demain"])
    def test_a_closing_farewell_is_no_date(self, local: LocalTier, message: str) -> None:
        plan = say(local, message, Role.EMPLOYEE)
        assert plan.tool == "hr.check_out" and plan.kind == "tool", plan


class TestNumbersThatNameAProduct:
    def test_a_number_right_after_the_item_names_it(self, local: LocalTier) -> None:
        plan = say(local, "devis pour Sow Hôtel : 12 lits 1 place")
        lines = plan.arguments.get("lines")
        assert lines == [{"product": "lits 1 place", "quantity": "12"}], plan

    def test_a_rating_after_the_name_belongs_to_it(self, local: LocalTier) -> None:
        plan = say(local, "facture Garage Ba : 2 compresseurs à piston 3 cv")
        assert plan.arguments.get("lines") == [
            {"product": "compresseurs à piston 3 cv", "quantity": "2"}
        ], plan

    def test_a_rating_glued_to_its_letters_belongs_to_the_name(self, local: LocalTier) -> None:
        plan = say(local, "facture Garage Ba : 4 fusibles 10A et 2 batteries 12V")
        assert plan.arguments.get("lines") == [
            {"product": "fusibles 10A", "quantity": "4"},
            {"product": "batteries 12V", "quantity": "2"},
        ], plan

    def test_a_count_with_its_own_unit_stays_a_line(self, local: LocalTier) -> None:
        plan = say(local, "facture Diop 4 sacs de sucre 3 sacs de riz")
        assert [x["product"] for x in plan.arguments["lines"]] == ["sucre", "riz"], plan

    def test_a_dimension_in_the_name_is_never_a_price(self, local: LocalTier) -> None:
        plan = say(local, "le prix d'achat des jantes 195/65 passe à 48 000")
        assert plan.tool == "stock.update_product", plan
        assert plan.arguments.get("purchase_price") == "48000", plan
        assert "sale_price" not in plan.arguments

    def test_a_size_is_no_stock_threshold(self, local: LocalTier) -> None:
        plan = say(local, "seuil d'alerte des bidons d'huile 5l : 12")
        assert plan.arguments.get("min_stock") == "12", plan


class TestDates:
    def test_the_weekday_chooses_the_month(self, local: LocalTier) -> None:
        # 14 and 17 April 2026 are a Tuesday and a Friday; in March they are not
        plan = say(local, "je pose du mardi 14 au vendredi 17", Role.EMPLOYEE)
        assert plan.arguments.get("start_date") == "2026-04-14", plan
        assert plan.arguments.get("end_date") == "2026-04-17", plan

    def test_the_half_day_said_before_the_day(self, local: LocalTier) -> None:
        plan = say(local, "je voudrais poser la matinée du jeudi 26 mars", Role.EMPLOYEE)
        assert plan.tool == "hr.request_leave", plan
        plan = say(local, "je voudrais poser l'après-midi du jeudi 26 mars", Role.EMPLOYEE)
        assert plan.arguments.get("starts_afternoon") is True, plan

    def test_two_days_apart_are_not_the_days_between(self, local: LocalTier) -> None:
        plan = say(local, "je veux poser le mardi 7 avril et le jeudi 9 avril", Role.EMPLOYEE)
        assert plan.arguments.get("other_days") == ["2026-04-09"], plan
        assert "end_date" not in plan.arguments, plan
        together = say(local, "je veux poser le jeudi 9 et le vendredi 10 avril", Role.EMPLOYEE)
        assert together.arguments.get("end_date") == "2026-04-10", together


class TestWhatDecidesBetweenCloseRequests:
    def test_money_handed_over_for_invoices_is_a_payment(self, local: LocalTier) -> None:
        plan = say(local, "Moussa Fall m'a donné 40 000 en espèces pour ses factures")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments.get("method") == "cash"

    def test_closest_to_what_is_not_done_is_never_a_write(self, local: LocalTier) -> None:
        plan = say(local, "note une dépense de 6 500 pour le crédit téléphone")
        assert plan.kind == "reply" and "pas encore" in plan.text, plan

    def test_a_way_of_paying_is_never_an_invoice_line(self, local: LocalTier) -> None:
        plan = say(local, "facture Ndiaye 2 sacs de riz payés en liquide")
        assert plan.kind != "tool" or plan.tool != "finance.create_invoice", plan

    def test_the_verb_said_decides_between_contrary_actions(self, local: LocalTier) -> None:
        plan = say(local, "refuse le congé de Mamadou du 6 et 7 avril, trop de monde absent")
        assert plan.tool == "hr.reject_leave", plan
        assert plan.arguments.get("end_date") == "2026-04-07", plan

    def test_asking_to_see_reads(self, local: LocalTier) -> None:
        plan = say(local, "montre-moi les factures du garage Ndoye")
        assert plan.tool == "finance.list_invoices", plan
        plan = say(local, "donne-moi le numéro de téléphone de la quincaillerie Sarr")
        assert plan.tool == "sales.find_customer", plan

    def test_a_validated_invoice_is_never_edited(self, local: LocalTier) -> None:
        plan = say(local, "corrige la facture F-2026-00007, la remise devait être de 10 %")
        assert plan.kind == "reply" and "ne peut plus être modifiée" in plan.text, plan

    def test_whoever_owes_money_for_long_is_late(self, local: LocalTier) -> None:
        plan = say(local, "qui nous doit de l'argent depuis plus de 45 jours ?")
        assert plan.arguments == {"overdue_days": 45}, plan


class TestWhoAndWhy:
    def test_an_occasion_after_an_article_is_nobody(self, local: LocalTier) -> None:
        plan = say(local, "il me reste combien de congés pour la Korité ?", Role.EMPLOYEE)
        assert plan.tool == "hr.leave_balance" and "employee" not in plan.arguments, plan

    def test_the_name_after_a_time_opening_the_message(self, local: LocalTier) -> None:
        plan = say(local, "dès demain Awa Ndiaye devient caissière principale", Role.HR)
        assert plan.arguments.get("employee") == "Awa Ndiaye", plan

    def test_goods_sent_back_are_the_reason_of_the_credit_note(self, local: LocalTier) -> None:
        plan = say(local, "Ets Kane a ramené 4 cartons de lait périmés, fais-leur un avoir")
        assert plan.tool == "finance.create_credit_note", plan
        assert "retour" in plan.arguments.get("reason", ""), plan

    def test_one_item_sent_back_is_the_credit_note_s_line(self, local: LocalTier) -> None:
        plan = say(local, "Ets Kane m'a renvoyé une lampe torche, un avoir sur F-2026-00004")
        assert plan.arguments.get("lines") == [{"product": "lampe torche", "quantity": 1}]
        assert plan.arguments.get("invoice") == "F-2026-00004", plan

    def test_a_call_for_a_customer_named_after_pour(self, local: LocalTier) -> None:
        plan = say(local, "planifie un appel pour la Clinique Ndiambour jeudi à 15h")
        assert plan.arguments.get("partner") == "Clinique Ndiambour", plan

    def test_where_a_new_customer_lives(self, local: LocalTier) -> None:
        plan = say(local, "nouveau client : M. Pape Gueye, 77 450 12 12, il habite Mbour")
        assert plan.arguments.get("city") == "Mbour", plan


class TestMoneySaidShortAndBills:
    def test_thousands_glued_to_the_figure(self, local: LocalTier) -> None:
        plan = say(local, "Awa Sarr est passée, elle a payé 35mil en espèces")
        assert plan.arguments.get("amount") == "35000", plan

    def test_a_figure_followed_by_its_tax_basis_is_an_amount(self, local: LocalTier) -> None:
        plan = say(local, "devis pour Clinique Ndiambour : nettoyage des vitres 60000 HT")
        assert plan.tool == "finance.create_quote", plan
        assert plan.arguments["lines"][0]["unit_price"] == "60000", plan

    def test_the_supplier_right_after_facture_never_its_number(self, local: LocalTier) -> None:
        plan = say(local, "enregistre la facture Senelec n° SN-4410 de 88 500 TTC")
        assert plan.arguments.get("supplier") == "Senelec", plan
        assert plan.arguments.get("supplier_number") == "SN-4410", plan
        plan = say(local, "enregistre la facture KM-77 de Kirène Distribution, 59 000 F TTC")
        assert plan.arguments.get("supplier") == "Kirène Distribution", plan

    def test_a_vat_rate_said_bare_at_the_end(self, local: LocalTier) -> None:
        plan = say(local, "facture de Promodis n° 5512 de 105,50 € TTC, TVA 5,5")
        assert plan.arguments.get("vat_rate") == "5.5", plan

    def test_money_we_paid_out_pays_a_supplier(self, local: LocalTier) -> None:
        plan = say(local, "j'ai réglé 80 000 par Wave aux Ciments du Sahel hier")
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("supplier") == "Ciments du Sahel", plan

    def test_a_cheque_received_is_a_payment_never_an_invoice_line(self, local: LocalTier) -> None:
        plan = say(local, "Reçu hier un chèque de 640 € du Garage Moreau, ça règle sa facture")
        assert plan.tool == "finance.record_payment", plan
        plan = say(local, "enregistre une facture de 300 € HT")
        assert plan.kind != "tool", plan  # no line named « enregistre »

    def test_a_quote_accepted_and_invoiced_is_one_request(self, local: LocalTier) -> None:
        plan = say(local, "la Clinique Ndiambour a signé le devis, facture-leur ça")
        assert plan.tool == "finance.convert_quote_to_invoice", plan

    def test_when_is_not_who(self, local: LocalTier) -> None:
        plan = say(local, "valide la facture de Garage Moreau tout de suite")
        assert plan.arguments.get("invoice") == "Garage Moreau", plan


def say_after(
    local: LocalTier, message: str, last: dict[str, object], about: dict[str, str]
) -> Plan:
    memory = Memory(last=last, about=about)
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, memory, principal, today=TODAY, currency="XOF")


class TestAFieldOfThePersonJustRecorded:
    def test_their_manager_said_after_the_card_was_made(self, local: LocalTier) -> None:
        memory = Memory()
        local.remember(
            memory,
            "hr.create_employee",
            {"name": "Binta Sall", "job_title": "caissière"},
            record={"name": "Binta Sall", "code": "E00012"},
        )
        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        plan = local.understand(
            "son responsable c'est Moussa Kane", memory, principal, today=TODAY, currency="XOF"
        )
        assert plan.tool == "hr.update_employee", plan
        assert plan.arguments == {"employee": "Binta Sall", "manager": "Moussa Kane"}, plan


class TestWhoThePronounStandsFor:
    def test_what_the_customer_just_spoken_of_still_owes(self, local: LocalTier) -> None:
        last = {"tool": "finance.record_payment", "arguments": {"amount": "20000"}}
        about = {"customer": "Quincaillerie Sy", "invoice": "F-2026-00007"}
        plan = say_after(local, "du coup il nous doit encore combien ?", last, about)
        assert plan.tool == "finance.customer_balance", plan
        assert plan.arguments.get("customer") == "Quincaillerie Sy", plan

    def test_the_bill_just_recorded_is_paid_in_full(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Sotiba", "supplier_number": "ST-88", "amount": "59000"},
        }
        about = {"supplier": "Sotiba Textiles"}
        plan = say_after(local, "règle-la par Orange Money stp", last, about)
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("bill") == "ST-88", plan
        assert plan.arguments.get("amount") == "balance", plan
        assert plan.arguments.get("supplier") == "Sotiba Textiles", plan

    def test_when_the_rest_is_paid_is_no_part_of_this_payment(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Sotiba", "supplier_number": "ST-91", "amount": "90000"},
        }
        plan = say_after(
            local,
            "verse-leur 40 000 en espèces, le reste en fin de semaine",
            last,
            {"supplier": "Sotiba"},
        )
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("amount") == "40000" and "paid_on" not in plan.arguments, plan
        assert plan.arguments.get("supplier") == "Sotiba", plan

    def test_what_we_still_owe_the_supplier_just_spoken_of(self, local: LocalTier) -> None:
        last = {"tool": "purchasing.pay_supplier", "arguments": {"amount": "10000"}}
        plan = say_after(local, "on leur doit encore combien ?", last, {"supplier": "Sotiba"})
        assert plan.tool == "purchasing.payables", plan
        assert plan.arguments.get("supplier") == "Sotiba", plan


class TestPricesChangedByAShare:
    def test_a_price_raised_or_lowered_by_a_percentage(self, local: LocalTier) -> None:
        plan = say(local, "le sac de charbon augmente de 15 %")
        assert plan.arguments.get("sale_price_change") == "15", plan
        assert "charbon" in plan.arguments.get("product", ""), plan
        plan = say(local, "baisse le prix de la farine de 4 %")
        assert plan.arguments.get("sale_price_change") == "-4", plan

    def test_the_value_set_aside_is_never_the_new_one(self, local: LocalTier) -> None:
        plan = say(local, "mets la TVA du café moulu à 5,5 % au lieu de 20")
        assert plan.arguments.get("vat_rate") == "5.5", plan
        assert "sale_price" not in plan.arguments, plan

    def test_an_item_closing_a_sentence_is_a_line(self, local: LocalTier) -> None:
        plan = say(local, "devis pour Awa Sarr : 12 chaises pliantes et la sonorisation. Merci")
        assert len(plan.arguments.get("lines", [])) == 2, plan


class TestPricesSaidAsAFact:
    def test_the_price_said_of_a_product_is_its_new_sale_price(self, local: LocalTier) -> None:
        for message, product, price in [
            ("le sac de riz c'est 16 500 maintenant", "riz", "16500"),
            ("le bidon d'huile c 9 000 F maintenant", "huile", "9000"),
            ("le kilo de sucre coûte 800 F maintenant", "sucre", "800"),
            ("la boîte de sardines est à 900 F désormais", "sardines", "900"),
        ]:
            plan = say(local, message)
            assert plan.tool == "stock.update_product", (message, plan)
            assert plan.arguments == {"product": product, "sale_price": price}, plan

    def test_a_price_said_with_its_taxes_after_an_occasion(self, local: LocalTier) -> None:
        plan = say(local, "Pour la rentrée, le cartable junior passe à 30 € TTC")
        assert plan.arguments == {"product": "cartable junior", "sale_price_incl_tax": "30"}


class TestGoodsOfAnOrderArrived:
    def test_goods_of_an_order_that_arrived_are_received_on_it(self, local: LocalTier) -> None:
        for message, order in [
            (
                "on a eu que 12 cartons sur la commande BC-2026-00004, la suite lundi",
                "BC-2026-00004",
            ),
            ("Satrec a livré seulement 8 cartons sur les 20 commandés", "Satrec"),
            ("les 30 bidons de la commande sont arrivés, merci Dinor", None),
        ]:
            plan = say(local, message)
            assert plan.tool == "stock.receive_purchase_order", (message, plan)
            assert plan.arguments.get("order") == order, plan

    def test_ordering_is_never_a_receipt(self, local: LocalTier) -> None:
        plan = say(local, "commande 20 cartons de lait chez Satrec, livrés lundi")
        assert plan.tool == "stock.create_purchase_order", plan


class TestNewPartnersAsPeopleSayThem:
    def test_a_supplier_named_before_its_role_or_by_a_pronoun(self, local: LocalTier) -> None:
        plan = say(local, "ajoute les Cartonnages Ba comme fournisseur, ventes@cartonnages-ba.sn")
        assert plan.tool == "sales.create_supplier", plan
        assert plan.arguments == {"name": "Cartonnages Ba", "email": "ventes@cartonnages-ba.sn"}
        plan = say(
            local, "on bosse avec Dakar Glaces maintenant, tu peux l'ajouter comme fournisseur ?"
        )
        assert plan.tool == "sales.create_supplier", plan
        assert plan.arguments.get("name") == "Dakar Glaces", plan

    def test_the_card_of_a_private_customer_is_no_employee(self, local: LocalTier) -> None:
        plan = say(
            local, "crée la fiche de Mme Odile Faye, c'est une particulière, elle habite à Thiès"
        )
        assert plan.tool == "sales.create_customer", plan
        assert plan.arguments == {"name": "Odile Faye", "city": "Thiès", "kind": "individual"}


class TestThePayerAndWhatWasOwed:
    def test_the_payer_after_du_and_all_that_was_owed(self, local: LocalTier) -> None:
        plan = say(local, "reçu un chèque de 45 000 du garage Fall ce matin")
        assert plan.arguments.get("customer") == "garage Fall", plan
        plan = say(local, "Mme Sarr est passée, elle a payé en espèces tout ce qu'elle devait")
        assert plan.arguments.get("amount") == "balance", plan


class TestWhichInvoicesAreAsked:
    def test_not_yet_paid_said_with_its_auxiliary_is_open(self, local: LocalTier) -> None:
        plan = say(local, "quelles factures n'ont toujours pas été payées ?")
        assert plan.arguments == {"status": "open"}, plan

    def test_late_by_more_than_months_counts_thirty_days_each(self, local: LocalTier) -> None:
        plan = say(local, "montre les factures en retard de plus de 2 mois")
        assert plan.arguments == {"overdue_days": 60}, plan


class TestQuotesServicesAndShortQuestions:
    def test_how_long_a_quote_holds(self, local: LocalTier) -> None:
        plan = say(local, "fais un devis pour M. Lemaire : 2 radiateurs, valable 3 semaines")
        assert plan.arguments.get("valid_days") == 21, plan
        assert plan.arguments.get("customer") == "Lemaire", plan
        assert len(plan.arguments.get("lines", [])) == 1, plan

    def test_a_service_added_to_the_catalog(self, local: LocalTier) -> None:
        plan = say(local, "ajoute le service repassage chemise à 2 €")
        assert plan.tool == "stock.create_product", plan
        assert plan.arguments.get("kind") == "service", plan

    def test_a_telegraphic_stock_question_names_its_product(self, local: LocalTier) -> None:
        plan = say(local, "charbon 5 kg stock ?")
        assert (plan.tool, plan.arguments.get("product")) == ("stock.stock_level", "charbon 5 kg")


class TestAnswersAndDocumentsNamed:
    def test_a_reason_given_changes_nothing_else(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        first = local.understand(
            "l'affaire Clinique Ndiambour est perdue",
            memory,
            principal,
            today=TODAY,
            currency="XOF",
        )
        assert first.arguments.get("customer") == "Clinique Ndiambour", first
        memory.draft = {
            "tool": first.tool,
            "arguments": first.arguments,
            "awaiting": "lost_reason",
            "options": [],
            "question": "Pour quelle raison l'affaire est-elle perdue ?",
        }
        plan = local.understand(
            "ils ont choisi un autre prestataire chez un cousin", memory, principal,
            today=TODAY, currency="XOF",
        )  # fmt: skip
        assert plan.arguments.get("customer") == "Clinique Ndiambour", plan
        assert "cousin" in plan.arguments.get("lost_reason", ""), plan

    def test_what_a_quote_is_for_is_not_whose_it_is(self, local: LocalTier) -> None:
        plan = say(local, "Ndour a dit oui pour le devis de carrelage")
        assert plan.arguments.get("quote") == "Ndour", plan


class TestARequestBeforeAQuestion:
    def test_the_request_first_then_the_question(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset({Role.EMPLOYEE}))
        plan = local.understand(
            "salut, je suis au bureau ! et au fait il me reste combien de congés ?",
            memory, principal, today=TODAY, currency="XOF",
        )  # fmt: skip
        assert plan.tool == "hr.check_in", plan
        assert memory.queued and "congés" in memory.queued, memory

    def test_an_answer_adds_what_was_not_said_yet(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        first = local.understand(
            "j'ai un nouveau client à ajouter", memory, principal, today=TODAY, currency="XOF"
        )
        assert "city" not in first.arguments, first  # « à ajouter » is no town
        memory.draft = {
            "tool": "sales.create_customer",
            "arguments": first.arguments,
            "awaiting": "name",
            "options": [],
            "question": "Quel est le nom du client ?",
        }
        plan = local.understand(
            "Boulangerie Sène, tél 77 640 11 22", memory, principal, today=TODAY, currency="XOF"
        )
        assert plan.arguments.get("name") == "Boulangerie Sène", plan
        assert plan.arguments.get("phone"), plan


class TestSupplierBillDialogue:
    def test_the_number_given_in_answer_is_the_number_only(self) -> None:
        from agents.local.understanding import _clean_answer

        assert _clean_answer("le numéro c'est FA-2291") == "FA-2291"
        assert _clean_answer("réf : 77/2026") == "77/2026"

    def test_the_bill_just_recorded_paid_by_us_a_while_ago(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Kirène", "supplier_number": "K-310", "amount": "23600"},
        }
        plan = say_after(
            local, "je l'ai payée par wave tout à l'heure", last, {"supplier": "Kirène SA"}
        )
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("bill") == "K-310", plan
        assert plan.arguments.get("supplier") == "Kirène SA", plan


class TestCreditNoteReasons:
    def test_what_happened_is_the_reason(self, local: LocalTier) -> None:
        plan = say(local, "fais un avoir total sur F-2026-00012, le client a annulé la commande")
        assert plan.arguments.get("reason") == "le client a annulé la commande", plan

    def test_the_state_of_the_goods_is_the_reason_not_the_item(self, local: LocalTier) -> None:
        plan = say(
            local,
            "Kane a reçu 4 cartons de lait percés, un avoir pour ces 4 cartons sur F-2026-00009",
        )
        assert plan.arguments.get("reason") == "emballage déchiré", plan
        assert plan.arguments.get("lines") == [{"product": "lait", "quantity": "4"}], plan

    def test_a_customer_paying_is_never_an_invoice_line(self, local: LocalTier) -> None:
        plan = say(local, "Awa Sarr est passée payer sa facture de février, 45 000 en espèces")
        assert plan.kind != "tool" or plan.tool == "finance.record_payment", plan

    def test_a_bare_payé_says_nothing_of_who_paid(self, local: LocalTier) -> None:
        plan = say(local, "payé 30 000 par wave pour la facture de Diallo")
        assert plan.tool != "purchasing.pay_supplier", plan


class TestTwoThingsInOneRequest:
    def test_an_invoice_made_and_validated_in_one_operation(self, local: LocalTier) -> None:
        plan = say(local, "fais une facture à Sarr pour 4 pots de peinture, puis valide-la")
        assert plan.tool == "finance.create_invoice" and plan.kind == "tool", plan
        assert plan.arguments.get("post") is True, plan
        assert (
            say(local, "fais une facture à Sarr pour 4 pots de peinture").arguments.get("post")
            is None
        )

    def test_a_supplier_bill_recorded_and_validated_is_recorded(self, local: LocalTier) -> None:
        plan = say(
            local,
            "enregistre et valide la facture Sénégal Cash numéro SC-118 : 80 000 HT, TVA 18 %",
        )
        assert plan.tool == "purchasing.record_supplier_bill" and plan.kind == "tool", plan
        assert plan.arguments.get("supplier") == "Sénégal Cash", plan
        assert plan.arguments.get("supplier_number") == "SC-118", plan

    def test_a_supplier_named_after_a_colon(self, local: LocalTier) -> None:
        plan = say(local, "facture fournisseur : Quincaillerie Thiam, réf Q-42, 35 000 TTC")
        assert plan.arguments.get("supplier") == "Quincaillerie Thiam", plan
        assert plan.arguments.get("supplier_number") == "Q-42", plan

    def test_paid_at_once_is_read_after_the_bill(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        plan = local.understand(
            "reçu la facture 781 de Kirène, 118 000 TTC, et je l'ai réglée par chèque",
            memory, principal, today=TODAY, currency="XOF",
        )  # fmt: skip
        assert plan.tool == "purchasing.record_supplier_bill" and plan.kind == "tool", plan
        assert memory.queued == "je l'ai réglée par chèque", memory

    def test_and_then_a_verb_is_a_request_not_a_name(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Kirène", "supplier_number": "K-77", "amount": "59000"},
        }
        plan = say_after(local, "et paie-la en espèces", last, {"supplier": "Kirène SA"})
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("bill") == "K-77", plan

    def test_its_pronoun_typed_without_the_hyphen(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Kirène", "supplier_number": "K-78", "amount": "47200"},
        }
        plan = say_after(
            local, "et règle la par orange money, merci", last, {"supplier": "Kirène SA"}
        )
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments.get("bill") == "K-78" and plan.arguments.get("amount") == "balance"


class TestSizesOfProducts:
    def test_a_size_after_de_names_the_product(self, local: LocalTier) -> None:
        plan = say(local, "facture Boutique Ka : 5 sacs de farine de 50kg")
        assert plan.arguments.get("lines") == [{"product": "farine 50kg", "quantity": "5"}], plan

    def test_a_container_then_its_size_then_what_it_holds(self, local: LocalTier) -> None:
        plan = say(local, "facture Boutique Ka : 2 seaux de 10 litres de peinture")
        lines = plan.arguments.get("lines")
        assert lines == [{"product": "peinture 10 litre", "quantity": "2"}], plan


class TestReportsOfThePeriodJustEnded:
    @pytest.mark.parametrize(
        "message",
        [
            "chaque lundi matin envoie-moi les ventes de la semaine dernière",
            "le 1er de chaque mois, envoie-moi le chiffre d'affaires du mois passé",
        ],
    )
    def test_the_period_ended_is_the_one_the_report_covers(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert plan.tool == "automations.create" and plan.kind == "tool", plan

    def test_do_it_in_wolof_is_a_yes(self) -> None:
        assert reply_kind("waaw def ko") == "yes"


class TestHowMuchIsAQuestion:
    def test_how_much_was_collected_one_way_records_nothing(self, local: LocalTier) -> None:
        plan = say(local, "combien on a encaissé en Orange Money la semaine dernière ?")
        assert plan.tool == "finance.revenue" and plan.kind == "tool", plan
        assert plan.arguments.get("method") == "orange_money", plan
        assert plan.arguments.get("basis") == "collected", plan

    def test_a_request_with_its_figure_stays_a_request(self, local: LocalTier) -> None:
        plan = say(local, "Diallo a payé 25 000 en espèces, tu peux noter combien il reste ?")
        assert plan.tool == "finance.record_payment", plan

    def test_a_write_on_a_document_needs_the_document(self, local: LocalTier) -> None:
        plan = say(local, "Awa Diop passe caissière principale à partir de lundi")
        assert plan.tool not in ("finance.send_quote", "finance.post_invoice"), plan
        plan = say(local, "le devis de Ndiaye est parti, marque-le comme envoyé")
        assert plan.tool == "finance.send_quote", plan

    def test_a_greeting_then_a_name(self, local: LocalTier) -> None:
        plan = say(local, "Bonsoir, Moussa Ba sera en congé du 6 au 8 avril", Role.MANAGER)
        assert plan.tool == "hr.request_leave" and plan.kind == "tool", plan
        assert plan.arguments.get("employee") == "Moussa Ba", plan

    def test_approve_one_but_refuse_the_other(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset({Role.MANAGER}))
        plan = local.understand(
            "valide les congés de Fatou mais refuse ceux de Cheikh",
            memory, principal, today=TODAY, currency="XOF",
        )  # fmt: skip
        assert plan.tool == "hr.approve_leave" and plan.arguments.get("employee") == "Fatou"
        assert memory.queued == "refuse ceux de Cheikh", memory

    def test_the_customers_of_a_town(self, local: LocalTier) -> None:
        plan = say(local, "on a quels clients à Ziguinchor ?")
        assert plan.tool == "sales.find_customer" and plan.kind == "tool", plan
        assert plan.arguments == {"city": "Ziguinchor"}, plan

    def test_as_many_best_customers_as_asked(self, local: LocalTier) -> None:
        plan = say(local, "montre-moi mes 5 meilleurs clients du mois dernier")
        assert plan.tool == "reports.kpis" and plan.kind == "tool", plan
        assert plan.arguments.get("top") == 5, plan


class TestPaymentsSaidInPassing:
    def test_come_to_settle_the_bill_is_a_payment(self, local: LocalTier) -> None:
        plan = say(local, "Mme Diop est venue solder sa facture, 42 000 en espèces")
        assert plan.tool == "finance.record_payment" and plan.kind == "tool", plan
        assert plan.arguments.get("amount") == "42000", plan

    def test_the_month_of_the_invoice_is_not_the_day_paid(self, local: LocalTier) -> None:
        plan = say(local, "Sarr est passé régler sa facture de février, 9 000 par Wave")
        assert plan.tool == "finance.record_payment", plan
        assert "received_on" not in plan.arguments, plan

    def test_a_time_of_day_and_euros_and_cents(self, local: LocalTier) -> None:
        plan = say(local, "M. Perrin a réglé par chèque ce matin, 86,40")
        assert plan.tool == "finance.record_payment" and plan.kind == "tool", plan
        assert plan.arguments.get("amount") == "86.40", plan

    def test_customers_late_by_more_than_some_days(self, local: LocalTier) -> None:
        plan = say(local, "qui a plus de 45 jours de retard de paiement ?")
        assert plan.kind == "tool" and plan.arguments.get("overdue_days") == 45, plan

    def test_part_of_the_bill_just_recorded_paid_by_us(self, local: LocalTier) -> None:
        last = {
            "tool": "purchasing.record_supplier_bill",
            "arguments": {"supplier": "Sotrac", "supplier_number": "ST-9", "amount": "90000"},
        }
        plan = say_after(
            local, "et je leur ai versé 30 000 par Wave dessus", last, {"supplier": "Sotrac SA"}
        )
        assert plan.tool == "purchasing.pay_supplier" and plan.kind == "tool", plan
        assert plan.arguments.get("amount") == "30000", plan
        assert plan.arguments.get("bill") == "ST-9", plan


class TestStockAndOrdersInEverydayWords:
    def test_goods_taken_for_the_business_s_own_use_leave_the_stock(self, local: LocalTier) -> None:
        plan = say(local, "on a pris 4 bouteilles d'eau pour la cantine")
        assert (plan.kind, plan.tool) == ("tool", "stock.issue"), plan
        assert plan.arguments["quantity"] == "4"

    def test_the_count_of_the_goods_lost_not_the_box_that_fell(self, local: LocalTier) -> None:
        plan = say(local, "une caisse est tombée, 6 bouteilles de sirop cassées, enlève-les")
        assert (plan.tool, plan.arguments.get("quantity")) == ("stock.issue", "6"), plan

    def test_cancelling_what_was_ordered_from_a_supplier(self, local: LocalTier) -> None:
        plan = say(local, "annule ce qu'on a commandé à Kirène, le prix a changé")
        assert plan.tool == "stock.cancel_purchase_order", plan
        assert plan.arguments.get("supplier") == "Kirène"

    def test_a_minimum_threshold_in_a_container(self, local: LocalTier) -> None:
        plan = say(local, "pour le savon taille 2, seuil mini à 15 cartons")
        assert plan.tool == "stock.update_product", plan
        assert plan.arguments.get("min_stock") == "15"
