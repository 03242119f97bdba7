"""HR and automation requests read by the local tier: a day said as the reason beside the
leave's own « du … au … », a request withdrawn, a decision on a request named by its length,
a refusal said « non pour … », the pending requests asked in other words, a sick leave from
today to a weekday, a check-in said with a greeting, and rules paused, stopped or made on
payments. Messages are written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from agents.local.coverage import LEAVE_NOT_TAKEN
from agents.local.declared import every_adapter
from agents.local.slots import analyse, parse_dates
from agents.local.slots.recurrence import find_delay
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role
from domain.kit.text import fold

TODAY = date(2026, 3, 16)  # a Monday


def extract(tool: str, text: str) -> dict[str, Any]:
    return every_adapter()[tool].extract(analyse(text, today=TODAY, currency="XOF"))


def say(local: LocalTier, message: str, role: Role = Role.ADMIN) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({role}))
    return local.understand(message, Memory(), principal, today=TODAY, currency="XOF")


class TestADaySaidAsTheReason:
    def test_the_range_said_is_the_leave_and_the_other_day_its_comment(self) -> None:
        said = extract(
            "hr.request_leave",
            "ma fille est baptisée le samedi 4 avril. je pose du lundi 6 au mercredi 8 avril",
        )
        assert said["start_date"] == date(2026, 4, 6)
        assert said["end_date"] == date(2026, 4, 8)
        assert said["comment"] == "ma fille est baptisée le samedi 4 avril"

    def test_a_day_added_in_its_own_sentence_is_no_aside(self) -> None:
        said = extract("hr.request_leave", "congé du lundi 6 au mercredi 8 avril. et le 10 aussi")
        assert "comment" not in said

    def test_a_day_in_the_sentence_of_the_range_is_no_aside(self) -> None:
        said = extract("hr.request_leave", "le 3 avril et du lundi 6 au mercredi 8 avril")
        assert "comment" not in said and said["start_date"] == date(2026, 4, 3)

    def test_the_leave_read_whole_is_proposed_from_the_range(self, local: LocalTier) -> None:
        plan = say(local, "on baptise mon fils le dimanche 12 avril ! je prends du 13 au 15 avril")
        assert plan.kind == "tool" and plan.tool == "hr.request_leave"
        assert plan.arguments["start_date"] == "2026-04-13"


class TestLeaveDecisionsSaidLoosely:
    def test_withdrawing_ones_request_cancels_it(self, local: LocalTier) -> None:
        plan = say(local, "finalement je ne pars plus en août, retire ma demande de congé")
        assert plan.kind == "tool" and plan.tool == "hr.cancel_leave"

    def test_leave_said_as_not_taken_asks_for_none(self, local: LocalTier) -> None:
        plan = say(local, "je prends plus mes vacances en août")
        assert plan.kind != "tool"

    def test_more_days_than_is_no_negation(self) -> None:
        assert LEAVE_NOT_TAKEN.search(fold("je prends plus de jours en septembre")) is None
        assert LEAVE_NOT_TAKEN.search(fold("elle ne part pas en juin")) is not None

    def test_whose_manager_is_asked(self, local: LocalTier) -> None:
        plan = say(local, "qui est la cheffe de Rama ?")
        assert plan.kind == "tool" and plan.tool == "hr.find_employee"

    def test_a_request_named_by_its_length(self, local: LocalTier) -> None:
        plan = say(local, "Moussa m'a demandé 2 jours début mai, tu peux les valider")
        assert plan.kind == "tool" and plan.tool == "hr.approve_leave"
        assert Decimal(str(plan.arguments["days"])) == 2

    def test_weeks_do_not_name_a_length_in_working_days(self) -> None:
        said = extract("hr.approve_leave", "valide les 2 semaines de Moussa en mai")
        assert "days" not in said

    def test_a_refusal_said_non_pour(self, local: LocalTier) -> None:
        plan = say(local, "non pour les vacances d'Ibou début mai, on a besoin de tout le monde")
        assert plan.kind == "tool" and plan.tool == "hr.reject_leave"
        assert "tout le monde" in plan.arguments["reason"]

    def test_requests_waiting_for_the_manager(self, local: LocalTier) -> None:
        plan = say(local, "des demandes d'absence qui attendent ma réponse ?")
        assert plan.kind == "tool" and plan.tool == "hr.pending_leave"


class TestDaysAndPresence:
    def test_from_today_elided_to_a_weekday(self) -> None:
        spans = parse_dates("arrêt d'aujourd'hui jusqu'à jeudi", today=TODAY)
        assert [(s.first, s.last) for s in spans] == [(TODAY, date(2026, 3, 19))]

    def test_of_today_alone_is_no_range(self) -> None:
        spans = parse_dates("les ventes d'aujourd'hui", today=TODAY)
        assert spans == []

    def test_a_greeting_before_saying_where_one_is(self, local: LocalTier) -> None:
        plan = say(local, "salut je suis au magasin", role=Role.EMPLOYEE)
        assert plan.kind == "tool" and plan.tool == "hr.check_in"


class TestRulesPausedStoppedAndMade:
    def test_unpaid_for_some_days_is_the_delay(self) -> None:
        text = "factures non réglées depuis 3 semaines"
        assert find_delay(text, fold(text)) == (21, "non réglées depuis 3 semaines")

    def test_stopping_the_automatic_reminders(self, local: LocalTier) -> None:
        plan = say(local, "arrête les relances automatiques, je gère moi-même")
        assert plan.kind == "tool" and plan.tool == "automations.pause"

    def test_a_pause_while_away_names_no_rule(self) -> None:
        said = extract("automations.pause", "mets-le en pause le temps de mes congés")
        assert "which" not in said

    def test_a_weekly_report_of_what_came_in(self, local: LocalTier) -> None:
        plan = say(local, "tous les lundis à 9h envoie-moi ce qu'on a encaissé dans la semaine")
        assert plan.kind == "tool" and plan.tool == "automations.create"
        assert plan.arguments["what"] == "kpis" and plan.arguments["period"] == "week"
