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

from agents.local.adapters.base import Adapter, given
from agents.local.mentions import leading_name, name_after, words_after
from agents.local.slots.text import fold
from agents.local.slots.types import Utterance
from domain.kit.lexicon import pairs, phrases, phrasing, words

PHONE = re.compile(r"(?<![\w+])(\+?\d[\d .-]{6,}\d)(?![\w])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Words that are never the name of a person or a business on their own.
GENERIC = words("generic_nouns")
# Words a name reader may run into at the end of a name (« de Moussa parce que … »).
_TAIL = {"parce", "car", "puisque", "pour", "avec", "svp", "stp", "merci"}


def loose(utt: Utterance) -> Utterance:
    """The same message with apostrophes as spaces (same length): « l'affaire Diallo »
    reads like « l affaire Diallo », so « affaire » is a marker like any other. The
    apostrophe of « aujourd'hui » is no elision: it stays (a day, never a name)."""
    return Utterance(text=_ELISION.sub(" ", utt.text), folded=_ELISION.sub(" ", utt.folded))


_ELISION = re.compile(r"(?i)(?<!aujourd)['’]")


def clean_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and (fold(words[-1]) in _TAIL or words[-1].endswith(("'", "’"))):
        words.pop()
    # « particulier Thomas Girault »: a kind said in lower case before the name is no part of it
    while (
        len(words) > 1
        and words[0].islower()
        and fold(words[0]) in GENERIC
        and words[1][:1].isupper()
    ):
        words.pop(0)
    kept = " ".join(words).strip(" ,;:")
    if len(kept) < 2 or fold(kept) in GENERIC or all(fold(w) in GENERIC for w in kept.split()):
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


_PHONE_WORD = phrasing("phone_word")
_EMAIL_WORD = phrasing("email_word")


def bad_phone_in(utt: Utterance) -> str | None:
    """A number announced as a phone (« tél 775 12 34 ») but too short to be one: given
    as it is, so that the tool says it is invalid instead of dropping it silently."""
    m = _PHONE_WORD.search(utt.text)
    if m and 4 <= sum(c.isdigit() for c in m.group(1)) < 8:
        return m.group(1).strip()
    return None


def bad_email_in(utt: Utterance) -> str | None:
    """An address announced as an e-mail but without « @ » (« e-mail contact.dupont.fr »)."""
    if EMAIL.search(utt.text):
        return None
    m = _EMAIL_WORD.search(utt.text)
    return m.group(1) if m else None


_STREET = phrasing("street")
_TOWN_AFTER_STREET = phrasing("town_after_street")  # « 12 rue des Lilas, Villeurbanne. »


def street_in(utt: Utterance) -> str | None:
    """« 45 avenue Lamine Guèye, à Thiès » → "45 avenue Lamine Guèye"."""
    m = _STREET.search(utt.text)
    if m is None:
        return None
    street = re.split(r"\s+(?:à|a|au)\s+[A-Z]", m.group(0))[0]
    return street.strip(" ,") or None


# Towns often typed without their accents.
_ACCENTED_TOWNS = {fold(t): t for t in phrases("accented_towns")}


def town(name: str | None) -> str | None:
    return None if name is None else _ACCENTED_TOWNS.get(fold(name), name)


def first_day(utt: Utterance) -> date | None:
    return utt.dates[0].first if utt.dates else None


# --- partners ---------------------------------------------------------------------------

_CUSTOMER = ("client", "cliente", "clients", "chez")
_SUPPLIER = ("fournisseur", "fournisseuse", "fournisseurs", "chez")


def _segments(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;:\n]|\s[-–]\s", text) if p.strip()]


_NAME_WORD = re.compile(r"[A-ZÀ-Ý][\w'&.-]*|&|de|du|des|la|le|et|d'\w+")
_NOT_A_NAME = words("not_a_name_start")


def _capitalised(segment: str) -> bool:
    words = segment.split()
    return (
        0 < len(words) <= 6
        and words[0][:1].isupper()
        and all(_NAME_WORD.fullmatch(w) for w in words)
        and fold(words[0]).strip("'") not in _NOT_A_NAME
        and not any(c.isdigit() or c == "@" for c in segment)
    )


def _opening_name(utt: Utterance) -> str | None:
    """A message that opens with a name and then details, as an answer to « Quel est le
    nom ? » does: « Garage Moreau, à Lyon, 06 45 78 12 90 » → "Garage Moreau"."""
    segments = _segments(utt.text)
    return clean_name(segments[0]) if segments and _capitalised(segments[0]) else None


# Where a city said after « à » ends: the contact details that follow it.
_CITY_END = phrasing("city_end")
# « … à pikine (stp) » at the end of the message: a town, written in lower case.
_TOWN_LAST = phrasing("town_last")


INFINITIVE = re.compile(r"[a-z]+(?:er|ir)")
_CITY_MARKERS = phrases("city_markers")


def _city(utt: Utterance, name: str | None = None) -> str | None:
    said = name_of(utt, _CITY_MARKERS, capital=True)
    if said is not None:
        said = _CITY_END.sub("", said).strip() or None
    if (
        said is None
        and (last := _TOWN_LAST.search(utt.text))
        and fold(last.group(1)) not in GENERIC
        and not INFINITIVE.fullmatch(fold(last.group(1)))  # « un fournisseur à enregistrer »
    ):
        said = last.group(1).capitalize()
    if said is None and (street := _STREET.search(utt.text)):
        said = m.group(1) if (m := _TOWN_AFTER_STREET.match(utt.text, street.end())) else None
    if said is None:  # « Pharmacie Bernard, Paris, tél … »: a capitalised segment alone
        rest = _segments(utt.text)[1:]
        said = next(
            (
                seg
                for seg in rest
                if _capitalised(seg) and len(seg.split()) <= 3
                and not (name and fold(name) in fold(seg)) and fold(seg) not in GENERIC
            ),
            None,
        )  # fmt: skip
    return town(said)


def _partner_details(utt: Utterance, name: str | None = None) -> dict[str, Any]:
    terms = next((d.days for d in utt.durations if d.days is not None), None)
    paid = has(utt, "pai", "pay", "regl")  # « paiera à 45 jours »
    return given(
        phone=phone_in(utt) or bad_phone_in(utt),
        email=email_in(utt) or bad_email_in(utt),
        address=street_in(utt),
        city=_city(utt, name),
        payment_terms_days=int(terms) if terms is not None and paid else None,
    )


_ROLE_PUNCT = phrasing("role_punct")


def _role_punct_loosened(utt: Utterance) -> Utterance:
    """« nouveau client : Boulangerie X » reads « nouveau client   Boulangerie X »: the
    punctuation right after the role word does not end the name that follows."""
    text, folded = list(utt.text), list(utt.folded)
    for m in _ROLE_PUNCT.finditer(utt.folded):
        text[m.start(1)] = folded[m.start(1)] = " "
    return Utterance(text="".join(text), folded="".join(folded))


# « ajoute la Brasserie du Vexin comme fournisseur »: the name said before its role.
_AS_PARTNER = phrasing("as_partner")


def _new_partner(utt: Utterance, markers: tuple[str, ...]) -> dict[str, Any]:
    loosened = _role_punct_loosened(utt)
    before_role = _AS_PARTNER.search(utt.text)
    name = (
        (before_role.group(1).strip() if before_role else None)
        or name_of(utt, ("fiche de", "fiche d'"))  # « crée la fiche de Mme Claire Fontaine »
        or name_of(loosened, markers, ("particuliere", "particulier"))
        or name_of(utt, ("ajoute", "ajouter", "cree", "creer", "enregistre"))
        or _opening_name(utt)
    )
    if name is not None and re.search(rf"{re.escape(name)}\s*@", utt.text):
        name = None  # the start of an e-mail address is nobody's name
    if name is None and re.search(r"(?i)\bl'(?:ajouter|ajoute|enregistrer|enregistre)\b", utt.text):
        name = name_of(utt, ("avec",))  # « on travaille avec X, tu peux l'ajouter »
    kind = "individual" if has(utt, "particulier") else None
    return given({"name": name, **_partner_details(utt, name)}, kind=kind)


def _new_supplier(utt: Utterance) -> dict[str, Any]:
    values = _new_partner(utt, _SUPPLIER)
    lead = next((d.days for d in utt.durations if d.days is not None), None)
    if lead is not None and has(utt, "livr", "delai"):
        values["lead_time_days"] = int(lead)
        values.pop("payment_terms_days", None)
    return values


def _update_customer(utt: Utterance) -> dict[str, Any]:
    customer = (
        name_of(utt, _CUSTOMER, ("de", "du", "d'", "pour"))
        or clean_name(leading_name(utt))
        or clause_leading_name(utt)
    )
    return given({"customer": customer, **_partner_details(utt, customer)})


# --- the pipeline -----------------------------------------------------------------------

_DEAL = ("affaire", "opportunite", "opportunité", "deal", "avec", "client", "chez", "pour")
_STAGES = pairs("deal_stages")  # « signé » → "Gagné"
_WON_LOST = ("gagné", "gagne", "signé", "signe", "remporté", "remporte", "perdu", "conclu")
_TITLE = re.compile(r":\s*([^,;.!?]+)")
_NOT_TITLE = phrasing("not_title")
_DEAL_WORDS = words("deal_words")
# « l'affaire Ndiaye est perdue, trop cher »: why, said right after the loss.
_AFTER_LOST = phrasing("reason_after_lost", re.IGNORECASE)


def clause_leading_name(utt: Utterance) -> str | None:
    """A name opening any clause (« Ça y est, Dupont a signé !! » → "Dupont")."""
    offset = 0
    for part in re.split(r"(?<=[,;!?.])", utt.text):
        sub = Utterance(text=part, folded=utt.folded[offset : offset + len(part)])
        offset += len(part)
        stripped = len(part) - len(part.lstrip(" ,;!?."))
        sub = Utterance(text=sub.text[stripped:], folded=sub.folded[stripped:])
        name = clean_name(leading_name(sub))
        if name:
            return name
    return None


def _deal_title(utt: Utterance, customer: str | None) -> str | None:
    """What the deal is about: after a colon, or a comma-separated part that is neither
    the request, an amount, a stage nor the customer (« …, four mixte, 15k€ »)."""
    colon = _TITLE.search(utt.text)
    candidates = [colon.group(1)] if colon else []
    parts = [p.strip(" .!?") for p in re.split(r",(?!\d)", utt.text)]
    candidates += parts[1:]
    for text in candidates:
        for amount in utt.amounts:  # « entretien clim 12 500 000 F »: what, then how much
            text = text.replace(amount.text, " ")
        text = " ".join(text.split()).strip(" .!?")
        folded = fold(text)
        counted = text  # « équipement des 40 chambres »: a count is part of what it is about
        for quantity in utt.quantities:
            counted = counted.replace(quantity.text.strip(), " ")
        if (
            not text
            or any(c.isdigit() for c in counted)
            or _NOT_TITLE.match(folded)
            or (customer and fold(customer) in folded)
            or any(w in folded for w in _DEAL_WORDS)
            or _stage(Utterance(text=text, folded=folded)) is not None
            or len(text.split()) > 8
        ):
            continue
        return text
    return None


def _stage(utt: Utterance, named: tuple[tuple[tuple[str, ...], str], ...] = _STAGES) -> str | None:
    """The stage (or, given the activity kinds, the kind) whose words the message says."""
    return next((value for said, value in named if has(utt, *(fold(w) for w in said))), None)


def _named_after_colon(utt: Utterance) -> str | None:
    """« ajoute au pipeline : Port de Dakar, clim, 12 millions »: the name opening what
    follows the colon."""
    colon = utt.text.find(":")
    if colon < 0:
        return None
    rest = utt.text[colon + 1 :].lstrip()
    return _opening_name(Utterance(text=rest, folded=fold(rest)))


def _new_opportunity(utt: Utterance) -> dict[str, Any]:
    customer = name_of(utt, _DEAL) or clean_name(leading_name(utt)) or _named_after_colon(utt)
    amount = utt.amounts[0].value if utt.amounts else None
    return given(
        customer=customer, amount=amount, stage=_stage(utt), title=_deal_title(utt, customer)
    )


def _lost_reason(utt: Utterance) -> str | None:
    said = words_after(utt, ("parce que", "car", "motif", "raison", "à cause de", "a cause de"))
    if said or (said := (m := _AFTER_LOST.search(utt.text)) and m.group(1)):
        return said.strip(" .")
    # « Fall est parti chez un concurrent, on a perdu l'affaire »: the other clause, a
    # sentence of its own (a verb after its subject), says why
    for clause in re.split(r"[,;]", utt.text):
        text = clause.strip(" .!?")
        if (
            len(text.split()) >= 4
            and not any(w in fold(text) for w in _DEAL_WORDS)
            and _stage(Utterance(text=text, folded=fold(text))) is None  # « perdu », « c'est mort »
        ):
            return text
    return None


_DESIGNATION = phrasing("designation")


# « l'affaire contrat annuel de Diallo SARL en négociation »: the deal's title, then whose.
_TITLED_DEAL = phrasing("titled_deal")


# « … pour les fournitures », « l'affaire du mobilier »: a definite article right before
# a word in lower case names a thing (what the deal is about), not a customer.
_DEAL_SUBJECT = phrasing("deal_subject_before", re.IGNORECASE)


def _move_opportunity(utt: Utterance) -> dict[str, Any]:
    chosen = _DESIGNATION.match(utt.text)
    if chosen and _stage(utt) is None:  # « celle de la maintenance »: which deal
        return {"title": chosen.group(1)}
    stage = _stage(utt)
    titled = _TITLED_DEAL.search(utt.text)
    if titled is not None:
        return given(customer=titled.group(2).strip(), title=titled.group(1).strip(), stage=stage)
    said = name_of(utt, _DEAL, ("de", "du"), _WON_LOST)
    lead = clause_leading_name(utt)
    title = None
    where = utt.text.find(said) if said else -1
    if lead and said and said[0].islower() and _DEAL_SUBJECT.search(utt.text[: max(where, 0)]):
        # « Lopez a perdu l'affaire de l'outillage »: the one who signed or went elsewhere
        # is the customer; a common noun after its article is what the deal is about
        said, title = lead, said
    reason = _lost_reason(utt) if stage == "Perdu" else None
    return given(customer=said or lead, title=title, stage=stage, lost_reason=reason)


# --- activities -------------------------------------------------------------------------

_KINDS = pairs("activity_kinds")  # « rdv » → "meeting"
_ABOUT = ("pour", "au sujet de", "au sujet du", "concernant", "à propos de", "a propos de")
_ACTIVITY_PARTNER = phrases("activity_partner_markers")
_ASSIGNEE = ("assigné à", "assigne a", "assignée à", "confié à", "confie a", "tâche pour")


def _subject(utt: Utterance) -> str | None:
    colon = re.search(r":\s*(.+)$", utt.text)
    said = colon.group(1) if colon else words_after(utt, _ABOUT)
    text = (said or utt.text).strip(" .!?")
    if utt.dates:  # the due date is its own field; a later date is part of what is noted
        text = text.replace(utt.dates[0].text, " ")
    return " ".join(text.split())[:200] or None


def _log_activity(utt: Utterance) -> dict[str, Any]:
    assignee = name_of(utt, _ASSIGNEE)
    span = utt.dates[0] if utt.dates else None
    partner = name_of(utt, _ACTIVITY_PARTNER, ("sur", "sur la fiche de"))
    # « un appel pour la SCI Les Tilleuls », « envoyer le catalogue au Radisson »
    partner = partner or name_of(utt, ("pour", "au", "aux"), capital=True)
    return given(
        kind=_stage(utt, _KINDS),
        partner=partner,
        subject=_subject(utt),
        due_date=span.first if span else None,
        due_time=span.at if span else None,
        assignee=assignee,
    )


def _correct_activity(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, plutôt jeudi, même heure »: the new day; the subject stays unless a new one
    is said (after « : » or « pour », « au sujet de »…)."""
    said = _log_activity(utt)
    explicit = re.search(r":\s*\S", utt.text) or words_after(utt, _ABOUT)
    if not explicit:
        said.pop("subject", None)
    return {**previous, **said}


# The reads (customers, suppliers, pipeline, activities) and every question asked are
# declared with their intents (``prompts/intents/sales.yaml``).
ADAPTERS: list[Adapter] = [
    Adapter("sales.create_customer", lambda u: _new_partner(u, _CUSTOMER)),
    Adapter("sales.update_customer", _update_customer),
    Adapter("sales.create_supplier", _new_supplier),
    Adapter("sales.create_opportunity", _new_opportunity),
    Adapter("sales.move_opportunity", _move_opportunity),
    Adapter("sales.log_activity", _log_activity, correct=_correct_activity),
]
