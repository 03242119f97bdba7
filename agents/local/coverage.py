"""Whether a parse accounts for the whole message, before the local tier is sure of it.

A request is understood only when every content-bearing part of the message has found its
place in the tool's arguments: each amount, quantity (and what it counts), date, duration,
document number and bare number, and each word naming a kind of record or action (« avoir »,
« relance », « congé »…) that the tool takes. A part left over means the parse is not the
request: the tier says what it did not understand (or hands the turn to the LLM tier)
rather than propose a write that drops a line or changes the kind of document.

Kind words come from the lexicon (``domain/kit/lexicon.yaml``); what a tool takes, from its
declaration (``Tool.creates`` / ``Tool.acts_on``).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from agents.local.slots.calendar import MONTHS, WEEKDAYS, working_day_before
from agents.local.slots.numbers import parse_number, scan_numbers
from agents.local.slots.recurrence import EVERY, TIME, find_schedule
from agents.local.slots.types import Amount, DateSpan, Duration, Quantity, Utterance
from domain.kit.clock import period_just_ended
from domain.kit.lexicon import alternation, lexicon, phrasing, words
from domain.kit.text import fold
from domain.sales.units import known_unit
from tools.base import Tool

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?!\d)")
DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
WORD = re.compile(r"[a-z0-9]+")
# Words that carry no content of their own between the lines of a document.
GLUE = words("glue_words")
# What a quantity with no item of its own may size: « sac de 25 kg », « bidon de 5 L ».
SIZE_UNITS = frozenset({"kg", "g", "litre", "cl", "ml", "metre", "m", "tonne"})


def _iso_date(value: str) -> date | None:
    """The date an argument holds in ISO form; None for a reference that only looks like
    one (« n° 2026-11-004587 », « 2026-13-01 »)."""
    iso = ISO_DATE.match(value)
    if iso is None:
        return None
    try:
        return date(*(int(g) for g in iso.groups()))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: str  # « un avoir »
    words: re.Pattern[str]
    not_: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Gap:
    """A part of the message the parse left over, as written, and the kind of record it
    names when it is a kind word the tool does not take."""

    text: str
    kind: Kind | None = None
    impossible: bool = False  # a date that does not exist (« le 35 mars »)


@cache
def kinds() -> tuple[Kind, ...]:
    data = lexicon()["kinds"]
    found = []
    for name, entry in data.items():
        # « CP-5520 », « BC/0012 »: a word glued to digits is a document's number, not a kind
        words = re.compile(r"\b(?:" + "|".join(entry["words"]) + r")\b(?![-/.]?\d)")
        not_ = re.compile("|".join(entry["not"])) if entry.get("not") else None
        found.append(Kind(name, entry["label"], words, not_))
    return tuple(found)


# « pas de facture pour l'instant », « sans devis »: a kind of record said not to be made.
KIND_REFUSED = re.compile(
    r"\b(?:pas|sans|aucune?|ni|jamais|(?:pas|plus) besoin|inutile|pas la peine)\s+(?:de\s+|d'|d’)?$"
)


RECORDS_TO_ADDRESS = phrasing("records_to_address")
FROM_NOW_ON = phrasing("from_now_on")


def goes_to_address(folded: str, end: int) -> bool:
    """Whether the kind of record named just before ``end`` is said to go to an e-mail
    address from now on (« les factures doivent maintenant partir sur compta@… »): where
    someone's records are sent, a detail of that someone, no record to make."""
    return bool(RECORDS_TO_ADDRESS.match(folded, end)) and bool(FROM_NOW_ON.search(folded))


def kinds_sent_to_address(folded: str) -> Iterator[tuple[Kind, int, int]]:
    """The kinds of record said to go to an address from now on (left out of
    ``named_kinds``), with where."""
    for kind in kinds():
        for match in kind.words.finditer(folded):
            if goes_to_address(folded, match.end()):
                yield kind, match.start(), match.end()


def named_kinds(folded: str) -> Iterator[tuple[Kind, int, int]]:
    """Each kind of record the message names, with where (offsets in ``folded``); a kind
    said not to be wanted (« pas de facture ») names nothing."""
    addresses = [m.span() for m in EMAIL.finditer(folded)]
    for kind in kinds():
        for match in kind.words.finditer(folded):
            if KIND_REFUSED.search(folded[max(0, match.start() - 24) : match.start()]):
                continue
            if any(start <= match.start() < end for start, end in addresses):
                continue  # « facturation@dumas.fr »: an address, naming no record
            if goes_to_address(folded, match.end()):
                continue  # « les factures partent maintenant sur compta@… »: where, not what
            if kind.not_ is not None and any(
                m.start() <= match.start() < m.end() or match.start() <= m.start() < match.end()
                for m in kind.not_.finditer(folded)
            ):
                continue
            yield kind, match.start(), match.end()


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ".")).normalize()
        except InvalidOperation:
            return None
    return None


