"""Single date expressions (« demain », « le 3 mars », « la semaine prochaine »…) found in
folded text; ``dates`` glues them into spans (« du lundi au mercredi »)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from agents.local.slots.calendar import (
    DAY_WORDS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    WEEKDAYS,
    add_months,
    day_number,
    make_date,
    month_end,
    next_weekday,
    previous_weekday,
    quarter,
    shifted,
    week_start,
)
from domain.kit.lexicon import lexicon, phrasing


@dataclass(slots=True)
class Atom:
    start: int
    end: int
    first: date
    last: date
    at: time | None = None
    weekday: int | None = None  # a plain weekday (« mercredi »): re-resolved as a range end
    bare_day: bool = False  # « le 3 », « du 3 au… »: month borrowed from the other end
    explicit_month: bool = False  # « 7 mars », « 03/03 »: its month may be lent
    weekday_said: int | None = None  # « lundi 4 »: the weekday said with the day number
    part: str | None = None  # "matin", "midi", "apres-midi", "soir"


_WD = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
_MONTH_ANY = "|".join(sorted([*MONTHS, *MONTH_ABBREVIATIONS], key=len, reverse=True))
_DAY_WORD = "|".join(
    sorted((w.replace("-", "[\\s-]").replace(" ", "[\\s-]+") for w in DAY_WORDS), key=len)[::-1]
)
_DAY = rf"(?:1er|\d{{1,2}}|{_DAY_WORD})"
_SMALL = rf"(?:\d{{1,3}}|{_DAY_WORD}|une)"
_B = r"(?<![\w'-])"
_E = r"(?![\w'])"
# « janvier-mars »: a month right after another month's last letters and a hyphen
_AFTER_MONTH = r"(?<=(?:er|rs|il|ai|in|et|ut|re)-)"
TIME = (
    r"(?:(?P<h>\d{1,2})\s?(?:h|heures?)(?:\s?(?P<m>\d{2}))?(?![\w])"
    r"|(?P<h2>\d{1,2}):(?P<m2>\d{2})(?!\d))"
)

Resolver = Callable[[re.Match[str], date], Atom | None]


def _atom(
    match: re.Match[str], first: date | None, last: date | None = None, **marks: Any
) -> Atom | None:
    if first is None:
        return None
    return Atom(match.start(), match.end(), first, last or first, **marks)


def _month_of(word: str) -> int:
    word = word.rstrip(".")
    return MONTHS.get(word) or MONTH_ABBREVIATIONS[word]


def _iso(m: re.Match[str], today: date) -> Atom | None:
    return _atom(m, make_date(int(m["y"]), int(m["mo"]), int(m["d"])))


def _year(raw: str | None, today: date) -> int:
    if not raw:
        return today.year
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _numeric(m: re.Match[str], today: date) -> Atom | None:
    day = make_date(_year(m["y"], today), int(m["mo"]), int(m["d"]))
    return _atom(m, day, explicit_month=True)


def _day_month(m: re.Match[str], today: date) -> Atom | None:
    day = make_date(_year(m["y"], today), _month_of(m["mo"]), day_number(m["d"]) or 0)
    return _atom(m, day, explicit_month=True)


def _weekday_day(m: re.Match[str], today: date) -> Atom | None:
    """« mardi 21 »: the 21st of the nearest month (this one, the next, the previous…) where
    the 21st is a Tuesday; the month is then known. A day that no nearby month makes that
    weekday is read as in this month, its month borrowed from the other end of a range
    (« du lundi 6 au vendredi 10 avril »)."""
    day, weekday = day_number(m["d"]) or 0, WEEKDAYS[m["wdd"]]
    for shift in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6):
        month = add_months(today.replace(day=1), shift)
        found = make_date(month.year, month.month, day)
        if found is not None and found.weekday() == weekday:
            return _atom(
                m, found, explicit_month=bool(shift), bare_day=not shift, weekday_said=weekday
            )
    return _atom(m, make_date(today.year, today.month, day), bare_day=True, weekday_said=weekday)


def _edge(m: re.Match[str], today: date) -> Atom | None:
    """« fin mars », « début du mois prochain », « mi-avril », « fin d'année »."""
    if m["mo"]:
        first = date(_year(m["y"], today), _month_of(m["mo"]), 1)
        last = month_end(first.year, first.month)
    elif m["unit"].endswith("annee"):
        first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    else:
        shift = {"prochain": 1, "suivant": 1, "dernier": -1, "passe": -1}.get(m["dir"] or "", 0)
        first = add_months(today.replace(day=1), shift)
        last = month_end(first.year, first.month)
    middle = first.replace(day=15) if first.month == last.month else date(first.year, 6, 30)
    return _atom(m, {"fin": last, "debut": first}.get(m["edge"], middle))


