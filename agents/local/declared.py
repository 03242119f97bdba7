"""Adapters declared as data: what an intent takes from a message, in its YAML.

An intent of ``prompts/intents/*.yaml`` may declare its ``slots`` (each argument of the
tool, the kind of thing that fills it, and the words that introduce it) and its ``ask``
(the French question for each field it cannot do without, in order). One extractor reads
every declaration, on top of the slot parsers (``agents/local/slots``) and the name
readers (``agents/local/mentions``); code remains only for the intents whose structure is
genuinely special (document lines, new partners, stock movements).

Kinds of slot:

- ``name`` — a name after one of ``markers`` (« de Diallo », « client Sow »), or with
  ``leading`` the name opening the message before its verb (« Ba n'a pas payé, … »);
- ``lookup`` — a customer or supplier code, e-mail, phone, else a ``name``;
- ``choice`` — a value chosen by the words of ``choices`` (first match in order);
- ``flag`` — true when one of ``words`` is said;
- ``period_start`` / ``period_end`` / ``day`` — from the first date or period said;
  ``last_day`` — the last day of the last one (« lundi et mardi » → mardi);
- ``days`` — a number of days (« 30 jours », « 3 mois » → 90), else the days of one of
  ``words`` (« ce mois » → 31);
- ``count`` — a whole number before one of ``words`` or after one of ``markers``
  (« mes 5 meilleurs clients », « top 10 »);
- ``document`` — a document number with one of ``prefixes`` (« F-2026-00012 »);
- ``product`` — a product named (a SKU, « du riz », « le sac de sucre 50 kg »);
- ``place`` — a warehouse named after one of ``markers`` (« au dépôt de Thiès »);
- ``stage`` — a stage of the pipeline (« en négociation », « gagnées »), from the lexicon;
- ``recurrence`` — a schedule (« chaque lundi à 8h »: its RRULE, the words, the time);
- ``threshold`` — a stock condition (« quand le riz passe sous 20 sacs »);
- ``reminder`` — what « rappelle-moi … de » asks to be reminded of;
- ``delay`` — a number of days after which (« après 15 jours »), with its words;
- ``rest`` — the words after one of ``markers``, without their article;
- ``text`` — the whole message (a question searched as written);
- ``part`` — the first of ``words`` found inside the message (« contrats » → contrat);
- ``file`` — a file's name (« facture-0912.pdf », « LD-0912.xml »).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.adapters.finance import without_elision
from agents.local.adapters.sales import email_in, has, name_of, phone_in
from agents.local.adapters.stock import product_in, warehouse_in
from agents.local.mentions import leading_name
from agents.local.slots.numbers import parse_number
from agents.local.slots.recurrence import (
    ONLY_A_TIME,
    TIME,
    find_delay,
    find_reminder,
    find_schedule,
    find_threshold,
)
from agents.local.slots.types import Utterance
from domain.kit.lexicon import pairs, phrasing
from domain.kit.text import fold

Reader = Callable[[Utterance, dict[str, Any]], Any]
FILE = re.compile(r"\b([\w-]+\.(?:pdf|xml))\b", re.IGNORECASE)
CODE = re.compile(r"(?<![\w-])([CF]\d{3,10})(?![\w-])", re.IGNORECASE)
# A day said as the limit of a horizon from today (« d'ici la fin de l'année »).
BY_THEN = phrasing("by_then")
PER = {"jour": 1, "semaine": 7, "mois": 30, "an": 365, "annee": 365}
COUNT_OF_DAYS = phrasing("count_of_days")


def _name(utt: Utterance, slot: dict[str, Any]) -> str | None:
    """After the first group of ``markers`` that introduces a real name (a list of words,
    or a list of such lists tried in order); else after one of ``capital_markers``, a name
    written with a capital only (« envoie le CA à Ibrahima », never « à la fin du mois »)."""
    markers = slot.get("markers", ())
    groups = markers if markers and isinstance(markers[0], list) else [markers]
    found = name_of(utt, *(tuple(g) for g in groups))
    if found is None and (capital := slot.get("capital_markers")) and not TO_ME.search(utt.folded):
        found = name_of(utt, tuple(capital), capital=True)
    if found is None and slot.get("leading"):
        found = without_elision(leading_name(utt))  # « Ba n'a toujours pas payé, relance-le »
    return found


# « rappelle-moi … à Pikine »: sent to oneself, whatever place follows
TO_ME = re.compile(r"-moi\b|\bmoi\b|\bm'")


def _lookup(utt: Utterance, slot: dict[str, Any]) -> str | None:
    code = CODE.search(utt.text)
    if code:
        return code.group(1).upper()
    return email_in(utt) or phone_in(utt) or _name(utt, slot)


def _choice(utt: Utterance, slot: dict[str, Any]) -> str | None:
    choices: dict[str, Iterable[str]] = slot.get("choices", {})
    return next((value for value, words in choices.items() if has(utt, *words)), None)


def _flag(utt: Utterance, slot: dict[str, Any]) -> bool | None:
    return True if has(utt, *slot.get("words", ())) else None


def _days(utt: Utterance, slot: dict[str, Any]) -> int | None:
    """A count of days, weeks, months or years; else the days from today to a day said as
    a limit (« d'ici la fin de l'année », « avant fin mars »); else the days of a phrase of
    ``words`` (« ce mois » → 31)."""
    said = COUNT_OF_DAYS.search(utt.folded)
    if said is None:
        limit = next((d for d in utt.dates if BY_THEN.search(utt.folded[: d.start])), None)
        if limit is not None and utt.today is not None and limit.last > utt.today:
            return (limit.last - utt.today).days
        words: dict[str, int] = slot.get("words", {})
        return next((days for phrase, days in words.items() if has(utt, phrase)), None)
    unit = said.group(2) if said.group(2) == "mois" else said.group(2).rstrip("s")
    return int(parse_number(said.group(1)) or 0) * PER[unit]  # « 2 mois », « deux mois »


def _count(utt: Utterance, slot: dict[str, Any]) -> int | None:
    """A whole number right before one of ``words`` (« mes 5 meilleurs clients ») or right
    after one of ``markers`` (« top 10 »)."""
    words_after = "|".join(re.escape(w) for w in slot.get("words", ()))
    markers = "|".join(re.escape(m) for m in slot.get("markers", ()))
    patterns = [rf"\b(\d{{1,2}})\s+(?:{words_after})\b" if words_after else None]
    patterns.append(rf"\b(?:{markers})\s*(\d{{1,2}})\b" if markers else None)
    for pattern in filter(None, patterns):
        found = re.search(pattern, utt.folded)
        if found is not None:
            return int(found.group(1))
    return None


def _document(utt: Utterance, slot: dict[str, Any]) -> str | None:
    prefixes = tuple(p.upper() for p in slot.get("prefixes", ()))
    return next((n for n in utt.document_numbers if n.upper().startswith(prefixes)), None)


def _recurrence(utt: Utterance, slot: dict[str, Any]) -> dict[str, str] | None:
    found = find_schedule(utt.text, utt.folded)
    return None if found is None else {"rrule": found.rrule, "said": found.said, "at": found.at}


def _threshold(utt: Utterance, slot: dict[str, Any]) -> dict[str, Any] | None:
    found = find_threshold(utt.text, utt.folded)
    if found is None:
        return None
    return {"product": found.product, "below": found.below, "unit": found.unit, "said": found.said}


ARTICLE = phrasing("leading_article")
# How long, said after what is named (« mets-la en pause pour l'instant »): never a name.
FOR_A_WHILE = phrasing("for_a_while")


def _rest(utt: Utterance, slot: dict[str, Any]) -> str | None:
    """The words after the first of ``markers``, without their article (« mets en pause
    la relance » → « relance »)."""
    for marker in slot.get("markers", ()):
        end = "" if marker.endswith("'") else r"(?![\w])"  # « parce qu'ils … »
        found = re.search(rf"(?<![\w]){re.escape(marker)}{end}", utt.folded)
        if found is None:
            continue
        # the clause of the marker only (« …, je vais voyager » is said of something else)
        rest = re.split(r"[,;.!?]", utt.text[found.end() :], maxsplit=1)[0].strip()
        article = ARTICLE.match(fold(rest))
        rest = rest[article.end() :] if article is not None else rest
        for until in slot.get("until", ()):  # « décale l'envoi du CA au mardi »
            rest = re.split(rf"(?i)\s+{until}\s", rest, maxsplit=1)[0]
        while lasting := FOR_A_WHILE.search(fold(rest)):
            rest = rest[: lasting.start()]
        return rest.strip(" ,.!?") or None
    return None


def _clock(at: re.Match[str]) -> str:
    hour = 12 if at.group("noon") else 0 if at.group("midnight") else int(at.group("h"))
    return f"{hour:02d}:{int(at.group('m') or 0):02d}"


def _weekday(utt: Utterance, slot: dict[str, Any]) -> date | None:
    """Of the days said (not a time alone), the last (« décale … au mardi à 9h »), or with
    ``from``, the first of two (« le rappel du lundi au mardi », « le lundi c'est trop … »)."""
    said = [d for d in utt.dates if not ONLY_A_TIME.fullmatch(fold(d.text))]
    days = [day for d in said for day in dict.fromkeys((d.first, d.last))]
    if slot.get("from"):
        return days[0] if len(days) > 1 else None
    return days[-1] if days else None


def _day(utt: Utterance, slot: dict[str, Any]) -> Any:
    """The first date said, before any of ``not_after`` (« …, parce qu'ils ferment jusqu'en
    mars »: a date in the reason is no date of the record)."""
    ends = [
        found.start()
        for marker in slot.get("not_after", ())
        if (found := re.search(rf"(?<![\w]){re.escape(marker)}", utt.folded)) is not None
    ]
    end = min(ends, default=len(utt.folded))
    return next((d.first for d in utt.dates if d.start < end), None)


def _delay(utt: Utterance, slot: dict[str, Any]) -> dict[str, Any] | None:
    found = find_delay(utt.text, utt.folded)
    return None if found is None else {"days": found[0], "said": found[1]}


def _reminder(utt: Utterance, slot: dict[str, Any]) -> str | None:
    return find_reminder(utt.text, utt.folded, find_schedule(utt.text, utt.folded))


READERS: dict[str, Reader] = {
    "name": _name,
    "lookup": _lookup,
    "choice": _choice,
    "flag": _flag,
    "period_start": lambda utt, slot: utt.dates[0].first if utt.dates else None,
    "period_end": lambda utt, slot: utt.dates[0].last if utt.dates else None,
    "last_day": lambda utt, slot: utt.dates[-1].last if utt.dates else None,
    "day": _day,
    "days": _days,
    "count": _count,
    "document": _document,
    "product": lambda utt, slot: product_in(utt),
    "stage": lambda utt, slot: next(
        (v for said, v in pairs("deal_stages") if has(utt, *said)), None
    ),
    "place": lambda utt, slot: warehouse_in(utt, tuple(slot.get("markers", ()))),
    "recurrence": _recurrence,
    "threshold": _threshold,
    "reminder": _reminder,
    "rest": _rest,
    "weekday": _weekday,
    # « à 9h »: the time of day said
    "clock": lambda utt, slot: (at := TIME.search(utt.folded)) and _clock(at),
    "delay": _delay,
    "text": lambda utt, slot: " ".join(utt.text.split()) if len(utt.text.strip()) >= 2 else None,
    "part": lambda utt, slot: next((w for w in slot["words"] if w in utt.folded), None),
    "file": lambda utt, slot: (found := FILE.search(utt.text)) and found.group(1),
}


def extractor(slots: dict[str, dict[str, Any]]) -> Callable[[Utterance], dict[str, Any]]:
    """The extraction a declaration describes: each slot read, what is not said left out."""
    unknown = {s.get("kind") for s in slots.values()} - set(READERS)
    if unknown:
        raise ValueError(f"unknown slot kinds: {sorted(str(k) for k in unknown)}")

    def extract(utt: Utterance) -> dict[str, Any]:
        said = {name: READERS[slot["kind"]](utt, slot) for name, slot in slots.items()}
        return {name: value for name, value in said.items() if value is not None}

    return extract


def declared(
    adapters: dict[str, Adapter],
    declarations: Iterable[tuple[str, dict[str, Any] | None, dict[str, str] | None]],
) -> dict[str, Adapter]:
    """``adapters`` with the declared ones: an intent with ``slots`` gets the generic
    extractor, and its ``ask`` questions come before any the code gives."""
    merged = dict(adapters)
    for tool, slots, ask in declarations:
        adapter = merged.get(tool)
        if slots is not None:
            adapter = Adapter(tool, extractor(slots), ask={**(ask or {})})
        elif adapter is not None and ask:
            adapter = replace(adapter, ask={**ask, **adapter.ask})
        if adapter is not None:
            merged[tool] = adapter
    return merged


@cache
def every_adapter() -> dict[str, Adapter]:
    """Every adapter, written in code or declared with its intent, by tool name."""
    from agents.local.adapters import all_adapters
    from agents.local.router import load_intents

    return declared(all_adapters(), ((s.name, s.slots, s.ask) for s in load_intents()))
