"""What calling a tool from a conversation gave: the same shape for both tiers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["done", "needs_confirmation", "ask_back", "refused", "error"]


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """``done``: a READ ran, or a WRITE ran (exempt or confirmed); ``needs_confirmation``:
    a WRITE was dry-run, ``text`` is its preview and ``token`` what confirms it;
    ``ask_back``: the tool needs the user to say more about ``field``; ``refused``: not
    allowed; ``error``: the domain refused (bad input, business rule) — ``text`` says why."""

    status: Status
    tool: str
    text: str
    arguments: dict[str, Any] = dataclasses.field(default_factory=dict)
    token: str | None = None
    result: dict[str, Any] | None = None
    field: str | None = None
    options: list[str] = dataclasses.field(default_factory=list)
    code: str | None = None
    found_nothing: bool = False  # a READ whose search matched no record

    @property
    def stops_turn(self) -> bool:
        """The user must answer before anything else happens."""
        return self.status in ("needs_confirmation", "ask_back")


# (tool name, JSON arguments) -> outcome; given to the LLM tier by the agent turn.
ToolCaller = Callable[[str, dict[str, Any]], ToolOutcome]
