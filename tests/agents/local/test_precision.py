"""Precision first: the local tier proposes a write only when its parse accounts for the
whole message; a part left over gets a precise « je n'ai pas bien compris » and nothing is
proposed. No database: the router, the adapters and the registry."""

from __future__ import annotations

from datetime import date

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import understand

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


class TestAPartLeftOverIsSaid:
    @pytest.mark.parametrize(
        ("message", "left"),
        [
            # a line without a number that the lines did not take
            (
                "commande chez Grands Moulins : 30 sacs de riz, 10 cartons d'huile et une palette",
                "palette",
            ),
            # a date the tool has no place for
            ("fais une facture pour Diallo datée du 3 février, 2 sacs de riz", "3 février"),
            # a filter the reading does not take: the age of an invoice (« en retard de
            # plus de 30 jours » is taken, as ``overdue_days``)
            ("liste les factures de Diallo de plus de 30 jours", "30 jours"),
            # a second person's card changed beside the first one's (never dropped)
            (
                "Moussa devient chef de quai, et donc c'est lui le chef de Ibrahima désormais",
                "Ibrahima",
            ),
        ],
    )
    def test_nothing_is_proposed_and_the_part_is_named(
        self, local: LocalTier, message: str, left: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "llm", plan
        assert left in plan.text and "Rien n'a été fait" in plan.text

    @pytest.mark.parametrize(
        "message",
        ["rdv avec Ba le 30 février à 9h", "facture Diallo 2 sacs de riz à régler le 35 mars"],
    )
    def test_a_day_the_month_does_not_have_is_said(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.kind == "llm" and "n'existe pas" in plan.text

    @pytest.mark.parametrize(
        "message",
        [
            "ne relance plus la Quincaillerie Sy",
            "arrête de relancer Mme Gueye, elle a un arrangement",
            "n'envoie pas encore le devis à Faye",
            "stp ne facture plus le transport à Kane",
        ],
    )
    def test_an_action_asked_not_to_be_done_is_never_proposed(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind != "tool" or not local.registry.get(plan.tool).is_write, plan
        if plan.kind == "llm":
            assert "Rien n'a été fait" in plan.text

    def test_a_negation_said_of_someone_else_does_not_stop_the_request(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "relance la Quincaillerie Sy, ils ne paient jamais à temps")
        assert (plan.kind, plan.tool) == ("tool", "finance.send_reminder"), plan

    def test_another_kind_of_document_is_never_turned_into_this_one(self, local: LocalTier) -> None:
        plan = say(local, "relance le Garage Ndoye pour sa facture impayée")
        assert plan.kind != "tool" or plan.tool != "finance.create_invoice"
        if plan.kind == "llm" and plan.tool == "finance.create_invoice":
            assert "relance" in plan.text

    def test_a_second_request_is_taken_one_at_a_time(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "facture 3 sacs de riz à Diallo et envoie-la par WhatsApp", memory)
        assert (plan.kind, plan.tool) == ("tool", "finance.create_invoice")
        assert plan.text == "Une chose à la fois : ensuite, « envoie-la par WhatsApp »."
        assert memory.queued == "envoie-la par WhatsApp"
        assert len(plan.arguments["lines"]) == 1

    def test_made_and_validated_is_one_request(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "facture 3 sacs de riz à Diallo et valide-la tout de suite", memory)
        assert (plan.kind, plan.tool) == ("tool", "finance.create_invoice")
        assert plan.arguments.get("post") is True and memory.queued is None, plan


class TestARecurrenceIsNeverOneRecord:
    def test_a_call_said_each_week_is_no_single_task(self, local: LocalTier) -> None:
        plan = say(local, "note un appel au comptable tous les vendredis")
        assert not (plan.kind == "tool" and plan.tool == "sales.log_activity"), plan

    def test_a_span_of_weekdays_is_no_recurrence(self, local: LocalTier) -> None:
        plan = say(local, "je prends la semaine du 20 avril, du lundi au vendredi")
        assert (plan.kind, plan.tool) == ("tool", "hr.request_leave"), plan


class TestAnAddressIsHeldAsOne:
    def test_an_email_address_is_never_a_line(self, local: LocalTier) -> None:
        plan = say(local, "Quincaillerie Sy veut ses factures par mail désormais : sy@quinc.sn")
        assert plan.kind != "tool", plan
        assert "sy@quinc.sn" in plan.text, plan

    def test_an_address_the_request_holds_is_accounted(self, local: LocalTier) -> None:
        plan = say(local, "le nouveau mail de Quincaillerie Sy c'est sy@quinc.sn")
        assert plan.kind == "tool" and plan.arguments.get("email") == "sy@quinc.sn", plan


class TestWhatTheWholeMessageSaysIsUsed:
    @pytest.mark.parametrize(
        ("message", "tool", "expected"),
        [
            (
                "devis pour Sow : 4 lampadaires arc et 6 heures d'installation",
                "finance.create_quote",
                {"lines": [{"product": "lampadaires arc", "quantity": "4"},
                           {"product": "installation", "quantity": "6"}]},
            ),
            (
                "facture pour Sow, 20 coffrets, paiement à 45 jours",
                "finance.create_invoice",
                {"payment_terms_days": 45},
            ),
            (
                "devis pour Faye : 150 barres de fer de 12",
                "finance.create_quote",
                {"lines": [{"product": "fer de 12", "quantity": "150"}]},
            ),
            (
                "corrige le stock des bouteilles de gaz : on en a compté 12, pas 15",
                "stock.adjust",
                {"counted_quantity": "12"},
            ),
            (
                "le tel de Martin a changé, c'est 05 56 44 12 30 maintenant",
                "sales.update_customer",
                {"phone": "05 56 44 12 30"},
            ),
            (
                "quels contrats arrivent à échéance dans les 3 prochains mois ?",
                "hr.expiring_contracts",
                {"within_days": 90},
            ),
            (
                "crée un avoir sur la facture F-2026-00004, 2 sacs de riz, motif : abîmés",
                "finance.create_credit_note",
                {"invoice": "F-2026-00004"},
            ),
        ],
    )  # fmt: skip
    def test_a_complete_parse_is_proposed(
        self, local: LocalTier, message: str, tool: str, expected: dict[str, object]
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", tool), plan
        for name, value in expected.items():
            assert plan.arguments[name] == value, plan.arguments


class TestDialogue:
    def test_yes_to_the_only_suggestion_takes_it(self, local: LocalTier) -> None:
        memory = Memory(
            draft={
                "tool": "finance.create_quote",
                "arguments": {"customer": "Faye", "lines": [{"product": "fer", "quantity": "2"}]},
                "awaiting": "lines.0.product",
                "options": ["Fer à béton 12mm"],
                "question": "Vouliez-vous dire Fer à béton 12mm ?",
            }
        )
        plan = local.settle("yes", memory)
        assert plan.kind == "tool" and plan.tool == "finance.create_quote"
        assert plan.arguments["lines"][0]["product"] == "Fer à béton 12mm"

    def test_yes_among_several_suggestions_asks_again(self, local: LocalTier) -> None:
        memory = Memory(
            draft={
                "tool": "finance.create_quote",
                "arguments": {"customer": "Faye", "lines": [{"product": "riz", "quantity": "2"}]},
                "awaiting": "lines.0.product",
                "options": ["Riz brisé", "Riz parfumé"],
                "question": "Lequel ?",
            }
        )
        plan = local.settle("yes", memory)
        assert plan.kind == "reply" and "Lequel ?" in plan.text

    def test_the_document_named_by_its_kind_alone_is_the_one_just_made(
        self, local: LocalTier
    ) -> None:
        memory = Memory(about={"quote": "D-2026-00007", "customer": "Café des Arts"})
        plan = say(local, "transforme le devis en facture", memory)
        assert plan.tool == "finance.convert_quote_to_invoice"
        assert plan.arguments.get("quote") == "D-2026-00007"


class TestLinesAndActionsOfEverydayMessages:
    @pytest.mark.parametrize(
        "message",
        [
            "facture pour Diallo : 5 sacs de riz + la livraison",
            "facture pour Diallo : 5 sacs de riz et une livraison",
        ],
    )
    def test_a_line_counted_by_its_article_is_one_of_it(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", "finance.create_invoice"), plan
        assert plan.arguments["lines"][1] == {"product": "livraison", "quantity": 1}

    def test_a_sentence_after_the_lines_is_not_a_line(self, local: LocalTier) -> None:
        from agents.local.coverage import article_items
        from agents.local.slots import analyse

        utt = analyse("reçu 25 sacs de farine, la lessive n'est pas venue", today=TODAY)
        assert article_items(utt) == []

    def test_the_stock_set_to_a_count_is_a_stock_count_never_a_price(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "mets le stock de bouteilles de gaz à moins 5")
        assert plan.tool == "stock.adjust", plan
        assert plan.arguments["counted_quantity"] == "-5"  # refused by the tool, saying why
        assert plan.arguments["product"].endswith("gaz")
        minimum = say(local, "mets le stock mini du savon à 15 cartons")
        assert minimum.tool == "stock.update_product" and minimum.arguments["min_stock"] == "15"

    def test_approving_one_and_refusing_another_are_two_requests(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "accepte la demande de congé de Binta et refuse celle d'Omar", memory)
        assert (plan.kind, plan.tool) == ("tool", "hr.approve_leave"), plan
        assert memory.queued == "refuse celle d'Omar"

    def test_a_request_verb_is_never_the_item_counted(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "reçu 12 cartons de savon et facture 3 cartons à Ndiaye", memory)
        assert plan.tool == "stock.receive" and plan.arguments["quantity"] == "12", plan
        assert memory.queued == "facture 3 cartons à Ndiaye"

    def test_an_invoice_number_is_the_invoice_not_a_payment_reference(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "Seck a payé 20 000 en espèces pour la facture numéro 812")
        assert plan.arguments["invoice"] == "812" and "reference" not in plan.arguments

    def test_hours_of_work_are_a_duration_not_a_time_of_day(self, local: LocalTier) -> None:
        plan = say(local, "facture Garage Ndoye, 5h de main d'oeuvre mécanique")
        assert plan.tool == "finance.create_invoice", plan
        assert plan.arguments["lines"][0]["quantity"] == "5"


class TestTheRecordJustMade:
    def test_a_bare_count_corrects_the_only_line(self, local: LocalTier) -> None:
        memory = Memory(
            last={
                "tool": "finance.create_quote",
                "arguments": {
                    "customer": "Sow",
                    "lines": [{"product": "chaises", "quantity": "8"}],
                },
            }
        )
        plan = say(local, "non attends, mets-en 6 plutôt", memory)
        assert plan.tool == "finance.create_quote", plan
        assert plan.arguments["lines"] == [{"product": "chaises", "quantity": "6"}]

    def test_paid_with_no_amount_is_the_invoice_just_made_in_full(self, local: LocalTier) -> None:
        memory = Memory(
            last={"tool": "finance.create_invoice", "arguments": {"customer": "Awa Sy"}},
            about={"invoice": "Awa Sy", "customer": "Awa Sy"},
        )
        plan = say(local, "elle a réglé en espèces", memory)
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["amount"] == "balance" and plan.arguments["invoice"] == "Awa Sy"

    def test_another_customer_named_is_not_the_invoice_just_made(self, local: LocalTier) -> None:
        memory = Memory(
            last={"tool": "finance.create_invoice", "arguments": {"customer": "Awa Sy"}},
            about={"invoice": "Awa Sy", "customer": "Awa Sy"},
        )
        plan = say(local, "Ndiaye a réglé en espèces", memory)
        assert plan.arguments.get("amount") != "balance"

    def test_the_affaire_just_made_is_the_one_moved(self, local: LocalTier) -> None:
        memory = Memory(
            last={"tool": "sales.create_opportunity", "arguments": {"customer": "Ba Frères"}},
            about={"customer": "Ba Frères"},
        )
        plan = say(local, "passe-la en proposition", memory)
        assert plan.tool == "sales.move_opportunity", plan
        assert plan.arguments["customer"] == "Ba Frères"

    def test_a_count_in_a_unit_alone_is_of_the_product_just_spoken_of(
        self, local: LocalTier
    ) -> None:
        memory = Memory(about={"product": "ciment"})
        plan = say(local, "fais une facture à Ndiaye pour 7 sacs", memory)
        assert plan.arguments["lines"] == [{"product": "ciment", "quantity": "7"}], plan

    def test_a_town_said_before_a_polite_word(self, local: LocalTier) -> None:
        plan = say(local, "nouveau client Quincaillerie Ba a thies svp")
        assert plan.tool == "sales.create_customer", plan
        assert plan.arguments["name"] == "Quincaillerie Ba" and plan.arguments["city"] == "Thiès"


class TestMoreEverydayReadings:
    def test_days_listed_before_their_month_take_it(self, local: LocalTier) -> None:
        plan = say(local, "pose 2 jours de congé à Moussa Faye, jeudi 14 et vendredi 15 mai")
        assert plan.tool == "hr.request_leave", plan
        assert plan.arguments == {
            "employee": "Moussa Faye",
            "start_date": "2026-05-14",
            "end_date": "2026-05-15",
        }

    def test_a_span_weeks_longer_than_the_days_said_is_not_taken(self, local: LocalTier) -> None:
        from agents.local import coverage
        from agents.local.slots import analyse

        utt = analyse("2 jours de congé du 27 mars au 28 avril", today=TODAY)
        tool = local.registry.get("hr.request_leave")
        assert tool is not None
        arguments = {"start_date": "2026-03-27", "end_date": "2026-04-28"}
        assert coverage.gap(utt, arguments, tool, TODAY) is not None

    def test_weeks_of_leave_are_calendar_weeks(self, local: LocalTier) -> None:
        plan = say(local, "je pose deux semaines à partir du lundi 4 mai")
        assert plan.tool == "hr.request_leave", plan
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-05-04",
            "2026-05-17",
        )

    def test_a_deal_named_by_its_title_and_its_customer(self, local: LocalTier) -> None:
        plan = say(local, "passe l'affaire rénovation boutique de Garage Ndoye en proposition")
        assert plan.arguments == {
            "customer": "Garage Ndoye",
            "title": "rénovation boutique",
            "stage": "Proposition",
        }

    def test_two_items_of_one_movement_are_moved_one_after_the_other(
        self, local: LocalTier
    ) -> None:
        memory = Memory()
        plan = say(local, "sors 4 sacs de ciment et 6 barres de fer pour le chantier", memory)
        assert plan.tool == "stock.issue", plan
        assert plan.arguments["quantity"] == "4" and plan.arguments["reason"] == "le chantier"
        assert memory.queued == "sors 6 barres de fer pour le chantier"

    def test_a_document_named_by_its_number_is_acted_on_not_made(self, local: LocalTier) -> None:
        plan = say(local, "super, la pharmacie Ba a accepté le devis D-2026-00042")
        assert plan.tool == "finance.accept_quote", plan
        assert plan.arguments == {"quote": "D-2026-00042"}

    def test_more_than_written_with_a_plus(self, local: LocalTier) -> None:
        plan = say(local, "les factures en retard de + de 60 jours")
        assert plan.tool == "finance.list_invoices" and plan.arguments["overdue_days"] == 60

    def test_a_business_named_in_lower_case_before_its_verb(self, local: LocalTier) -> None:
        plan = say(local, "la superette fall a tout réglé en espèces")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments["customer"] == "Superette Fall"  # read as a name: capitalized

    def test_making_a_customer_then_a_quote_for_it_is_two_requests(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "ajoute le client Garage Mbaye à Thiès et fais-lui un devis", memory)
        assert plan.tool == "sales.create_customer", plan
        assert memory.queued == "fais-lui un devis"

    def test_contact_details_given_to_whom_was_just_made_change_them(
        self, local: LocalTier
    ) -> None:
        memory = Memory(
            last={"tool": "sales.create_customer", "arguments": {"name": "Bazar Thiam"}},
            about={"customer": "Bazar Thiam"},
        )
        plan = say(local, "mets-lui l'adresse mail bazar.thiam@orange.sn", memory)
        assert plan.tool == "sales.update_customer", plan
        assert plan.arguments == {"email": "bazar.thiam@orange.sn", "customer": "Bazar Thiam"}

    def test_books_are_counted_and_delivered_goods_are_not(self, local: LocalTier) -> None:
        from agents.local.slots import analyse

        books = analyse("2 livres Contes de Dakar", today=TODAY).quantities
        assert [(q.value, q.item) for q in books] == [(2, "livres Contes de Dakar")]
        assert analyse("20 sacs livrés", today=TODAY).quantities[0].item is None

    def test_agreement_names_nobody(self, local: LocalTier) -> None:
        memory = Memory(
            last={"tool": "finance.create_quote", "arguments": {"customer": "Seck"}},
            about={"quote": "D-2026-00031", "customer": "Seck"},
        )
        plan = say(local, "bon, ils sont d'accord, facture-le", memory)
        assert plan.tool == "finance.convert_quote_to_invoice", plan
        assert plan.arguments == {"quote": "D-2026-00031"}

    def test_a_call_noted_keeps_what_comes_later(self, local: LocalTier) -> None:
        plan = say(local, "j'ai appelé Garage Ndoye ce matin, ils passent commande mardi prochain")
        assert plan.tool == "sales.log_activity", plan
        assert plan.arguments["partner"] == "Garage Ndoye"
        assert "mardi prochain" in plan.arguments["subject"]

    def test_a_name_dropped_from_a_request_for_someone_is_said(self, local: LocalTier) -> None:
        plan = say(local, "pose 3 jours de congé dès lundi, Ousmane Sy est prévenu")
        assert plan.kind == "llm" and "Ousmane" in plan.text, plan
        oneself = say(local, "je prends mon lundi 23 mars, c'est le Magal")
        assert oneself.tool == "hr.request_leave" and oneself.kind == "tool", oneself


class TestWhatIsSaidNotToBeDoneIsNeverDone:
    def test_a_removal_never_becomes_the_creation_just_done(self, local: LocalTier) -> None:
        memory = Memory(
            last={"tool": "sales.create_customer", "arguments": {"name": "Khady Ba"}},
            about={"customer": "Khady Ba"},
        )
        plan = say(local, "en fait efface Khady Ba, c'était un doublon", memory)
        assert plan.kind != "tool" or plan.tool != "sales.create_customer", plan

    def test_a_kind_of_document_refused_is_not_made(self, local: LocalTier) -> None:
        plan = say(local, "Kane a signé le devis, note-le accepté, sans facture pour le moment")
        assert (plan.kind, plan.tool) == ("tool", "finance.accept_quote"), plan
        assert plan.text is None or "ensuite" not in plan.text, plan

    def test_validating_said_with_its_subject_posts_the_invoice(self, local: LocalTier) -> None:
        plan = say(local, "facture Ndiaye : 5 sacs de riz, paiement à 30 jours, et vous l'émettez")
        assert (plan.kind, plan.tool) == ("tool", "finance.create_invoice"), plan
        assert plan.arguments.get("post") is True

    def test_a_time_word_typed_short_is_not_part_of_a_town(self, local: LocalTier) -> None:
        plan = say(local, "change la ville de Fall Distribution, ils sont à Thiès maintenan")
        assert plan.tool == "sales.update_customer", plan
        assert plan.arguments.get("city") == "Thiès", plan


class TestWhatOnlyFramesARequest:
    def test_thanks_for_something_past_only_opens_the_message(self, local: LocalTier) -> None:
        plan = say(local, "Salut, merci pour la livraison de lundi. Il me reste combien de sucre ?")
        assert (plan.kind, plan.tool) == ("tool", "stock.stock_level"), plan

    def test_their_invoice_paid_with_no_amount_is_paid_in_full(self, local: LocalTier) -> None:
        plan = say(local, "Moussa Fall a réglé sa facture en espèces")
        assert plan.tool == "finance.record_payment", plan
        assert plan.arguments.get("amount") == "balance", plan


class TestAReceivedInvoiceIsNeverOneToMake:
    @pytest.mark.parametrize(
        "message",
        [
            "j'ai reçu la facture de Metro de 450 euros",
            "on a bien reçu une facture du Garage Central, 320 €",
            "facture reçue de la Senelec, 45 000",
            "g reçu facture sotiba n° ST-12 300 000 HT tva 18",
        ],
    )
    def test_a_bill_is_recorded_never_an_invoice_of_ours(
        self, local: LocalTier, message: str
    ) -> None:
        # the invoice was made by the one who sent it: a bill to record, never an invoice
        # of ours with the message's verb as its line
        plan = say(local, message)
        assert plan.tool == "purchasing.record_supplier_bill", plan


class TestALeaveWantsDaysNeverAThing:
    @pytest.mark.parametrize(
        "message", ["je voudrais le riz du 27 mars", "il me faut le camion du 3 avril"]
    )
    def test_a_thing_wanted_on_a_day_is_no_leave(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.tool != "hr.request_leave" or plan.kind != "tool", plan

    @pytest.mark.parametrize(
        "message", ["je voudrais le vendredi 27 mars", "je prends ma journée du 27 mars"]
    )
    def test_days_wanted_are_a_leave(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == "hr.request_leave", plan


class TestAQuestionLeftOverByItsFirstReading:
    def test_the_second_reading_that_reads_all_of_it_answers(self, local: LocalTier) -> None:
        plan = say(local, "qui a plus de 3 mois de retard ?")
        assert (plan.kind, plan.tool) == ("tool", "finance.list_invoices"), plan
        assert plan.arguments["overdue_days"] == 90

    def test_give_me_the_followed_by_what_is_read_never_makes_a_record(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "donne-moi l'ancienneté des impayés, client par client")
        assert plan.kind != "tool" or not local.registry.get(str(plan.tool)).is_write, plan
