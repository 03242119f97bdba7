"""HR: from a French message to the arguments of the ``hr.*`` tools.

Employees are read after « de », « d' », « pour », « employé »… or at the head of the
message (« Awa passe responsable »); « moi », « mes », « je » leave the employee out (the
tool then means the caller). Dates come from the slot parser: a range gives the first and
last day, « après-midi » / « matin » the half days. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from agents.local.adapters.base import Adapter, given, names_in
from agents.local.adapters.sales import (
    clean_name,
    email_in,
    first_day,
    has,
    name_of,
    phone_in,
)
from agents.local.coverage import EVERYONE, kinds
from agents.local.mentions import leading_name, name_after, words_after
from agents.local.slots.calendar import WEEKDAYS, last_working_day, working_day_before
from agents.local.slots.text import fold
from agents.local.slots.types import DateSpan, Utterance
from domain.kit.lexicon import pairs, phrasing, words

_EMPLOYEE = ("employé", "employée", "salarié", "salariée", "fiche de", "matricule")
_OF = ("de", "d'", "du")
_FOR = ("pour",)
_MATRICULE = re.compile(r"(?<![\w-])(E\d{3,10})(?![\w-])", re.IGNORECASE)


_ARTICLE_BEFORE = phrasing("article_before")


def _for_oneself(utt: Utterance) -> bool:
    return has(utt, "moi", "mes ", "mon ", "je ", "j'", "me ")


def _is_person(utt: Utterance, name: str) -> bool:
    """Whether a name read after a marker can be a person: a name after no article
    (« pour la Tamkharit », « pour le baptême » are occasions), capitalized or a lower-case
    word that is no common noun."""
    at = utt.text.find(name)
    if at >= 0 and _ARTICLE_BEFORE.search(utt.folded[:at]) is not None:
        return False
    if name[:1].isupper():
        return True
    first = fold(name.split()[0])
    if first in words("not_a_person") or first.split("-")[0] in words("not_a_person"):
        return False
    if len(first) > 4 and first.endswith(("er", "ir", "re")):  # « pour aller fêter … »
        return False
    return True


def _someone(utt: Utterance, *groups: tuple[str, ...]) -> str | None:
    """An employee named in the message; None when it speaks of oneself only."""
    for group in groups:
        for sub, named in names_in(utt, group, name_of):
            if _is_person(sub, named):
                return named
    return None


# « de Paul et de Sophie », « Awa, Rama et Ibou »; in lower case, « pour awa et modou ».
_AND_NAME = {False: phrasing("and_name"), True: phrasing("and_name", re.IGNORECASE)}


def _with_others(utt: Utterance, first: str | None) -> dict[str, Any]:
    """The employee named first and the others listed right after them, with a capital (« de
    Paul et de Sophie », « Awa, Rama et Ibou ») or, after a first one in lower case, one word
    after « et » that can be a person (« pour awa et modou »): nobody named is dropped."""
    if first is None:
        return {}
    others: list[str] = []
    at = utt.text.find(first)
    position = at + len(first) if at >= 0 else len(utt.text)
    lower = first[:1].islower()
    while more := _AND_NAME[lower].match(utt.text, position):
        name = more.group(1).split()[0] if lower else more.group(1)
        if fold(name.split()[0]) in words("not_a_name_head") or (  # « …, Merci », « et Lundi »
            lower and ("," in more.group(0) or not _is_person(utt, name))  # « awa, accorde »
        ):
            break
        others.append(name)
        position = more.start(1) + len(name)
    return {"employee": first, "others": others or None}


def _name_at(utt: Utterance, position: int) -> str | None:
    """The name starting at ``position`` of the message (after a phrase found by a regex)."""
    sub = Utterance(text="§ " + utt.text[position:], folded="§ " + utt.folded[position:])
    found = clean_name(name_after(sub, ("§",)))
    if found:  # « Moussa Diop c'est … »: the elided word is no part of the name
        found = re.sub(r"(?:\s+[cdjlmnst]['’]?)+$", "", found, flags=re.IGNORECASE) or None
    return found if found and _is_person(sub, found) else None


_LEAD_TIME = phrasing("lead_time")
_HEAD = re.compile(r"[\s,]*((?:[A-ZÀ-Ý][\w'-]*\s+){1,3})(\S+)")


def _subject_name(utt: Utterance) -> str | None:
    """A capitalized name opening the message before a verb (« Ibrahima Sow signe un CDI »,
    « Julien passe chef »)."""
    # at the start, or after a date opening the message (« à partir d'aujourd'hui Hugo
    # Lefèvre passe chef d'atelier »)
    starts = [0, *(d.end for d in utt.dates if not utt.text[: d.start].strip(" ,"))]
    if lead := _LEAD_TIME.match(utt.folded):
        starts.append(lead.end())
    for start in starts:
        m = _HEAD.match(utt.text, start)
        if m:
            said = m.group(1).split()
            head, verb = fold(said[0]), fold(m.group(2))
            if head not in words("not_a_name_head") and verb in words("verbs_after_a_name"):
                return " ".join(said)
    return None


def _head_name(utt: Utterance) -> str | None:
    """The subject named first (see ``_subject_name``), or what ``leading_name`` reads."""
    if subject := _subject_name(utt):
        return subject
    # An answer naming someone: « Awa Diop, la caissière », « Moussa Diop »
    m = re.match(r"\s*((?:[A-ZÀ-Ý][\w'-]*)(?:\s+[A-ZÀ-Ý][\w'-]*){0,3})\s*(?:[,(-]|$)", utt.text)
    if (
        m
        and len(utt.text.split()) <= 6
        and fold(m.group(1).split()[0]) not in words("not_a_name_head")
    ):
        return m.group(1)
    found = clean_name(leading_name(utt))
    # « Bonsoir patron, c'est Modou… »: whom one speaks to is not whom the request is for
    return None if found and fold(found) in words("fillers") else found


_AFTERNOON = phrasing("afternoon")
_MORNING = re.compile(r"(?<![\w-])(?:matin|matinee)(?![\w])")
# « l'après-midi du vendredi 27 »: the half day said before the day.
_AFTERNOON_OF = re.compile(r"(?:apres[\s-]?midi|aprem)\s+(?:du|de|d')\s*$")


_BACK_AT_WORK = phrasing("back_at_work")
# « part demain à midi »: leaving at noon, the leave starts in the afternoon.
_AFTERNOON_PARTS = ("apres-midi", "midi")


def _back_at(utt: Utterance, dates: list[DateSpan]) -> DateSpan | None:
    """The day said as the first one back at work (« il reprend jeudi »)."""
    return next(
        (s for s in dates if _BACK_AT_WORK.search(utt.folded[max(0, s.start - 40) : s.start])),
        None,
    )


def _until_back(utt: Utterance, dates: list[DateSpan], back: DateSpan) -> dict[str, Any]:
    """« malade depuis ce matin, il reprend jeudi », « part demain à midi, revient lundi »:
    from the day said first to the working day before the return; nothing without a first
    day before it (the return day is never a day off)."""
    if len(dates) != 2 or dates[0] is back or not dates[0].first < back.first:
        return {}
    first, end = dates[0], working_day_before(back.first)
    if end < first.first:
        return {}
    afternoon = first.half_day_first or first.part in _AFTERNOON_PARTS
    return {
        "start_date": first.first,
        "end_date": end if end != first.first else None,
        "starts_afternoon": afternoon or None,
    }


def _until(span_text: str) -> bool:
    return re.match(r"(?i)\s*jusqu", span_text) is not None


def _counted_days(utt: Utterance, start: date) -> dict[str, Any] | None:
    """« 3 jours à partir du 14 », « 2 jours et demi dès lundi »: leave is counted in
    working days, so the last day is the third working day from the start (a half day
    ends it at noon); « 2 semaines » are two calendar weeks."""
    said = [d for d in utt.durations if d.days is not None and d.days >= 1]
    if len(said) != 1:
        return None
    days = [said[0].days or Decimal(0)]
    whole = int(days[0].to_integral_value(rounding=ROUND_CEILING))
    end = last_working_day(start, whole)
    if "sem" in fold(said[0].text):  # « deux semaines »: calendar weeks, not 14 working days
        end = start + timedelta(days=whole - 1)
    return given(
        start_date=start,
        end_date=end if end != start else None,
        ends_morning=True if days[0] != whole else None,
    )


def _working_end(start: date, end: date) -> date:
    """« toute la semaine prochaine », « la semaine du 4 mai »: leave from a working day
    ends on the last working day, not on the weekend after it."""
    if start.weekday() < 5 and end.weekday() >= 5 and end > start:
        return working_day_before(end + timedelta(days=1))
    return end


def _period(utt: Utterance) -> dict[str, Any]:
    """First and last day (a range, or several days said), with the half days.

    « jusqu'au 27 » alone gives the last day only; « vendredi aprem », « à partir de midi »
    start the first day at noon; « demain matin », « la matinée » end a single day at noon;
    a range whose end comes before its start keeps both (the tool refuses it)."""
    dates = _days_said(utt)
    if not dates:
        return {}
    if (back := _back_at(utt, dates)) is not None:
        return _until_back(utt, dates, back)
    first, last = dates[0], dates[-1]
    if not _apart(utt) and not _one_period(dates):
        return {}  # which days is not sure: they are said back as not understood
    if _apart(utt):  # « le lundi 6 et le vendredi 10 »: two leaves, not the week between
        if not _listed(utt):  # « le 3 mai, non le 4 »: not a list (the rest is said back)
            return {"start_date": first.first}
        days = sorted(span.first for span in utt.dates)
        return {"start_date": days[0], "other_days": days[1:]}
    if len(utt.dates) == 1 and first.first == first.last and not _until(first.text):
        counted = _counted_days(utt, first.first)
        if counted is not None:
            return counted
    if len(utt.dates) == 1 and _until(first.text):
        values: dict[str, Any] = {"end_date": first.last}
        if first.half_day_last:
            values["ends_morning"] = True
        return values
    end = max(last.last, first.last) if len(utt.dates) > 1 else first.last
    starts_afternoon = first.half_day_first
    ends_morning = last.half_day_last if end == last.last else first.half_day_last
    single = end == first.first
    # What the slot parser leaves: « vendredi aprem », « jeudi à partir de midi ».
    if first.first == first.last and not starts_afternoon:
        starts_afternoon = (
            _AFTERNOON.match(utt.folded, first.end) is not None
            or _AFTERNOON_OF.search(utt.folded[: first.start]) is not None
        )
    if single and not (starts_afternoon or ends_morning) and _MORNING.search(utt.folded):
        ends_morning = True
    if single and starts_afternoon:
        ends_morning = False
    end = _working_end(first.first, end)
    return {
        "start_date": first.first,
        "end_date": end if end != first.first else None,
        "starts_afternoon": starts_afternoon or None,
        "ends_morning": ends_morning or None,
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
    return given({"query": query})


def _plain_title(text: str) -> bool:
    """« vendeuse », « chef de rayon »: a few lower-case words, no number, no « son … »."""
    parts = text.split()
    return (
        0 < len(parts) <= 4
        and text[:1].islower()
        and not any(c.isdigit() for c in text)
        and parts[0] not in {"son", "sa", "au", "à", "tel", "tél", "embauché", "embauchée"}
    )


_TITLE_AFTER_COLON = re.compile(r"poste\s+(?:de|d')\s*[^:,]{1,40}:\s*")
_NEW_JOB = phrasing("new_job")


def _job_title(utt: Utterance, name: str | None) -> str | None:
    colon = _TITLE_AFTER_COLON.search(utt.folded)  # « change le poste de Sophie : caissière »
    said = utt.text[colon.end() :] if colon else words_after(utt, tuple(words("job_title_markers")))
    if said is None and (job := _NEW_JOB.search(utt.folded)):  # « un nouveau vendeur »
        said = utt.text[job.start(1) : job.end(1)]
    if said is None and name:  # « Awa Ndiaye, vendeuse, embauchée … »
        after = utt.text.split(name, 1)[-1]
        parts = [p.strip() for p in after.split(",")]
        said = parts[1] if len(parts) > 1 and _plain_title(parts[1]) else None
    if not said:
        return None
    said = re.split(
        r"[,;.?!]|\s(?:au|dans le|du|à partir|a partir|depuis|le \d|dès|des le|tu |sous )", said
    )[0].strip()
    if not said or has(Utterance(text=said, folded=said.lower()), "embauch", "service", "tel"):
        return None
    if re.match(r"(?i)(?:à|a|au|aux|dans|chez|en)\b", said):
        return None  # « passe à la compta »: where one goes, not a title
    return said[:100]


_BOSS_OF = phrasing("boss_of")
_BOSS_IS = phrasing("boss_is")
_IS_BOSS = phrasing("is_boss")
# « sous Ousmane Ba »: under someone named (a capital: « sous huitaine » names no one).
_UNDER = re.compile(r"(?<![\w])sous\s+(?=\S)")
# « mets Claire sous la responsabilité de Julien », « fais dépendre Paul de Awa »
_UNDER_WHOM = phrasing("under_whom")


def _manager(utt: Utterance) -> str | None:
    for m in _IS_BOSS.finditer(utt.folded):
        if (found := _name_at(utt, m.start("boss"))) is not None:
            return found
    for pattern in (_BOSS_OF, _BOSS_IS, _UNDER):
        for m in pattern.finditer(utt.folded):
            if pattern is _UNDER and not utt.text[m.end() : m.end() + 1].isupper():
                continue
            found = _name_at(utt, m.end())
            if found is not None:
                return found
    return None


def _managed(utt: Utterance) -> str | None:
    """The employee whose manager changes, when the message says it around the manager."""
    for pattern in (_BOSS_OF, _IS_BOSS, _UNDER_WHOM):
        m = pattern.search(utt.folded)
        if m is not None and m.group("emp") is not None:
            found = _name_at(utt, m.start("emp"))
            if found is not None:
                return found
    return None


_DEPARTMENT_WORDS = ("service", "département", "departement", "equipe", "équipe")
# « elle passe à la logistique » once the message speaks of a service (« change de
# service »), « muté au magasin », « affectée à la caisse »: the department one moves to.
_MOVES_TO = phrasing("moves_to")
_MOVE_END = re.compile(r"\s*(?:[,;.?!]|\s(?:a partir|des |depuis|le \d|des le|demain|lundi))")


def _department(utt: Utterance) -> str | None:
    named = name_of(utt, _DEPARTMENT_WORDS)
    if named is not None:
        return named
    of_service = any(re.search(rf"(?<![\w]){fold(w)}s?\b", utt.folded) for w in _DEPARTMENT_WORDS)
    for moved in _MOVES_TO.finditer(utt.folded):
        if moved.group("move") and not of_service:
            continue  # « passe à temps partiel » is no department
        end = _MOVE_END.search(utt.folded, moved.end())
        said = utt.text[moved.end() : end.start() if end else len(utt.text)].strip()
        if 0 < len(said.split()) <= 3 and not any(c.isdigit() for c in said):
            return said
    return None


# « whatsapp 77 654 32 10 »: the number said as a WhatsApp one is that, not a phone.
_WHATSAPP_NUMBER = re.compile(r"(?i)\bwh?ats?app?\b\s*(?:c'est|:|au|le)?\s*(\+?\d[\d .-]*\d)")


def _employee_details(utt: Utterance, name: str | None) -> dict[str, Any]:
    phone, whatsapp = phone_in(utt), None
    said = _WHATSAPP_NUMBER.search(utt.text)
    if phone is not None and said is not None and said.group(1).strip() == phone:
        phone, whatsapp = None, phone
    return {
        "job_title": _job_title(utt, name),
        "phone": phone,
        "whatsapp": whatsapp,
        "email": email_in(utt),
        "department": _department(utt),
        "manager": _manager(utt),
    }


_NEW_NAME = phrasing("new_name")
# The words for someone new are never their name (« Nouvelle recrue à enregistrer : … »).
_NOT_A_NAME = words("new_person_words")


def _create_employee(utt: Utterance) -> dict[str, Any]:
    name = None
    for m in _NEW_NAME.finditer(utt.folded):
        name = _name_at(utt, m.end())
        if name is not None and name[:1].isupper():
            break
        name = None
    name = name or _someone(
        utt,
        _EMPLOYEE,
        ("embauche", "recrute", "recruté", "engage", "ajoute", "inscris", "fiche", "nouvel",
         "nouvelle", "appelle"),
    )  # fmt: skip
    if name is None and (job := _NEW_JOB.search(utt.folded)):  # « une nouvelle vendeuse, Awa Diop »
        after = re.compile(r"\s*[,:-]\s*(?:c'est\s+|elle\s+s'appelle\s+|il\s+s'appelle\s+)?")
        said = after.match(utt.folded, job.end(1))
        if said is not None and utt.text[said.end() : said.end() + 1].isupper():
            name = _name_at(utt, said.end())
    if name is None:  # « ajoute ma cousine Awa Diop comme vendeuse »
        verb = re.search(
            r"(?i)\b(?:ajoute|ajouter|embauche|recrute|engage|inscris|enregistre)\b", utt.text
        )
        if verb is not None:
            head = re.compile(r"(?:\s+[\w'-]+){0,3}?\s+(?=[A-ZÀ-Ý])")
            start = head.match(utt.text, verb.end())
            name = _name_at(utt, start.end()) if start else None
    if name is not None and (_manager(utt) == name or fold(name) in _NOT_A_NAME):
        name = None
    details = _employee_details(utt, name)
    if name is not None and fold(name) == fold(details.get("job_title") or ""):
        name, details = None, _employee_details(utt, None)  # « une nouvelle gérante »: a job
    return given({"name": name, "hire_date": first_day(utt), **details})


# « a quitté », « son départ », « est parti », « démissionne » — not « à partir de lundi ».
_LEAVES_THE_FIRM = re.compile(r"(?<![\w])(?:quitt|depart|demission|partie?s?(?![\w]))")


def _update_employee(utt: Utterance) -> dict[str, Any]:
    values = _employee_details(utt, None)
    # whose manager changes is read around a manager said (« passe cheffe de rayon » says
    # a title, no manager)
    managed = _managed(utt) if values.get("manager") else None
    # « nouveau numéro pour Aminata »: whose card changes, after « pour » too
    employee = managed or _head_name(utt) or _someone(utt, _EMPLOYEE, _OF, _FOR)
    if values.get("manager") == employee:
        values["manager"] = None
    if _LEAVES_THE_FIRM.search(utt.folded):
        values["left_on"] = first_day(utt)
    return given({"employee": employee, **values})


_PLACE = ("à la", "a la", "au", "à l'", "a l'", "dans le", "dans la", "chez", "en")


def _title_again(previous: dict[str, Any], said: dict[str, Any], utt: Utterance) -> None:
    """« en fait il sera chauffeur, pas magasinier » of a card showing a job title: the
    title said alone (or after « il sera », « elle est ») is the new one."""
    if "job_title" in previous and "job_title" not in said:
        title = re.sub(r"(?i)^(?:il|elle)\s+(?:sera|est)\s+", "", utt.text.strip(" ,.!"))
        if _plain_title(title):
            said["job_title"] = title


def _correct_new_employee(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    said = _create_employee(utt)
    _title_again(previous, said, utt)
    return {**previous, **said}


def _correct_employee(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, à la Boutique » after a change of service: the new service; the employee
    shown stays unless another one is named."""
    said = _update_employee(utt)
    _title_again(previous, said, utt)
    if "department" in previous and "department" not in said:
        place = name_of(utt, _PLACE, capital=True)
        if place is not None:
            said["department"] = place
    if said.get("employee") == said.get("department"):
        said.pop("employee", None)
    return {**previous, **said}


