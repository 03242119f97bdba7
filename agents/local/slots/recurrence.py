"""French recurrences and conditions, for rules a member defines in chat.

- ``find_schedule``: « chaque lundi à 8h », « tous les jours à 18h30 », « tous les 1er du
  mois », « le 15 de chaque mois », « chaque matin », « du lundi au vendredi à 9h »,
  « toutes les semaines » → an RFC 5545 RRULE in local time (``FREQ=WEEKLY;BYDAY=MO;
  BYHOUR=8;BYMINUTE=0``), with the words that said it and the time of day. A day said
  without a time is at 08:00 (« chaque soir »: 18:00) — the read-back shows it before
  anything is stored.
- ``find_threshold``: « quand le riz brisé passe sous 20 sacs », « dès qu'il reste moins
  de 5 cartons de lait » → the product as said, the quantity and its unit.
- ``find_reminder``: the text of « rappelle-moi chaque lundi de vérifier les impayés »
  (« vérifier les impayés »).

Every function reads the folded message (same offsets as the text) and returns None when
the words are not there or not understood: a recurrence half read is no recurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from agents.local.slots.calendar import DAY_WORDS, WEEKDAYS
from domain.kit.lexicon import phrasing
from domain.kit.text import fold

CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = "|".join(WEEKDAYS)
EVERY = r"(?:chaque|tous les|toutes les|tout les|les)"
HOUR = (
    r"(?:(?:a|vers|des)\s+)?(?:(?P<h>\d{1,2})\s*(?:h|heures?|:)\s*(?P<m>\d{2})?"
    r"|(?P<noon>midi)|(?P<midnight>minuit))"
)
PART_OF_DAY = {"matin": 8, "matins": 8, "soir": 18, "soirs": 18, "midi": 12, "apres-midi": 14}
DAY_OF_MONTH = r"(?P<dom>\d{1,2}|1er|premier|dernier jour|[a-z-]+)"

WEEKLY = re.compile(rf"\b{EVERY}\s+(?P<days>(?:(?:{DAY_NAMES})s?(?:\s*(?:,|et)\s*)?)+)")
WORKDAYS = phrasing("workdays")
DAILY = re.compile(
    rf"\b(?:{EVERY}\s+(?:jours?|(?P<part>matins?|soirs?))|quotidiennement|chaque jour)\b"
)
EVERY_WEEK = re.compile(rf"\b(?:{EVERY}\s+semaines?|chaque semaine|hebdomadairement)\b")
MONTHLY = re.compile(
    rf"\b(?:{EVERY}\s+|le\s+){DAY_OF_MONTH}\s+(?:du mois|de chaque mois|de tous les mois"
    r"|de chaque mois|du mois prochain)\b"
)
EVERY_MONTH = re.compile(rf"\b(?:{EVERY}\s+mois|chaque mois|mensuellement)\b")
TIME = re.compile(rf"(?<![\w]){HOUR}(?![\w])")
PART = re.compile(r"\b(?:le |au |en )?(matin|soir|apres-midi)\b")


@dataclass(frozen=True, slots=True)
class Schedule:
    rrule: str
    at: str  # "08:00"
    said: str  # the words, as written
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Threshold:
    product: str
    below: Decimal
    unit: str | None
    said: str


def _time(folded: str, start: int, default: int) -> tuple[int, int, int] | None:
    """The time said right after ``start`` (within a few words): hour, minute, end; the
    default hour when none is said; None for a time that does not exist (« 25h »)."""
    window = folded[start : start + 24]
    found = TIME.search(window)
    if found is not None and not window[: found.start()].strip(" ,"):
        if found.group("noon") or found.group("midnight"):
            return (12 if found.group("noon") else 0), 0, start + found.end()
        hour, minute = int(found.group("h")), int(found.group("m") or 0)
        if hour > 23 or minute > 59:
            return None
        return hour, minute, start + found.end()
    part = PART.match(window.lstrip(" ,"))
    if part is not None:
        skipped = len(window) - len(window.lstrip(" ,"))
        return PART_OF_DAY[part.group(1)], 0, start + skipped + part.end()
    return default, 0, start


def _day_of_month(word: str) -> int | None:
    if word in ("1er", "premier"):
        return 1
    if word == "dernier jour":
        return -1
    value = int(word) if word.isdigit() else DAY_WORDS.get(word)
    return value if value is not None and 1 <= value <= 31 else None


def _base(folded: str) -> tuple[str, int, int, int] | None:
    """The recurrence's frequency part (without the time): RRULE head, default hour,
    start and end of the words — or None."""
    if found := WORKDAYS.search(folded):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 8, found.start(), found.end()
    if found := WEEKLY.search(folded):
        days = re.findall(DAY_NAMES, found.group("days"))
        codes = ",".join(dict.fromkeys(CODES[WEEKDAYS[d]] for d in days))
        return f"FREQ=WEEKLY;BYDAY={codes}", 8, found.start(), found.end()
    if found := MONTHLY.search(folded):
        day = _day_of_month(found.group("dom"))
        if day is None:
            return None
        return f"FREQ=MONTHLY;BYMONTHDAY={day}", 8, found.start(), found.end()
    if found := DAILY.search(folded):
        part = found.group("part") or ""
        return "FREQ=DAILY", PART_OF_DAY.get(part, 8), found.start(), found.end()
    if found := EVERY_WEEK.search(folded):
        return "FREQ=WEEKLY;BYDAY=MO", 8, found.start(), found.end()
    if found := EVERY_MONTH.search(folded):
        return "FREQ=MONTHLY;BYMONTHDAY=1", 8, found.start(), found.end()
    return None


# « plutôt 7h », « à 8h30, avant l'ouverture »: a time of day said alone, maybe with an
# aside after a comma.
ONLY_A_TIME = re.compile(rf"(?:plutot\s+)?{HOUR}(?![\w])\s*(?:,[^\d]*)?")


def at_another_time(said: str, correction: str) -> str | None:
    """The words of a schedule (« chaque samedi à 9h ») with the time a correction says
    alone (« plutôt 7h ») in place of its own: « chaque samedi à 7h »; None when the
    correction says more than a time or the schedule said none."""
    folded = fold(said)
    new = ONLY_A_TIME.fullmatch(fold(correction).strip(" .!"))
    old = TIME.search(folded)
    if new is None or old is None:
        return None
    hour = new.group("h") and f"{new.group('h')}h{new.group('m') or ''}"
    at = hour or new.group("noon") or new.group("midnight")
    words = said if len(said) == len(folded) else folded  # its own spelling when it maps
    return f"{words[: old.start()].rstrip()} à {at}{words[old.end() :]}"


def find_schedule(text: str, folded: str) -> Schedule | None:
    """The recurrence the message says, or None (see the module docstring)."""
    base = _base(folded)
    if base is None:
        return None
    head, default, start, end = base
    at = _time(folded, end, default)
    if at is None:
        return None
    hour, minute, end = at
    if end == base[3]:  # the time may come first: « à 8h chaque lundi »
        before = TIME.search(folded[max(0, start - 14) : start])
        if before is not None and before.group("h"):
            hour, minute = int(before.group("h")), int(before.group("m") or 0)
            if hour > 23 or minute > 59:
                return None
            start = max(0, start - 14) + before.start()
    rrule = f"{head};BYHOUR={hour};BYMINUTE={minute}"
    return Schedule(rrule, f"{hour:02d}:{minute:02d}", text[start:end].strip(), start, end)


THRESHOLD = phrasing("threshold")
REMAINS = phrasing("remains")


def _singular(unit: str | None) -> str | None:
    if not unit:
        return None
    return unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit


def find_threshold(text: str, folded: str) -> Threshold | None:
    """« quand le riz brisé passe sous 20 sacs » → riz brisé, 20, sac."""
    found = THRESHOLD.search(folded) or REMAINS.search(folded)
    if found is None:
        return None
    item = text[found.start("item") : found.end("item")].strip(" ,'")
    if not item:
        return None
    below = Decimal(found.group("n").replace(",", "."))
    return Threshold(item, below, _singular(found.group("unit")), text[found.start() : found.end()])


_LATE = r"(?:de retard|d'impaye|apres (?:l'|leur |son |sa |la date d'|la date de l')?echeance)"
DELAY = re.compile(
    r"\b(?:apres|au bout de|passe|au-dela de|a)\s+(?P<n>\d{1,3})\s*"
    rf"(?P<unit>jours?|semaines?|mois)(?:\s+{_LATE})?\b"
    # « 15 jours après l'échéance », « 10 jours de retard »: the lateness said after
    rf"|\b(?P<n_late>\d{{1,3}})\s*(?P<unit_late>jours?|semaines?|mois)\s+{_LATE}"
    # « impayée depuis 15 jours », « échues depuis plus de 10 jours »: unpaid for that long
    r"|\b(?:impayee?s?|en retard|echue?s?|(?:non|pas|pas ete) (?:reglee?s?|payee?s?))"
    r"\s+depuis\s+(?:plus de\s+)?(?P<n_since>\d{1,3})\s*(?P<unit_since>jours?|semaines?|mois)\b"
)
PER_UNIT = {"jour": 1, "semaine": 7, "mois": 30}


def find_delay(text: str, folded: str) -> tuple[int, str] | None:
    """« après 15 jours », « au bout de 2 semaines », « 15 jours après l'échéance » (of
    being overdue): days, and the words as written."""
    found = DELAY.search(folded)
    if found is None:
        return None
    n, unit = (
        found.group("n") or found.group("n_late") or found.group("n_since"),
        found.group("unit") or found.group("unit_late") or found.group("unit_since"),
    )
    unit = unit if unit == "mois" else unit.rstrip("s")
    return int(n) * PER_UNIT[unit], text[found.start() : found.end()]


REMINDER = phrasing("reminder_asked")
REMINDER_OBJECT = re.compile(r"^(?:de |d'|a |qu')\s*(?P<text>.+)$")


def find_reminder(text: str, folded: str, schedule: Schedule | None) -> str | None:
    """What to be reminded of: the words after « rappelle-moi [quand] de », without the
    recurrence's own words."""
    if schedule is not None:
        blank = " " * (schedule.end - schedule.start)
        folded = folded[: schedule.start] + blank + folded[schedule.end :]
        text = text[: schedule.start] + blank + text[schedule.end :]
    found = REMINDER.search(folded)
    if found is None:
        return None
    rest_start = found.start("rest")
    rest = folded[rest_start:]
    skipped = len(rest) - len(rest.lstrip(" ,"))
    obj = REMINDER_OBJECT.match(rest.lstrip(" ,"))
    if obj is None:
        return None
    begin = rest_start + skipped + obj.start("text")
    said = " ".join(text[begin:].split()).strip(" .!?")
    return said or None
