"""Leave read from when someone comes back, a week moved while its preview waits, a month
named « du mois de … », and two requests of different kinds in one message. Messages are
written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

WEDNESDAY = date(2026, 3, 18)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({Role.HR}))
    memory = memory if memory is not None else Memory()
    return local.understand(message, memory, principal, today=WEDNESDAY, currency="XOF")


def shown(local: LocalTier, memory: Memory, message: str) -> Plan:
    plan = say(local, message, memory)
    assert plan.kind == "tool" and plan.tool is not None, plan
    local.remember(memory, plan.tool, plan.arguments, shown=True)
    return plan


class TestBackAtWork:
    def test_the_day_back_is_not_a_day_off(self, local: LocalTier) -> None:
        plan = say(local, "Awa a de la fièvre depuis hier, elle reprend vendredi, congé maladie")
        assert plan.tool == "hr.request_leave"
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-03-17",
            "2026-03-19",
        )

    def test_back_on_monday_ends_the_friday_before(self, local: LocalTier) -> None:
        plan = say(local, "congé pour Moussa à partir de jeudi, il sera de retour lundi")
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-03-19",
            "2026-03-20",
        )

    def test_leaving_at_noon_starts_in_the_afternoon(self, local: LocalTier) -> None:
        plan = say(
            local,
            "Binta part vendredi à midi pour un mariage à Kaolack, elle revient lundi, "
            "pose-lui un congé",
        )
        assert plan.tool == "hr.request_leave"
        assert plan.arguments["employee"] == "Binta"
        assert plan.arguments["start_date"] == "2026-03-20"
        assert plan.arguments["starts_afternoon"] is True

    def test_only_the_day_back_asks_rather_than_books_it(self, local: LocalTier) -> None:
        plan = say(local, "mets Moussa en congé, il revient jeudi")
        assert plan.kind != "tool" or plan.arguments.get("start_date") != "2026-03-19"


class TestPeriodsSaid:
    def test_du_mois_de_names_that_month(self, local: LocalTier) -> None:
        plan = say(local, "annule mon congé du mois de mai")
        assert plan.tool == "hr.cancel_leave"
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-05-01",
            "2026-05-31",
        )

    def test_another_week_by_its_monday_in_the_month_shown(self, local: LocalTier) -> None:
        memory = Memory()
        shown(local, memory, "je prends la semaine du 6 avril")
        plan = say(local, "non, plutôt celle du 13, du lundi au vendredi", memory)
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-04-13",
            "2026-04-17",
        )

    def test_a_week_of_leave_is_its_working_days(self, local: LocalTier) -> None:
        plan = say(local, "je serai en congé toute la semaine prochaine, c'est la communion")
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-03-23",
            "2026-03-27",
        )

    def test_days_corrected_without_their_month_keep_the_month_corrected(
        self, local: LocalTier
    ) -> None:
        memory = Memory()
        shown(local, memory, "je pose du 6 au 10 avril")
        plan = say(local, "oups non, je voulais dire du 13 au 17", memory)
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-04-13",
            "2026-04-17",
        )


class TestNewEmployees:
    def test_a_title_said_again_corrects_the_card_being_made(self, local: LocalTier) -> None:
        memory = Memory()
        shown(local, memory, "ajoute l'employée Coumba Fall comme caissière")
        plan = say(local, "ah non pardon, elle sera vendeuse, pas caissière", memory)
        assert plan.arguments["job_title"] == "vendeuse"
        assert plan.arguments["name"] == "Coumba Fall"

    def test_a_hire_with_its_manager_then_asked_as_a_question(self, local: LocalTier) -> None:
        plan = say(
            local,
            "On recrute Hugo Lemaire comme cuisinier dès le 1er juin, il sera sous la "
            "responsabilité de Pierre Blanc. Tu peux lui faire sa fiche ?",
        )
        assert plan.tool == "hr.create_employee", plan
        assert plan.arguments["manager"] == "Pierre Blanc"
        assert plan.arguments["hire_date"] == "2026-06-01"


class TestTwoRequests:
    def test_the_first_of_two_writes_is_never_dropped(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "je pointe mon départ et sors 3 bidons d'huile pour la cuisine", memory)
        assert plan.tool == "hr.check_out", plan
        assert memory.queued and "bidons" in memory.queued
