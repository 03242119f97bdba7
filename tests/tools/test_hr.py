"""HR tools against real PostgreSQL: who may act on whom, ask-backs, texts, dry runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.hr.errors import AlreadyCheckedIn
from domain.kit.clock import Clock, ManualClock
from domain.kit.errors import InvalidInput, NotFound, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.hr_factories import (
    CLOCK,
    MONDAY,
    Staff,
    Team,
    as_user,
    balance,
    make_employee,
    make_team,
)
from tests.tools.kit import call, tool_context
from tools import hr as tools
from tools.base import AskBack, Tool, ToolResult
from tools.confirmation import dry_run

NNBSP = "\u202f"


def run(container: Container, tool: Tool, who: Principal, clock: Clock = CLOCK, **args: Any) -> Any:
    return call(container, tool, who, clock, args)


def preview(container: Container, tool: Tool, who: Principal, args: Mapping[str, Any]) -> str:
    with tool_context(container, who, CLOCK) as ctx:
        result: ToolResult = dry_run(ctx, tool, tool.validate(args))
    return result.preview()


def hr_rows(container: Container, staff: Staff) -> dict[str, int]:
    tables = (
        "employees",
        "departments",
        "employment_contracts",
        "leave_requests",
        "attendance_records",
    )
    with container.db.unit_of_work(staff.tenant_id) as session:
        return {t: int(session.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in tables}


@pytest.fixture
def team(container: Container) -> Team:
    return make_team(container)


class TestEmployees:
    def test_find_by_first_name(self, container: Container, team: Team) -> None:
        out = run(container, tools.find_employee, team.hr, query="mousa")
        assert [e.name for e in out.employees] == ["Moussa Sarr"]
        assert (
            out.render() == f"Employé trouvé :\n- Moussa Sarr ({out.employees[0].code}) — Livreur"
        )

    def test_an_employee_sees_only_themself(self, container: Container, team: Team) -> None:
        out = run(container, tools.find_employee, as_user(team.awa), query="Moussa")
        assert out.employees == []
        assert out.render() == "Aucun employé ne correspond à « Moussa »."

    def test_create_with_new_department_and_manager(self, container: Container, team: Team) -> None:
        args: dict[str, Any] = {
            "name": "Ibrahima Fall",
            "job_title": "Vendeur",
            "department": "Ventes",
            "manager": "fatou",
            "hire_date": "2026-04-01",
        }
        before = hr_rows(container, team.staff)
        assert preview(container, tools.create_employee, team.hr, args) == (
            "Créer la fiche de Ibrahima Fall, embauché(e) le 01/04/2026, Vendeur, "
            "service Ventes (nouveau), responsable Fatou Diop."
        )
        assert hr_rows(container, team.staff) == before
        out = run(container, tools.create_employee, team.hr, **args)
        assert out.render().startswith("Fiche créée : Ibrahima Fall (matricule E0000")
        assert hr_rows(container, team.staff)["departments"] == before["departments"] + 1

    def test_only_hr_creates(self, container: Container, team: Team) -> None:
        with pytest.raises(PermissionDenied):
            run(container, tools.create_employee, as_user(team.fatou, Role.MANAGER), name="X")

    def test_update_lists_the_changes_by_name(self, container: Container, team: Team) -> None:
        out = run(container, tools.update_employee, team.hr, employee="Moussa",
                  job_title="Chef livreur", manager="Fatou")  # fmt: skip
        assert out.render() == (
            "Fiche de Moussa Sarr mise à jour : poste : Livreur → Chef livreur ; "
            "responsable : — → Fatou Diop"
        )

    def test_a_shortened_department_is_the_one_it_begins(
        self, container: Container, team: Team
    ) -> None:
        run(container, tools.update_employee, team.hr, employee="Moussa", department="Logistique")
        before = hr_rows(container, team.staff)
        out = run(container, tools.update_employee, team.hr, employee="Awa", department="la logist")
        assert "service : — → Logistique" in out.render()
        assert hr_rows(container, team.staff)["departments"] == before["departments"]

    def test_ambiguous_employee_asks_back(self, container: Container, team: Team) -> None:
        make_employee(container, team.staff, "Moussa Sow")
        with pytest.raises(AskBack) as asked:
            run(container, tools.update_employee, team.hr, employee="Moussa", job_title="x")
        assert asked.value.field == "employee"
        assert sorted(asked.value.options) == ["Moussa Sarr", "Moussa Sow"]

    def test_bad_email_writes_nothing(self, container: Container, team: Team) -> None:
        before = hr_rows(container, team.staff)
        with pytest.raises(InvalidInput, match="email"):
            run(container, tools.create_employee, team.hr, name="Y", email="non")
        assert hr_rows(container, team.staff) == before


class TestLeave:
    def test_request_for_oneself(self, container: Container, team: Team) -> None:
        args: dict[str, Any] = {"start_date": MONDAY, "end_date": MONDAY + timedelta(days=4)}
        assert preview(container, tools.request_leave, as_user(team.awa), args) == (
            "Demander : Congé annuel de Awa Ndiaye du 23/03/2026 au 27/03/2026 (5 j ouvrés). "
            "La demande attendra la validation du responsable."
        )
        out = run(container, tools.request_leave, as_user(team.awa), **args)
        assert out.render().endswith("en attente de validation.")

    def test_type_by_a_word_and_half_day(self, container: Container, team: Team) -> None:
        out = run(container, tools.request_leave, as_user(team.awa), leave_type="maladie",
                  start_date=MONDAY, starts_afternoon=True)  # fmt: skip
        assert out.leave_type == "Congé maladie"
        assert out.days == 0.5
        assert "le 23/03/2026 (après-midi)" in out.render()

    def test_unknown_type_offers_the_types(self, container: Container, team: Team) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, tools.request_leave, as_user(team.awa), leave_type="formation",
                start_date=MONDAY)  # fmt: skip
        assert asked.value.field == "leave_type"
        assert "Congé annuel" in asked.value.options

    def test_not_for_someone_else(self, container: Container, team: Team) -> None:
        with pytest.raises(PermissionDenied, match="que pour vous-même"):
            run(container, tools.request_leave, as_user(team.awa), employee="Moussa",
                start_date=MONDAY)  # fmt: skip

    def test_an_employee_may_not_approve(self, container: Container, team: Team) -> None:
        run(container, tools.request_leave, as_user(team.awa), start_date=MONDAY)
        with pytest.raises(PermissionDenied) as refused:
            run(container, tools.approve_leave, as_user(team.awa), employee="Awa")
        assert refused.value.message == (
            "Seuls le responsable de l'employé ou les RH peuvent approuver un congé."
        )

    def test_the_manager_approves_by_name(self, container: Container, team: Team) -> None:
        run(container, tools.request_leave, as_user(team.awa), start_date=MONDAY,
            end_date=MONDAY + timedelta(days=1))  # fmt: skip
        out = run(container, tools.approve_leave, as_user(team.fatou), employee="awa")
        assert out.render() == (
            "Congé approuvé : Congé annuel de Awa Ndiaye du 23/03/2026 au 24/03/2026 (2 j ouvrés)."
        )
        assert balance(container, team.staff, team.awa_record.id) == 8
        absent = run(container, tools.who_is_absent, team.hr, start_date=MONDAY)
        assert absent.render() == (
            "En congé le 23/03/2026 :\n- Awa Ndiaye (Congé annuel) du 23/03/2026 au 24/03/2026"
        )

    def test_several_pending_ask_which_then_reject(self, container: Container, team: Team) -> None:
        for start in (MONDAY, MONDAY + timedelta(days=7)):
            run(container, tools.request_leave, as_user(team.awa), start_date=start)
        with pytest.raises(AskBack) as asked:
            run(container, tools.reject_leave, team.hr, employee="Awa", reason="Inventaire")
        assert asked.value.field == "start_date"
        assert asked.value.options == ["Awa Ndiaye le 23/03/2026", "Awa Ndiaye le 30/03/2026"]
        out = run(container, tools.reject_leave, team.hr, employee="Awa",
                  start_date=MONDAY + timedelta(days=7), reason="Inventaire")  # fmt: skip
        assert out.render().endswith("(motif : Inventaire).")
        assert out.start_date == MONDAY + timedelta(days=7)
        # « celle de fin mars »: a period overlapping the request points at it
        out = run(container, tools.approve_leave, team.hr, employee="Awa",
                  start_date=MONDAY - timedelta(days=2),
                  end_date=MONDAY + timedelta(days=1))  # fmt: skip
        assert out.start_date == MONDAY

    def test_reject_needs_a_reason(self, container: Container, team: Team) -> None:
        with pytest.raises(InvalidInput, match="le motif : manquant"):
            run(container, tools.reject_leave, team.hr, employee="Awa")

    def test_nothing_pending_is_said(self, container: Container, team: Team) -> None:
        with pytest.raises(NotFound, match="Aucune demande de congé de Awa Ndiaye en attente"):
            run(container, tools.approve_leave, team.hr, employee="Awa")

    def test_balance_of_oneself(self, container: Container, team: Team) -> None:
        run(container, tools.request_leave, as_user(team.awa), start_date=MONDAY)
        out = run(container, tools.leave_balance, as_user(team.awa))
        assert out.render() == (
            "Solde de congés de Awa Ndiaye :\n"
            "- Congé annuel : 10 jour(s) (dont 1 en attente : 9 disponible(s))"
        )

    def test_the_team_balances_are_everyone_one_may_see(
        self, container: Container, team: Team
    ) -> None:
        everyone = run(container, tools.leave_balance, team.hr, team=True).render()
        for name in ("Fatou Diop", "Awa Ndiaye", "Moussa Sarr"):
            assert f"Solde de congés de {name}" in everyone or f"pour {name}" in everyone
        assert "Congé annuel : 10 jour(s)" in everyone
        # Fatou manages Awa through the org chart: herself and her team, not Moussa
        managed = run(container, tools.leave_balance, as_user(team.fatou), team=True).render()
        assert "Awa Ndiaye" in managed and "Fatou Diop" in managed
        assert "Moussa" not in managed
        # an employee sees only their own balance
        own = run(container, tools.leave_balance, as_user(team.awa), team=True).render()
        assert own.startswith("Solde de congés de Awa Ndiaye") and "Fatou" not in own

    def test_nobody_absent(self, container: Container, team: Team) -> None:
        out = run(container, tools.who_is_absent, team.hr)
        assert out.render() == "Personne n'est en congé le 16/03/2026."


class TestAttendance:
    def test_check_in_then_out(self, container: Container, team: Team) -> None:
        morning = ManualClock(datetime(2026, 3, 16, 8, 25, tzinfo=UTC))  # Dakar: UTC
        assert tools.check_in.low_risk and tools.check_out.low_risk
        out = run(container, tools.check_in, as_user(team.awa), morning)
        assert (
            out.render()
            == "Arrivée pointée à 08:25 (25 min de retard). Bonne journée, Awa Ndiaye !"
        )
        with pytest.raises(AlreadyCheckedIn, match="déjà pointée à 08:25"):
            run(container, tools.check_in, as_user(team.awa), morning)
        morning.advance(timedelta(hours=8, minutes=30))
        out = run(container, tools.check_out, as_user(team.awa), morning)
        assert out.render() == (
            "Départ pointé à 16:55 : 8,5 h depuis 08:25. Bonne soirée, Awa Ndiaye !"
        )
        report = run(container, tools.attendance_report, team.hr, morning, employee="Awa")
        assert report.render() == (
            "Présences du 01/03/2026 au 16/03/2026 :\n"
            "- Awa Ndiaye : 1 jour(s), 8,5 h, 1 retard(s) (25 min)"
        )

    def test_no_linked_record_is_said(self, container: Container, team: Team) -> None:
        with pytest.raises(PermissionDenied, match="aucune fiche employé"):
            run(container, tools.check_in, team.hr)

    def test_only_hr_checks_someone_else_in(self, container: Container, team: Team) -> None:
        with pytest.raises(AskBack):  # someone she does not see
            run(container, tools.check_in, as_user(team.awa), employee="Moussa")
        with pytest.raises(PermissionDenied):  # her manager is no HR
            run(container, tools.check_in, as_user(team.fatou), employee="Awa")

    def test_unknown_department_asks_back(self, container: Container, team: Team) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, tools.attendance_report, team.hr, department="Compta")
        assert asked.value.field == "department"


class TestContracts:
    def test_cdd_with_the_schedule_hours(self, container: Container, team: Team) -> None:
        args: dict[str, Any] = {"employee": "Awa", "kind": "cdd", "start_date": "2026-04-01",
                "end_date": "2026-05-31", "salary": "250000"}  # fmt: skip
        assert preview(container, tools.create_contract, team.hr, args) == (
            "Créer le contrat : CDD de Awa Ndiaye du 01/04/2026 au 31/05/2026 : "
            f"250{NNBSP}000 FCFA brut par mois, 40 h par semaine."
        )
        run(container, tools.create_contract, team.hr, **args)
        soon = run(container, tools.expiring_contracts, team.hr, within_days=90)
        assert soon.render() == (
            "1 contrat(s) se terminent dans les 90 prochains jours :\n"
            "- Awa Ndiaye : CDD, fin le 31/05/2026 (dans 76 jour(s))"
        )

    def test_a_cdd_needs_an_end_and_writes_nothing(self, container: Container, team: Team) -> None:
        before = hr_rows(container, team.staff)
        with pytest.raises(AskBack, match="Jusqu'à quelle date court ce CDD") as asked:
            run(container, tools.create_contract, team.hr, employee="Awa", kind="cdd",
                start_date="2026-04-01", salary="250000")  # fmt: skip
        assert asked.value.field == "end_date"
        with pytest.raises(InvalidInput, match="précède"):
            run(container, tools.create_contract, team.hr, employee="Awa", kind="cdd",
                start_date="2026-06-01", end_date="2026-03-31", salary="250000")  # fmt: skip
        with pytest.raises(InvalidInput, match="le type : valeur non reconnue"):
            run(container, tools.create_contract, team.hr, employee="Awa", kind="interim",
                start_date="2026-04-01", salary="250000")  # fmt: skip
        assert hr_rows(container, team.staff) == before

    def test_employees_do_not_see_expiring_contracts(
        self, container: Container, team: Team
    ) -> None:
        with pytest.raises(PermissionDenied):
            run(container, tools.expiring_contracts, as_user(team.awa))
        assert (
            run(container, tools.expiring_contracts, as_user(team.fatou, Role.MANAGER)).contracts
            == []
        )


def test_every_tool_is_exported() -> None:
    assert len({t.name for t in tools.TOOLS}) == 15
    assert all("Exemples" in t.description for t in tools.TOOLS)
    assert {t.name for t in tools.TOOLS if t.low_risk} == {"hr.check_in", "hr.check_out"}