# --- leave ------------------------------------------------------------------------------


def _leave_type(utt: Utterance) -> str | None:
    return next((value for said, value in pairs("leave_types") if has(utt, *said)), None)


_PUT_ON_LEAVE = phrasing("put_on_leave")


_LIST_GAP = re.compile(r"[\s,]*(?:(?:et|puis|ainsi que|plus)(?:\s+aussi)?)?[\s,]*(?:le|les)?\s*")


def _listed(utt: Utterance) -> bool:
    """The dates are a list (« le 6, le 8 et le 10 »): nothing but commas and « et » between."""
    return all(
        _LIST_GAP.fullmatch(utt.folded[one.end : other.start]) is not None
        for one, other in zip(utt.dates, utt.dates[1:], strict=False)
    )


def _apart(utt: Utterance) -> bool:
    """Single days listed with working days between them that the message does not name:
    not one span (the days left out are said back as not understood)."""
    days = sorted(span.first for span in utt.dates)
    if len(days) < 2 or any(span.first != span.last for span in utt.dates):
        return False
    for one, other in zip(days, days[1:], strict=False):
        between = (one + timedelta(days=n) for n in range(1, (other - one).days))
        if any(day.weekday() < 5 for day in between):
            return True
    return False


# A day said by its number alone (« l'après-midi du 3 »).
_DAY_NUMBER = re.compile(r"\s*(?:le\s+|du\s+)?(?:1er|\d{1,2})\s*")


