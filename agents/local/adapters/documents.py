"""Documents: a question about what the company's documents say is searched as written."""

from __future__ import annotations

from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.slots.types import Utterance

LIST_WORDS = ("contrat", "cgv", "convention", "procedure", "fiche", "reglement", "charte")


def extract_search(u: Utterance) -> dict[str, Any]:
    question = " ".join(u.text.split())
    return {"question": question} if len(question) >= 2 else {}


def extract_list(u: Utterance) -> dict[str, Any]:
    """« liste les contrats » → documents whose title holds « contrat »."""
    for word in LIST_WORDS:
        if word in u.folded:
            return {"search": word}
    return {}


ADAPTERS: list[Adapter] = [
    Adapter(
        "documents.search", extract_search, {"question": "Que cherchez-vous dans vos documents ?"}
    ),
    Adapter("documents.list", extract_list),
]
