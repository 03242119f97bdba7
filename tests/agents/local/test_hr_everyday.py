"""Everyday HR requests, read by the local tier and done by the HR tools: the manager named
before or after the title, several people in one request, cancelling a coming leave, the
pending requests, a forgotten pointing corrected by HR, and dates said the way people write
them. Messages are written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from agents.local.slots.text import expand_sms
from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.clock import ManualClock
from domain.kit.errors import NotFound, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.hr_factories import (
    MONDAY,
    Team,
    as_user,
    ask_leave,
    balance,
    make_team,
    open_balance,
)
from tests.tools.test_hr import preview, run
from tools import hr as tools

TODAY = date(2026, 3, 16)  # a Monday


def extract(tool: str, text: str) -> dict[str, Any]:
    utterance = analyse(expand_sms(text), today=TODAY, currency="XOF")
    return every_adapter()[tool].extract(utterance)


@pytest.fixture
def team(container: Container) -> Team:
    return make_team(container)


def say(local: LocalTier, message: str, role: Role = Role.MANAGER) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({role}))
    return local.understand(message, Memory(), principal, today=TODAY, currency="XOF")


class TestTheManagerNamed:
    def test_named_before_the_title(self) -> None:
        said = extract(
            "hr.create_employee",
            "nouvelle employée : Binta Sow, caissière, c'est Ali Kane sa cheffe",
        )
        assert said["name"] == "Binta Sow" and said["manager"] == "Ali Kane"

    def test_named_after_sous(self) -> None:
        said = extract("hr.create_employee", "on embauche Ali Sy comme chauffeur, sous Awa Diop")
        assert said["manager"] == "Awa Diop"
        assert "manager" not in extract(
            "hr.create_employee", "nouvelle vendeuse Rama Fall, réponse sous huitaine"
        )

    def test_a_new_manager_said_first_for_someone(self) -> None:
        said = extract("hr.update_employee", "dorénavant c'est Awa Sy le responsable de Paul Dia")
        assert said == {"employee": "Paul Dia", "manager": "Awa Sy"}

    def test_from_a_day_on_is_no_leaving(self) -> None:
        said = extract("hr.update_employee", "à partir de lundi c'est Awa la cheffe de Paul")
        assert "left_on" not in said and said["manager"] == "Awa"


class TestSeveralPeopleInOneRequest:
    @pytest.mark.parametrize(
        ("tool", "text"),
        [
            ("hr.approve_leave", "accepte les congés de Rama et de Lamine"),
            ("hr.leave_balance", "il reste combien de jours à Rama et à Lamine ?"),
            ("hr.reject_leave", "refuse les vacances de Rama et Lamine, c'est le rush"),
        ],
    )
    def test_nobody_named_is_dropped(self, tool: str, text: str) -> None:
        said = extract(tool, text)
        assert said["employee"] == "Rama" and said["others"] == ["Lamine"]

    def test_names_written_in_lower_case_are_listed_too(self) -> None:
        said = extract("hr.approve_leave", "c'est ok pour rama et lamine, valide leurs congés")
        assert said["employee"] == "rama" and said["others"] == ["lamine"]

    def test_a_lower_case_word_after_a_comma_is_no_name(self) -> None:
        said = extract("hr.approve_leave", "ok pour rama, valide ses congés")
        assert said["employee"] == "rama" and said.get("others") is None

    def test_each_one_approved_in_one_preview(self, container: Container, team: Team) -> None:
        open_balance(container, team.staff, team.moussa.id, "10")
        ask_leave(container, team.hr, team.awa_record.id, MONDAY, MONDAY)
        ask_leave(container, team.hr, team.moussa.id, date(2026, 3, 25), date(2026, 3, 26))
        args: dict[str, Any] = {"employee": "Awa", "others": ["Moussa"]}
        shown = preview(container, tools.approve_leave, team.hr, args)
        assert "Awa Ndiaye" in shown and "Moussa Sarr" in shown
        run(container, tools.approve_leave, team.hr, **args)
        assert balance(container, team.staff, team.awa_record.id) == Decimal(9)
        assert balance(container, team.staff, team.moussa.id) == Decimal(8)

    def test_each_one_s_balance(self, container: Container, team: Team) -> None:
        open_balance(container, team.staff, team.moussa.id, "4.5")
        out = run(container, tools.leave_balance, team.hr, employee="Awa", others=["Moussa"])
        assert "Awa Ndiaye" in out.render() and "4,5" in out.render()


class TestTheWholeTeamsBalances:
    @pytest.mark.parametrize(
        "text",
        [
            "combien de jours de congé il reste à tout le personnel ?",
            "montre-moi le solde de congés de chaque employé",
            "les soldes de congés de l'équipe stp",
            "dis-moi les congés qui restent à chacun du personnel",
        ],
    )
    def test_everyone_one_may_see(self, local: LocalTier, text: str) -> None:
        plan = say(local, text)
        assert (plan.tool, plan.arguments) == ("hr.leave_balance", {"team": True})

    def test_one_person_named_is_still_that_person(self) -> None:
        assert extract("hr.leave_balance", "le solde de congés de Rama") == {"employee": "Rama"}

    @pytest.mark.parametrize(
        ("text", "group"),
        [
            ("mets tout le personnel en congé le 2 janvier", "tout le personnel"),
            ("pose un jour pour chaque employé vendredi", "chaque employé"),
        ],
    )
    def test_everyone_said_to_a_write_on_one_person_is_asked_about(
        self, local: LocalTier, text: str, group: str
    ) -> None:
        plan = say(local, text)
        assert plan.kind != "tool" and group in (plan.text or ""), plan

    def test_greeting_everyone_is_no_group(self, local: LocalTier) -> None:
        plan = say(local, "salut tout le monde, je suis arrivé", Role.EMPLOYEE)
        assert (plan.kind, plan.tool) == ("tool", "hr.check_in")


class TestADayNamedByAFeast:
    @pytest.mark.parametrize(
        "text",
        [
            "je prends le pont de la Toussaint, juste le lundi",
            "pose-moi la veille de Noël, le jeudi",
        ],
    )
    def test_is_asked_about_never_read_as_the_next_weekday(
        self, local: LocalTier, text: str
    ) -> None:
        plan = say(local, text, Role.EMPLOYEE)
        assert plan.kind != "tool" and "Rien n'a été fait" in (plan.text or ""), plan


class TestTheTimeItIsNow:
    def test_said_aside_before_a_question_of_the_day(self, local: LocalTier) -> None:
        plan = say(local, "il est 10h, qui n'est pas encore arrivé aujourd'hui ?")
        assert (plan.kind, plan.tool) == ("tool", "hr.attendance_report"), plan


class TestARequestNamedByItsWeekdays:
    def test_read_without_its_week(self) -> None:
        said = extract("hr.approve_leave", "accepte la demande de Rama pour mardi et mercredi")
        assert said["any_week"] is True and said["employee"] == "Rama"
        dated = extract("hr.approve_leave", "accepte la demande de Rama du mardi 24 mars")
        assert "any_week" not in dated

    def test_the_request_of_those_weekdays(self, container: Container, team: Team) -> None:
        thursday, friday = date(2026, 3, 26), date(2026, 3, 27)
        ask_leave(container, team.hr, team.awa_record.id, thursday, friday)
        said: dict[str, Any] = {"employee": "Awa", "start_date": date(2026, 3, 19)}
        said["end_date"] = date(2026, 3, 20)
        with pytest.raises(NotFound):  # the dates as such: not that week
            run(container, tools.approve_leave, team.hr, **said)
        with pytest.raises(NotFound):  # Wednesday and Thursday: not that request
            run(
                container, tools.approve_leave, team.hr, employee="Awa", any_week=True,
                start_date=date(2026, 3, 18), end_date=date(2026, 3, 19),
            )  # fmt: skip
        out = run(container, tools.approve_leave, team.hr, any_week=True, **said)
        assert out.start_date == thursday and out.end_date == friday


class TestCancellingALeave:
    def test_read_with_its_month(self, local: LocalTier) -> None:
        plan = say(local, "je ne pars plus, annule mes vacances d'août", Role.EMPLOYEE)
        assert plan.tool == "hr.cancel_leave", plan
        assert plan.arguments == {"start_date": "2026-08-01", "end_date": "2026-08-31"}

    def test_an_approved_one_gives_its_days_back(self, container: Container, team: Team) -> None:
        ask_leave(container, team.hr, team.awa_record.id, MONDAY, date(2026, 3, 24))
        run(container, tools.approve_leave, team.hr, employee="Awa")
        assert balance(container, team.staff, team.awa_record.id) == Decimal(8)
        out = run(
            container, tools.cancel_leave, team.hr,
            employee="Awa", start_date=date(2026, 3, 21), end_date=date(2026, 3, 31),
        )  # fmt: skip
        assert out.render().startswith("Congé annulé")
        assert balance(container, team.staff, team.awa_record.id) == Decimal(10)

    def test_one_s_own_only(self, container: Container, team: Team) -> None:
        ask_leave(container, team.hr, team.awa_record.id, MONDAY, MONDAY)
        with pytest.raises(PermissionDenied):  # her manager decides, HR cancels
            run(container, tools.cancel_leave, as_user(team.fatou), employee="Awa")
        with pytest.raises(NotFound):  # nothing of hers in April
            run(container, tools.cancel_leave, as_user(team.awa), start_date=date(2026, 4, 7))
        out = run(container, tools.cancel_leave, as_user(team.awa))
        assert out.employee == "Awa Ndiaye" and out.action == "cancel"


class TestPendingRequests:
    def test_the_question_lists_them(self, local: LocalTier) -> None:
        plan = say(local, "il y a des demandes de vacances en attente ?")
        assert plan.tool == "hr.pending_leave", plan

    def test_requests_to_handle_are_the_pending_ones(self, local: LocalTier) -> None:
        plan = say(local, "est-ce que j'ai des congés à traiter cette semaine ?")
        assert plan.tool == "hr.pending_leave", plan

    def test_everything_waiting_is_approved_at_once(self) -> None:
        said = extract("hr.approve_leave", "allez, accepte tout ce qui attend")
        assert said.get("every_pending") is True

    def test_a_greeting_before_a_pointing(self, local: LocalTier) -> None:
        plan = say(local, "Salam, je viens d'arriver au dépôt", role=Role.EMPLOYEE)
        assert plan.tool == "hr.check_in", plan

    def test_only_pending_ones(self, container: Container, team: Team) -> None:
        open_balance(container, team.staff, team.moussa.id, "5")
        ask_leave(container, team.hr, team.awa_record.id, MONDAY, MONDAY)
        ask_leave(container, team.hr, team.moussa.id, date(2026, 3, 25), date(2026, 3, 25))
        run(container, tools.approve_leave, team.hr, employee="Moussa")
        out = run(container, tools.pending_leave, as_user(team.fatou))
        assert "Awa Ndiaye" in out.render() and "Moussa" not in out.render()


class TestForgottenPointing:
    def test_read_with_the_person_and_the_hour(self, local: LocalTier) -> None:
        plan = say(local, "Ousmane est arrivé à 7h55 mais n'a pas badgé, pointe-le", Role.HR)
        assert plan.tool == "hr.check_in", plan
        assert plan.arguments == {"employee": "Ousmane", "at": "2026-03-16T07:55:00"}

    def test_hr_points_someone_at_the_hour_said(self, container: Container, team: Team) -> None:
        later = ManualClock(datetime(2026, 3, 23, 11, 0, tzinfo=UTC))
        at = datetime(2026, 3, 23, 8, 40)
        out = run(container, tools.check_in, team.hr, later, employee="Moussa", at=at)
        assert out.employee == "Moussa Sarr" and out.at == time(8, 40)
        with pytest.raises(PermissionDenied):  # a manager is no HR
            run(container, tools.check_in, as_user(team.fatou), later, employee="Awa")

    def test_checking_in_in_sms(self, local: LocalTier) -> None:
        assert say(local, "jsuis la", Role.EMPLOYEE).tool == "hr.check_in"


class TestSeparateDays:
    def test_a_list_of_days_apart(self) -> None:
        said = extract("hr.request_leave", "je pose le 6, le 8 et le 10 avril")
        assert said == {
            "start_date": date(2026, 4, 6),
            "other_days": [date(2026, 4, 8), date(2026, 4, 10)],
        }
        corrected = extract("hr.request_leave", "je pose le 3 mai, non le 4")
        assert "other_days" not in corrected  # a correction is no list

    def test_each_day_said_apart_is_a_leave(self, container: Container, team: Team) -> None:
        saturday = date(2026, 3, 28)
        wednesday = date(2026, 3, 25)
        shown = preview(
            container, tools.request_leave, as_user(team.awa),
            {"start_date": MONDAY, "other_days": [saturday, wednesday]},
        )  # fmt: skip
        assert "le 23/03/2026" in shown and "le 25/03/2026" in shown
        assert "Le 28/03/2026 n'est pas un jour ouvré" in shown
        out = run(
            container, tools.request_leave, as_user(team.awa),
            start_date=MONDAY, other_days=[saturday, wednesday],
        )  # fmt: skip
        assert [o.start_date for o in (out, *out.others)] == [MONDAY, wednesday]


class TestDatesAsWritten:
    def test_sms_o_for_au(self) -> None:
        said = extract("hr.request_leave", "je pose du 4 o 8 mai")
        assert said == {"start_date": date(2026, 5, 4), "end_date": date(2026, 5, 8)}

    def test_a_month_after_d_apostrophe(self) -> None:
        spans = analyse("mes congés d'octobre", today=TODAY, currency="XOF").dates
        assert [(s.first, s.last) for s in spans] == [(date(2026, 10, 1), date(2026, 10, 31))]


class TestTheNameOfSomeoneNew:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("Nouvelle recrue à enregistrer : Inès Carpentier, vendeuse", "Inès Carpentier"),
            ("nouveau salarié à créer : Paul Martin, magasinier", "Paul Martin"),
            ("nouvelle : Salimata Touré, caissière, service Ventes", "Salimata Touré"),
        ],
    )
    def test_the_name_follows_the_words_for_someone_new(self, text: str, name: str) -> None:
        assert extract("hr.create_employee", text)["name"] == name

    def test_the_words_for_someone_new_are_never_a_name(self) -> None:
        assert "name" not in extract("hr.create_employee", "nouvelle recrue demain, inscris-la")


class TestStillMissingAtRollCall:
    def test_still_missing_today_is_who_has_not_checked_in(self, local: LocalTier) -> None:
        plan = say(local, "et qui manque encore à l'appel à cette heure ?", Role.HR)
        assert plan.tool == "hr.attendance_report"
        assert plan.arguments.get("not_checked_in") is True

    def test_missing_over_a_week_is_who_is_away(self, local: LocalTier) -> None:
        assert say(local, "qui manque à l'appel la semaine prochaine ?").tool == "hr.who_is_absent"


class TestMinutesLate:
    def test_how_late_today_is_the_attendance_report(self, local: LocalTier) -> None:
        plan = say(local, "j'ai eu combien de minutes de retard ce matin ?")
        assert plan.tool == "hr.attendance_report"
        assert "employee" not in plan.arguments  # « minutes » names nobody


class TestPaidLeaveByItsInitials:
    def test_days_of_cp_left_is_one_s_balance(self, local: LocalTier) -> None:
        plan = say(local, "j'ai encore combien de jours de cp dispo ?")
        assert (plan.tool, plan.arguments) == ("hr.leave_balance", {})
