"""Calendar arithmetic and French calendar words used by the date parser."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

from domain.kit.lexicon import lexicon

WEEKDAYS: dict[str, int] = {w: i for i, w in enumerate(lexicon()["calendar"]["weekdays"])}
MONTHS: dict[str, int] = {m: i for i, m in enumerate(lexicon()["calendar"]["months"], 1)}
MONTH_ABBREVIATIONS: dict[str, int] = lexicon()["calendar"]["month_abbreviations"]

_UNITS: list[str] = lexicon()["calendar"]["day_units"]


def _day_words() -> dict[str, int]:
    words = {word: value for value, word in enumerate(_UNITS, start=1)}
    words["premier"] = 1
    words["une"] = 1
    for tens, base in (("vingt", 20), ("trente", 30)):
        words[tens] = base
        words[f"{tens}-et-un"] = base + 1
        words[f"{tens} et un"] = base + 1
        if base == 20:
            for value, word in enumerate(_UNITS[1:9], start=2):
                words[f"vingt-{word}"] = base + value
    return words


DAY_WORDS = _day_words()


def day_number(word: str) -> int | None:
    word = word.strip()
    if word in DAY_WORDS:
        return DAY_WORDS[word]
    if word.endswith("er"):
        word = word[:-2]
    if word.isdigit():
        return int(word)
    return DAY_WORDS.get(" ".join(word.replace("-", " - ").split()).replace(" - ", "-"))


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# A calendar unit's length: in days up to the week, in months beyond.
UNIT_DAYS = {"jour": 1, "journee": 1, "semaine": 7}
UNIT_MONTHS = {"mois": 1, "trimestre": 3, "an": 12, "annee": 12}


def shifted(day: date, unit: str, count: int) -> date:
    """``day`` moved by ``count`` units (« jours », « semaine », « mois », « ans »…; back
    when negative): « dans 3 semaines », « il y a 2 ans », « le trimestre d'avant »."""
    unit = unit if unit == "mois" else unit.removesuffix("s")
    if unit in UNIT_DAYS:
        return day + timedelta(days=UNIT_DAYS[unit] * count)
    return add_months(day, UNIT_MONTHS[unit] * count)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_weekday(today: date, weekday: int, *, include_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + timedelta(days=ahead)


def previous_weekday(today: date, weekday: int) -> date:
    back = (today.weekday() - weekday) % 7 or 7
    return today - timedelta(days=back)


def quarter(year: int, number: int) -> tuple[date, date]:
    first_month = 3 * (number - 1) + 1
    return date(year, first_month, 1), month_end(year, first_month + 2)


def last_working_day(start: date, days: int) -> date:
    """The day on which ``days`` working days counted from ``start`` (included) end, Monday
    to Friday: « 3 jours à partir du lundi 14 » ends on Wednesday 16, from a Thursday on the
    next Monday. Public holidays are the HR domain's business: it counts them out of the
    request and says how many days the request takes."""
    day, counted = start, 1 if start.weekday() < 5 else 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def working_day_before(day: date) -> date:
    """The last working day (Monday to Friday) before ``day``: « il reprend lundi » after
    an absence that ended on the Friday."""
    before = day - timedelta(days=1)
    while before.weekday() >= 5:
        before -= timedelta(days=1)
    return before