@dataclass
class _Facts:
    """What the arguments hold: numbers, dates, and the text of their strings (folded)."""

    # Each number as many times as the arguments hold it: a part of the message accounted
    # for by one is not accounted for by the same one again.
    numbers: Counter[Decimal] = field(default_factory=Counter)
    dates: list[date] = field(default_factory=list)
    times: list[time] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the units held (« carton »), folded
    horizons: list[int] = field(default_factory=list)  # days from today (« d'ici 6 mois »)

    @classmethod
    def of(cls, arguments: dict[str, Any]) -> _Facts:
        facts = cls()
        facts.units = [fold(str(v)) for k, v in _leaves_with_keys(arguments) if k == "unit"]
        facts.horizons = [
            v for k, v in _leaves_with_keys(arguments) if k in HORIZONS and isinstance(v, int)
        ]
        for value in _leaves(arguments):
            if isinstance(value, datetime):
                facts.dates.append(value.date())
                facts.times.append(value.time().replace(second=0, microsecond=0))
                continue
            if isinstance(value, date):
                facts.dates.append(value)
                continue
            if isinstance(value, str) and (when := _iso_date(value)) is not None:
                facts.dates.append(when)
                facts.text.append(value)  # « 2026-03-16T14:00 » holds its time
                continue
            number = _number(value)
            if number is not None:  # « à moins 5 » is the 5 the message says
                facts.numbers[abs(number)] += 1
                continue
            if isinstance(value, str):
                folded = fold(value)
                facts.text.append(folded)
                for digits in DIGITS.findall(folded):
                    facts.numbers[Decimal(digits.replace(",", ".")).normalize()] += 1
                for said in scan_numbers(folded, value):  # « en deux fois » in a note
                    if not said.digits and not said.weak:
                        facts.numbers[said.value.normalize()] += 1
        return facts

    def periods(self) -> list[str]:
        """The periods an argument names (a report « each week » covers the week ended)."""
        return [t for t in self.text if t in ("day", "week", "month")]

    def holds(self, *values: Decimal) -> bool:
        """One of ``values`` is held by an argument not yet used by another part (and is
        now used)."""
        for value in values:
            if self.numbers[value.normalize()] > 0:
                self.numbers[value.normalize()] -= 1
                return True
        return False

    def quotes(self, said: str) -> bool:
        """The part is written inside an argument (a reason, a description, a name)."""
        said = " ".join(WORD.findall(fold(said)))
        return bool(said) and any(said in " ".join(WORD.findall(t)) for t in self.text)

    def in_digits(self, value: Decimal) -> bool:
        """« 05 56 44 12 30 »: the number is part of a phone number or a reference."""
        digits = str(value)
        runs = ("".join(re.findall(r"\d", t)) for t in self.text)
        return digits.isdigit() and any(len(r) >= 6 and digits in r for r in runs)

    def at(self, moment: time) -> bool:
        """A time of day the arguments hold (« 14:00 », a datetime at that time)."""
        written = f"{moment.hour:02d}:{moment.minute:02d}"
        return any(written in t for t in self.text) or moment in self.times

    def day_of_month(self, value: Decimal) -> bool:
        """« l'après-midi du 3 »: the day of a date the arguments hold."""
        return any(value == d.day for d in self.dates)

    def says(self, words: Iterable[str]) -> bool:
        """Some word (≥ 3 letters) of ``words`` is in an argument, plural or singular."""
        stems = {w.rstrip("sx")[:6] for w in words if len(w) >= 3 and w not in GLUE}
        text = " ".join(self.text)
        return any(
            stem in {x.rstrip("sx")[:6] for x in WORD.findall(text)} for stem in stems
        ) or any(stem in text for stem in stems if len(stem) >= 5)


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ADDRESS_FIELDS = frozenset({"email", "to", "recipient", "address"})


