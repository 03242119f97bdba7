"""Every tool, by name and by area; the JSON schemas the LLM tier is given."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import import_module
from typing import Any

from domain.kit.principal import Principal
from tools.base import Tool

AREAS = ("finance", "sales", "hr", "stock", "reports", "documents", "purchasing", "automations")


class Registry:
    def __init__(self, tools: Iterable[Tool]) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            if t.name in self._tools:
                raise ValueError(f"tool declared twice: {t.name}")
            self._tools[t.name] = t

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Any:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    @property
    def areas(self) -> list[str]:
        return sorted({t.area for t in self._tools.values()})

    def for_area(self, area: str, principal: Principal | None = None) -> list[Tool]:
        """The area's tools (only those ``principal`` may use, when given)."""
        return [
            t
            for t in self._tools.values()
            if t.area == area and (principal is None or t.allowed(principal))
        ]

    def by_area(self, principal: Principal) -> dict[str, list[Tool]]:
        """What each sub-agent may use for this principal (areas left empty are omitted)."""
        grouped = {area: self.for_area(area, principal) for area in self.areas}
        return {area: tools for area, tools in grouped.items() if tools}

    def schemas(self, area: str | None = None) -> list[dict[str, Any]]:
        chosen = self._tools.values() if area is None else self.for_area(area)
        return [t.json_schema() for t in chosen]


@cache
def default_registry() -> Registry:
    """The tools of every area (``tools/<area>.py`` each export ``TOOLS``)."""
    tools: list[Tool] = []
    for area in AREAS:
        tools += import_module(f"tools.{area}").TOOLS
    return Registry(tools)
