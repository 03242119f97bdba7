"""Which of an area's tools a sub-agent is shown for one request.

Finance and stock each hold a dozen tools or more, whose schemas alone weigh ~4,000 tokens.
A sub-agent is shown its area's tools in order of relevance to the request until their
schemas fill ``budget`` tokens (all of them when they fit): a simple request then stays
under ~3,000 tokens in all. Relevance comes from a ``ToolRanker`` — the local tier's
intent scores when the caller wires them — or, by default, from the words the request
shares with each tool's name, title and examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agents.llm.budget import prompt_tokens
from domain.kit.text import fold
from tools.base import Tool

# (request, tools) -> the same tools, most relevant first.
ToolRanker = Callable[[str, list[Tool]], list[Tool]]

DEFAULT_TOOL_BUDGET = 2_000
MIN_TOOLS = 3
PREFIX = 5  # « factures », « facturer », « facture » share « factu »
_WORD = re.compile(r"[a-z0-9]{3,}")
_STOP = frozenset(
    "les des une pour dans avec sur par que qui est son ses aux elle ils vous nous mon mes "
    "tes ton leur plus pas tout tous cette ces exemples".split()
)


def stems(text: str) -> set[str]:
    return {w[:PREFIX] for w in _WORD.findall(fold(text)) if w not in _STOP}


def rank_by_words(request: str, tools: list[Tool]) -> list[Tool]:
    """Tools sharing most words with the request first (name and title count triple);
    ties keep the area's own order."""
    asked = stems(request)

    def score(t: Tool) -> int:
        named = stems(t.name.replace("_", " ").replace(".", " ") + " " + t.title)
        return 3 * len(asked & named) + len(asked & stems(t.description))

    return sorted(tools, key=lambda t: -score(t))


def select_tools(
    request: str,
    tools: list[Tool],
    schemas: list[dict[str, Any]],
    *,
    ranker: ToolRanker | None = None,
    budget: int = DEFAULT_TOOL_BUDGET,
) -> list[dict[str, Any]]:
    """The schemas to show (``schemas[i]`` is ``tools[i]``'s): every one when they fit in
    ``budget`` tokens, else the most relevant that fit (at least ``MIN_TOOLS``), in the
    area's order."""
    if prompt_tokens("", schemas, []) <= budget:
        return schemas
    by_name = {t.name: s for t, s in zip(tools, schemas, strict=True)}
    chosen: set[str] = set()
    used = 0
    for t in (ranker or rank_by_words)(request, tools):
        cost = prompt_tokens("", [by_name[t.name]], [])
        if len(chosen) >= MIN_TOOLS and used + cost > budget:
            continue
        chosen.add(t.name)
        used += cost
    return [s for t, s in zip(tools, schemas, strict=True) if t.name in chosen]
