"""Dates and date ranges.

Rules (``today`` is given; weeks run Monday → Sunday):
- « aujourd'hui », « demain », « après-demain », « hier », « avant-hier »; « ce soir » / « cet
  après-midi » (today, ``half_day_first``), « ce matin » (today, ``half_day_last``).
- A weekday alone (« lundi ») is the coming one, today excluded; « ce lundi » includes today.
  « lundi prochain » / « vendredi prochain » is that weekday in NEXT calendar week (on Wednesday
  4 March 2026, « vendredi » is 6 March and « vendredi prochain » 13 March). « mardi dernier »
  is the most recent past Tuesday, today excluded. « lundi de cette semaine » may be past.
  « lundi en huit » is a week after the coming Monday.
- « cette semaine », « la semaine prochaine », « la semaine dernière »: Monday → Sunday (the HR
  domain counts working days itself). « ce mois-ci », « le mois prochain », « le mois dernier »:
  whole months. « cette année », « l'année dernière », « en 2025 », « de 2025 », « CA 2025 »: years.
  « T1 », « premier trimestre », « ce trimestre »: whole quarters.
- « fin du mois » / « fin mars » → the last day; « début avril » / « début du mois prochain » →
  the 1st; « mi-mars » → the 15th; « fin d'année » → 31 December.
- « le 3 mars », « 3/03 », « 03/03/2026 », « 2026-03-03 », « lundi 9 mars »: a year left unsaid
  is the current one, even when that day has passed. « le 15 » is in the current month. « mars »,
  « en mars », « mars 2026 »: the whole month (current year unless said).
- « dans 3 jours », « dans deux semaines », « dans un mois », « il y a 3 jours »: one day.
  « les 3 prochains mois », « les 2 semaines à venir »: today → that day; « les 7 derniers
  jours », « des trois derniers mois »: that day → today.
- « du jour », « du mois », « de la semaine », « de l'année » (« ventes du mois »): the current
  period; « du mois dernier »: last month; « la semaine du 9 mars »: Monday → Sunday around it.
- Ranges: « du 3 au 7 mars », « du 28 février au 2 mars », « du lundi au mercredi », « entre le
  3 et le 7 », « lundi jusqu'à jeudi » give ONE span; the end is taken on or after the start
  (« du vendredi au mardi »). « jusqu'à jeudi » alone runs from today. « lundi et mardi » gives
  two spans; a qualifier after a list of weekdays qualifies each of them, in the week of the
  last one: « lundi et mardi prochains », « jeudi et vendredi de la semaine prochaine ».
- Times: « demain 14h », « demain à 9h30 », « 14:30 », « à midi »; a time alone (« 14h ») is
  today at that time. A time after « pendant », « en », « depuis », « a travaillé », or before
  « de travail », « sup », is a duration, not a date; so is « 8 heures » without « à »/« vers ».
- Half days: « mardi après-midi » → ``half_day_first``; « mardi matin » → ``half_day_last``;
  in a range the start may be « après-midi »/« midi » (``half_day_first``) and the end « matin »
  / « midi » (``half_day_last``): « jusqu'à jeudi midi ». « jeudi midi » alone is at 12:00.
Spans never overlap each other in the text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time, timedelta

from agents.local.slots.calendar import (
    MONTHS,
    UNIT_DAYS,
    UNIT_MONTHS,
    WEEKDAYS,
    add_months,
    make_date,
    month_end,
    shifted,
    week_start,
)
from agents.local.slots.date_atoms import PATTERNS, TIME, Atom, time_of
from agents.local.slots.numbers import Scan, make_scan
from agents.local.slots.types import DateSpan
from domain.kit.lexicon import phrasing

_SUFFIX_PART = phrasing("suffix_part")
_SUFFIX_TIME = re.compile(rf"\s*(?:,\s*)?(?:(?:a|vers|des|avant|apres|pour)\s+)?{TIME}")
_RANGE_START = phrasing("range_start")
_RANGE_GAP = re.compile(r"\s*(?:,\s*)?(?:au|a|jusqu'au|jusqu'a|jusqu'a\s+le|-|et|et\s+le)\s*")
_SINCE = re.compile(r"(?<![\w'])depuis(?:\s+le|\s+la|\s+l')?\s*$")
_UNTIL = re.compile(r"(?<![\w'])(?:jusqu'a|jusqu'au|jusque)\s*$")
_LIST_GAP = re.compile(r"\s*(?:,|et|,\s*et)\s*")
_HALF_YEAR = timedelta(days=183)
_YEAR = re.compile(r"\d{4}|\d/\d{1,2}/\d{2}(?!\d)")
_PARTS = {"matinee": "matin", "soiree": "soir", "apres midi": "apres-midi"}


def _candidates(folded: str, today: date) -> list[tuple[Atom, int]]:
    found = []
    for priority, (pattern, resolve) in enumerate(PATTERNS):
        for match in pattern.finditer(folded):
            try:
                atom = resolve(match, today)
            except (ValueError, OverflowError):  # « mars 0000 », « dans 999 ans » near year 1
                atom = None
            if atom is not None:
                found.append((atom, priority))
    return found


def _atoms(scan: Scan, today: date) -> list[Atom]:
    candidates = _candidates(scan.folded, today)
    candidates.sort(key=lambda c: (c[0].start, c[0].start - c[0].end, c[1]))
    chosen: list[Atom] = []
    for atom, _ in candidates:
        if chosen and atom.start < chosen[-1].end:
            continue
        if scan.free(atom.start, atom.end):
            chosen.append(atom)
    return chosen


def _share_qualifier(atoms: list[Atom], folded: str) -> None:
    """« lundi, mardi et mercredi prochains »: plain weekdays listed before a qualified one
    fall in the qualified one's week (when they come before it in that week)."""
    for i in range(len(atoms) - 2, -1, -1):
        plain, qualified = atoms[i], atoms[i + 1]
        if plain.weekday is None or qualified.weekday is not None:
            continue
        if (
            qualified.first != qualified.last
            or _LIST_GAP.fullmatch(folded[plain.end : qualified.start]) is None
        ):
            continue
        if plain.weekday >= qualified.first.weekday():
            continue
        day = week_start(qualified.first) + timedelta(days=plain.weekday)
        plain.first = plain.last = day
        plain.weekday = None  # now as qualified as its neighbour


