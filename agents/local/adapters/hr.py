"""HR: from a French message to the arguments of the ``hr.*`` tools.

Employees are read after « de », « d' », « pour », « employé »… or at the head of the
message (« Awa passe responsable »); « moi », « mes », « je » leave the employee out (the
tool then means the caller). Dates come from the slot parser: a range gives the first and
last day, « après-midi » / « matin » the half days. Nothing is guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.adapters.sales import (
    clean_name,
    email_in,
    first_day,
    has,
    name_of,
    phone_in,
)
from agents.local.mentions import leading_name, words_after
from agents.local.slots.types import Utterance

_EMPLOYEE = ("employé", "employée", "salarié", "salariée", "fiche de", "matricule")
_OF = ("de", "d'", "du")
_FOR = ("pour",)
_MATRICULE = re.compile(r"(?<![\w-])(E\d{3,10})(?![\w-])", re.IGNORECASE)
_LEAVE_TYPES = (
    (("maladie", "malade", "arret"), "maladie"),
    (("rtt",), "RTT"),
    (("sans solde",), "sans solde"),
    (("maternite",), "maternité"),
    (("paternite",), "paternité"),
    (("exceptionnel", "permission"), "exceptionnel"),
    (("evenement familial", "mariage", "deces", "naissance"), "événement familial"),
)
_CONTRACT_KINDS = (
    (("cdi",), "cdi"),
    (("cdd",), "cdd"),
    (("stage", "stagiaire"), "stage"),
    (("freelance", "prestataire", "independant"), "freelance"),
)
_WITHIN = re.compile(r"(\d+)\s*(jours?|semaines?|mois)")
_UNITS = {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7, "mois": 30}


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _for_oneself(utt: Utterance) -> bool:
    return has(utt, "moi", "mes ", "mon ", "je ", "j'", "me ")


def _someone(utt: Utterance, *groups: tuple[str, ...]) -> str | None:
    """An employee named in the message; None when it speaks of oneself only."""
    named = name_of(utt, *groups)
    if named is not None and named.lower() not in {"moi", "lui", "elle"}:
        return named
    return None


def _period(utt: Utterance) -> dict[str, Any]:
    """First and last day (a range, or several days said), with the half days."""
    if not utt.dates:
        return {}
    first, last = utt.dates[0], utt.dates[-1]
    end = max(last.last, first.last)
    return {
        "start_date": first.first,
        "end_date": end if end != first.first else None,
        "starts_afternoon": first.half_day_first or None,
        "ends_morning": (last.half_day_last if end == last.last else first.half_day_last) or None,
    }


# --- employees --------------------------------------------------------------------------


def _find_employee(utt: Utterance) -> dict[str, Any]:
    code = _MATRICULE.search(utt.text)
    query = (
        (code.group(1).upper() if code else None)
        or email_in(utt)
        or phone_in(utt)
        or _someone(utt, _EMPLOYEE, _OF, ("cherche", "trouve"))
    )
    return _without_none({"query": query})


def _plain_title(text: str) -> bool:
    """« vendeuse », « chef de rayon »: a few lower-case words, no number, no « son … »."""
    words = text.split()
    return (
        0 < len(words) <= 4
        and text[:1].islower()
        and not any(c.isdigit() for c in text)
        and words[0] not in {"son", "sa", "au", "à", "tel", "tél", "embauché", "embauchée"}
    )


def _job_title(utt: Utterance, name: str | None) -> str | None:
    said = words_after(utt, ("comme", "poste de", "au poste de", "devient", "passe", "nommé"))
    if said is None and name:  # « Awa Ndiaye, vendeuse, embauchée … »
        after = utt.text.split(name, 1)[-1]
        parts = [p.strip() for p in after.split(",")]
        said = parts[1] if len(parts) > 1 and _plain_title(parts[1]) else None
    if not said:
        return None
    said = re.split(r"[,;.]|\s(?:au|dans le|du|à partir|depuis|le \d)", said)[0].strip()
    if not said or has(Utterance(text=said, folded=said.lower()), "embauch", "service", "tel"):
        return None
    return said[:100]


def _employee_details(utt: Utterance, name: str | None) -> dict[str, Any]:
    return {
        "job_title": _job_title(utt, name),
        "phone": phone_in(utt),
        "email": email_in(utt),
        "department": name_of(utt, ("service", "département", "equipe", "équipe")),
        "manager": name_of(utt, ("son responsable", "sa responsable", "manager", "chef")),
    }


def _create_employee(utt: Utterance) -> dict[str, Any]:
    name = name_of(utt, _EMPLOYEE, ("embauche", "recrute", "ajoute", "fiche", "nouvel", "nouvelle"))
    return _without_none(
        {"name": name, "hire_date": first_day(utt), **_employee_details(utt, name)}
    )


def _update_employee(utt: Utterance) -> dict[str, Any]:
    employee = clean_name(leading_name(utt)) or _someone(utt, _EMPLOYEE, _OF)
    values = _employee_details(utt, None)
    if has(utt, "quitte", "depart", "parti", "demission"):
        values["left_on"] = first_day(utt)
    return _without_none({"employee": employee, **values})


# --- leave ------------------------------------------------------------------------------


def _leave_type(utt: Utterance) -> str | None:
    for words, said in _LEAVE_TYPES:
        if has(utt, *words):
            return said
    return None


def _request_leave(utt: Utterance) -> dict[str, Any]:
    employee = _someone(utt, _FOR) or clean_name(leading_name(utt))
    return _without_none({"employee": employee, "leave_type": _leave_type(utt), **_period(utt)})


_PERIOD_FIELDS = ("start_date", "end_date", "starts_afternoon", "ends_morning")


def _correct_leave(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, le 10 » moves the whole period: new dates drop the old end and half days."""
    said = _request_leave(utt)
    kept = {
        k: v for k, v in previous.items() if "start_date" not in said or k not in _PERIOD_FIELDS
    }
    return {**kept, **said}