def _days_said(utt: Utterance) -> list[DateSpan]:
    """The spans of the period: a day said by its number alone that is the first or last
    day of a range said (« … au vendredi 3 avril midi, je reviens l'après-midi du 3 ») is
    that day said again, not a day of its own."""
    edges = {
        d.day for span in utt.dates if span.first != span.last for d in (span.first, span.last)
    }
    return [
        span
        for span in utt.dates
        if not (_DAY_NUMBER.fullmatch(span.text) and span.first.day in edges)
    ]


def _one_period(dates: list[DateSpan]) -> bool:
    """The spans said make one period: none inside or across another (« en mai, du mardi 4
    au 8 » when the 4th is a Monday: the month or those days?) and no working day left out
    between two of them (« du 3 au 5 et du 10 au 12 » is two periods). « jusqu'au 26 »
    says only where the period ends."""
    spans = sorted(
        (span for span in dates if not _until(span.text)),
        key=lambda span: (span.first, span.last),
    )
    for one, other in zip(spans, spans[1:], strict=False):
        if other.first < one.last or (other.first == one.first and other.last != one.last):
            return False
        between = (one.last + timedelta(days=n) for n in range(1, (other.first - one.last).days))
        if any(day.weekday() < 5 for day in between):
            return False
    return True


# A sentence ends at « . », « ! », « ? » or « ; » (« je me marie le 20 !! je prends … »).
_SENTENCE_END = re.compile(r"[.!?;]+")
# « le 26 aussi », « et le 29 en plus »: a day added to the period, never an aside.
_ADDED = re.compile(r"(?<![\w])(?:aussi|egalement|en plus|et|ou)(?![\w])")