def _share_month(atoms: list[Atom], folded: str) -> None:
    """« lundi 27 et mardi 28 avril », « le 3, le 4 et le 5 mai »: days listed without their
    month take the month of the day that ends the list (when they come before it)."""
    for i in range(len(atoms) - 2, -1, -1):
        plain, dated = atoms[i], atoms[i + 1]
        if plain.weekday_said is None and not plain.bare_day:
            continue
        if not dated.explicit_month or dated.first != dated.last:
            continue
        if _LIST_GAP.fullmatch(folded[plain.end : dated.start]) is None:
            continue
        # a day read in this month keeps its number whatever its weekday; a day whose month
        # was inferred from its weekday (« lundi 4 ») moves only where it is that weekday
        day = (
            _same_day_in(dated.first, plain.first.day)
            if plain.bare_day
            else _said_day_in(plain, dated.first)
        )
        if day is not None and day <= dated.first:
            plain.first = plain.last = day
            plain.explicit_month = dated.explicit_month


# A day said without its month (« le 4 », « du 4 », « lundi 4 »).
_DAY_ALONE = re.compile(rf"(?:le\s+)?(?:(?:{'|'.join(WEEKDAYS)})\s+)?(?:le\s+)?(?:1er|\d{{1,2}})")
# Between a month said first and its days: « mai, du 4 au 8 », « en juin : le 3 ».
_MONTH_GAP = phrasing("month_gap")


def _whole_month(atom: Atom) -> bool:
    return (
        atom.first.day == 1
        and (atom.first.year, atom.first.month) == (atom.last.year, atom.last.month)
        and atom.last == month_end(atom.first.year, atom.first.month)
    )


def _month_said_first(atoms: list[Atom], folded: str) -> dict[int, int]:
    """« en mai, du 4 au 8 », « le pont de mai, du lundi 4 au vendredi 8 »: days said
    without their month right after a month are days of that month, and that month is no
    span of its own (the days say which part of it). A day the month does not have, or not
    on the weekday said, is left as read: the month and the days then disagree.

    Returns where each moved day's span now starts (the month's start), by the day's start."""
    starts: dict[int, int] = {}
    kept: list[Atom] = []
    for i, month in enumerate(atoms):
        days = atoms[i + 1 : i + 2]
        if (
            days
            and _whole_month(month)
            and _MONTH_GAP.fullmatch(folded[month.end : days[0].start]) is not None
        ):
            if i + 2 < len(atoms) and _joins(folded, days[0], atoms[i + 2]):
                days.append(atoms[i + 2])
            moved = [
                _said_day_in(day, month.first)
                if _DAY_ALONE.fullmatch(folded[day.start : day.end])
                else None
                for day in days
            ]
            if all(moved):
                for day, when in zip(days, moved, strict=True):
                    day.first = day.last = when or day.first
                    day.bare_day, day.explicit_month = False, True
                starts[days[0].start] = month.start
                continue
        kept.append(month)
    atoms[:] = kept
    return starts


