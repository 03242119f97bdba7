"""Durations: « 3 jours », « trois jours », « une journée », « une demi-journée » (0.5 day),
« 2 jours et demi » (2.5), « deux semaines » (14 calendar days: a week is 7 days, working days
are the HR domain's business), « 2 heures », « 1h30 », « 45 minutes », « une heure et demie »,
« une demi-heure », « un quart d'heure ». Months and years are not durations here (None).
Days go to ``Duration.days``, hours and minutes to ``Duration.minutes``.
A time of day (« à 14h », « vers 9h ») is not a duration.
"""

from __future__ import annotations

import re
from decimal import Decimal

from agents.local.slots.numbers import Num, Scan, make_scan
from agents.local.slots.types import Duration
from domain.kit.lexicon import phrasing

_SP = r"[ \u00a0\u202f]"
_DAYS = phrasing("days")
_HOURS = phrasing("hours")
_MINUTES = re.compile(_SP + r"*(?:minutes?|min|mn)(?![\w'])")
_FIXED = phrasing("fixed")
_AT_BEFORE = re.compile(r"(?<![\w])(?:a|vers|des|avant|apres|jusqu'a|jusqu'au|pour)" + _SP + r"*$")


def _fixed(scan: Scan) -> list[Duration]:
    found = []
    for match in _FIXED.finditer(scan.folded):
        if match.group(1):
            day = match.group(2).startswith("j")
            days, minutes = (Decimal("0.5"), None) if day else (None, 30)
        else:
            days, minutes = None, 15 if match.group(3) == "un" else 45
        text = scan.text[match.start() : match.end()]
        found.append(Duration(days, minutes, text, match.start(), match.end()))
    return found


def _duration_at(scan: Scan, num: Num) -> Duration | None:
    days = _DAYS.match(scan.folded, num.end)
    if days is not None:
        value = num.value * (7 if days.group(1).startswith("s") else 1)
        if days.group(2):
            value += Decimal("0.5")
        text = scan.text[num.start : days.end()]
        return Duration(value, None, text, num.start, days.end())
    hours = _HOURS.match(scan.folded, num.end)
    minutes = _MINUTES.match(scan.folded, num.end)
    if hours is None and minutes is None:
        return None
    if hours is not None and _AT_BEFORE.search(scan.folded[max(0, num.start - 12) : num.start]):
        return None
    if hours is not None:
        total = num.value * 60 + int(hours.group(1) or 0) + (30 if hours.group(2) else 0)
        end = hours.end()
    else:
        assert minutes is not None
        total, end = num.value, minutes.end()
    return Duration(None, int(total), scan.text[num.start : end], num.start, end)


def find_durations(scan: Scan) -> list[Duration]:
    found = []
    for duration in _fixed(scan):
        if scan.free(duration.start, duration.end):
            found.append(duration)
            scan.take(duration.start, duration.end)
    for num in scan.nums:
        if not scan.free(num.start, num.end):
            continue
        read = _duration_at(scan, num)
        if read is not None and scan.free(read.start, read.end):
            found.append(read)
            scan.take(read.start, read.end)
    found.sort(key=lambda d: d.start)
    return found


def parse_durations(text: str) -> list[Duration]:
    """Durations of a message (see the module docstring)."""
    return find_durations(make_scan(text))