def _sentence_of(utt: Utterance, span: DateSpan) -> tuple[int, int]:
    """Where the sentence holding ``span`` starts and ends in the message."""
    ends = list(_SENTENCE_END.finditer(utt.text))
    start = max((m.end() for m in ends if m.end() <= span.start), default=0)
    # « le samedi 4 avril. » may hold the full stop that ends its sentence
    end = min((m.start() for m in ends if m.start() > span.start), default=len(utt.text))
    return start, end


def _asides(utt: Utterance) -> list[DateSpan]:
    """Days said in a sentence of their own, beside a period said from its first to its
    last day (« du lundi 22 au jeudi 25 »): « je me marie le 20 juin !! » says why, not
    when. Such a day is outside the period, in a sentence that names no leave and adds no
    day to it; the period said whole is the leave."""
    ranges = [
        d
        for d in utt.dates
        if d.first != d.last and not _until(d.text) and re.match(r"\s*du\b", fold(d.text))
    ]
    if len(ranges) != 1:
        return []
    period, asides = ranges[0], []
    leave = next(k for k in kinds() if k.name == "leave").words
    for span in utt.dates:
        if span is period or period.first <= span.first <= period.last:
            continue
        start, end = _sentence_of(utt, span)
        sentence = utt.folded[start:end]
        if start <= period.start < end or leave.search(sentence) or _ADDED.search(sentence):
            return []  # the day may be part of the request: not sure, nothing dropped
        asides.append(span)
    return asides


