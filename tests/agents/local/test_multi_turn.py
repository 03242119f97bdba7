"""The local tier across turns: corrections of a request shown or refused, answers to a
question asked back, pronouns for the record just made, follow-ups about someone else,
and a request that comes before the one waiting. No database: only the router, the
adapters and the registry (the sentences are our own, not the evaluation's)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from agents.local.conversation import correction_value
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str, memory: Memory) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset((Role.ADMIN,)))
    return local.understand(message, memory, principal, today=TODAY, currency="XOF")


def shown(local: LocalTier, tool: str, arguments: dict[str, Any], **record: Any) -> Memory:
    """A memory where ``tool`` was just shown or done, its result being ``record``."""
    memory = Memory()
    local.remember(memory, tool, arguments, record=record or None)
    return memory


def previewed(local: LocalTier, message: str) -> Memory:
    """A memory where the request ``message`` asks for was just shown for confirmation."""
    memory = Memory()
    first = say(local, message, memory)
    assert first.tool is not None, first
    local.remember(memory, first.tool, first.arguments, shown=True)
    return memory


class TestCorrectionValue:
    @pytest.mark.parametrize(
        ("message", "value"),
        [
            ("eh non désolé, plutôt 5 cartons, pas 3", "5 cartons"),
            ("oups pardon, 7 évidemment", "7"),
            ("ah non, au service Livraison, pas à la Caisse", "au service Livraison"),
            ("bon ok, alors du 6 au 8 avril seulement", "du 6 au 8 avril"),
            ("non pas 2 mais 9 bidons", "9 bidons"),
            ("non, 12 sachets au lieu de 10", "12 sachets"),
        ],
    )
    def test_only_the_new_value_is_read(self, message: str, value: str) -> None:
        assert correction_value(message) == value


class TestCorrections:
    def test_a_quantity_said_with_what_it_replaces(self, local: LocalTier) -> None:
        memory = Memory()
        first = say(local, "crée une facture pour Garage Sène, 3 cartons de lait", memory)
        local.remember(memory, "finance.create_invoice", first.arguments, shown=True)
        plan = say(local, "eh non désolé, plutôt 5 cartons, pas 3", memory)
        assert plan.tool == "finance.create_invoice"
        assert plan.arguments["customer"] == "Garage Sène"
        assert [line["quantity"] for line in plan.arguments["lines"]] == ["5"]

    def test_a_bare_number_is_the_only_line_quantity(self, local: LocalTier) -> None:
        memory = Memory()
        first = say(local, "facture pour Mercerie Diouf, 2 bidons d'huile", memory)
        local.remember(memory, "finance.create_invoice", first.arguments, shown=True)
        plan = say(local, "oups pardon, 6", memory)
        assert plan.arguments["lines"] == [{"product": "huile", "quantity": "6"}]

    def test_a_correction_followed_by_why_reads_the_correction(self, local: LocalTier) -> None:
        memory = previewed(local, "facture pour Mercerie Diouf, 8 bidons d'huile")
        plan = say(local, "non 6, il y en avait deux de fuyants qu'elle a rendus", memory)
        assert plan.tool == "finance.create_invoice"
        assert plan.arguments["lines"] == [{"product": "huile", "quantity": "6"}]

    def test_a_leave_moved_to_start_later_keeps_its_working_days(self, local: LocalTier) -> None:
        memory = previewed(local, "congé pour Awa Diop du jeudi 2 au mardi 7 avril")
        plan = say(local, "ah non, à partir du vendredi 3", memory)
        assert (plan.arguments["start_date"], plan.arguments.get("end_date")) == (
            "2026-04-03",
            "2026-04-08",
        ), plan

    def test_why_is_never_read_as_whom(self, local: LocalTier) -> None:
        memory = previewed(local, "facture pour Mercerie Diouf, 8 bidons d'huile")
        plan = say(local, "ah attends, mets 9 bidons, elle en a rapporté un", memory)
        assert plan.arguments["customer"] == "Mercerie Diouf", plan
        assert plan.arguments["lines"] == [{"product": "huile", "quantity": "9"}]

    def test_a_period_corrected_with_why_keeps_the_new_start(self, local: LocalTier) -> None:
        memory = previewed(local, "congé pour Awa Diop du 7 au 9 avril")
        plan = say(
            local, "ah non, du 14 au 16 avril, elle a rendez-vous chez le médecin le 7", memory
        )
        assert plan.tool == "hr.request_leave"
        assert (plan.arguments["start_date"], plan.arguments.get("end_date")) == (
            "2026-04-14",
            "2026-04-16",
        )

    def test_a_correction_that_adds_a_request_is_not_cut(self, local: LocalTier) -> None:
        memory = previewed(local, "facture pour Mercerie Diouf, 8 bidons d'huile")
        plan = say(local, "non 6, je veux aussi 2 sacs de riz", memory)
        lines = plan.arguments.get("lines") or [] if plan.kind == "tool" else None
        assert lines is None or any("riz" in line["product"] for line in lines), plan

    def test_a_service_change_corrected_keeps_the_employee(self, local: LocalTier) -> None:
        memory = shown(local, "hr.update_employee", {"employee": "Awa", "department": "Caisse"})
        plan = say(local, "ah non, au service Livraison, pas à la Caisse", memory)
        assert plan.tool == "hr.update_employee"
        assert plan.arguments == {"employee": "Awa", "department": "Livraison"}

    def test_a_refused_leave_is_asked_again_shorter(self, local: LocalTier) -> None:
        memory = Memory()
        local.remember_attempt(
            memory, "hr.request_leave", {"start_date": "2026-04-06", "end_date": "2026-04-10"}
        )
        plan = say(local, "bon ok, alors du 6 au 8 avril seulement", memory)
        assert plan.tool == "hr.request_leave"
        assert (plan.arguments["start_date"], plan.arguments.get("end_date")) == (
            "2026-04-06",
            "2026-04-08",
        )

    def test_an_opening_word_alone_is_not_a_correction(self, local: LocalTier) -> None:
        memory = shown(
            local,
            "finance.create_invoice",
            {"customer": "Dupont", "lines": [{"product": "sac", "quantity": "10"}]},
        )
        assert say(local, "alors, il reste combien de riz ?", memory).tool == "stock.stock_level"

    def test_another_invoice_named_by_its_number(self, local: LocalTier) -> None:
        payment = {
            "customer": "Fall",
            "amount": "5000",
            "method": "cash",
            "invoice": "F-2026-00001",
        }
        memory = shown(local, "finance.record_payment", payment)
        plan = say(local, "celle d'avril, la F-2026-00005", memory)
        assert plan.tool == "finance.record_payment"
        assert plan.arguments == {**payment, "invoice": "F-2026-00005"}


class TestAnswersToAQuestion:
    def test_a_name_introduced_like_the_question_answers_it(self, local: LocalTier) -> None:
        memory = Memory()
        assert say(local, "prévois un rendez-vous jeudi 10h", memory).kind == "reply"
        plan = say(local, "chez Garage Ndoye, pour la facture", memory)
        assert plan.tool == "sales.log_activity"
        assert plan.arguments["partner"] == "Garage Ndoye"
        assert plan.arguments["due_date"] == "2026-03-19"

    def test_a_plain_name_keeps_its_first_letter(self, local: LocalTier) -> None:
        memory = Memory()
        say(local, "fais une facture", memory)
        assert say(local, "Alimentation Fall", memory).arguments["customer"] == "Alimentation Fall"

    def test_the_candidate_sharing_a_word_with_the_answer(self, local: LocalTier) -> None:
        memory = Memory()
        local.ask_back(
            memory,
            "finance.create_invoice",
            {"customer": "Ndiaye", "lines": [{"product": "riz", "quantity": "2"}]},
            "customer",
            ["Ndiaye Frères", "Pharmacie Ndiaye"],
        )
        plan = say(local, "la pharmacie, celle du marché", memory)
        assert plan.arguments["customer"] == "Pharmacie Ndiaye"


class TestWhatWasJustMade:
    def test_the_draft_invoice_just_made(self, local: LocalTier) -> None:
        memory = shown(
            local, "finance.create_invoice", {"customer": "Ndoye"}, customer="Garage Ndoye"
        )
        plan = say(local, "tu peux la valider maintenant ?", memory)
        assert (plan.tool, plan.arguments) == ("finance.post_invoice", {"invoice": "Garage Ndoye"})

    def test_the_quote_just_made(self, local: LocalTier) -> None:
        memory = shown(local, "finance.create_quote", {"customer": "Sarr"}, number="D-2026-00007")
        plan = say(local, "je l'ai envoyé ce matin, marque-le envoyé", memory)
        assert (plan.tool, plan.arguments) == (
            "finance.send_quote",
            {"quote": "D-2026-00007", "customer": "Sarr", "mode": "mark_sent"},
        )

    def test_what_is_left_after_a_payment(self, local: LocalTier) -> None:
        memory = shown(
            local,
            "finance.record_payment",
            {"customer": "Ba", "amount": "1000"},
            customer="Quincaillerie Ba",
            settled=[{"number": "F-2026-00009", "amount": "1000", "balance": "500"}],
        )
        plan = say(local, "du coup il lui reste combien à payer ?", memory)
        # what the invoice still owes, or what this customer still owes in all
        assert plan.tool in (
            "finance.invoice_details",
            "finance.list_invoices",
            "finance.customer_balance",
        )
        assert plan.arguments in ({"invoice": "F-2026-00009"}, {"customer": "Quincaillerie Ba"})

    def test_the_balance_of_whom_leave_was_approved(self, local: LocalTier) -> None:
        memory = shown(local, "hr.approve_leave", {"employee": "Khady"}, employee="Khady Sarr")
        plan = say(local, "elle a droit à combien de jours encore ?", memory)
        assert (plan.tool, plan.arguments) == ("hr.leave_balance", {"employee": "Khady Sarr"})


class TestFollowUps:
    def test_someone_else_then_the_question(self, local: LocalTier) -> None:
        memory = shown(local, "finance.aged_receivables", {})
        plan = say(local, "Et Garage Ndoye là, c'est quelles factures ? depuis quand ?", memory)
        assert (plan.tool, plan.arguments) == (
            "finance.list_invoices",
            {"customer": "Garage Ndoye"},
        )

    def test_the_same_reading_for_someone_else(self, local: LocalTier) -> None:
        memory = shown(local, "hr.leave_balance", {})
        plan = say(local, "et Awa Diop, elle en a combien ?", memory)
        assert (plan.tool, plan.arguments) == ("hr.leave_balance", {"employee": "Awa Diop"})

    def test_a_stage_after_the_pipeline_lists_that_stage(self, local: LocalTier) -> None:
        memory = shown(local, "sales.pipeline_summary", {})
        plan = say(local, "et seulement celles qui sont qualifiées, ça donne quoi ?", memory)
        assert (plan.tool, plan.arguments) == ("sales.pipeline_summary", {"stage": "Qualifié"})

    def test_a_lower_case_detail_is_not_a_name(self, local: LocalTier) -> None:
        memory = shown(local, "finance.aged_receivables", {})
        plan = say(local, "et en retard seulement, ça fait combien ?", memory)
        assert "customer" not in plan.arguments


class TestFollowUpsOfAReading:
    """« et … ? » after a reading: the same reading with the one part it names changed."""

    def test_a_place_said_alone_replaces_the_place_asked(self, local: LocalTier) -> None:
        memory = shown(local, "sales.find_customer", {"city": "Ziguinchor"})
        plan = say(local, "et à Kaolack ?", memory)
        assert (plan.tool, plan.arguments) == ("sales.find_customer", {"city": "Kaolack"})

    def test_the_month_before_the_one_asked(self, local: LocalTier) -> None:
        memory = shown(local, "finance.revenue", {"start": "2026-03-01", "end": "2026-03-31"})
        plan = say(local, "et le mois précédent ?", memory)
        assert (plan.tool, plan.arguments) == (
            "finance.revenue",
            {"start": "2026-02-01", "end": "2026-02-28"},
        )

    def test_the_day_after_the_one_asked(self, local: LocalTier) -> None:
        memory = shown(
            local, "hr.who_is_absent", {"start_date": "2026-03-12", "end_date": "2026-03-12"}
        )
        plan = say(local, "et le lendemain ?", memory)
        assert plan.arguments == {"start_date": "2026-03-13", "end_date": "2026-03-13"}

    def test_a_detail_the_answer_shows_asks_it_again(self, local: LocalTier) -> None:
        memory = shown(local, "sales.find_customer", {"query": "garage sène"})
        plan = say(local, "et son e-mail ?", memory)
        assert (plan.tool, plan.arguments) == ("sales.find_customer", {"query": "garage sène"})

    def test_an_amount_with_tax_after_the_revenue(self, local: LocalTier) -> None:
        memory = shown(local, "finance.revenue", {"start": "2026-03-01", "end": "2026-03-31"})
        plan = say(local, "et toutes taxes comprises, ça donne quoi ?", memory)
        assert plan.tool == "finance.revenue" and plan.arguments["start"] == "2026-03-01"

    def test_a_detail_the_answer_does_not_show_is_not_understood(self, local: LocalTier) -> None:
        memory = shown(local, "stock.stock_level", {"product": "huile"})
        plan = say(local, "et leur mail ?", memory)
        assert plan.kind == "llm" and plan.text.startswith("Je n'ai pas bien compris")

    def test_words_it_cannot_account_for_never_repeat_the_answer(self, local: LocalTier) -> None:
        memory = shown(local, "sales.find_customer", {"city": "Ziguinchor"})
        plan = say(local, "et les autres ?", memory)
        assert plan.kind == "llm" and plan.text.startswith("Je n'ai pas bien compris")


class TestNewRequests:
    def test_a_request_before_the_one_waiting(self, local: LocalTier) -> None:
        memory = shown(
            local,
            "finance.create_invoice",
            {"customer": "Dupont", "lines": [{"product": "sac", "quantity": "10"}]},
        )
        plan = say(local, "attends, d'abord crée-moi le client Garage Sène à Mbour", memory)
        assert (plan.tool, plan.arguments) == (
            "sales.create_customer",
            {"name": "Garage Sène", "city": "Mbour"},
        )

    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("Nouvelle cliente : Mercerie Diouf, Louga, md@gmail.com", "sales.create_customer"),
            ("crée-moi vite le client Garage Sène à Mbour", "sales.create_customer"),
            ("tu peux me sortir la fiche de Ibrahima Fal ?", "hr.find_employee"),
            ("où en sont mes affaires en cours ?", "sales.pipeline_summary"),
        ],
    )  # fmt: skip
    def test_routing(self, local: LocalTier, message: str, tool: str) -> None:
        assert say(local, message, Memory()).tool == tool

    def test_revenue_since_a_month_runs_to_today(self, local: LocalTier) -> None:
        plan = say(local, "depuis février ça fait combien de CA ?", Memory())
        assert (plan.tool, plan.arguments) == (
            "finance.revenue",
            {"start": "2026-02-01", "end": "2026-03-16"},
        )


class TestTheSameForSomeoneElse:
    """« pareil pour X »: the last request again, for someone else, named in full."""

    QUOTE = {"customer": "Garage Ba", "lines": [{"product": "pneus", "quantity": "4"}]}

    @pytest.mark.parametrize(
        ("message", "whom"),
        [
            ("fais exactement le même pour Sable et Ciment Ndour", "Sable et Ciment Ndour"),
            ("pareil pour Fall", "Fall"),
            ("idem chez Boutique Ndiaye", "Boutique Ndiaye"),
        ],
    )
    def test_a_write_done_is_proposed_again_for_whom_is_named(
        self, local: LocalTier, message: str, whom: str
    ) -> None:
        plan = say(local, message, shown(local, "finance.create_quote", self.QUOTE))
        assert plan.kind == "tool" and plan.tool == "finance.create_quote", plan
        assert plan.arguments == {**self.QUOTE, "customer": whom}, plan

    def test_a_leave_for_another_employee(self, local: LocalTier) -> None:
        leave = {"employee": "Awa Sy", "start_date": "2026-03-23", "end_date": "2026-03-24"}
        plan = say(local, "la même chose pour Modou", shown(local, "hr.request_leave", leave))
        assert plan.tool == "hr.request_leave" and plan.arguments == {**leave, "employee": "Modou"}

    def test_the_same_count_of_other_goods(self, local: LocalTier) -> None:
        received = {"product": "ciment", "quantity": "30"}
        memory = shown(local, "stock.receive", received)
        plan = say(local, "et la même quantité en tôles bac", memory)
        assert plan.tool == "stock.receive"
        assert plan.arguments == {**received, "product": "tôles bac"}


class TestARefusedRequestRetried:
    """« par mail alors » right after a request refused: that request with the change."""

    SENT = {"quote": "D-2026-00004", "customer": "Garage Ba", "channel": "sms", "mode": "send"}

    def refused(self, local: LocalTier) -> Memory:
        memory = Memory()
        local.remember_attempt(memory, "finance.send_quote", self.SENT)
        return memory

    @pytest.mark.parametrize(
        ("message", "channel"),
        [("bon d'accord, par mail alors", "email"), ("par whatsapp", "whatsapp")],
    )
    def test_the_change_said_is_the_request_again(
        self, local: LocalTier, message: str, channel: str
    ) -> None:
        plan = say(local, message, self.refused(local))
        assert plan.kind == "tool" and plan.arguments == {**self.SENT, "channel": channel}, plan

    def test_another_question_is_not_the_request_again(self, local: LocalTier) -> None:
        plan = say(local, "il reste combien de ciment ?", self.refused(local))
        assert plan.tool == "stock.stock_level", plan


class TestAnotherRequestFirst:
    """« attends, avant ça … » while a preview waits: another request to do first."""

    INVOICE = {"customer": "Dupont", "lines": [{"product": "disjoncteur 16A", "quantity": "10"}]}

    def memory(self, local: LocalTier) -> Memory:
        memory = Memory()
        local.remember(memory, "finance.create_invoice", self.INVOICE, shown=True)
        return memory

    def test_a_new_record_asked_first_is_that_request(self, local: LocalTier) -> None:
        plan = say(local, "attends, avant ça crée le client Garage Sy, à Thiès", self.memory(local))
        assert plan.tool == "sales.create_customer", plan
        assert plan.arguments == {"name": "Garage Sy", "city": "Thiès"}, plan

    def test_a_bare_count_still_corrects_the_preview(self, local: LocalTier) -> None:
        plan = say(local, "attends, mets-en 12", self.memory(local))
        assert plan.tool == "finance.create_invoice", plan
        assert plan.arguments["lines"][0]["quantity"] == "12", plan