def _extend(atom: Atom, folded: str) -> None:
    """Absorb « matin », « après-midi », « à 14h » written after the day."""
    part = _SUFFIX_PART.match(folded, atom.end)
    if part is not None and atom.at is None:
        name = " ".join(part["part"].split())
        atom.part = _PARTS.get(name, name)
        atom.end = part.end()
    clock = _SUFFIX_TIME.match(folded, atom.end)
    if clock is not None and atom.at is None:
        at = time_of(clock)
        if at is not None:
            atom.at = at
            atom.end = clock.end()
    if atom.part == "midi" and atom.at is None:
        atom.at = time(12)


def _joins(folded: str, left: Atom, right: Atom) -> bool:
    gap = folded[left.end : right.start]
    if _RANGE_GAP.fullmatch(gap) is None:
        return False
    before = folded[max(0, left.start - 20) : left.start]
    word = gap.strip(" ,")
    if word.startswith("et"):
        return re.search(r"(?<![\w'])entre(?:\s+le)?\s*$", before) is not None
    # « janvier-mars »: a hyphen between two dates is a range
    return word.startswith("jusqu") or word == "-" or _RANGE_START.search(before) is not None


def _hyphened(folded: str, left: Atom, right: Atom) -> bool:
    return folded[left.end : right.start].strip() == "-"


def _said_day_in(atom: Atom, month_day: date) -> date | None:
    """The day of ``atom`` in the month of ``month_day``; None when that month has no such
    day or when it falls on another weekday than the one said (« lundi 4 »)."""
    day = _same_day_in(month_day, atom.first.day)
    if day is None or (atom.weekday_said is not None and day.weekday() != atom.weekday_said):
        return None
    return day


def _weekday_off(left: Atom, right: Atom) -> bool:
    """« du mardi 6 au vendredi 10 avril » when the 6th of April is a Monday: the weekday
    said and the month said disagree, in that month and the one before. The two ends are
    left apart (two spans): which days are meant is for the reader to ask."""
    if left.weekday_said is None or not right.explicit_month:
        return False
    return (
        _said_day_in(left, right.last) is None
        and _said_day_in(left, shifted(right.last, "mois", -1)) is None
    )


def _end_of_range(left: Atom, right: Atom, folded: str) -> tuple[date, date]:
    first, last = left.first, right.last
    if left.bare_day and right.explicit_month:
        first = _same_day_in(right.last, left.first.day) or first
        if first > last:
            first = _same_day_in(shifted(right.last, "mois", -1), left.first.day) or first
    elif left.weekday_said is not None and right.explicit_month:
        # « du lundi 4 au vendredi 8 mai »: the month said, where the 4th is that weekday
        moved = _said_day_in(left, right.last)
        if moved is None or moved > last:  # « du lundi 27 au vendredi 1er mai »: in April
            moved = _said_day_in(left, shifted(right.last, "mois", -1)) or moved
        first = moved or first
    if right.weekday is not None:
        last = first + timedelta(days=(right.weekday - first.weekday()) % 7)
    elif right.bare_day:
        last = _same_day_in(first, right.last.day) or last
        if last < first:
            last = _same_day_in(shifted(first, "mois", 1), right.last.day) or last
    if first > last and first.year > last.year:  # « de janvier à mars 2025 »: the year said last
        first = _same_day_in(first.replace(day=1, year=last.year), first.day) or first
    later = _same_day_in(last.replace(day=1, year=last.year + 1), last.day) or last
    if (
        first > last
        and not _YEAR.search(folded, right.start, right.end)
        and later < _HALF_YEAR + first
    ):
        last = later  # « du 28 décembre au 8 janvier »: the end, its year unsaid, is next year
    return first, last


def _same_day_in(month_day: date, day: int) -> date | None:
    return make_date(month_day.year, month_day.month, day)


