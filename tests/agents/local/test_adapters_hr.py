"""HR adapters: what French messages say, as the HR tools' arguments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from tools import hr as tools

TODAY = date(2026, 3, 16)  # a Monday
BY_TOOL = {name: a for name, a in every_adapter().items() if name.startswith("hr.")}


def extract(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=TODAY, currency="XOF"))


CASES = [
    ("hr.find_employee", "cherche l'employée Awa", {"query": "Awa"}),
    ("hr.find_employee", "le numéro de Moussa Diop ?", {"query": "Moussa Diop"}),
    ("hr.find_employee", "qui a le matricule E00003 ?", {"query": "E00003"}),
    (
        "hr.create_employee",
        "ajoute l'employée Awa Ndiaye, vendeuse, embauchée le 1er avril",
        {"name": "Awa Ndiaye", "hire_date": date(2026, 4, 1), "job_title": "vendeuse"},
    ),
    (
        "hr.create_employee",
        "nouvel employé Moussa Diop au service Livraison, son responsable Fatou",
        {"name": "Moussa Diop", "department": "Livraison", "manager": "Fatou"},
    ),
    (
        "hr.create_employee",
        "crée la fiche de Jean Martin, comptable",
        {"name": "Jean Martin", "job_title": "comptable"},
    ),
    (
        "hr.update_employee",
        "Awa passe responsable de boutique",
        {"employee": "Awa", "job_title": "responsable de boutique"},
    ),
    (
        "hr.update_employee",
        "change le téléphone de Moussa : 77 111 22 33",
        {"employee": "Moussa", "phone": "77 111 22 33"},
    ),
    (
        "hr.update_employee",
        "Jean a quitté l'entreprise le 31 mars",
        {"employee": "Jean", "left_on": date(2026, 3, 31)},
    ),
    (
        "hr.request_leave",
        "je veux poser du 3 au 7 août",
        {"start_date": date(2026, 8, 3), "end_date": date(2026, 8, 7)},
    ),
    (
        "hr.request_leave",
        "congé maladie demain pour Moussa",
        {"employee": "Moussa", "leave_type": "maladie", "start_date": date(2026, 3, 17)},
    ),
    (
        "hr.request_leave",
        "je prends vendredi après-midi",
        {"start_date": date(2026, 3, 20), "starts_afternoon": True},
    ),
    (
        "hr.request_leave",
        "je prends lundi matin stp",
        {"start_date": date(2026, 3, 23), "ends_morning": True},
    ),
    ("hr.approve_leave", "approuve le congé d'Awa", {"employee": "Awa"}),
    (
        "hr.approve_leave",
        "valide la demande de Moussa du 3 août",
        {"employee": "Moussa", "start_date": date(2026, 8, 3)},
    ),
    ("hr.approve_leave", "ok pour les congés de Fatou", {"employee": "Fatou"}),
    (
        "hr.reject_leave",
        "refuse le congé de Moussa, c'est l'inventaire",
        {"employee": "Moussa", "reason": "c'est l'inventaire"},
    ),
    (
        "hr.reject_leave",
        "refuse le congé de Moussa parce que c'est l'inventaire",
        {"employee": "Moussa", "reason": "c'est l'inventaire"},
    ),
    ("hr.leave_balance", "combien il me reste de congés ?", {}),
    ("hr.leave_balance", "solde de congés d'Awa", {"employee": "Awa"}),
    (
        "hr.who_is_absent",
        "qui est en congé la semaine prochaine ?",
        {"start_date": date(2026, 3, 23), "end_date": date(2026, 3, 29)},
    ),
    ("hr.check_in", "je suis arrivé", {}),
    ("hr.check_out", "je pars, bonne soirée", {}),
    (
        "hr.attendance_report",
        "combien d'heures a fait Awa en mars ?",
        {"employee": "Awa", "start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)},
    ),
    (
        "hr.attendance_report",
        "les retards du service Ventes ce mois-ci",
        {"department": "Ventes", "start_date": date(2026, 3, 1), "end_date": date(2026, 3, 31)},
    ),
    (
        "hr.create_contract",
        "CDD pour Awa du 1er avril au 30 septembre, 250 000 FCFA par mois",
        {
            "employee": "Awa",
            "kind": "cdd",
            "salary": Decimal(250_000),
            "start_date": date(2026, 4, 1),
            "end_date": date(2026, 9, 30),
        },
    ),
    (
        "hr.create_contract",
        "Moussa passe en CDI au 1er mai, 2 100 € brut",
        {
            "employee": "Moussa",
            "kind": "cdi",
            "salary": Decimal(2100),
            "start_date": date(2026, 5, 1),
        },
    ),
    (
        "hr.create_contract",
        "stage de Jean jusqu'au 31 août, 35 heures par semaine",
        {"employee": "Jean", "kind": "stage", "weekly_hours": 35, "end_date": date(2026, 8, 31)},
    ),
    ("hr.expiring_contracts", "fin de contrats dans les 90 jours", {"within_days": 90}),
    ("hr.expiring_contracts", "les CDD qui finissent ce mois-ci", {"within_days": 31}),
    ("hr.expiring_contracts", "les stages qui s'arrêtent dans trois semaines", {"within_days": 21}),
]


@pytest.mark.parametrize(("tool", "text", "expected"), CASES)
def test_extract(tool: str, text: str, expected: dict[str, Any]) -> None:
    assert extract(tool, text) == expected


@pytest.mark.parametrize(("tool", "text", "expected"), CASES)
def test_extracted_arguments_validate(tool: str, text: str, expected: dict[str, Any]) -> None:
    model = next(t for t in tools.TOOLS if t.name == tool).input_model
    assert set(expected) <= set(model.model_fields)
    assert set(BY_TOOL[tool].ask) <= set(model.model_fields)


def test_every_tool_has_an_adapter() -> None:
    assert set(BY_TOOL) == {t.name for t in tools.TOOLS}


def test_a_correction_moves_the_dates() -> None:
    adapter = BY_TOOL["hr.request_leave"]
    first = extract("hr.request_leave", "congé maladie demain pour Moussa")
    fixed = adapter.corrected(first, analyse("non, vendredi", today=TODAY))
    assert fixed == {"employee": "Moussa", "leave_type": "maladie", "start_date": date(2026, 3, 20)}


def test_a_refusal_reason_can_come_later() -> None:
    adapter = BY_TOOL["hr.reject_leave"]
    assert "reason" in adapter.ask
    first = extract("hr.reject_leave", "refuse le congé de Moussa")
    assert first == {"employee": "Moussa"}


def test_new_dates_replace_the_whole_period() -> None:
    adapter = BY_TOOL["hr.request_leave"]
    first = extract("hr.request_leave", "je veux poser du 3 au 7 août")
    fixed = adapter.corrected(first, analyse("non, le 10 août", today=TODAY))
    assert fixed == {"start_date": date(2026, 8, 10)}
    kept = adapter.corrected(first, analyse("en RTT", today=TODAY))
    assert kept == {**first, "leave_type": "RTT"}


# --- names, half days, reversed ranges, corrections (local tier v2) ----------------------

NEW_CASES = [
    (
        "hr.create_employee",
        "nouvelle recrue : Ndeye Faye, secrétaire",
        {"name": "Ndeye Faye", "job_title": "secrétaire"},
    ),
    (
        "hr.create_employee",
        "Embauche Karim Benali comme livreur, sa responsable c'est Awa Sow",
        {"name": "Karim Benali", "job_title": "livreur", "manager": "Awa Sow"},
    ),
    (
        "hr.create_employee",
        "ajoute mon neveu Ibou Sarr comme caissier",
        {"name": "Ibou Sarr", "job_title": "caissier"},
    ),
    (
        "hr.create_employee",
        "il faut une fiche pour un nouveau chauffeur au service Transport",
        {"job_title": "chauffeur", "department": "Transport"},
    ),
    ("hr.create_employee", "elle s'appelle Rama Diouf", {"name": "Rama Diouf"}),
    (
        "hr.update_employee",
        "à partir de maintenant le responsable de Paul Martin c'est Sandrine",
        {"employee": "Paul Martin", "manager": "Sandrine"},
    ),
    (
        "hr.update_employee",
        "place Omar sous l'autorité de Bintou",
        {"employee": "Omar", "manager": "Bintou"},
    ),
    (
        "hr.update_employee",
        "Lamine passe chef de quai dès lundi",
        {"employee": "Lamine", "job_title": "chef de quai"},
    ),
    (
        "hr.update_employee",
        "modifie le poste de Coumba : caissière principale",
        {"employee": "Coumba", "job_title": "caissière principale"},
    ),
    (
        "hr.request_leave",
        "je prends jeudi aprem",
        {"start_date": date(2026, 3, 19), "starts_afternoon": True},
    ),
    (
        "hr.request_leave",
        "je pose le mardi 24 mars à partir de midi jusqu'au jeudi 26 mars",
        {"start_date": date(2026, 3, 24), "end_date": date(2026, 3, 26), "starts_afternoon": True},
    ),
    (
        "hr.request_leave",
        "mercredi matin je serai absent, je pose la matinée",
        {"start_date": date(2026, 3, 18), "ends_morning": True},
    ),
    (
        "hr.request_leave",
        "je pose du 10 avril au 6 avril",
        {"start_date": date(2026, 4, 10), "end_date": date(2026, 4, 6)},
    ),
    (
        "hr.request_leave",
        "mets Bineta en congé du 6 au 8 avril",
        {"employee": "Bineta", "start_date": date(2026, 4, 6), "end_date": date(2026, 4, 8)},
    ),
    (
        "hr.request_leave",
        "je veux une permission lundi pour le mariage de ma sœur",
        {"leave_type": "exceptionnel", "start_date": date(2026, 3, 23)},
    ),
    (
        "hr.approve_leave",
        "la demande de début avril",
        {"start_date": date(2026, 4, 1), "end_date": date(2026, 4, 10)},
    ),
    (
        "hr.approve_leave",
        "valide les RTT de Karim du 4 au 6 mai",
        {"employee": "Karim", "start_date": date(2026, 5, 4), "end_date": date(2026, 5, 6)},
    ),
    # Free words refuse nothing by themselves: as the answer to « Pour quel motif ? » they
    # are the reason (tests/agents/local/test_hr_decisions_and_periods.py)
    ("hr.reject_leave", "on est en plein inventaire cette semaine", {}),
    (
        "hr.leave_balance",
        "combien de jours de vacances reste-t-il à Omar Ba ?",
        {"employee": "Omar Ba"},
    ),
    (
        "hr.create_contract",
        "Coumba Ndiaye signe un CDI à compter du 1er mai, 300 000 F brut",
        {
            "employee": "Coumba Ndiaye",
            "kind": "cdi",
            "start_date": date(2026, 5, 1),
            "salary": Decimal("300000"),
        },
    ),  # fmt: skip
    (
        "hr.create_contract",
        "CDD pour Omar du 1er septembre 2026 au 30 juin 2026, 150 000 F",
        {
            "employee": "Omar",
            "kind": "cdd",
            "start_date": date(2026, 9, 1),
            "end_date": date(2026, 6, 30),
            "salary": Decimal("150000"),
        },
    ),  # fmt: skip
    ("hr.create_contract", "jusqu'au 31 juillet", {"end_date": date(2026, 7, 31)}),
    (
        "hr.expiring_contracts",
        "les CDD qui finissent dans les 45 prochains jours",
        {"within_days": 45},
    ),
    ("hr.expiring_contracts", "contrats à échéance dans les 2 prochains mois", {"within_days": 60}),
]


@pytest.mark.parametrize(("tool", "text", "expected"), NEW_CASES)
def test_names_half_days_and_ranges(tool: str, text: str, expected: dict[str, Any]) -> None:
    assert extract(tool, text) == expected


def test_correction_moves_only_the_last_day() -> None:
    adapter = BY_TOOL["hr.request_leave"]
    shown = {"start_date": date(2026, 3, 23), "end_date": date(2026, 3, 25)}
    said = analyse("non pardon, jusqu'au 27", today=TODAY, currency="XOF")
    assert adapter.corrected(shown, said) == {
        "start_date": date(2026, 3, 23),
        "end_date": date(2026, 3, 27),
    }


def test_correction_of_the_service_keeps_the_employee() -> None:
    adapter = BY_TOOL["hr.update_employee"]
    shown = {"employee": "Awa", "department": "Caisse"}
    said = analyse("non, plutôt à la Réserve", today=TODAY, currency="XOF")
    assert adapter.corrected(shown, said) == {"employee": "Awa", "department": "Réserve"}


def test_no_person_read_in_common_words() -> None:
    for text in ("refuse, trop de monde cette semaine", "je pose demain pour le baptême"):
        assert "employee" not in extract("hr.request_leave", text)


class TestLeaveCountedFromAStart:
    """Monday 16 March 2026."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "je voudrais prendre 3 jours de congé à partir du 23 mars",
                {"start_date": date(2026, 3, 23), "end_date": date(2026, 3, 25)},
            ),
            (  # Thursday, Friday, then Monday: weekends are no working days
                "3 jours de congés dès jeudi",
                {"start_date": date(2026, 3, 19), "end_date": date(2026, 3, 23)},
            ),
            (
                "2 jours et demi de congé à partir du 23 mars",
                {
                    "start_date": date(2026, 3, 23),
                    "end_date": date(2026, 3, 25),
                    "ends_morning": True,
                },
            ),
            ("un jour de congé le 23 mars", {"start_date": date(2026, 3, 23)}),
            (
                "congé lundi et mardi prochains",
                {"start_date": date(2026, 3, 23), "end_date": date(2026, 3, 24)},
            ),
        ],
    )
    def test_the_last_day_is_the_nth_working_day(self, text: str, expected: dict[str, Any]) -> None:
        assert extract("hr.request_leave", text) == expected