def _month(m: re.Match[str], today: date) -> Atom | None:
    year, month = _year(m["y"], today), _month_of(m["mo"])
    return _atom(m, date(year, month, 1), month_end(year, month))


def _weekday(m: re.Match[str], today: date) -> Atom | None:
    # « lundi et mardi prochains »: the plural qualifies each weekday of the list alike
    weekday = WEEKDAYS[m["wd"]]
    direction = [w.removesuffix("s") for w in (m["dir"] or "").split()]
    if direction and direction[0] in ("prochain", "suivant", "d'apres") or "prochaine" in direction:
        day = week_start(today) + timedelta(days=7 + weekday)
    elif direction and direction[0] in ("dernier", "passe") or "derniere" in direction:
        day = previous_weekday(today, weekday)
    elif "cette" in direction:
        day = week_start(today) + timedelta(days=weekday)
    elif direction and direction[0] == "en":  # « lundi en huit »
        day = next_weekday(today, weekday, include_today=False) + timedelta(days=7)
    else:
        day = next_weekday(today, weekday, include_today=bool(m["this"]))
    atom = _atom(m, day)
    if atom is not None and not direction and not m["this"]:
        atom.weekday = weekday
    return atom


_RELATIVE: dict[str, list[Any]] = lexicon()["calendar"]["relative_days"]


def _relative(m: re.Match[str], today: date) -> Atom | None:
    shift, part = _RELATIVE[" ".join(m["rel"].split())]
    return _atom(m, today + timedelta(days=shift), part=part)


def _window(m: re.Match[str], today: date) -> Atom | None:
    """« les 3 prochains mois », « les 7 derniers jours », « les 2 semaines à venir »: from
    today to that far ahead, or from that far back to today."""
    count = day_number(m["n"])
    if not count:
        return None
    past = (m["dir"] or "").startswith(("dernier", "passe"))
    other = shifted(today, m["unit"] or m["unit2"], -count if past else count)
    return _atom(m, other, today) if past else _atom(m, today, other)


def _offset(m: re.Match[str], today: date) -> Atom | None:
    count = day_number(m["n"])
    if count is None:
        return None
    sign = -1 if m["dir"].startswith("il") else 1
    return _atom(m, shifted(today, m["unit"], sign * count))


def _shift(word: str | None) -> int | None:
    if not word:
        return 0
    word = word.split()[0]
    if word.startswith(("prochain", "suivant", "d'apres")):
        return 1
    if word.startswith(("dernier", "derniere", "passe", "precedent")):
        return -1
    return 0


def _week(m: re.Match[str], today: date) -> Atom | None:
    if m["d"]:  # « la semaine du 9 mars »: the week holding that day
        month = _month_of(m["mo"]) if m["mo"] else today.month
        day = make_date(today.year, month, day_number(m["d"]) or 0)
        return _atom(m, week_start(day), week_start(day) + timedelta(days=6)) if day else None
    if m["det"] != "cette" and not m["dir"]:
        return None
    start = week_start(today) + timedelta(days=7 * (_shift(m["dir"]) or 0))
    return _atom(m, start, start + timedelta(days=6))


def _month_relative(m: re.Match[str], today: date) -> Atom | None:
    if m["det"] != "ce" and not m["dir"]:
        return None
    first = add_months(today.replace(day=1), _shift(m["dir"]) or 0)
    return _atom(m, first, month_end(first.year, first.month))


def _year_span(m: re.Match[str], today: date) -> Atom | None:
    if m["n"]:
        year = int(m["n"])
    else:
        year = today.year + (_shift(m["dir"]) or 0)
    return _atom(m, date(year, 1, 1), date(year, 12, 31))


_ORDINALS: dict[str, int] = lexicon()["calendar"]["ordinals"]


