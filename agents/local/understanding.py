"""The local tier: offline French understanding of one message in a conversation.

It decides, without any network, what the message asks: a tool call with its arguments,
a question back for what is missing, a conversational answer, or « I don't know » (then
the LLM tier is tried when one is configured). It keeps the request being filled across
turns (``draft``) and the last request shown or done (``last``) for corrections
(« non, 4 sacs ») and follow-ups (« et pour Ndiaye ? »).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

from agents.local.adapters.base import Adapter
from agents.local.router import IntentRouter, Routing
from agents.local.slots import analyse
from agents.local.slots.types import Utterance
from domain.audit.service import jsonable
from domain.kit.principal import Principal
from domain.kit.text import fold
from tools.registry import Registry

MAX_MESSAGE = 4000
# A new request interrupts the one being filled only when the router is this sure of it.
SWITCH_SCORE = 0.89
CORRECTION = re.compile(
    r"^(non|plutot|en fait|pardon|je voulais dire|finalement|oups|correction|euh)\b[\s,:!.]*"
)
FOLLOW_UP = re.compile(r"^(et|et pour|et pour le|et pour la|et chez|et de|et a|et au)\b\s*")
ORDINALS = {
    "le premier": 0, "la premiere": 0, "premier": 0, "1": 0, "le 1": 0,
    "le deuxieme": 1, "la deuxieme": 1, "le second": 1, "la seconde": 1, "deuxieme": 1,
    "2": 1, "le 2": 1, "le troisieme": 2, "la troisieme": 2, "3": 2, "le 3": 2,
}  # fmt: skip
WOLOF = frozenset(
    {"dama", "begg", "bëgg", "nanga", "def", "jerejef", "jërëjëf", "waaw", "deedeet",
     "ndax", "yow", "maangi", "fii", "rekk", "nopp", "xaalis", "jaay", "jend", "lan", "naka"}
)  # fmt: skip
# Tools whose first exemplar illustrates what Comptoir can do, in this order.
SHOWCASE = (
    "finance.create_invoice",
    "finance.record_payment",
    "finance.revenue",
    "stock.stock_level",
    "sales.create_customer",
    "hr.request_leave",
    "hr.who_is_absent",
    "hr.check_in",
)

Kind = Literal["tool", "reply", "llm"]


@dataclass(frozen=True, slots=True)
class Plan:
    kind: Kind
    text: str = ""
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    routing: Routing | None = None


@dataclass
class Memory:
    """What the local tier remembers between turns (JSON-safe, kept in the checkpoint)."""

    draft: dict[str, Any] | None = None  # {"tool", "arguments", "awaiting", "options"}
    last: dict[str, Any] | None = None  # {"tool", "arguments"}

    def dump(self) -> dict[str, Any]:
        return {"draft": self.draft, "last": self.last}


def get_path(arguments: dict[str, Any], path: str) -> Any:
    """``lines.0.product`` in ``{"lines": [{"product": …}]}`` (None when absent)."""
    value: Any = arguments
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def set_path(arguments: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = arguments
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def _clean_answer(text: str) -> str:
    text = re.sub(r"(?i)^(c'est|c est|pour|le client|la cliente|chez|a|à)\s+", "", text.strip())
    return text.strip(" .!?;,")


class LocalTier:
    def __init__(self, router: IntentRouter, adapters: dict[str, Adapter], registry: Registry):
        self.router = router
        self.adapters = adapters
        self.registry = registry
        self._first_examples = {s.name: s.examples[0] for s in router.specs if s.examples}

    # -- entry point ---------------------------------------------------------------------
    def understand(
        self, message: str, memory: Memory, principal: Principal, *, today: date, currency: str
    ) -> Plan:
        guard = self._guard(message, principal)
        if guard is not None:
            return guard
        utt = analyse(message, today=today, currency=currency)
        folded = fold(message)
        routing = self.router.route(message, folded)
        if memory.draft and not self._switches(routing, memory.draft["tool"]):
            return self._fill(memory, utt, message, folded)
        if memory.last and CORRECTION.match(folded) and not self._switches(routing, None):
            return self._correct(memory, utt)
        if memory.last and FOLLOW_UP.match(folded) and not routing.confident:
            return self._follow_up(memory, utt, message)
        memory.draft = None
        return self._new_request(routing, utt, memory, principal)

    # -- guards and conversation -----------------------------------------------------------
    def _guard(self, message: str, principal: Principal) -> Plan | None:
        stripped = message.strip()
        if not stripped:
            return Plan("reply", "Votre message est vide. " + self.examples_sentence(principal))
        if len(stripped) > MAX_MESSAGE:
            return Plan(
                "reply",
                f"Votre message est trop long ({len(stripped):,} caractères ; {MAX_MESSAGE:,} au "
                "plus). Écrivez une demande à la fois, par exemple : "
                + self._example_list(principal, 2).replace(",", "\u202f"),
            )
        if not any(c.isalnum() for c in stripped):
            return Plan(
                "reply",
                "Je n'ai reçu que des symboles ou des émojis. " + self.examples_sentence(principal),
            )
        words = set(re.findall(r"[\wëé]+", stripped.lower()))
        if len(words & WOLOF) >= 1 and not words & {"facture", "stock", "client", "conge"}:
            return Plan(
                "reply",
                "Je ne comprends pas encore le wolof, désolé. Pouvez-vous l'écrire en français ? "
                + self.examples_sentence(principal),
            )
        return None

    def examples_for(self, principal: Principal, count: int = 4) -> list[str]:
        allowed = [
            name
            for name in SHOWCASE
            if (t := self.registry.get(name)) is not None
            and t.allowed(principal)
            and name in self._first_examples
        ]
        return [self._first_examples[name] for name in allowed[:count]]

    def _example_list(self, principal: Principal, count: int = 4) -> str:
        return ", ".join(f"« {e} »" for e in self.examples_for(principal, count))

    def examples_sentence(self, principal: Principal) -> str:
        examples = self._example_list(principal)
        return f"Vous pouvez me demander par exemple : {examples}." if examples else ""

    def not_understood(self, principal: Principal) -> str:
        return "Je n'ai pas compris votre demande. " + self.examples_sentence(principal)

    def _chat(self, intent: str, principal: Principal) -> Plan:
        if intent == "chat.greeting":
            return Plan(
                "reply",
                "Bonjour ! Que puis-je faire pour vous ? " + self.examples_sentence(principal),
            )
        if intent == "chat.thanks":
            return Plan("reply", "Avec plaisir ! Autre chose ?")
        return Plan(
            "reply", "Je gère votre activité en conversation. " + self.examples_sentence(principal)
        )

    # -- requests ----------------------------------------------------------------------------
    def _switches(self, routing: Routing, current: str | None) -> bool:
        return (
            routing.confident
            and routing.score >= SWITCH_SCORE
            and routing.intent is not None
            and routing.intent != current
            and not routing.intent.startswith("chat.")
        )

    def _new_request(
        self, routing: Routing, utt: Utterance, memory: Memory, principal: Principal
    ) -> Plan:
        if not routing.confident or routing.intent is None:
            return Plan("llm", self.not_understood(principal), routing=routing)
        if routing.intent.startswith("chat."):
            return self._chat(routing.intent, principal)
        adapter = self.adapters.get(routing.intent)
        if adapter is None:
            return Plan("llm", self.not_understood(principal), routing=routing)
        arguments = jsonable(adapter.extract(utt))
        return self._complete(adapter, arguments, memory, routing)

    def _complete(
        self,
        adapter: Adapter,
        arguments: dict[str, Any],
        memory: Memory,
        routing: Routing | None = None,
    ) -> Plan:
        for name, question in adapter.ask.items():
            if arguments.get(name) in (None, "", []):
                memory.draft = {"tool": adapter.tool, "arguments": arguments, "awaiting": name}
                return Plan(
                    "reply", question, tool=adapter.tool, arguments=arguments, routing=routing
                )
        memory.draft = None
        return Plan("tool", tool=adapter.tool, arguments=arguments, routing=routing)

    def _fill(self, memory: Memory, utt: Utterance, message: str, folded: str) -> Plan:
        draft = memory.draft or {}
        adapter = self.adapters[draft["tool"]]
        awaiting = draft.get("awaiting")
        correcting = bool(CORRECTION.match(folded))
        if correcting:
            arguments = jsonable(adapter.corrected(dict(draft["arguments"]), utt))
        elif awaiting and (choice := self._chosen_option(draft, folded)) is not None:
            arguments = dict(draft["arguments"])
            set_path(arguments, awaiting, choice)
        else:
            said = jsonable(adapter.extract(utt))
            if awaiting and "." in awaiting:  # the answer names one part of a list
                said.pop(awaiting.split(".")[0], None)
            arguments = {**draft["arguments"], **said}
        if not correcting and awaiting and get_path(arguments, awaiting) in (None, "", []):
            value = self._answer_value(draft, awaiting, utt, message, folded)
            if value is not None:
                set_path(arguments, awaiting, value)
        return self._complete(adapter, arguments, memory)

    @staticmethod
    def _chosen_option(draft: dict[str, Any], folded: str) -> str | None:
        """« le premier », or the name of one of the candidates offered."""
        options: Sequence[str] = draft.get("options") or []
        key = folded.strip(" .!?")
        if options and key in ORDINALS and ORDINALS[key] < len(options):
            return options[ORDINALS[key]]
        named = [o for o in options if fold(o) == key] or [o for o in options if key in fold(o)]
        return named[0] if len(named) == 1 else None

    def _answer_value(
        self, draft: dict[str, Any], awaiting: str, utt: Utterance, message: str, folded: str
    ) -> Any:
        kind = self._field_kind(draft["tool"], awaiting)
        if kind is date:
            return utt.dates[0].first.isoformat() if utt.dates else None
        if kind is Decimal:
            if utt.amounts:
                return str(utt.amounts[0].value)
            if utt.quantities:
                return str(utt.quantities[0].value)
            return str(utt.numbers[0]) if utt.numbers else None
        if kind is str:
            return _clean_answer(message) or None
        return None

    def _field_kind(self, tool_name: str, field_name: str) -> type | None:
        if "." in field_name:  # a name inside a list of lines: always what the person says
            return str
        tool = self.registry.get(tool_name)
        if tool is None or field_name not in tool.input_model.model_fields:
            return None
        annotation = tool.input_model.model_fields[field_name].annotation
        candidates = [annotation, *get_args(annotation)]
        return next((k for k in (date, Decimal, str) if any(c is k for c in candidates)), None)

    def _correct(self, memory: Memory, utt: Utterance) -> Plan:
        last = memory.last or {}
        adapter = self.adapters.get(last.get("tool", ""))
        if adapter is None:
            return Plan("llm")
        arguments = jsonable(adapter.corrected(dict(last["arguments"]), utt))
        return self._complete(adapter, arguments, memory)

    def _follow_up(self, memory: Memory, utt: Utterance, message: str) -> Plan:
        last = memory.last or {}
        adapter = self.adapters.get(last.get("tool", ""))
        if adapter is None:
            return Plan("llm")
        said = jsonable(adapter.extract(utt))
        if not said:
            entity = next(
                (f for f in adapter.ask if self._field_kind(adapter.tool, f) is str), None
            )
            name = re.sub(r"(?i)^\s*et\s+(pour|chez|de|du|à|a|au)?\s*", "", message)
            name = name.strip(" ?!.")
            if entity is None or not name:
                return Plan("llm")
            said = {entity: name}
        return self._complete(adapter, {**last["arguments"], **said}, memory)

    def remember(self, memory: Memory, tool: str, arguments: dict[str, Any]) -> None:
        memory.last = {"tool": tool, "arguments": jsonable(arguments)}

    def ask_back(
        self,
        memory: Memory,
        tool: str,
        arguments: dict[str, Any],
        awaiting: str,
        options: list[str],
    ) -> None:
        """A tool asked which one: the next answer fills ``awaiting`` (names or « le premier »)."""
        arguments = jsonable(arguments)
        if get_path(arguments, awaiting) is not None:
            set_path(arguments, awaiting, None)
        memory.draft = {
            "tool": tool,
            "arguments": jsonable(arguments),
            "awaiting": awaiting,
            "options": options,
        }