class TestNotCheckedIn:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "qui n'a pas pointé aujourd'hui ?",
                {"not_checked_in": True, "start_date": date(2026, 3, 16)},
            ),
            ("qui n'est pas encore arrivé ?", {"not_checked_in": True}),
            (
                "qui n'a pas badgé au service Ventes hier ?",
                {"not_checked_in": True, "department": "Ventes", "start_date": date(2026, 3, 15)},
            ),
            ("tout le monde a pointé ?", {"not_checked_in": True}),
        ],
    )
    def test_who_was_expected_and_did_not_check_in(
        self, text: str, expected: dict[str, Any]
    ) -> None:
        assert extract("hr.attendance_report", text) == expected

    def test_a_missing_check_out_is_the_report(self) -> None:
        assert "not_checked_in" not in extract(
            "hr.attendance_report", "qui n'a pas pointé son départ ?"
        )


class TestALeaveWithoutItsYear:
    """A leave said without its year is read ahead when its day is long past."""

    def read(self, text: str, today: date) -> dict[str, Any]:
        return BY_TOOL["hr.request_leave"].extract(analyse(text, today=today, currency="XOF"))

    def test_january_said_in_december_is_next_january(self) -> None:
        said = self.read("trois jours de congé à partir du 5 janvier", date(2026, 12, 10))
        assert (said["start_date"], said["end_date"]) == (date(2027, 1, 5), date(2027, 1, 7))

    def test_a_day_just_past_stays_this_year(self) -> None:
        said = self.read("j'étais malade le 2 décembre", date(2026, 12, 10))
        assert said["start_date"] == date(2026, 12, 2)

    def test_a_year_said_is_kept(self) -> None:
        said = self.read("congé du 5 au 7 janvier 2026", date(2026, 12, 10))
        assert said["start_date"] == date(2026, 1, 5)