def _without_asides(utt: Utterance) -> tuple[Utterance, str | None]:
    """The message with its aside days left out of the dates, and the sentences that say
    them (kept as the request's comment)."""
    asides = _asides(utt)
    if not asides:
        return utt, None
    said = []
    for span in asides:
        start, end = _sentence_of(utt, span)
        sentence = utt.text[start:end].strip(" ,")
        if sentence not in said:
            said.append(sentence)
    kept = [d for d in utt.dates if d not in asides]
    return replace(utt, dates=kept), " ; ".join(said)[:500]


def _request_leave(utt: Utterance) -> dict[str, Any]:
    utt, comment = _without_asides(_ahead(utt))
    # « pose 2 jours de congé à Khady Diallo »: the person, capitalized, after « à »
    # « Awa part demain à Thiès »: the one who leaves, not where she goes
    employee = (
        _someone(utt, _FOR)
        or _subject_name(utt)
        or (None if _for_oneself(utt) else name_of(utt, ("à", "a"), capital=True))
    )
    if employee is None:
        m = _PUT_ON_LEAVE.search(utt.folded)  # « mets Awa en congé »
        employee = _name_at(utt, m.end()) if m else None
    employee = employee or _head_name(utt)
    return given(
        {
            "employee": employee,
            "leave_type": _leave_type(utt),
            "comment": comment,
            **_period(utt),
        }
    )


