"""Who has not checked in: the expected staff of a day (working day, not on leave) without
a check-in, through ``hr.attendance_report``, against real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from comptoir.bootstrap import Container
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput
from tests.hr_factories import (
    MONDAY,
    Team,
    as_user,
    make_employee,
    make_team,
)
from tests.tools.test_hr import run
from tools import hr as tools

# Monday 23 March 2026, 10:00 in Dakar (UTC).
MORNING = ManualClock(datetime(2026, 3, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def team(container: Container) -> Team:
    return make_team(container)


def _names(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


class TestNotCheckedIn:
    def test_expected_staff_without_a_check_in(self, container: Container, team: Team) -> None:
        arrival = ManualClock(datetime(2026, 3, 23, 8, 0, tzinfo=UTC))
        run(container, tools.check_in, as_user(team.awa), arrival)
        out = run(container, tools.attendance_report, team.hr, MORNING, not_checked_in=True)
        assert _names(out.render()) == ["Fatou Diop", "Moussa Sarr"]
        assert out.render().startswith("2 personnes n'ont pas pointé le 23/03/2026 :")

    def test_staff_on_approved_leave_and_not_yet_hired_are_not_expected(
        self, container: Container, team: Team
    ) -> None:
        run(container, tools.request_leave, as_user(team.awa), start_date=MONDAY)
        run(container, tools.approve_leave, as_user(team.fatou), employee="awa")
        make_employee(container, team.staff, "Binta Faye", hire_date=MONDAY + timedelta(days=7))
        out = run(container, tools.attendance_report, team.hr, MORNING, not_checked_in=True)
        assert _names(out.render()) == ["Fatou Diop", "Moussa Sarr"]
        assert "(1 en congé, non compté(s))" in out.render()

    def test_a_past_day_and_everyone_there(self, container: Container, team: Team) -> None:
        thursday = date(2026, 3, 19)  # the 20th is Korité in Senegal
        for account in (team.awa, team.fatou):
            at = ManualClock(datetime(2026, 3, 19, 8, 5, tzinfo=UTC))
            run(container, tools.check_in, as_user(account), at)
        out = run(
            container, tools.attendance_report, team.hr, MORNING,
            not_checked_in=True, start_date=thursday,
        )  # fmt: skip
        assert _names(out.render()) == ["Moussa Sarr"]
        assert out.start_date == thursday

    def test_a_weekend_expects_nobody(self, container: Container, team: Team) -> None:
        sunday = ManualClock(datetime(2026, 3, 22, 10, 0, tzinfo=UTC))
        out = run(container, tools.attendance_report, team.hr, sunday, not_checked_in=True)
        assert out.render() == (
            "Personne n'est attendu le 22/03/2026 : c'est un dimanche, pas un jour travaillé."
        )

    def test_an_employee_sees_only_themself(self, container: Container, team: Team) -> None:
        out = run(
            container, tools.attendance_report, as_user(team.awa), MORNING, not_checked_in=True
        )
        assert _names(out.render()) == ["Awa Ndiaye"]

    def test_a_day_to_come_is_refused(self, container: Container, team: Team) -> None:
        with pytest.raises(InvalidInput):
            run(
                container, tools.attendance_report, team.hr, MORNING,
                not_checked_in=True, start_date=MONDAY + timedelta(days=1),
            )  # fmt: skip
