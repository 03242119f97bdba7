"""Documents: a question about what the company's documents say is searched as written.

A question about a rule (labour law, the business's own policies, terms and contracts) is
routed to ``documents.search`` by its exemplars; ``asks_about_rule`` is the one general rule
for the questions the exemplars leave close to an action (« qui fixe les dates des congés
payés ? » scores near « demander un congé » on the word « congé »).
"""

from __future__ import annotations

import re
from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.router import MIN_SCORE, Routing
from agents.local.slots.types import Utterance

SEARCH = "documents.search"
LIST_WORDS = ("contrat", "cgv", "convention", "procedure", "fiche", "reglement", "charte")
# How far below the best intent the documents may score and still take a rule question.
RULE_MARGIN = 0.03
# A question by its first word (folded): who decides, when, how long, is it allowed…
QUESTION_LEAD = re.compile(
    r"^(?:qui|quand|comment|combien|pourquoi|quel|quelle|quels|quelles|que|qu'est-ce|est-ce"
    r"|a-t-on|a t on|peut-on|doit-on|faut-il|y a-t-il|jusqu'a quand|a partir de quand)\b"
)
# Asking Comptoir to do something (« je voudrais… », « peux-tu… »): an action, not a rule.
REQUEST = re.compile(
    r"\b(?:je (?:voudrais|veux|souhaite|souhaiterais)|j'aimerais|peux-tu|pourrais-tu"
    r"|pouvez-vous|pourriez-vous|tu peux|tu pourrais|vous pouvez|vous pourriez|merci de"
    r"|il faut que tu|faut que tu)\b"
)
# A capitalised word after the first one names someone or something: a record, not a rule.
NAMED = re.compile(r"\s[A-ZÀ-Ý][a-zà-ÿ]")


def extract_search(u: Utterance) -> dict[str, Any]:
    question = " ".join(u.text.split())
    return {"question": question} if len(question) >= 2 else {}


def extract_list(u: Utterance) -> dict[str, Any]:
    """« liste les contrats » → documents whose title holds « contrat »."""
    for word in LIST_WORDS:
        if word in u.folded:
            return {"search": word}
    return {}


def asks_about_rule(routing: Routing, u: Utterance) -> bool:
    """Whether a message the router leaves between the documents and another intent asks
    what a rule says: a question (or a query the documents lead on) that names no record —
    no amount, quantity, date, duration, number, document number or name — and asks
    Comptoir to do nothing. Such a message reads the documents, whatever its nearest action."""
    if routing.intent == SEARCH:
        documents_score = routing.score
    elif routing.runner_up == SEARCH:
        documents_score = routing.score - routing.margin
    else:
        return False
    if documents_score < MIN_SCORE or routing.score - documents_score > RULE_MARGIN:
        return False
    if _names_a_record(u) or REQUEST.search(u.folded):
        return False
    folded = u.folded.strip()
    asked = folded.endswith("?") or QUESTION_LEAD.match(folded) is not None
    return asked or routing.intent == SEARCH


def _names_a_record(u: Utterance) -> bool:
    slots = (u.amounts, u.quantities, u.dates, u.durations, u.numbers, u.document_numbers)
    return any(slots) or NAMED.search(u.text) is not None


ADAPTERS: list[Adapter] = [
    Adapter(SEARCH, extract_search, {"question": "Que cherchez-vous dans vos documents ?"}),
    Adapter("documents.list", extract_list),
]
