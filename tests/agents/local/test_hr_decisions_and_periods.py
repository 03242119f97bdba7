"""HR requests read by the local tier: a leave's days said after their month, a month and
days that disagree, someone else's sick leave for today, decisions on « celle de … » after
a list, a reason given in free words, a new manager, an employee's new phone number, a
fixed-term contract and the contracts ending by a day said. Messages are written for these
tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse, parse_dates
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)  # a Monday


def extract(tool: str, text: str, today: date = TODAY) -> dict[str, Any]:
    utterance = analyse(text, today=today, currency="XOF")
    return every_adapter()[tool].extract(utterance)


def say(
    local: LocalTier, message: str, memory: Memory | None = None, role: Role = Role.MANAGER
) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({role}))
    memory = memory if memory is not None else Memory()
    return local.understand(message, memory, principal, today=TODAY, currency="XOF")


class TestDaysSaidAfterTheirMonth:
    def test_a_range_of_days_takes_the_month_said_before_it(self) -> None:
        spans = parse_dates("en juin, du 8 au 12", today=TODAY)
        assert [(s.first, s.last) for s in spans] == [(date(2026, 6, 8), date(2026, 6, 12))]

    def test_weekdays_with_their_numbers_in_the_month_said(self) -> None:
        spans = parse_dates("le pont de mai : du mercredi 13 au vendredi 15", today=TODAY)
        assert [(s.first, s.last) for s in spans] == [(date(2026, 5, 13), date(2026, 5, 15))]

    def test_a_weekday_the_month_does_not_have_on_that_day_stays_apart(self) -> None:
        spans = parse_dates("en mai, du mardi 4 au jeudi 7", today=TODAY)
        assert len(spans) >= 2 and (spans[0].first, spans[0].last) == (
            date(2026, 5, 1),
            date(2026, 5, 31),
        )

    def test_a_weekday_and_day_take_the_month_said_at_the_end(self) -> None:
        spans = parse_dates("du lundi 4 au vendredi 8 mai", today=date(2026, 11, 18))
        assert [(s.first, s.last) for s in spans] == [(date(2026, 5, 4), date(2026, 5, 8))]

    def test_a_weekday_and_day_just_before_the_month_said(self) -> None:
        spans = parse_dates("du lundi 27 au vendredi 1er mai", today=date(2026, 11, 18))
        assert [(s.first, s.last) for s in spans] == [(date(2026, 4, 27), date(2026, 5, 1))]

    def test_a_weekday_that_is_not_the_day_said_leaves_the_ends_apart(self) -> None:
        spans = parse_dates("du mardi 6 au vendredi 10 avril", today=TODAY)  # 6 April: Monday
        assert len(spans) == 2

    def test_the_days_of_a_week_said_from_one_day_to_another(self) -> None:
        said = extract("hr.request_leave", "je prends la semaine du 6 au 10 avril")
        assert (said["start_date"], said["end_date"]) == (date(2026, 4, 6), date(2026, 4, 10))

    def test_the_last_day_said_again_by_its_number(self) -> None:
        said = extract(
            "hr.request_leave",
            "absente du mercredi 29 avril au lundi 4 mai midi, je reprends l'après-midi du 4",
            today=date(2026, 11, 18),
        )
        assert (said["start_date"], said["end_date"]) == (date(2026, 4, 29), date(2026, 5, 4))
        assert said["ends_morning"] is True

    def test_the_leave_is_those_days_not_the_month(self) -> None:
        said = extract("hr.request_leave", "je voudrais poser en juin, du lundi 8 au vendredi 12")
        assert (said["start_date"], said["end_date"]) == (date(2026, 6, 8), date(2026, 6, 12))

    @pytest.mark.parametrize(
        "text",
        [
            "je pose mes congés en juin, du mardi 8 au vendredi 12",  # the 8th is a Monday
            "congé du 2 au 4 juin et du 9 au 11 juin",  # two periods
            "je pose du mardi 6 au vendredi 10 avril",  # 6 April is a Monday
        ],
    )
    def test_days_that_are_not_one_period_are_never_proposed(
        self, local: LocalTier, text: str
    ) -> None:
        assert say(local, text, role=Role.EMPLOYEE).kind != "tool"


class TestSickLeaveForSomeoneElse:
    def test_today_is_a_day_never_a_name(self) -> None:
        said = extract(
            "hr.request_leave", "Khady a de la fièvre, note-lui un arrêt maladie pour aujourd'hui"
        )
        assert said["employee"] == "Khady" and said["start_date"] == TODAY

    def test_today_and_tomorrow(self) -> None:
        said = extract("hr.request_leave", "arrêt maladie pour Omar pour aujourd'hui et demain")
        assert said["employee"] == "Omar"
        assert (said["start_date"], said["end_date"]) == (TODAY, TODAY + timedelta(days=1))


class TestDecisionsOnRequestsListed:
    def test_celle_de_after_the_pending_list(self, local: LocalTier) -> None:
        memory = Memory()
        local.remember(memory, "hr.pending_leave", {})
        plan = say(local, "approuve celle de Binta", memory)
        assert plan.tool == "hr.approve_leave" and plan.arguments["employee"] == "Binta"

    def test_two_decisions_in_one_message(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(
            local, "accorde celui de Binta mais refuse celui d'Omar, c'est l'inventaire", memory
        )
        assert plan.tool == "hr.approve_leave" and plan.arguments["employee"] == "Binta"
        assert memory.queued == "refuse celui d'Omar, c'est l'inventaire"

    def test_a_refusal_said_with_rejette_is_a_request_of_its_own(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "approuve la demande de Binta et rejette celle d'Omar", memory)
        assert plan.tool == "hr.approve_leave" and plan.arguments["employee"] == "Binta"
        assert memory.queued == "rejette celle d'Omar"

    def test_the_reason_given_next_in_free_words(self, local: LocalTier) -> None:
        memory = Memory()
        asked = say(local, "refuse la demande d'Omar", memory)
        assert asked.kind == "reply" and memory.draft is not None
        plan = say(local, "les commandes de fin d'année arrivent ce jour-là", memory)
        assert plan.tool == "hr.reject_leave"
        assert plan.arguments["employee"] == "Omar"
        assert plan.arguments["reason"] == "les commandes de fin d'année arrivent ce jour-là"

    def test_free_words_refuse_no_leave(self) -> None:
        assert extract("hr.reject_leave", "attends, il sera plutôt comptable") == {}


class TestEmployeesCard:
    def test_a_new_manager_said_with_maintenant(self) -> None:
        said = extract("hr.update_employee", "Saliou dépend désormais de Coumba Ndiaye")
        assert said["employee"] == "Saliou" and said["manager"] == "Coumba Ndiaye"

    def test_hr_changes_an_employee_s_phone(self, local: LocalTier) -> None:
        plan = say(local, "nouveau téléphone pour Binta : 77 400 11 22", role=Role.HR)
        assert plan.tool == "hr.update_employee"
        assert plan.arguments == {"employee": "Binta", "phone": "77 400 11 22"}

    def test_a_seller_still_changes_a_customer_s_phone(self, local: LocalTier) -> None:
        plan = say(local, "nouveau téléphone pour Binta : 77 400 11 22", role=Role.SALES)
        assert plan.tool == "sales.update_customer"


class TestContracts:
    def test_a_fixed_term_contract_to_someone(self) -> None:
        said = extract(
            "hr.create_contract",
            "prépare un CDD à Mariama du 1er juillet au 31 décembre, 150 000 F",
        )
        assert said["employee"] == "Mariama" and said["kind"] == "cdd"
        assert (said["start_date"], said["end_date"]) == (date(2026, 7, 1), date(2026, 12, 31))

    @pytest.mark.parametrize(
        ("text", "days"),
        [
            ("quels CDD arrivent à échéance d'ici la fin de l'année ?", 290),
            ("les contrats qui finissent d'ici 3 mois", 90),
        ],
    )
    def test_contracts_ending_by_a_day_said(self, local: LocalTier, text: str, days: int) -> None:
        plan = say(local, text)
        assert plan.tool == "hr.expiring_contracts" and plan.arguments == {"within_days": days}
