"""Sales: from a French message to the arguments of the ``sales.*`` tools.

Customers and suppliers are read after « client », « fournisseur », « avec », « de »…
(« l'affaire Diallo », « rappelle Ndiaye »), or at the head of the message (« Dupont a
signé »). Phones and e-mails by their shape, stages and activity kinds by their words.
Nothing is guessed: what the message does not say is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.mentions import leading_name, name_after, words_after
from agents.local.slots.text import fold
from agents.local.slots.types import Utterance

PHONE = re.compile(r"(?<![\w+])(\+?\d[\d .-]{6,}\d)(?![\w])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Words that are never the name of a person or a business on their own.
GENERIC = {
    "conge", "conges", "demande", "demandes", "solde", "affaire", "affaires", "client",
    "clients", "fournisseur", "opportunite", "pipeline", "activite", "activites", "devis",
    "heures", "heure", "jours", "jour", "contrat", "contrats", "fiche", "employe", "employee",
    "moi", "toi", "lui", "elle", "eux", "relance", "relances", "rendez-vous", "rdv", "appel",
    "tache", "note", "retard", "semaine", "mois", "presences", "presence", "telephone", "numero",
}  # fmt: skip
# Words a name reader may run into at the end of a name (« de Moussa parce que … »).
_TAIL = {"parce", "car", "puisque", "pour", "avec", "svp", "stp", "merci"}


def loose(utt: Utterance) -> Utterance:
    """The same message with apostrophes as spaces (same length): « l'affaire Diallo »
    reads like « l affaire Diallo », so « affaire » is a marker like any other."""
    return Utterance(text=re.sub(r"['’]", " ", utt.text), folded=re.sub(r"['’]", " ", utt.folded))


def clean_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and fold(words[-1]) in _TAIL:
        words.pop()
    kept = " ".join(words).strip(" ,;:")
    if not kept or fold(kept) in GENERIC or all(fold(w) in GENERIC for w in kept.split()):
        return None
    return kept


def name_of(utt: Utterance, *marker_groups: Iterable[str], capital: bool = False) -> str | None:
    """The first real name after a marker, trying the groups in order (each as written,
    then with apostrophes loosened); generic nouns (« congés », « affaire ») are skipped, and
    names in lower case too when ``capital``."""
    for group in marker_groups:
        markers = tuple(group)
        for reading in (utt, loose(utt)):
            offset = 0
            while offset < len(reading.text):
                sub = Utterance(text=reading.text[offset:], folded=reading.folded[offset:])
                found = name_after(sub, markers)
                if found is None:
                    break
                name = clean_name(found)
                if name is not None and (not capital or name[0].isupper()):
                    return name
                offset += sub.text.find(found) + len(found)
    return None


def has(utt: Utterance, *words: str) -> bool:
    """Whether a word starting with one of ``words`` is in the message (folded)."""
    return any(re.search(rf"(?<![\w]){re.escape(w)}", utt.folded) for w in words)


def phone_in(utt: Utterance) -> str | None:
    for m in PHONE.finditer(utt.text):
        if sum(c.isdigit() for c in m.group(1)) >= 8:
            return m.group(1).strip()
    return None


def email_in(utt: Utterance) -> str | None:
    m = EMAIL.search(utt.text)
    return m.group(0).lower() if m else None


def first_day(utt: Utterance) -> date | None:
    return utt.dates[0].first if utt.dates else None


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# --- partners ---------------------------------------------------------------------------

_CUSTOMER = ("client", "cliente", "clients", "chez")
_SUPPLIER = ("fournisseur", "fournisseuse", "fournisseurs", "chez")
_OF = ("de", "du", "pour", "avec")
_CODE = re.compile(r"(?<![\w-])([CF]\d{3,10})(?![\w-])", re.IGNORECASE)


def _query(utt: Utterance, role_markers: tuple[str, ...]) -> dict[str, Any]:
    code = _CODE.search(utt.text)
    query = (
        (code.group(1).upper() if code else None)
        or email_in(utt)
        or phone_in(utt)
        or name_of(utt, role_markers, _OF, ("cherche", "trouve"))
    )
    return _without_none({"query": query})


def _city(utt: Utterance) -> str | None:
    return name_of(utt, ("à", "a", "ville", "habite à", "basé à", "basée à"), capital=True)


def _partner_details(utt: Utterance) -> dict[str, Any]:
    terms = next((d.days for d in utt.durations if d.days is not None), None)
    return _without_none(
        {
            "phone": phone_in(utt),
            "email": email_in(utt),
            "city": _city(utt),
            "payment_terms_days": int(terms)
            if terms is not None and has(utt, "paiement")
            else None,
        }
    )


def _new_partner(utt: Utterance, markers: tuple[str, ...]) -> dict[str, Any]:
    name = name_of(utt, markers, ("ajoute", "ajouter", "cree", "creer", "enregistre"))
    values = {"name": name, **_partner_details(utt)}
    if has(utt, "particulier"):
        values["kind"] = "individual"
    return _without_none(values)


def _new_supplier(utt: Utterance) -> dict[str, Any]:
    values = _new_partner(utt, _SUPPLIER)
    lead = next((d.days for d in utt.durations if d.days is not None), None)
    if lead is not None and has(utt, "livr", "delai"):
        values["lead_time_days"] = int(lead)
        values.pop("payment_terms_days", None)
    return values


def _update_customer(utt: Utterance) -> dict[str, Any]:
    customer = name_of(utt, _CUSTOMER, ("de", "du", "d'", "pour")) or clean_name(leading_name(utt))
    return _without_none({"customer": customer, **_partner_details(utt)})


# --- the pipeline -----------------------------------------------------------------------

_DEAL = ("affaire", "opportunite", "opportunité", "deal", "avec", "client", "chez", "pour")
_STAGES = (
    (("gagn", "signe", "signé", "remport", "conclu"), "Gagné"),
    (("perdu", "rate", "annul", "abandonn"), "Perdu"),
    (("negoci",), "Négociation"),
    (("proposition", "devis envoye", "offre envoyee"), "Proposition"),
    (("qualifi",), "Qualifié"),
)
_WON_LOST = ("gagné", "gagne", "signé", "signe", "remporté", "remporte", "perdu", "conclu")
_TITLE = re.compile(r":\s*([^,;.!?]+)")


def _stage(utt: Utterance) -> str | None:
    for words, stage in _STAGES:
        if has(utt, *(fold(w) for w in words)):
            return stage
    return None


def _new_opportunity(utt: Utterance) -> dict[str, Any]:
    title = _TITLE.search(utt.text)
    text = title.group(1).strip() if title else None
    if text and (any(c.isdigit() for c in text) or not text):
        text = None
    return _without_none(
        {
            "customer": name_of(utt, _DEAL) or clean_name(leading_name(utt)),
            "amount": utt.amounts[0].value if utt.amounts else None,
            "stage": _stage(utt),
            "title": text,
        }
    )


def _lost_reason(utt: Utterance) -> str | None:
    said = words_after(utt, ("parce que", "car", "motif", "raison", "à cause de", "a cause de"))
    if said:
        return said.strip(" .")
    m = re.search(r"(?i)perdu[e]?s?\s*[,:]\s*(.+)$", utt.text)
    return m.group(1).strip(" .") if m else None


def _move_opportunity(utt: Utterance) -> dict[str, Any]:
    stage = _stage(utt)
    return _without_none(
        {
            "customer": name_of(utt, _DEAL, ("de", "du"), _WON_LOST)
            or clean_name(leading_name(utt)),
            "stage": stage,
            "lost_reason": _lost_reason(utt) if stage == "Perdu" else None,
        }
    )


# --- activities -------------------------------------------------------------------------

_KINDS = (
    (("rendez-vous", "rdv", "reunion", "visite", "rencontre"), "meeting"),
    (("appel", "appelle", "rappel", "telephon", "appeler"), "call"),
    (("tache", "relanc", "penser a", "faut"), "task"),
    (("note",), "note"),
)
_ABOUT = ("pour", "au sujet de", "au sujet du", "concernant", "à propos de", "a propos de")
_ACTIVITY_PARTNER = (
    "avec", "client", "cliente", "fournisseur", "chez", "rappelle", "rappeler", "appelle",
    "appeler", "relancer", "relance", "voir", "visiter",
)  # fmt: skip
_ASSIGNEE = ("assigné à", "assigne a", "assignée à", "confié à", "confie a", "tâche pour")


def _kind(utt: Utterance) -> str | None:
    for words, kind in _KINDS:
        if has(utt, *words):
            return kind
    return None


def _subject(utt: Utterance) -> str | None:
    colon = re.search(r":\s*(.+)$", utt.text)
    said = colon.group(1) if colon else words_after(utt, _ABOUT)
    text = (said or utt.text).strip(" .!?")
    for d in utt.dates:  # the due date is its own field
        text = text.replace(d.text, " ")
    return " ".join(text.split())[:200] or None


def _log_activity(utt: Utterance) -> dict[str, Any]:
    assignee = name_of(utt, _ASSIGNEE)
    span = utt.dates[0] if utt.dates else None
    return _without_none(
        {
            "kind": _kind(utt),
            "partner": name_of(utt, _ACTIVITY_PARTNER),
            "subject": _subject(utt),
            "due_date": span.first if span else None,
            "due_time": span.at if span else None,
            "assignee": assignee,
        }
    )


def _list_activities(utt: Utterance) -> dict[str, Any]:
    status = (
        "overdue"
        if has(utt, "retard")
        else "done"
        if has(utt, "faites", "terminee", "finies", "passees")
        else "all"
        if has(utt, "toutes")
        else None
    )
    mine = has(utt, "j'ai", "mes ", "moi", "je ") or None
    return _without_none(
        {
            "status": status,
            "mine": mine,
            "partner": name_of(utt, ("avec", "client", "chez", "fournisseur", "de", "du")),
        }
    )


ADAPTERS: list[Adapter] = [
    Adapter(
        "sales.find_customer",
        lambda u: _query(u, _CUSTOMER),
        ask={"query": "Quel client cherchez-vous ?"},
    ),
    Adapter(
        "sales.create_customer",
        lambda u: _new_partner(u, _CUSTOMER),
        ask={"name": "Quel est le nom du client ?"},
    ),  # fmt: skip
    Adapter(
        "sales.update_customer",
        _update_customer,
        ask={"customer": "Quel client faut-il modifier ?"},
    ),
    Adapter(
        "sales.find_supplier",
        lambda u: _query(u, _SUPPLIER),
        ask={"query": "Quel fournisseur cherchez-vous ?"},
    ),
    Adapter(
        "sales.create_supplier", _new_supplier, ask={"name": "Quel est le nom du fournisseur ?"}
    ),
    Adapter(
        "sales.create_opportunity",
        _new_opportunity,
        ask={"customer": "Pour quel client ?"},
    ),
    Adapter(
        "sales.move_opportunity",
        _move_opportunity,
        ask={
            "customer": "L'affaire de quel client ?",
            "stage": "À quelle étape : Qualifié, Proposition, Négociation, Gagné ou Perdu ?",
        },
    ),
    Adapter("sales.pipeline_summary", lambda u: {}),
    Adapter(
        "sales.log_activity",
        _log_activity,
        ask={
            "kind": "Est-ce un appel, un rendez-vous, une tâche ou une note ?",
            "partner": "Avec quel client ou fournisseur ?",
            "subject": "À quel sujet ?",
        },
    ),
    Adapter("sales.list_activities", _list_activities),
]
