"""The one source of "now", so tests and evals can freeze or move time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, evals)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


def period_just_ended(period: str, today: date) -> tuple[date, date]:
    """The period just ended on ``today``: yesterday, the previous calendar week (Monday
    to Sunday), or the previous calendar month."""
    if period == "day":
        day = today - timedelta(days=1)
        return day, day
    if period == "month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    start = today - timedelta(days=today.weekday() + 7)
    return start, start + timedelta(days=6)