def _quarter(m: re.Match[str], today: date) -> Atom | None:
    year = _year(m["y"], today)
    if m["n"]:
        number = int(m["n"])
    elif m["ord"]:
        number = _ORDINALS.get(m["ord"], 0)
        if m["ord"] == "dernier":
            number = 4
            # « le dernier trimestre » with no year nor « de l'année » is the last complete
            # one, as « le trimestre dernier »; with them it is the fourth.
            if not m["y"] and not re.match(
                r"\s+de\s+(?:l'annee|cette\s+annee)", m.string[m.end() :]
            ):
                year, number = (year, (today.month - 1) // 3) if today.month > 3 else (year - 1, 4)
    else:
        current = (today.month - 1) // 3 + 1 + (_shift(m["dir"]) or 0)
        year += (current - 1) // 4
        number = (current - 1) % 4 + 1
    first, last = quarter(year, number)
    return _atom(m, first, last)


def _bare(m: re.Match[str], today: date) -> Atom | None:
    atom = _atom(m, make_date(today.year, today.month, day_number(m["d"]) or 0))
    if atom is not None:
        atom.bare_day = True
        if not m.group(0).startswith("le"):
            atom.start = m.start("d")  # « du 3 au 7 mars »: « du » belongs to the range
    return atom


def time_of(m: re.Match[str]) -> time | None:
    hour, minute = m["h"] or m["h2"], m["m"] or m["m2"] or "0"
    if hour is None:
        return None
    if int(hour) > 23 or int(minute) > 59:
        return None
    return time(int(hour), int(minute))


# « pendant 2h », « a travaillé 8h », « 3h de travail », « 2h sup »: durations, not times
_DURATION_BEFORE = phrasing("duration_before")
_DURATION_AFTER = re.compile(r"\s*(?:de\s+(?:travail|boulot|retard|pause)|sup|supp?lementaires?)\b")
_COUNTED_AFTER = re.compile(r"\s*(?:de\s+|d')[a-z]")


def _clock(m: re.Match[str], today: date) -> Atom | None:
    before = m.string[max(0, m.start() - 16) : m.start()]
    if _DURATION_BEFORE.search(before) or _DURATION_AFTER.match(m.string, m.end()):
        return None
    if not m["prep"] and _COUNTED_AFTER.match(m.string, m.end()):
        return None  # « 8h de travaux de rénovation », « 3h d'installation »: what is counted
    if (m["noon"] or "heure" in m.group(0)) and not m["prep"]:
        return None  # « midi » alone is a half day, « 8 heures » alone a duration
    if m["noon"]:
        at: time | None = time(12) if m["noon"] == "midi" else time(0)
    else:
        at = time_of(m)
    atom = _atom(m, today)
    if atom is None or at is None:
        return None
    atom.at = at
    return atom


def _current(m: re.Match[str], today: date) -> Atom | None:
    unit = m["unit"] or m["u2"] or m["u3"]
    starts = {"jour": today, "semaine": week_start(today), "mois": today.replace(day=1)}
    first = starts.get(unit, date(today.year, 1, 1))
    return _atom(m, first, shifted(first, unit, 1) - timedelta(days=1))


def _weekend(m: re.Match[str], today: date) -> Atom | None:
    saturday = week_start(today) + timedelta(days=5 + 7 * (_shift(m["dir"]) or 0))
    return _atom(m, saturday, saturday + timedelta(days=1))


PATTERNS: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(rf"{_B}(?P<y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<d>\d{{1,2}})(?![\w-])"), _iso),
    (
        re.compile(
            rf"(?<![\w/.,]){_B}(?P<d>\d{{1,2}})/(?P<mo>\d{{1,2}})(?:/(?P<y>\d{{4}}|\d{{2}}))?(?![\w/])"
        ),
        _numeric,
    ),
    (
        re.compile(
            rf"{_B}(?:le\s+)?(?:(?:{_WD})\s+)?(?:le\s+)?(?P<d>{_DAY})\s+(?P<mo>{_MONTH_ANY})\.?{_E}"
            rf"(?:\s+(?P<y>\d{{4}}){_E})?"
        ),
        _day_month,
    ),
    (
        re.compile(
            rf"{_B}(?:le\s+)?(?P<wdd>{_WD})\s+(?:le\s+)?(?P<d>1er|\d{{1,2}})"
            r"(?![\d:/]|\s*(?:h|heures?)(?![a-z]))"
        ),
        _weekday_day,
    ),
    (
        re.compile(
            rf"{_B}(?P<edge>fin|debut|mi|milieu)(?:\s*-\s*|\s+)(?:(?:du|de|d')\s*)?"
            rf"(?:(?P<mo>{_MONTH}){_E}(?:\s+(?P<y>\d{{4}}){_E})?"
            rf"|(?P<unit>mois|l'annee|annee){_E}(?:\s+(?P<dir>prochain|suivant|dernier|passe){_E})?)"
        ),
        _edge,
    ),
    (
        re.compile(
            rf"(?:{_B}|{_AFTER_MONTH})"
            rf"(?:(?:en|au\s+mois\s+d[e']|du\s+mois\s+d[e']|le\s+mois\s+d[e']|mois\s+d[e']|d')\s*)?"
            rf"(?P<mo>{_MONTH}){_E}(?:\s+(?P<y>\d{{4}}){_E})?"
        ),
        _month,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<this>ce|cet)\s+)?(?P<wd>{_WD}){_E}"
            r"(?:\s+(?P<dir>prochains?|suivants?|d'apres|qui\s+vient|derniers?|passes?|en\s+huit"
            r"|de\s+la\s+semaine\s+(?:prochaine|derniere|passee)|de\s+cette\s+semaine)(?![\w']))?"
        ),
        _weekday,
    ),
    (
        re.compile(
            # « d'aujourd'hui jusqu'à vendredi », « à partir d'après-demain »: after « d' »
            rf"(?:{_B}|(?<=(?<![\w'-])d')(?=aujourd'?hui\s*,?\s*(?:jusqu|au\s|a\s)|apres|avant))"
            r"(?P<rel>aujourd'hui|aujourdhui|auj|ajd|apres[\s-]demain|avant[\s-]hier|demain"
            r"|hier|ce\s+soir|ce\s+matin|cet\s+apres[\s-]midi|ce\s+midi|cette\s+nuit)(?![\w'])"
        ),
        _relative,
    ),
    (
        re.compile(
            rf"{_B}(?:(?:dans|sur|pour|pendant|durant)\s+)?(?:les|ces|des)\s+(?P<n>{_SMALL})\s+"
            r"(?:(?P<dir>prochaine?s|derniere?s|passee?s)\s+(?P<unit>jours|semaines|mois)"
            r"|(?P<unit2>jours|semaines|mois)\s+(?:a\s+venir|qui\s+viennent))(?![\w'])"
        ),
        _window,
    ),
    (
        re.compile(
            rf"{_B}(?P<dir>dans|il\s+y\s+a|d'ici)\s+(?P<n>{_SMALL})\s+"
            r"(?P<unit>jours?|semaines?|mois|ans?|annees?)(?![\w'])"
        ),
        _offset,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<det>cette|la)\s+)?semaine(?:-ci|\s+ci)?"
            r"(?:\s+(?P<dir>prochaine|suivante|d'apres|derniere|passee|precedente|en\s+cours)"
            # « la semaine du 23 au 27 mars » is the days said, not the whole week
            rf"|\s+du\s+(?P<d>{_DAY})(?:\s+(?P<mo>{_MONTH_ANY})\.?)?"
            r"(?!\s*(?:au|a|jusqu'au|-)\s))?(?![\w'])"
        ),
        _week,
    ),
    (
        re.compile(
            rf"{_B}(?:ce|le|du|cette)\s+(?:week[\s-]?end|weekend|we)"
            r"(?:\s+(?P<dir>prochain|dernier|passe))?(?![\w'])"
        ),
        _weekend,
    ),
    (
        re.compile(
            rf"{_B}(?P<det>ce|le|du)\s+mois(?:-ci|\s+ci|\s+en\s+cours)?"
            r"(?:\s+(?P<dir>prochain|suivant|dernier|passe|precedent))?(?![\w'])"
        ),
        _month_relative,
    ),
    (
        re.compile(
            rf"{_B}(?:cette\s+annee(?:-ci)?|l'(?:annee|an)\s+(?P<dir>derniere|dernier|passee|passe"
            r"|prochaine|prochain|en\s+cours)|(?:en|l'annee|annee|de|sur|ca)\s+(?P<n>20\d\d)"
            r"(?!\s*(?:f|fcfa|cfa|francs?|euros?|€|xof|balles|sacs?|[\d,.]))(?![\w']))"
        ),
        _year_span,
    ),
    (
        re.compile(
            rf"{_B}(?:(?:(?P<ord>premier|1er|deuxieme|2e|2eme|second|troisieme|3e|3eme|quatrieme"
            r"|4e|4eme|dernier)\s+trimestre|t(?P<n>[1-4])(?![\w'])|(?:ce|le)\s+trimestre"
            r"(?:\s+(?P<dir>prochain|dernier|passe|precedent))?)(?:\s+(?P<y>20\d\d))?)(?![\w'])"
        ),
        _quarter,
    ),
    (
        re.compile(
            rf"{_B}(?:le|du|au|jusqu'au|depuis\s+le|des\s+le|a\s+partir\s+du)\s+(?P<d>1er|\d{{1,2}})"
            r"(?:\s+(?:du|de\s+ce)\s+mois(?:-ci)?)?"
            r"(?=\s*(?:$|[,;:.!?)]|(?:au|a|et|ou|jusqu'a|jusqu'au|matin|apres|midi|soir|pour"
            r"|prochain|dernier|inclus)(?![\w])))"
        ),
        _bare,
    ),
    (
        re.compile(
            r"(?<=\s)(?<![\w'-])(?:du\s+(?P<unit>jour|mois)|de\s+la\s+(?P<u2>semaine)"
            r"|de\s+l'(?P<u3>annee))(?!\s*(?:de|d'|du|prochaine?|derniere?|passee?|suivante?|en"
            r"|precedente?)(?![\w]))(?![\w'-])"
        ),
        _current,
    ),
    (
        re.compile(
            rf"{_B}(?:(?P<prep>a|vers|des|avant|apres|pour|jusqu'a)\s+)?(?:{TIME}"
            r"|(?P<noon>midi|minuit)(?![\w'-]))"
        ),
        _clock,
    ),
]