def _span(scan: Scan, start: int, left: Atom, right: Atom | None, today: date) -> DateSpan:
    if right is None:
        return DateSpan(
            left.first,
            left.last,
            left.at,
            scan.text[start : left.end],
            start,
            left.end,
            half_day_first=left.part in ("apres-midi", "soir"),
            half_day_last=left.part == "matin",
            part=left.part,
        )
    first, last = (
        _end_of_range(left, right, scan.folded) if left is not right else (today, right.last)
    )
    if right.weekday is not None and left is right:
        last = right.last
    return DateSpan(
        first,
        last,  # an end before the start is kept: the reader refuses it, never one day
        left.at if left is not right else right.at,
        scan.text[start : right.end],
        start,
        right.end,
        half_day_first=left is not right and left.part in ("apres-midi", "midi", "soir"),
        half_day_last=right.part in ("matin", "midi"),
    )


def _range_start(folded: str, atom: Atom) -> int:
    before = folded[max(0, atom.start - 20) : atom.start]
    match = _RANGE_START.search(before) or _UNTIL.search(before)
    return atom.start - len(match.group(0)) if match else atom.start


def _since(scan: Scan, start: int, atom: Atom, today: date) -> DateSpan | None:
    """« depuis décembre », « depuis lundi »: from the last such day or month to today."""
    first = atom.first
    if first > today and atom.weekday is not None:
        first -= timedelta(days=7)
    elif first > today and (atom.last - atom.first).days >= 27:  # a month: last year's
        first = first.replace(year=first.year - 1)
    if first > today:
        return None
    text = scan.text[start : atom.end]
    return DateSpan(first, today, atom.at, text, start, atom.end)


def find_dates(scan: Scan, today: date, month: date | None = None) -> list[DateSpan]:
    atoms: list[Atom] = []
    for atom in _atoms(scan, today):
        if atoms and atom.start < atoms[-1].end:
            continue  # already read as the time or part of day of the previous one
        _extend(atom, scan.folded)
        if month is not None and atom.bare_day and (day := _said_day_in(atom, month)):
            atom.first = atom.last = day  # « non, du 9 au 13 »: in the month corrected
        atoms.append(atom)
    _share_qualifier(atoms, scan.folded)
    _share_month(atoms, scan.folded)
    month_starts = _month_said_first(atoms, scan.folded)
    spans: list[DateSpan] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        start = _range_start(scan.folded, atom)
        if (
            i + 1 < len(atoms)
            and _joins(scan.folded, atom, atoms[i + 1])
            and not _weekday_off(atom, atoms[i + 1])
        ):
            last = i + 1  # « juillet-août-septembre »: a chain of hyphens is one range
            while last + 1 < len(atoms) and _hyphened(scan.folded, atoms[last], atoms[last + 1]):
                last += 1
            spans.append(_span(scan, start, atom, atoms[last], today))
            i = last + 1
            continue
        before = scan.folded[max(0, atom.start - 12) : atom.start]
        if _SINCE.search(before) and (since := _since(scan, start, atom, today)) is not None:
            spans.append(since)  # « depuis janvier »: up to today
        elif _UNTIL.search(before):
            spans.append(_span(scan, start, atom, atom, today))
        else:
            spans.append(_span(scan, atom.start, atom, None, today))
        i += 1
    spans = [_from_month(span, month_starts, scan.text) for span in spans]
    spans = _days_of_the_week_said(spans, scan.folded)
    for span in spans:
        scan.take(span.start, span.end)
    return spans


def _from_month(span: DateSpan, month_starts: dict[int, int], text: str) -> DateSpan:
    """The span of days said after their month, with the month's words in it."""
    start = next((m for d, m in month_starts.items() if span.start <= d < span.end), None)
    if start is None:
        return span
    return replace(span, text=text[start : span.end], start=start)


_WEEKDAY_RANGE = re.compile(rf"^du ({'|'.join(WEEKDAYS)}) au ({'|'.join(WEEKDAYS)})$")


def _days_of_the_week_said(spans: list[DateSpan], folded: str) -> list[DateSpan]:
    """« la semaine du 4 mai (du lundi au vendredi) »: weekdays said right after a week
    are days of that week, not of the next one."""
    out: list[DateSpan] = []
    for span in spans:
        days = _WEEKDAY_RANGE.match(" ".join(span.text.lower().split()))
        week = out[-1] if out else None
        if (
            days is not None
            and week is not None
            and (week.last - week.first).days == 6
            and week.first.weekday() == 0
            and re.fullmatch(r"[\s(,:-]*", folded[week.end : span.start])
        ):
            first = week.first + timedelta(days=WEEKDAYS[days.group(1)])
            last = week.first + timedelta(days=WEEKDAYS[days.group(2)])
            out[-1] = replace(week, first=first, last=last, end=span.end)
            continue
        out.append(span)
    return out


