"""Whether a parse accounts for the whole message, before the local tier is sure of it.

A request is understood only when every content-bearing part of the message has found its
place in the tool's arguments: each amount, quantity (and what it counts), date, duration,
document number and bare number, and each word naming a kind of record or action (« avoir »,
« relance », « congé »…) that the tool takes. A part left over means the parse is not the
request: the tier says what it did not understand (or hands the turn to the LLM tier)
rather than propose a write that drops a line or changes the kind of document.

Kind words come from ``prompts/lexicon/kinds.yaml``; what a tool takes from its declaration
(``Tool.creates`` / ``Tool.acts_on``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from agents.local.slots.types import DateSpan, Duration, Quantity, Utterance
from domain.kit.text import fold
from tools.base import Tool

LEXICON = Path(__file__).resolve().parents[2] / "prompts" / "lexicon" / "kinds.yaml"
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
WORD = re.compile(r"[a-z0-9]+")
# Words that carry no content of their own between the lines of a document.
GLUE = frozenset(
    """et ou puis plus avec aussi un une des de du d l la le les au aux a pour par sur en
    stp svp merci ok alors donc egalement ainsi que sans ca cela ce cet cette mon ma mes
    son sa ses leur leurs notre nos votre vos tout tous toute toutes chacun chaque the
    oui non bien s il te vous plait please maintenant seulement environ deja encore pile
    exactement juste aujourd hui""".split()
)
# What a quantity with no item of its own may size: « sac de 25 kg », « bidon de 5 L ».
SIZE_UNITS = frozenset({"kg", "g", "litre", "cl", "ml", "metre", "m", "tonne"})


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


@cache
def kinds() -> tuple[Kind, ...]:
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))["kinds"]
    found = []
    for name, entry in data.items():
        words = re.compile(r"\b(?:" + "|".join(entry["words"]) + r")\b")
        not_ = re.compile("|".join(entry["not"])) if entry.get("not") else None
        found.append(Kind(name, entry["label"], words, not_))
    return tuple(found)


def kind_named(name: str) -> Kind | None:
    return next((k for k in kinds() if k.name == name), None)


def named_kinds(folded: str) -> Iterator[tuple[Kind, int, int]]:
    """Each kind of record the message names, with where (offsets in ``folded``)."""
    for kind in kinds():
        for match in kind.words.finditer(folded):
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

    numbers: set[Decimal] = field(default_factory=set)
    dates: list[date] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, arguments: dict[str, Any]) -> _Facts:
        facts = cls()
        for value in _leaves(arguments):
            if isinstance(value, date | datetime):
                facts.dates.append(value if isinstance(value, date) else value.date())
                continue
            if isinstance(value, str) and (iso := ISO_DATE.match(value)):
                facts.dates.append(date(*(int(g) for g in iso.groups())))
                continue
            number = _number(value)
            if number is not None:
                facts.numbers.add(number)
                continue
            if isinstance(value, str):
                folded = fold(value)
                facts.text.append(folded)
                for digits in DIGITS.findall(folded):
                    facts.numbers.add(Decimal(digits.replace(",", ".")).normalize())
        return facts

    def holds(self, *values: Decimal) -> bool:
        return any(v.normalize() in self.numbers for v in values)

    def quotes(self, said: str) -> bool:
        """The part is written inside an argument (a reason, a description, a name)."""
        said = " ".join(WORD.findall(fold(said)))
        return bool(said) and any(said in " ".join(WORD.findall(t)) for t in self.text)

    def in_digits(self, value: Decimal) -> bool:
        """« 05 56 44 12 30 »: the number is part of a phone number or a reference."""
        digits = str(value)
        runs = ("".join(re.findall(r"\d", t)) for t in self.text)
        return digits.isdigit() and any(len(r) >= 6 and digits in r for r in runs)

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


def gap(utt: Utterance, arguments: dict[str, Any], tool: Tool, today: date) -> Gap | None:
    """The first part of ``utt`` that ``arguments`` do not account for, or None."""
    if tool.is_write:
        for kind, start, end in named_kinds(utt.folded):
            if kind.name not in tool.kinds:
                return Gap(utt.text[start:end], kind)
    facts = _Facts.of(arguments)
    for part in _parts(utt):
        if not _accounted(part, utt, facts, tool, today):
            return Gap(part.text)
    for number in utt.numbers:
        if not (facts.holds(number) or facts.in_digits(number) or facts.day_of_month(number)):
            return Gap(_written(utt, number))
    if "lines" in tool.input_model.model_fields:
        return _line_left_over(utt, facts)
    return None


def _parts(utt: Utterance) -> Iterator[Any]:
    yield from utt.amounts
    yield from utt.quantities
    yield from utt.durations
    yield from utt.dates


def _accounted(part: Any, utt: Utterance, facts: _Facts, tool: Tool, today: date) -> bool:
    if facts.quotes(part.text):
        return True
    if isinstance(part, Quantity):
        item = [w for w in WORD.findall(fold(part.item or "")) if w not in GLUE]
        if item and not facts.says(item):
            return False
        return facts.holds(part.value) or facts.in_digits(part.value) or _sizes(part, utt, facts)
    if isinstance(part, Duration):
        return _duration_accounted(part, facts)
    if isinstance(part, DateSpan):
        return _date_accounted(part, facts, tool, today)
    return facts.holds(part.value)  # an amount


SIZED = re.compile(r"([a-z]+)\s+(?:de\s+|d'\s*)?$")


def _sizes(part: Quantity, utt: Utterance, facts: _Facts) -> bool:
    """« sac de 25 kg », « le sac de sucre 50 kilos »: a weight or volume right after the
    container or product it sizes, when the arguments hold that container or product."""
    if part.unit not in SIZE_UNITS:
        return False
    if part.item is not None:  # « sac de 25 kg »: the item is the container
        return bool(re.fullmatch(r"[a-z]+ (?:de|d')", fold(part.item).strip()))
    before = SIZED.search(utt.folded[max(0, part.start - 40) : part.start])
    return before is not None and facts.says([before.group(1)])


def _duration_accounted(part: Duration, facts: _Facts) -> bool:
    if part.minutes is not None:
        return facts.holds(Decimal(part.minutes), Decimal(part.minutes) / 60)
    days = part.days or Decimal(0)
    if facts.holds(days, days * 7, days * 30):
        return True
    if facts.dates and days <= 1:
        return True
    if len(facts.dates) >= 2:
        return (max(facts.dates) - min(facts.dates)).days + 1 >= days
    return False


def _date_accounted(part: DateSpan, facts: _Facts, tool: Tool, today: date) -> bool:
    if any(part.first <= d <= part.last for d in facts.dates):
        return True
    if part.text.strip().isdigit() and facts.day_of_month(Decimal(part.text.strip())):
        return True  # « je reviens l'après-midi du 3 »: the 3rd of the range said before
    if len(facts.dates) >= 2 and min(facts.dates) <= part.last and max(facts.dates) >= part.first:
        return True
    # « ce matin », « aujourd'hui », « cette semaine »: what is done or read now, when the
    # request gives no other date.
    return not facts.dates and part.first <= today <= part.last


def _written(utt: Utterance, number: Decimal) -> str:
    """How a bare number is written in the message (« 3 »), for the question back."""
    for match in DIGITS.finditer(utt.folded):
        if Decimal(match.group(0).replace(",", ".")).normalize() == number.normalize():
            return match.group(0)
    return str(number)


LINE_SEPARATOR = re.compile(r"\s*(?:,|;|\+|\bet\b|\bpuis\b|\bplus\b)\s*")


def _line_left_over(utt: Utterance, facts: _Facts) -> Gap | None:
    """« 3 sacs de riz, 2 bidons d'huile et une livraison »: among the lines said, one with
    no number (« une livraison ») must be in the arguments too."""
    spans = sorted((q.start, q.end) for q in utt.quantities)
    if not spans:
        return None
    start = spans[0][0]
    region = utt.folded[start:]
    position = start
    for piece in LINE_SEPARATOR.split(region):
        offset = utt.folded.find(piece, position) if piece else position
        position = offset + len(piece)
        if not piece.strip() or any(s < offset + len(piece) and offset < e for s, e in spans):
            continue
        words = [w for w in WORD.findall(piece) if w not in GLUE and not w.isdigit()]
        if not words or facts.says(words):
            continue
        if piece.split()[0] in ("un", "une", "des", "du", "quelques"):
            return Gap(utt.text[offset : offset + len(piece)].strip())
    return None
