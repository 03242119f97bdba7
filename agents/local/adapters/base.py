"""How the local tier turns a French message into a tool's arguments, per tool.

An ``Adapter`` reads an ``Utterance`` (slots already parsed) and returns only the
arguments the message says — never a guess. The local tier merges them with what earlier
turns of the same request gave, validates with the tool's input model, and asks the
question in ``ask`` for the first missing field of ``required``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.local.slots.types import Utterance

Extract = Callable[[Utterance], dict[str, Any]]
Correct = Callable[[dict[str, Any], Utterance], dict[str, Any]]


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
