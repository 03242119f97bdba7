"""Requests for what Comptoir does not do (not built yet, or refused by a rule such as a
validated invoice never being changed): said plainly, never routed to a neighbour.

``prompts/intents/unavailable.yaml`` declares each missing capability as an intent whose
exemplars compete with the tools' exemplars in the router (« relance Diallo pour sa facture
impayée » is closer to them than to « crée une facture »), and its French reply: one
sentence saying it is not available, that nothing was done, and what exists instead.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

PREFIX = "unavailable."
SOURCE = "unavailable.yaml"


@cache
def replies() -> dict[str, str]:
    """Each unavailable capability's intent name with its French reply."""
    text = (resources.files("prompts") / "intents" / SOURCE).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {
        str(item["intent"]): " ".join(str(item["reply"]).split())
        for item in data.get("intents", [])
    }


def reply(intent: str | None) -> str | None:
    """The answer to a request for a capability that does not exist; None for any other
    intent (a tool or a conversational intent)."""
    if intent is None or not intent.startswith(PREFIX):
        return None
    return replies().get(intent)