# A leave said without its year whose first day is this long past is next year's (« à
# partir du 4 janvier » said in December); a leave just past (a sick day last week) stays.
_LONG_PAST = 90


def _ahead(utt: Utterance) -> Utterance:
    """The message with its days read in next year when the first is long past and neither
    its year nor a weekday that fits this year (« mercredi 29 avril ») is said."""
    first = min((d.first for d in utt.dates), default=None)
    said_year = any(re.search(r"\b(?:19|20)\d\d\b", d.text) for d in utt.dates)
    if utt.today is None or first is None or said_year or (utt.today - first).days < _LONG_PAST:
        return utt
    said = utt.folded
    if any(
        said.find(f"{day} {span.first.day}") >= 0
        for span in utt.dates
        for day, n in WEEKDAYS.items()
        if n == span.first.weekday()
    ):
        return utt
    later = [replace(d, first=_next_year(d.first), last=_next_year(d.last)) for d in utt.dates]
    return replace(utt, dates=later)


def _next_year(day: date) -> date:
    return day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else day.day))


_PERIOD_FIELDS = ("start_date", "end_date", "starts_afternoon", "ends_morning", "other_days")


# « celle du 11 », « celle d'après »: the same kind of period as the one shown (a week, a
# fortnight), from another day.
_THE_SAME_SPAN = re.compile(r"^(?:plutot\s+)?(?:celle|celui)\s+(?:du|de|d')\b")


