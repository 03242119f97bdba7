"""What the local tier reads in one French message: amounts, quantities, dates, durations,
payment methods, document numbers. Positions are character offsets in ``Utterance.text``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Literal

PaymentMethod = Literal["cash", "bank_transfer", "card", "cheque", "wave", "orange_money"]


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None  # "EUR", "XOF", "foreign", or None when the message names none
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    unit: str | None  # singular, folded: "sac", "carton", "kg", "piece"… None for "3 riz"
    item: str | None  # what is counted, as written: "riz" in "3 sacs de riz"
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A day or a range of days, with a time of day when one is said (« demain 14h »)."""

    first: date
    last: date
    at: time | None
    text: str
    start: int
    end: int
    half_day_first: bool = False  # « mardi après-midi » starts at noon
    half_day_last: bool = False  # « jusqu'à jeudi midi » ends at noon
    part: str | None = None  # a day said with its part (« ce midi », « demain matin »)


@dataclass(frozen=True, slots=True)
class Duration:
    days: Decimal | None  # « 3 jours », « une demi-journée » (0.5)
    minutes: int | None  # « 2 heures », « 1h30 »
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str  # the message as written
    folded: str  # lower case, no accents, single spaces (same length as ``text``)
    amounts: list[Amount] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateSpan] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    payment_method: PaymentMethod | None = None
    document_numbers: list[str] = field(default_factory=list)  # "F-2026-00012", "BC-2026-00003"
    numbers: list[Decimal] = field(default_factory=list)  # bare numbers used by nothing above
    today: date | None = None  # the day the dates were read from