def parse_dates(text: str, *, today: date) -> list[DateSpan]:
    """Dates and ranges of a message (rules in the module docstring)."""
    return find_dates(make_scan(text), today)


# « plutôt celle du 26 », « celui du 3 »: the same kind of period as one shown, from a day
# said by its number alone.
_THE_ONE_OF_DAY = phrasing("the_one_of_day")
_MONTH_NAMES = {number: name for name, number in MONTHS.items()}


def the_same_period_from(said: str, start: date, end: date | None) -> str | None:
    """« plutôt celle du 26 » of a period shown from ``start`` to ``end``: the same words
    with the day in the month nearest that period (« celle du 26 octobre »), and a week
    shown from a Monday said again as a week (« la semaine du 26 octobre »); None when
    the words are not of that form."""
    found = _THE_ONE_OF_DAY.match(said)
    after = said[found.end() :].split() if found is not None else []
    if found is None or (after and after[0].strip(",.") in MONTHS):
        return None  # « celle du 22 juin »: its month said
    day = 1 if found.group(1) == "1er" else int(found.group(1))
    months = (shifted(start, "mois", shift) for shift in (-1, 0, 1))
    candidates = [d for month in months if (d := _same_day_in(month, day)) is not None]
    if not candidates:
        return None
    near = min(candidates, key=lambda d: abs((d - start).days))
    named = f"{day} {_MONTH_NAMES[near.month]}"
    if near.year != start.year:
        named = f"{named} {near.year}"
    week = start.weekday() == 0 and end is not None and 4 <= (end - start).days <= 6
    if week and near.weekday() == 0:
        return f"la semaine du {named}{said[found.end() :]}"
    return f"{said[: found.end()]} {named}{said[found.end() :]}"


# « à partir de mardi », « dès le 9 »: a period said again by its new first day only.
_FROM_DAY = re.compile(r"^(?:a partir d[eu']|a partir de la|a compter d[eu']|des le|des)\s*")


def the_same_length_from(said: str, start: date, end: date | None, today: date) -> str | None:
    """« à partir de mardi » of a period shown from ``start`` to ``end``: that period moved to
    start on the day said, with as many working days (« du 09/06/2026 au 11/06/2026 » for
    three days shown from a Monday); None when the words say more than a first day."""
    if end is None or end <= start or _FROM_DAY.match(said) is None:
        return None
    spans = parse_dates(said, today=today)
    if len(spans) != 1 or spans[0].first != spans[0].last or re.search(r"\d+\s*j", said):
        return None
    count = sum(1 for n in range((end - start).days + 1) if (start + timedelta(n)).weekday() < 5)
    first = last = spans[0].first
    while (count := count - (last.weekday() < 5)) > 0:
        last += timedelta(1)
    return f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


# « et le mois d'avant ? », « et la semaine suivante ? », « et la veille ? »: the period next
# to one already asked about.
_PERIOD_BESIDE = phrasing("period_beside")


def the_period_beside(folded: str, start: date, end: date) -> tuple[date, date] | None:
    """The period before or after ``start``–``end`` that « le mois d'avant », « la semaine
    suivante », « la veille », « celle d'après » name: moved by the unit said, its length
    kept (by the period's own length when no unit is said); a period of whole months stays
    whole months (« le mois d'avant » of June is all of May, « l'année d'avant » of June is
    June a year before). None when no such words are said, or when the unit is shorter than
    the period (« le mois d'avant » of a whole year says no period)."""
    found = _PERIOD_BESIDE.search(folded)
    if found is None or end < start:
        return None
    step = -1 if found.group("before") or found.group("eve") else 1
    unit = found.group("unit") or ("jour" if found.group("eve") or found.group("morrow") else None)
    whole = start.day == 1 and end == month_end(end.year, end.month)
    span_months = (end.year - start.year) * 12 + end.month - start.month + 1
    span_days = (end - start).days + 1
    if unit in UNIT_DAYS or (unit not in UNIT_MONTHS and not whole):
        days = UNIT_DAYS.get(unit or "", span_days)  # « la période d'avant »: its own length
        if days < span_days:
            return None
        return shifted(start, "jour", step * days), shifted(end, "jour", step * days)
    months = UNIT_MONTHS.get(unit or "", span_months)
    if (whole and months < span_months) or (not whole and months * 28 < span_days):
        return None
    first = shifted(start, "mois", step * months)
    if whole:
        last = add_months(first, span_months - 1)
        return first, month_end(last.year, last.month)
    return first, shifted(end, "mois", step * months)
