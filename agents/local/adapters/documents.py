"""Documents: a question about what the company's documents say is searched as written
(the slots of ``documents.search`` and ``documents.list`` are declared with their intents).

A question about a rule (labour law, the business's own policies, terms and contracts) is
routed to ``documents.search`` by its exemplars; ``asks_about_rule`` is the one general rule
for the questions the exemplars leave close to another intent (« qui fixe les dates des
congés payés ? » scores near « demander un congé » on the word « congé »).
"""

from __future__ import annotations

import re

from agents.local.adapters.base import Adapter
from agents.local.router import MIN_SCORE, IntentRouter, Routing
from agents.local.slots.types import Utterance
from domain.kit.lexicon import phrasing
from tools.registry import Registry

SEARCH = "documents.search"
# How far below the best intent the documents may score and still take a question that
# names no record: the best intent being a read (« il reste combien… ? » is about the stock),
# or an action (« les congés se prennent quand ? » scores near « demander un congé »).
RULE_MARGIN = 0.02
ACTION_MARGIN = 0.05
# A question by its first word (folded): who decides, when, how long, is it allowed…
QUESTION_LEAD = phrasing("question_lead")
# Asking Comptoir to do something (« je voudrais… », « peux-tu… », « on peut faire un
# devis ? »): an action, not a rule. The inverted « peut-on… ? », « doit-on… ? » and a
# third person (« un salarié peut-il… ? ») ask what is allowed.
REQUEST = phrasing("request")
# A capitalised word after the first one names someone or something: a record, not a rule.
NAMED = re.compile(r"\s[A-ZÀ-Ý][a-zà-ÿ]")
CONTACT_DETAIL_OF = phrasing("contact_detail_of")


def asks_about_rule(
    u: Utterance, routing: Routing, router: IntentRouter, registry: Registry
) -> bool:
    """Whether the message asks what a rule says rather than about a record or for an
    action: it names no record (no amount, quantity, date, duration, number, document
    number or name), asks Comptoir to do nothing, does not continue the previous answer
    (« et … »), and either the documents lead (a query such as « préavis démission
    vendeur ») or it is a question on which the documents score close to the best intent
    — closer still when that intent is a read: a question is rarely a request to write."""
    if routing.intent is None or _names_a_record(u) or REQUEST.search(u.folded):
        return False
    folded = u.folded.strip()
    if folded.startswith("et "):
        return False
    if routing.intent == SEARCH:
        return routing.score >= MIN_SCORE
    if not (folded.endswith("?") or QUESTION_LEAD.match(folded)):
        return False
    best = registry.get(routing.intent)
    margin = ACTION_MARGIN if best is not None and best.is_write else RULE_MARGIN
    documents = dict(router.scores(u.text, u.folded)).get(SEARCH, 0.0)
    return documents >= MIN_SCORE and routing.score - documents <= margin


def _names_a_record(u: Utterance) -> bool:
    # A year said alone names which version of a document (« la grille 2026 »), no record.
    numbers = [n for n in u.numbers if not (n == int(n) and 2000 <= n <= 2099)]
    slots = (u.amounts, u.quantities, u.dates, u.durations, numbers, u.document_numbers)
    return any(slots) or bool(NAMED.search(u.text) or CONTACT_DETAIL_OF.search(u.folded))


ADAPTERS: list[Adapter] = []