def _decided(utt: Utterance) -> dict[str, Any]:
    employee = _someone(utt, _OF, _FOR) or clean_name(leading_name(utt))
    return _without_none({"employee": employee, "start_date": first_day(utt)})


def _reason(utt: Utterance) -> str | None:
    said = words_after(utt, ("parce que", "car", "motif", "raison", "à cause de", "a cause de"))
    if said is None:
        m = re.search(r"[,:]\s*(.+)$", utt.text)
        said = m.group(1) if m else None
    return said.strip(" .") if said and said.strip(" .") else None


def _reject_leave(utt: Utterance) -> dict[str, Any]:
    return _without_none({**_decided(utt), "reason": _reason(utt)})


def _whose(utt: Utterance) -> dict[str, Any]:
    return _without_none({"employee": _someone(utt, _OF, _FOR, ("fait",))})


def _who_is_absent(utt: Utterance) -> dict[str, Any]:
    if not utt.dates:
        return {}
    return {"start_date": utt.dates[0].first, "end_date": utt.dates[-1].last}


def _attendance_report(utt: Utterance) -> dict[str, Any]:
    values = _whose(utt)
    department = name_of(utt, ("service", "équipe", "equipe"))
    if department is not None:
        values.pop("employee", None)
        values["department"] = department
    if utt.dates:
        values["start_date"], values["end_date"] = utt.dates[0].first, utt.dates[-1].last
    return values


# --- contracts --------------------------------------------------------------------------


def _create_contract(utt: Utterance) -> dict[str, Any]:
    kind = next((k for words, k in _CONTRACT_KINDS if has(utt, *words)), None)
    dates: dict[str, Any] = {}
    if utt.dates:
        span = utt.dates[0]
        ends = span.last if span.last != span.first else None
        if re.search(r"(?i)jusqu", span.text):  # « jusqu'au 31 août »: the end only
            dates = {"end_date": span.last}
        else:
            dates = {"start_date": span.first, "end_date": ends}
    minutes = next((d.minutes for d in utt.durations if d.minutes), None)
    hours = Decimal(minutes) / 60 if minutes and has(utt, "semaine") else None
    return _without_none(
        {
            "employee": _someone(utt, _FOR, _OF) or clean_name(leading_name(utt)),
            "kind": kind,
            "salary": utt.amounts[0].value if utt.amounts else None,
            "weekly_hours": hours,
            **dates,
        }
    )


def _expiring(utt: Utterance) -> dict[str, Any]:
    m = _WITHIN.search(utt.folded)
    if m:
        return {"within_days": int(m.group(1)) * _UNITS[m.group(2)]}
    if has(utt, "ce mois"):
        return {"within_days": 31}
    return {}


ADAPTERS: list[Adapter] = [
    Adapter("hr.find_employee", _find_employee, ask={"query": "Quel employé cherchez-vous ?"}),
    Adapter(
        "hr.create_employee", _create_employee, ask={"name": "Quel est le nom du nouvel employé ?"}
    ),
    Adapter("hr.update_employee", _update_employee, ask={"employee": "Quel employé ?"}),
    Adapter(
        "hr.request_leave",
        _request_leave,
        ask={"start_date": "À partir de quel jour ?"},
        correct=_correct_leave,
    ),
    Adapter("hr.approve_leave", _decided),
    Adapter("hr.reject_leave", _reject_leave, ask={"reason": "Pour quel motif refusez-vous ?"}),
    Adapter("hr.leave_balance", _whose),
    Adapter("hr.who_is_absent", _who_is_absent),
    Adapter("hr.check_in", lambda u: {}),
    Adapter("hr.check_out", lambda u: {}),
    Adapter("hr.attendance_report", _attendance_report),
    Adapter(
        "hr.create_contract",
        _create_contract,
        ask={
            "employee": "Pour quel employé ?",
            "kind": "Quel type de contrat : CDI, CDD, stage ou freelance ?",
            "start_date": "À partir de quelle date ?",
            "salary": "Quel est le salaire brut mensuel ?",
        },
    ),
    Adapter("hr.expiring_contracts", _expiring),
]