def _leaves_with_keys(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (field, value) at the leaves of the arguments."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves_with_keys(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves_with_keys(v, key)
    else:
        yield key, value


# Records spoken of as someone's (« ses factures »), and the kinds that are someone.
POSSESSED = re.compile(r"\b(?:ses|sa|son|leurs?)\s+$")
PEOPLE = frozenset({"customer", "supplier", "employee"})


def _write_gap(utt: Utterance, arguments: dict[str, Any], tool: Tool) -> Gap | None:
    """What a write cannot hold: a kind of record it does not take, a contrary action, a
    question asked first, a payment said beside something else."""
    named = list(named_kinds(utt.folded))
    taken = any(kind.name in tool.kinds for kind, _, _ in named)
    for kind, start, end in named:
        if kind.name in tool.kinds:
            continue
        if taken and "fiche" in utt.folded[start:end]:
            continue  # « la fiche de Mme X, c'est une particulière »: the card of that kind
        possessed = POSSESSED.search(utt.folded[max(0, start - 8) : start])
        if possessed and set(tool.acts_on) & PEOPLE:
            continue  # « veut recevoir ses factures sur … »: theirs, said of the person
        return Gap(utt.text[start:end], kind)
    receivers = lexicon()["received_by"]
    for kind, start, end in kinds_sent_to_address(utt.folded):
        if receivers.get(kind.name) not in tool.acts_on:
            return Gap(utt.text[start:end], kind)  # an employee receives no invoice
    contrary = _contrary(utt) or _undoing(utt, tool)
    if contrary is not None:
        return contrary
    if (stopped := STOPPED_ACTION.search(utt.folded)) is not None:
        return Gap(utt.text[stopped.start() : stopped.end()].strip(" ,.;:!?"))
    if tool.creates == "leave" and (not_leave := _not_days_off(utt)) is not None:
        return not_leave
    for address in EMAIL.finditer(utt.text):  # an address is held as one, never as a line
        held = [v for k, v in _leaves_with_keys(arguments) if k in ADDRESS_FIELDS]
        if not any(address.group(0).lower() == str(v).lower() for v in held):
            return Gap(address.group(0))
    unit = _unit_left_over(utt, arguments, tool) or _everyone_left_over(utt, arguments, tool)
    if unit is not None:
        return unit
    asked = QUESTION_FIRST.match(utt.folded)
    if asked is not None:  # « il reste combien de sucre ? et commande… »: a question too
        return Gap(utt.text[: asked.end(1)].strip())
    method = PAID_BY.search(utt.folded)
    if method is not None and utt.payment_method not in _leaves(arguments):
        return Gap(utt.text[method.start() : method.end()])  # « … en liquide »: a payment
    return None


def _not_days_off(utt: Utterance) -> Gap | None:
    """What a leave request cannot hold: leave said not taken (« je ne pars pas »), or a
    thing wanted instead of days (« je voudrais le riz du 27 »)."""
    for said in (LEAVE_NOT_TAKEN, FEAST_DAY):  # « le pont de l'Ascension » is not dated here
        if (found := said.search(utt.folded)) is not None:
            return Gap(utt.text[found.start() : found.end()])
    wanted = WANTED_THING.search(utt.folded)
    if wanted is not None and wanted.group(1) not in LEAVE_WANTED | MONTHS.keys():
        return Gap(utt.text[wanted.start(1) : wanted.end(1)])
    return None


# « toute l'équipe », « du personnel », « chaque employé »: everyone one may see — not
# « bonjour tout le monde », a greeting.
EVERYONE = phrasing("everyone")
# What a write says for everyone (« every pending request »), where it otherwise names one.
COLLECTIVE_FIELDS = ("every_pending", "team")
# Free words a write keeps as they were said (why, a note): everyone may be said in them.
WHY_FIELDS = ("reason", "comment")


def _everyone_left_over(utt: Utterance, arguments: dict[str, Any], tool: Tool) -> Gap | None:
    """Everyone said to a write that acts on one person and does not take them all:
    « pointe tout le monde à 8h » is no check-in of one's own."""
    if "employee" not in tool.input_model.model_fields:
        return None
    said = EVERYONE.search(utt.folded)
    if said is None or any(arguments.get(name) for name in COLLECTIVE_FIELDS):
        return None
    said_why = {k: v for k, v in arguments.items() if k in WHY_FIELDS}
    if _Facts.of(said_why).quotes(said.group()):
        return None  # « … on a besoin de tout le monde » written in the reason given
    return Gap(utt.text[said.start() : said.end()])


# « vendues en sachet », « vendu au carton », « vendus par 6 » is no unit: the unit a product
# is sold by.
SOLD_BY = re.compile(r"\bvendue?s?\s+(?:a l'|a la|au|en|par|l')\s*([a-z]+)")
# « 300 F le morceau »: the unit a new product is priced by.
PRICED_BY = re.compile(r"\s*(?:le|la|l'|par)\s*([a-z]+)")


def _unit_left_over(utt: Utterance, arguments: dict[str, Any], tool: Tool) -> Gap | None:
    """The unit a message says a product is sold by, when the tool takes a unit and the
    arguments hold another one (or none): the product would be made or changed by the
    wrong unit."""
    if "unit" not in tool.input_model.model_fields:
        return None
    held = fold(str(arguments.get("unit") or ""))
    priced = (PRICED_BY.match(utt.folded, a.end) for a in utt.amounts) if tool.creates else ()
    for said in (*SOLD_BY.finditer(utt.folded), *filter(None, priced)):
        entry = known_unit(said.group(1))
        if held and (held == said.group(1) or (entry is not None and fold(entry.unit) == held)):
            continue
        return Gap(utt.text[said.start() : said.end()])
    return None


EVERY_TIME = re.compile(rf"\b{EVERY}\b")  # « chaque lundi », « tous les 15 du mois »
RECURRENCE_FIELDS = frozenset({"when", "frequency", "schedule", "rrule", "recurrence"})


def _takes_recurrence(tool: Tool) -> bool:
    """A write whose tool takes a recurrence (a rule, a recurring invoice)."""
    return tool.is_write and bool(RECURRENCE_FIELDS & set(tool.input_model.model_fields))


def _address_left_over(utt: Utterance, arguments: dict[str, Any]) -> Gap | None:
    """An e-mail address a reading neither filters on nor looks up: the message is about
    that address (a change of it), not the reading."""
    said = {str(v).lower() for v in _leaves(arguments)}
    for address in EMAIL.finditer(utt.text):
        if address.group(0).lower() not in said:
            return Gap(address.group(0))
    return None


def gap(utt: Utterance, arguments: dict[str, Any], tool: Tool, today: date) -> Gap | None:
    """The first part of ``utt`` that ``arguments`` do not account for, or None."""
    # a reading filters on an address said, or leaves it over
    written = (
        _write_gap(utt, arguments, tool) if tool.is_write else _address_left_over(utt, arguments)
    )
    if written is not None:
        return written
    schedule = None if _takes_recurrence(tool) else find_schedule(utt.text, utt.folded)
    facts = _Facts.of(arguments)
    # « chaque mercredi », « tous les lundis » said to a request making one record (a rule
    # changed is named by its schedule; « du lundi au vendredi » is a span of days)
    one_off = (
        tool.is_write
        and tool.creates is not None
        and bool(schedule and EVERY_TIME.search(fold(schedule.said)))
    )
    if (
        schedule
        and (one_off or TIME.search(fold(schedule.said)))
        and not facts.quotes(schedule.said)
    ):
        # « chaque jeudi à 18h, envoie-moi… »: a rule, no reading now; « rappelle-moi
        # chaque mercredi d'appeler… »: a rule, not one task on one day (« mets en pause le
        # résumé de chaque matin à 7h30 » names a rule by it)
        return Gap(schedule.said)
    second = SECOND_QUESTION.search(utt.folded)
    if second is not None:  # « Diallo me doit combien ? et il reste combien de sucre ? »
        return Gap(utt.text[second.start(1) : second.end(1)].strip())
    for said in IMPOSSIBLE_DAY.finditer(utt.folded):
        if not 1 <= int(said.group(1)) <= monthrange(2024, MONTHS[said.group(2)])[1]:
            # « le 35 mars », « 31 avril »: a day the month does not have
            return Gap(utt.text[said.start() : said.end()], impossible=True)
    # « il est 9h passé, qui … »: the time it is now, said aside
    aside = [m.span() for m in re.finditer(rf"{THE_REST.pattern}|\bil est \d", utt.folded)]
    for part in _parts(utt):
        if isinstance(part, DateSpan) and any(start <= part.start < end for start, end in aside):
            continue  # « …, le reste arrive la semaine prochaine »: not when it is done
        if not _accounted(part, utt, facts, tool, today):
            return Gap(part.text)
    for number in utt.numbers:
        if not _number_accounted(number, utt, facts, tool):
            return Gap(_written(utt, number))
    for reference in utt.document_numbers:  # « … le devis D-2026-00001 » makes no new quote
        if not facts.quotes(reference):
            return Gap(reference)
    fields = tool.input_model.model_fields
    for_oneself = (
        "employee" in fields
        and not arguments.get("employee")
        and not ONESELF.search(utt.folded)  # « je pose … pour fêter la Tabaski »
    )
    # « pose 2 jours à Khady Diallo » read as one's own leave; a change of someone's card
    # naming a second person (« …, et c'est lui le chef de Paul ») that no argument holds
    on_a_card = for_oneself or ("manager" in fields and not tool.creates)
    if tool.is_write and on_a_card and (name := _name_left_over(utt, facts)) is not None:
        return name
    if "lines" in fields:
        return _line_left_over(utt, facts)
    return None


# A way of paying said after its preposition: the request is about a payment, which the
# arguments must hold (« Sall m'a remis 100 000 en liquide pour ses factures » is no invoice
# line; « lessive liquide », « Metro Cash & Carry » are names).
PAID_BY = phrasing("paid_by")
ONESELF = re.compile(r"(?<![\w'])(?:je|j'|moi|me|m')(?![\w])")
# A name written with a capital inside the message (« … à Khady Diallo », « … à Pikine »).
CAPITALISED = re.compile(r"(?<![\w'’-])([A-ZÀ-Ý][\w'’-]{2,})")
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*|\n\s*|[«\"(]\s*)$")


@cache
def _common_words() -> frozenset[str]:
    """Capitalised words that name no one: units, months and days, yes and no, honorifics,
    payment methods and the words of money."""
    found = set(words("yes_words")) | set(words("no_words")) | set(words("fillers"))
    found |= {fold(m) for m in MONTHS} | {fold(d) for d in WEEKDAYS} | words("no_one_named")
    for entry in lexicon()["units"]:
        found |= {fold(entry["unit"]), *(fold(f) for f in entry.get("forms", []))}
    return frozenset(found)


def _name_left_over(utt: Utterance, facts: _Facts) -> Gap | None:
    """A capitalised name inside the message that no argument holds: someone the parse
    dropped, judged where a request with nobody named is one's own (« pose 2 jours à Khady
    Diallo » read as one's own leave). The first word of a sentence is not judged, nor
    common words."""
    for found in CAPITALISED.finditer(utt.text):
        if SENTENCE_START.search(utt.text[: found.start()]):
            continue
        word = fold(found.group(1))
        if word in GLUE or word in _common_words() or word.isdigit():
            continue
        if not facts.says([word]) and not facts.quotes(found.group(1)):
            return Gap(found.group(1))
    return None


@cache
def contrary_words() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    return tuple(
        tuple(re.compile(r"\b(?:" + "|".join(side) + r")\b") for side in pair)  # type: ignore[misc]
        for pair in lexicon()["contrary_actions"]
    )


def _contrary(utt: Utterance) -> Gap | None:
    """« valide … et refuse … »: two actions that undo each other; the later one is a
    request of its own."""
    for one, other in contrary_words():
        first, second = one.search(utt.folded), other.search(utt.folded)
        if first and second:
            later = max(first, second, key=lambda m: m.start())
            return Gap(utt.text[later.start() :].strip())
    return None


def _undoing(utt: Utterance, tool: Tool) -> Gap | None:
    """« supprime ce rapport » read as « Créer une automatisation »: the message says only
    the action that undoes the one the tool's title names; never that tool."""
    title = fold(tool.title)
    for one, other in contrary_words():
        for own, opposite in ((one, other), (other, one)):
            said = opposite.search(utt.folded)
            if said and own.match(title) and not own.search(utt.folded):
                return Gap(utt.text[said.start() :].strip())
    return None


def titled(utt: Utterance, tool: Tool | None) -> bool:
    """Whether the message says the action ``tool``'s title names (« mets en pause … »)."""
    title = fold(tool.title) if tool else "-"
    return any(s.search(utt.folded) and s.search(title) for p in contrary_words() for s in p)


def undoes(utt: Utterance, tool: Tool | None) -> bool:
    """Whether the message says only the action that undoes the one ``tool`` does."""
    return tool is not None and _undoing(utt, tool) is not None


def _parts(utt: Utterance) -> Iterator[Any]:
    yield from utt.amounts
    yield from utt.quantities
    yield from utt.durations
    yield from utt.dates


# « ça fait 2 mois qu'ils traînent »: how long something has gone on, said as a reason
SINCE_BEFORE = phrasing("since_before")
SINCE_AFTER = phrasing("since_after")


def _takes_time(tool: Tool) -> bool:
    """Whether the tool takes a date, a period or a count of days."""
    return any(
        "date" in str(field.annotation) or "days" in name or "when" in name
        for name, field in tool.input_model.model_fields.items()
    )


def _since_aside(start: int, end: int, utt: Utterance, tool: Tool) -> bool:
    """A time said only as the reason for a request that takes none (« relance-le, ça fait
    3 semaines qu'il doit payer »)."""
    return (
        SINCE_BEFORE.search(utt.folded[max(0, start - 30) : start]) is not None
        and SINCE_AFTER.match(utt.folded, end) is not None
        and not _takes_time(tool)
    )


THESE = phrasing("these")
# « ne relance plus Diallo »: an action asked not to be done, which no write does.
STOPPED_ACTION = phrasing("stopped_action")
LEAVE_NOT_TAKEN, FEAST_DAY = phrasing("leave_not_taken"), phrasing("feast_day")
WANTED_THING = phrasing("wanted_thing")
LEAVE_WANTED = frozenset(words("leave_wanted"))


def _said_again(part: Quantity, utt: Utterance) -> bool:
    """« ces 2 sacs » after « 2 sacs de riz »: a quantity pointed back to, not a new one."""
    return THESE.search(utt.folded[max(0, part.start - 8) : part.start]) is not None and any(
        other.start < part.start and other.value == part.value and other.unit == part.unit
        for other in utt.quantities
    )


def _accounted(part: Any, utt: Utterance, facts: _Facts, tool: Tool, today: date) -> bool:
    if facts.quotes(part.text) or NEGATED.search(utt.folded[max(0, part.start - 20) : part.start]):
        return True
    if _since_aside(part.start, part.end, utt, tool):
        return True
    if isinstance(part, Quantity):
        return _quantity_accounted(part, utt, facts, tool)
    if isinstance(part, Duration):
        counted = TIMED_ITEM.match(utt.folded, part.end)  # « 2 heures d'installation »
        if counted and TIME_NOUN.match(counted.group(1)):
            counted = None  # « 60 jours de délai »: the time is the delay, nothing counted
        if counted and tool.is_write and not facts.says(WORD.findall(counted.group(1))):
            # « 3 jours de congé » for a leave request: what is counted is the record the
            # tool makes, not a line left out
            taken = (k.name in tool.kinds for k, _, _ in named_kinds(counted.group(1)))
            if not any(taken):
                return False
        return _duration_accounted(part, facts)
    if isinstance(part, DateSpan):
        return _day_back_accounted(part, utt, facts, tool, today)
    return part.currency != "foreign" and facts.holds(part.value)  # an amount


BACK_AT_WORK = phrasing("back_at_work")


def _day_back_accounted(
    part: DateSpan, utt: Utterance, facts: _Facts, tool: Tool, today: date
) -> bool:
    """« il reprend jeudi »: the absence ends the working day before the day said (of
    someone's absence: « l'argent rentré ce mois-ci » is no one's return)."""
    someone = "employee" in tool.input_model.model_fields
    if someone and BACK_AT_WORK.search(utt.folded[max(0, part.start - 40) : part.start]):
        return working_day_before(part.first) in facts.dates
    return _date_accounted(part, facts, today)


def _quantity_accounted(part: Quantity, utt: Utterance, facts: _Facts, tool: Tool) -> bool:
    if _said_again(part, utt):
        return True  # « … fais un avoir pour ces 2 sacs »: the quantity said before
    if OUT_OF.search(utt.folded[max(0, part.start - 12) : part.start]) and EXPECTED.match(
        fold(part.item or "")
    ):
        return True  # « 20 sacs sur les 50 commandés »: the whole, said aside
    if part.item and STILL_DUE.match(fold(part.item)) and facts.holds(part.value):
        return True  # « les 14 pots manquants »: what was still due, no product named
    if part.item and any(s == 0 for _, s, _ in named_kinds(fold(part.item))):
        return True  # « fais 1 facture pour Diallo »: the document asked for
    if not tool.is_write and facts.holds(part.value):
        return True  # « mes 3 meilleurs clients »: a reading's count, no line
    if _how_it_happened(part, utt, tool):
        return True  # « une caisse s'est renversée, 4 bouteilles cassées »: the scene
    item = [w for w in WORD.findall(fold(part.item or "")) if w not in GLUE]
    if item and not facts.says(item):
        return False
    if item and not tool.is_write and "?" in utt.folded[part.end :]:
        # « un client veut 12 cartons de lait, on les a ? »: the count the level answers
        return True
    # a size is checked first: it must not use up a number another part needs
    return _sizes(part, utt, facts) or facts.holds(part.value) or facts.in_digits(part.value)


# A container counted by its article, with no goods, as the subject of a verb.
SCENE = re.compile(r"une?\s+\w+\s+(?:est|s'est|se|a|ont|sont)\s")


def _how_it_happened(part: Quantity, utt: Utterance, tool: Tool) -> bool:
    """« un carton est tombé, 3 pots cassés »: a container said with its article and no
    goods, as what a sentence is about, tells how goods were lost — accounted for by a
    tool that takes the reason, when another quantity counts the goods."""
    return (
        part.item is None
        and "reason" in tool.input_model.model_fields
        and SCENE.match(utt.folded, part.start) is not None
        and any(q.item for q in utt.quantities if q.start > part.end)
    )


TIMED_ITEM = re.compile(
    r"\s+(?:de(?![a-z])|d')\s*([a-z][a-z -]{2,40}?)\s*(?=[,;:.!?]|\bet\b|\ba\b|$)"
)
TIME_NOUN = phrasing("time_noun")
SIZED = re.compile(r"([a-z]+)\s*(?:\(\s*|\s(?:de\s+|d'\s*)?)$")


def _sizes(part: Quantity, utt: Utterance, facts: _Facts) -> bool:
    """« sac de 25 kg », « le sac de sucre 50 kilos »: a weight or volume right after the
    container or product it sizes, when the arguments hold that container or product;
    « carton de 24 paquets », « carton (12 boîtes) »: what a container the arguments hold
    as a unit contains."""
    if part.unit not in SIZE_UNITS:
        before = SIZED.search(utt.folded[max(0, part.start - 40) : part.start])
        return (
            part.item is None
            and before is not None
            and (entry := known_unit(before.group(1))) is not None
            and fold(entry.unit) in facts.units
        )
    if part.item is not None:  # « sac de 25 kg »: the item is the container
        return bool(re.fullmatch(r"[a-z]+ (?:de|d')", fold(part.item).strip()))
    before = SIZED.search(utt.folded[max(0, part.start - 40) : part.start])
    return before is not None and facts.says([before.group(1)])


def _contents(before: str, facts: _Facts) -> bool:
    """Whether ``before`` ends with a container the arguments hold as the unit and « de »
    (« carton de 6 »): the number that follows is what it contains, not a count."""
    container = re.search(r"([a-z]+)\s+(?:de|d')\s*$", before)
    entry = known_unit(container.group(1)) if container else None
    return entry is not None and fold(entry.unit) in facts.units


def _duration_accounted(part: Duration, facts: _Facts) -> bool:
    if part.minutes is not None:
        return facts.holds(Decimal(part.minutes), Decimal(part.minutes) / 60)
    days = part.days or Decimal(0)
    if facts.holds(days, days * 7, days * 30):
        return True
    if facts.dates and days <= 1:
        return True
    if len(facts.dates) >= 2:
        # « 3 jours à partir du 14 » as working days: the span may hold a weekend or a
        # holiday more, never weeks more (« 2 jours … le 27 et le 28 avril » read as 22)
        span = Decimal((max(facts.dates) - min(facts.dates)).days + 1)
        return days <= span <= days + max(Decimal(4), days)
    return False


# Arguments that count days ahead from today.
HORIZONS = frozenset({"within_days"})


def _reaches(days: int, part: DateSpan, today: date) -> bool:
    """A horizon of ``days`` ends on the day said, give or take a day a month (« 6 mois »
    read as 180 days)."""
    return abs((today + timedelta(days=days) - part.last).days) <= max(1, days // 30)


def _date_accounted(part: DateSpan, facts: _Facts, today: date) -> bool:
    if part.at is not None and not facts.at(part.at) and part.part is None:
        # « pour 1 heures » read as 1 o'clock: the time must be used; « ce midi » only
        # says when in the day, which a record of the day may leave aside
        return False
    if any(part.first <= d <= part.last for d in facts.dates):
        return True
    if not re.search(r"\d{4}", part.text) and any(
        (d.month, d.day, abs(d.year - part.first.year)) == (part.first.month, part.first.day, 1)
        for d in facts.dates
    ):
        return True  # « à partir du 1er janvier » in December: the day said, in its next year
    if part.text.strip().isdigit() and facts.day_of_month(Decimal(part.text.strip())):
        return True  # « je reviens l'après-midi du 3 »: the 3rd of the range said before
    if len(facts.dates) >= 2 and min(facts.dates) <= part.last and max(facts.dates) >= part.first:
        return True
    if part.first > today and any(_reaches(h, part, today) for h in facts.horizons):
        return True  # « d'ici la fin de l'année »: the horizon a reading looks ahead to
    if any((part.first, part.last) == period_just_ended(p, today) for p in facts.periods()):
        return True  # « le CA de la semaine passée » each week: the period a report covers
    # « ce matin », « aujourd'hui », « cette semaine »: what is done or read now, when the
    # request gives no other date.
    return not facts.dates and part.first <= today <= part.last


# « dans les 3 prochains mois »: a count of days, weeks, months or years.
PER_UNIT = {"jour": (1,), "semaine": (7,), "mois": (30, 31), "an": (365,), "annee": (365,)}
TIME_AFTER = phrasing("time_after")
NEGATED = re.compile(r"(?:\bpas|\bnon|au lieu de|plutot que|et non)\s*$")


# A clause about what remains (« le reste arrive lundi », « la suite la semaine pro »): what
# it says is not what the request does now.
THE_REST = re.compile(r"\b(?:le reste|la suite|le restant)\b[^,.;!?]*")
# « … sur les 50 commandés »: the whole a count is part of, said beside it.
OUT_OF = re.compile(r"\bsur\s+(?:les\s+)?$")
# « les 14 pots manquants »: what an order still awaited, not a product's name.
STILL_DUE = re.compile(r"^(?:manquante?s|restante?s|qui (?:manqu|rest)\w*|du reliquat)$")
# « on en avait commandé 20 », « on en attendait 30 »: what was ordered, beside what came.
HAD_ORDERED = phrasing("had_ordered")
CLAUSE_END = re.compile(r"\s*(?:$|[,.;!?])")  # « 60 sacs sur les 100 »: the whole, said last
EXPECTED = re.compile(r"\s*(?:\w+\s+){0,2}?(?:commandee?s?|prevue?s?|attendue?s?|demandee?s?)\b")


# « TVA à 10 % pour les deux », « tous les trois »: the lines or people already said, all
# of them — no count of anything new.
ALL_OF_THEM = phrasing("all_of_them")


def _number_accounted(number: Decimal, utt: Utterance, facts: _Facts, tool: Tool) -> bool:
    if facts.holds(number) or facts.in_digits(number) or facts.day_of_month(number):
        return True
    if any(parse_number(m.group(1)) == number for m in ALL_OF_THEM.finditer(utt.folded)):
        return True
    for match in scan_numbers(utt.folded, utt.text):  # digits or words (« deux mois »)
        if match.value.normalize() != number.normalize():
            continue
        if NEGATED.search(utt.folded[max(0, match.start - 20) : match.start]):
            return True  # « on en a compté 12, pas 15 »: what the message sets aside
        if re.search(
            r"\b(?:les|ces)\s*$", utt.folded[max(0, match.start - 8) : match.start]
        ) and any(q.end <= match.start and q.value == number for q in utt.quantities):
            return True  # « 32 sacs …, rentre les 32 »: the goods counted, pointed back to
        if OUT_OF.search(utt.folded[max(0, match.start - 12) : match.start]) and (
            EXPECTED.match(utt.folded, match.end) or CLAUSE_END.match(utt.folded, match.end)
        ):
            return True  # « 20 sacs sur les 50 commandés »: what was expected, said aside
        if _contents(utt.folded[max(0, match.start - 40) : match.start], facts):
            return True  # « vendue au carton de 6 »: what the container sold by holds
        if HAD_ORDERED.search(utt.folded[max(0, match.start - 40) : match.start]):
            return True  # « alors qu'on en avait commandé 20 »: what was ordered, said aside
        unit = TIME_AFTER.match(utt.folded, match.end)
        if unit is not None and _since_aside(match.start, unit.end(), utt, tool):
            return True  # « ça fait 2 mois qu'ils traînent »: why, not what
        if unit is not None:
            per = PER_UNIT[unit.group(1).rstrip("s") if unit.group(1) != "mois" else "mois"]
            if facts.holds(*(number * n for n in per)):
                return True
    return False


def _written(utt: Utterance, number: Decimal) -> str:
    """How a bare number is written in the message (« 3 »), for the question back."""
    for match in DIGITS.finditer(utt.folded):
        if Decimal(match.group(0).replace(",", ".")).normalize() == number.normalize():
            return match.group(0)
    return str(number)


# « le 35 mars »: a day and a month (the longest the month ever is: 29 in February).
IMPOSSIBLE_DAY = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\b")
# What follows a question in the same message (« …combien ? et il reste combien de sucre ? »)
# is a second request, which the first does not answer.
SECOND_QUESTION = re.compile(
    r"\?\s*(et\s+(?:" + alternation("second_request_starts") + r")\b[^?]{4,}\S)\s*\??\s*$"
)
# A question asked before what follows it in the same message (« combien il reste de
# sucre ? et commande-en 10 sacs »): a request of its own, which a write does not answer.
QUESTION_FIRST = phrasing("question_first")
LINE_SEPARATOR = re.compile(
    r"\s*(?:,|;|:|\+|\bet\b|\bpuis\b|\bplus\b|(?<!\bm)(?<!\bmme)(?<!\bdr)[.!?]+(?=\s|$))\s*"
)
# « un lampadaire », « une livraison »: an item counted by its article.
ARTICLE_ITEM = re.compile(r"(?:^|\s)(?:un|une)\s+([a-z][a-z'-]+)")
# « + la livraison », « et le montage »: a whole line that is an item and its article, in
# three words at most (« la lessive n'est pas venue » is a sentence, not a line).
DEFINITE_ITEM = re.compile(r"^(?:le\s+|la\s+|l'\s*)([a-z][a-z'-]{2,}(?: [a-z][a-z'-]*){0,2})$")
# Nouns an article introduces in a request without being a line of it.
NOT_ITEMS = words("not_items")


@dataclass(frozen=True, slots=True)
class ArticleItem:
    """An item a line counts by its article alone (« une livraison », « + la pose »)."""

    start: int
    end: int
    word: str  # its first word, folded


def article_items(utt: Utterance) -> list[ArticleItem]:
    """Among the lines of a message that has counted ones, those with no number: each
    one item (offsets in ``utt.text``)."""
    said: list[Quantity | Amount | Duration] = [*utt.quantities, *utt.amounts, *utt.durations]
    spans = [(x.start, x.end) for x in said]  # « 3 heures de pose + la livraison »
    if not spans:
        return []
    found: list[ArticleItem] = []
    position = 0
    for piece in LINE_SEPARATOR.split(utt.folded):
        offset = utt.folded.find(piece, position) if piece else position
        position = offset + len(piece)
        if not piece.strip() or any(s < offset + len(piece) and offset < e for s, e in spans):
            continue
        whole = DEFINITE_ITEM.match(piece.strip())
        items = [whole] if whole else list(ARTICLE_ITEM.finditer(piece))
        for item in items:
            word = item.group(1).split()[0]
            if word in NOT_ITEMS or word in GLUE:
                continue
            start = offset + piece.find(item.group(1)) if whole else offset + item.start(1)
            found.append(ArticleItem(start, offset + len(piece.rstrip()), word))
    return found


def _line_left_over(utt: Utterance, facts: _Facts) -> Gap | None:
    """« 3 sacs de riz, 2 bidons d'huile et une livraison »: among the lines said, one with
    no number (« une livraison ») must be in the arguments too."""
    for item in article_items(utt):
        if not facts.says([item.word]):
            return Gap(utt.text[item.start : item.end].strip())
    return None
