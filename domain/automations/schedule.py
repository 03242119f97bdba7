"""When an automation falls due: RFC 5545 recurrence rules read in the business's time zone.

``FREQ=DAILY;BYHOUR=7;BYMINUTE=0`` means 07:00 wherever the business is, summer and
winter: occurrences are computed in local wall-clock time, then turned into UTC. The
period key of an occurrence is its local date and time (``2026-03-23T07:00``): the same
occurrence always gets the same key, whichever beat or worker computes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from domain.kit.errors import InvalidInput

# How far back the rule is anchored when it names no DTSTART: long enough for yearly
# rules to have an occurrence before "now", short enough to iterate quickly.
_ANCHOR_DAYS = 400


def parse_rule(rule: str, anchor: datetime) -> rrule:
    """The rule (``anchor``, naive local time, as its DTSTART unless it names one)."""
    try:
        parsed = rrulestr(rule, dtstart=anchor, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"Règle de récurrence illisible : {rule}", field="rule") from exc
    if not isinstance(parsed, rrule):
        raise InvalidInput("Une seule règle de récurrence est attendue.", field="rule")
    return parsed


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _anchor(moment_local: datetime) -> datetime:
    start = moment_local - timedelta(days=_ANCHOR_DAYS)
    return start.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def next_occurrence(rule: str, timezone: str, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` (aware), in UTC; None if none."""
    zone = ZoneInfo(timezone)
    local = _local(after, zone)
    found = parse_rule(rule, _anchor(local)).after(local, inc=False)
    return None if found is None else found.replace(tzinfo=zone).astimezone(UTC)


def latest_occurrence(rule: str, timezone: str, at: datetime) -> datetime | None:
    """The last occurrence at or before ``at`` (aware), in UTC; None if none."""
    zone = ZoneInfo(timezone)
    local = _local(at, zone)
    found = parse_rule(rule, _anchor(local)).before(local, inc=True)
    return None if found is None else found.replace(tzinfo=zone).astimezone(UTC)


def period_key(occurrence: datetime, timezone: str) -> str:
    """The key of an occurrence: its local date and time to the minute."""
    return _local(occurrence, ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
