"""How the local tier turns a French message into a tool's arguments, per tool.

An ``Adapter`` reads an ``Utterance`` (slots already parsed) and returns only the
arguments the message says — never a guess. The local tier merges them with what earlier
turns of the same request gave, validates with the tool's input model, and asks the
question in ``ask`` for the first missing field of ``required``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from agents.local.mentions import name_after
from agents.local.slots.types import Utterance
from domain.kit.resolution import name_words

Extract = Callable[[Utterance], dict[str, Any]]
Correct = Callable[[dict[str, Any], Utterance], dict[str, Any]]


def given(args: dict[str, Any] | None = None, /, **more: Any) -> dict[str, Any]:
    """The arguments a message says: what it leaves out (None, "", []) is dropped."""
    return {k: v for k, v in {**(args or {}), **more}.items() if v not in (None, "", [])}


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether the span [start, end) overlaps one of ``spans``."""
    return any(s < end and start < e for s, e in spans)


def before(utt: Utterance, end: int) -> Utterance:
    """The message up to ``end``, with the slots that start before it (dates, durations,
    numbers and the payment method kept whole)."""
    return replace(
        utt,
        text=utt.text[:end],
        folded=utt.folded[:end],
        amounts=[a for a in utt.amounts if a.start < end],
        quantities=[q for q in utt.quantities if q.start < end],
    )


def after(utt: Utterance, start: int) -> Utterance:
    """The text of the message from ``start`` on (no slots)."""
    return Utterance(text=utt.text[start:], folded=utt.folded[start:])


def names_in(
    utt: Utterance,
    markers: tuple[str, ...],
    read: Callable[[Utterance, tuple[str, ...]], str | None] = name_after,
) -> Iterator[tuple[Utterance, str]]:
    """Every name ``read`` finds after one of ``markers``, one after the other through the
    message, each with the rest of the message it was read in."""
    offset = 0
    while offset < len(utt.text):
        sub = after(utt, offset)
        name = read(sub, markers)
        if name is None:
            return
        yield sub, name
        offset += max(sub.text.find(name), 0) + len(name)


def names_after(utt: Utterance, markers: tuple[str, ...]) -> Iterator[str]:
    """Every name ``name_after`` finds after one of ``markers``, through the message."""
    return (name for _, name in names_in(utt, markers))


def line_named(lines: list[dict[str, Any]], item: str | None) -> dict[str, Any] | None:
    """The one line a correction names: the line whose product (or description) holds every
    word of ``item`` (« fers » is the line of « fers de 8 »), or the single line when no item
    is said; None when no line or several do."""
    if not item:
        return lines[0] if len(lines) == 1 else None
    wanted = set(name_words(item))
    named = [
        x
        for x in lines
        if wanted <= set(name_words(str(x.get("product") or x.get("description") or "")))
    ]
    return named[0] if len(named) == 1 else None


def replace_fields(
    previous: dict[str, Any], utterance: Utterance, extract: Extract
) -> dict[str, Any]:
    """The default correction: what the new message says replaces what was there."""
    return {**previous, **extract(utterance)}


@dataclass(frozen=True, slots=True)
class Adapter:
    tool: str  # the tool's catalog name
    extract: Extract
    # Fields to ask for, in order, with the French question (« Pour quel client ? »).
    ask: dict[str, str] = field(default_factory=dict)
    # How « non, 4 sacs » changes arguments already shown; default: replace_fields.
    correct: Correct | None = None

    def corrected(self, previous: dict[str, Any], utterance: Utterance) -> dict[str, Any]:
        if self.correct is not None:
            return self.correct(previous, utterance)
        return replace_fields(previous, utterance, self.extract)