def _correct_leave(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, le 10 » moves the whole period: new dates drop the old end and half days;
    « non, jusqu'au 27 » moves the last day only; « plutôt celle du 11 » moves the period
    shown to start on the 11th, as long as it was."""
    said = _request_leave(utt)
    start, end = previous.get("start_date"), previous.get("end_date")
    if (
        _THE_SAME_SPAN.match(utt.folded.strip())
        and isinstance(said.get("start_date"), date)
        and "end_date" not in said
        and start
        and end
    ):
        length = date.fromisoformat(str(end)[:10]) - date.fromisoformat(str(start)[:10])
        said["end_date"] = said["start_date"] + length
    if "start_date" in said:
        kept = {k: v for k, v in previous.items() if k not in _PERIOD_FIELDS}
    elif "end_date" in said:
        kept = {k: v for k, v in previous.items() if k not in ("end_date", "ends_morning")}
    else:
        kept = dict(previous)
    return {**kept, **said}


_WINDOW = re.compile(r"^\s*(fin|debut|mi)\b")
# Part of a month, by its first and last day (« fin mars » ends on the day said: the 31st).
_WINDOW_DAYS = {"fin": (21, None), "debut": (1, 10), "mi": (11, 20)}
_BARE_WEEKDAY = re.compile(rf"^(?:le |ce )?(?:{'|'.join(WEEKDAYS)})$")


def _decision_period(utt: Utterance, before: int | None = None) -> dict[str, Any]:
    """The days that point at the request meant: a day (« du 3 août »), a range (« du 7 au
    10 avril »), or part of a month (« celle de fin mars »: 21 → 31 March)."""
    spans = [d for d in utt.dates if before is None or d.start < before]
    if not spans:
        return {}
    span = spans[0]
    window = _WINDOW.match(fold(span.text))
    if window is not None:
        low, high = _WINDOW_DAYS[window.group(1)]
        day = span.first
        end = day.replace(day=high or day.day)
        for later in spans[1:]:  # « fin mars début avril »: from one part of a month to the next
            if (more := _WINDOW.match(fold(later.text))) is not None:
                end = max(
                    end, later.first.replace(day=_WINDOW_DAYS[more.group(1)][1] or later.first.day)
                )
        return {"start_date": day.replace(day=low), "end_date": end}
    values: dict[str, Any] = {"start_date": span.first}
    last = max(d.last for d in spans)  # « le 30 et 31 mars »: the days of one request
    if last != span.first:
        values["end_date"] = last
    if all(_BARE_WEEKDAY.match(fold(d.text).strip()) for d in spans):
        values["any_week"] = True  # « pour jeudi et vendredi »: which week is not said
    return values


# « toutes les demandes en attente », « tous les congés », « valide-les toutes »: every pending
# request meant, not one of them.
_EVERY = phrasing("every")


REQUEST_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def _before_a_date(utt: Utterance, name: str | None) -> str | None:
    """``name`` without the start of a date it runs into (« de Julien fin mars »)."""
    at = utt.text.find(name) if name else -1
    if name is None or at < 0:
        return name
    cut = min((d.start for d in utt.dates if at < d.start < at + len(name)), default=None)
    return name if cut is None else (utt.text[at:cut].strip(" ,") or name)


def _decided(utt: Utterance, before: int | None = None) -> dict[str, Any]:
    """Whose request, which days — or the request's identifier when it is given."""
    identifier = REQUEST_ID.search(utt.folded)
    if identifier is not None:
        return {"request_id": identifier.group(0)}
    employee = _before_a_date(utt, _someone(utt, _OF, _FOR) or _head_name(utt))
    every = {"every_pending": True} if _EVERY.search(utt.folded) else {}
    return given(
        {
            **_with_others(utt, employee),
            **_decision_period(utt, before),
            **every,
            "days": _days_asked(utt, before),
        }
    )


def _days_asked(utt: Utterance, before: int | None) -> Decimal | None:
    """« Awa m'a demandé 3 jours »: how many working days the request meant holds (said in
    days: weeks are not counted in working days)."""
    said = [d for d in utt.durations if before is None or d.start < before]
    if len(said) != 1 or not said[0].days or "jour" not in fold(said[0].text):
        return None
    return said[0].days


def _reason(utt: Utterance) -> str | None:
    said = words_after(utt, ("parce que", "car", "motif", "raison", "à cause de", "a cause de"))
    if said is None:
        m = re.search(r"[,:]\s*(.+)$", utt.text)
        said = m.group(1) if m else None
    return said.strip(" .") if said and said.strip(" .") else None


def _reject_leave(utt: Utterance) -> dict[str, Any]:
    if not has(utt, "refus", "rejet", "declin", "conge", "demande", "vacances", "rtt", "absence"):
        # Nothing refused: no request of this kind (the answer to « pour quel motif ? » is
        # taken as it is written when the question is pending)
        return {}
    reason = _reason(utt)
    at = utt.text.rfind(reason) if reason else -1
    return given({**_decided(utt, at if at >= 0 else None), "reason": reason})


# « Awa, il lui reste combien ? »: the person named first, then taken up by a pronoun.
_FRONTED = phrasing("fronted")


def _fronted(utt: Utterance) -> str | None:
    m = _FRONTED.match(utt.text)
    if m is None or fold(m.group(1).split()[0]) in words("not_a_name_head"):
        return None
    return m.group(1)


def _whose(utt: Utterance) -> dict[str, Any]:
    """« il reste à Sophie », « le solde de Moussa », « les heures qu'a faites Awa »,
    « Awa, il lui reste combien ? »."""
    employee = (
        name_of(utt, ("à", "a"), capital=True)
        or _someone(utt, _OF, _FOR, ("fait",))
        or _fronted(utt)
    )
    return given({"employee": employee})


def _balances(utt: Utterance) -> dict[str, Any]:
    """« il reste combien à Awa et à Modou ? »: each one's balance; « de toute l'équipe »:
    everyone's."""
    if EVERYONE.search(utt.folded):
        return {"team": True}
    return given(_with_others(utt, _whose(utt).get("employee")))


# « qui n'a pas pointé », « pas encore badgé », « pas encore arrivés », « manque à l'appel »,
# « tout le monde a pointé ? »: who was expected and did not check in.
_NOT_CHECKED_IN = phrasing("not_checked_in")


def _attendance_report(utt: Utterance) -> dict[str, Any]:
    if _NOT_CHECKED_IN.search(utt.folded):
        day = utt.dates[0].first if utt.dates else None
        return given({"not_checked_in": True, "department": _department(utt), "start_date": day})
    values = _whose(utt)
    if (department := _department(utt)) is not None:
        values.pop("employee", None)
        values["department"] = department
    if utt.dates:
        values["start_date"], values["end_date"] = utt.dates[0].first, utt.dates[-1].last
    return values


# --- contracts --------------------------------------------------------------------------


def _create_contract(utt: Utterance) -> dict[str, Any]:
    kind = next((k for said, k in pairs("contract_kinds") if has(utt, *said)), None)
    dates: dict[str, Any] = {}
    if utt.dates:
        span = utt.dates[0]
        ends = span.last if span.last != span.first else None
        if _until(span.text):  # « jusqu'au 31 août »: the end only
            dates = {"end_date": span.last}
        else:
            if ends is None and len(utt.dates) > 1 and _until(utt.dates[1].text):
                ends = utt.dates[1].last  # « à partir du 1er avril jusqu'au 30 juin »
            dates = {
                "start_date": span.first,
                "end_date": ends,
            }
    minutes = next((d.minutes for d in utt.durations if d.minutes), None)
    hours = Decimal(minutes) / 60 if minutes and has(utt, "semaine") else None
    return given(
        {
            # « fais un CDD à Cheikh »: the person, capitalized, after « à » too
            "employee": _someone(utt, _FOR, _OF)
            or name_of(utt, ("à", "a"), capital=True)
            or _head_name(utt),
            "kind": kind,
            "salary": utt.amounts[0].value if utt.amounts else None,
            "weekly_hours": hours,
            **dates,
        }
    )


def _pointing(utt: Utterance) -> dict[str, Any]:
    """One's own pointing takes nothing; HR pointing for someone names them (« Awa est
    arrivée à 8h05 », « le départ de Moussa ») and the hour said, on the day said."""
    named = _someone(utt, _OF, _FOR) or _head_name(utt)
    employee = named if named and named[:1].isupper() else None
    timed = next((d for d in utt.dates if d.at is not None), None)
    at = datetime.combine(timed.first, timed.at) if timed and timed.at else None
    return given({"employee": employee, "at": at})


# Every question asked is declared with its intent (``prompts/intents/hr.yaml``).
ADAPTERS: list[Adapter] = [
    Adapter("hr.find_employee", _find_employee),
    Adapter("hr.create_employee", _create_employee, correct=_correct_new_employee),
    Adapter("hr.update_employee", _update_employee, correct=_correct_employee),
    Adapter("hr.request_leave", _request_leave, correct=_correct_leave),
    Adapter("hr.approve_leave", _decided),
    Adapter("hr.reject_leave", _reject_leave),
    Adapter("hr.cancel_leave", _decided),
    Adapter("hr.leave_balance", _balances),
    Adapter("hr.check_in", _pointing),
    Adapter("hr.check_out", _pointing),
    Adapter("hr.attendance_report", _attendance_report),
    Adapter("hr.create_contract", _create_contract),
]
