"""Per-tool adapters from a parsed French message to the tool's arguments."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from agents.local.adapters.base import Adapter

AREAS = ("finance", "sales", "hr", "stock", "documents", "purchasing")


@cache
def all_adapters() -> dict[str, Adapter]:
    adapters: dict[str, Adapter] = {}
    for area in AREAS:
        for adapter in import_module(f"agents.local.adapters.{area}").ADAPTERS:
            adapters[adapter.tool] = adapter
    return adapters
