"""What the local tier answers by itself, in French: guards for messages it cannot read
(empty, too long, symbols only, Wolof), greetings, help for the user's role, a polite
refusal for what is not its business, refusals of attempts to change its rules, and how to
ask for something (« comment on fait pour… ? »)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from agents.local.adapters.base import Adapter
from agents.local.router import IntentRouter, Routing
from agents.local.slots.text import fold
from domain.kit.lexicon import everyday_word, lexicon, pairs, phrasing, words
from domain.kit.principal import Principal
from tools.registry import Registry

MAX_MESSAGE = 4000
# From the lexicon: the tools whose first exemplar shows what Comptoir can do, what each
# group of tools lets people do (help), what a request needs (how-to answers).
SHOWCASE = tuple(lexicon()["showcase"])
CAPABILITIES = pairs("capabilities")
FIELD_WORDS: dict[str, str] = dict(lexicon()["field_words"])

WOLOF = words("wolof")
# Words that make a message read as French even with Wolof around them.
WOLOF_READ = frozenset({"facture", "stock", "client", "conge"})
# A message that only greets in Wolof (« Salamaleykoum, na nga def ? ») is greeted back.
WOLOF_GREETING = phrasing("wolof_greeting")

# « comment… ? » names a tool when its title and exemplars together score this much.
HOW_TO_MIN_SCORE = 1.80
HOW_TO_MARGIN = 0.015
# … or a little less, when it leads the next tool clearly (« régler » for « paiement »).
HOW_TO_CLEAR_MARGIN = 0.03
JUST_SAY_IT = "Il suffit de me dire ce que vous voulez, en une phrase, comme à un collègue."
OVERRIDE_REFUSAL = (
    "Désolé, je ne peux pas faire ça : un message ne change ni mes règles ni vos droits."
)
ERASE_REFUSAL = "Désolé, je ne peux pas faire ça : je ne supprime jamais de données en masse."


Kind = Literal["tool", "reply", "llm"]


@dataclass(frozen=True, slots=True)
class Plan:
    kind: Kind
    text: str = ""
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    routing: Routing | None = None
    # Other names the message says, per argument, to try in turn when the one read finds
    # no record (« facture cabinet roux pour le déjeuner »: « déjeuner », then « cabinet roux »).
    alternatives: dict[str, list[str]] = field(default_factory=dict)


def _french_count(value: int) -> str:
    """4571 → « 4 571 » (narrow no-break space, as French writes thousands)."""
    return f"{value:,}".replace(",", "\u202f")


class Replies:
    """The conversational answers of ``LocalTier`` (a mixin: it brings the attributes)."""

    router: IntentRouter
    adapters: dict[str, Adapter]
    registry: Registry
    _first_examples: dict[str, str]
    _titles: tuple[list[str], np.ndarray] | None = None  # tool names, embedded titles

    def _guard(self, message: str, principal: Principal) -> Plan | None:
        stripped = message.strip()
        if not stripped:
            return Plan("reply", "Votre message est vide. " + self.examples_sentence(principal))
        if len(stripped) > MAX_MESSAGE:
            return Plan(
                "reply",
                f"Votre message est trop long ({_french_count(len(stripped))} caractères ; "
                f"{_french_count(MAX_MESSAGE)} au plus). Écrivez une demande à la fois, par "
                f"exemple : {self._example_list(principal, 2)}.",
            )
        if set(stripped) <= set("?¿ "):
            return Plan(
                "reply",
                "Vous avez une question ? Dites-moi en une phrase ce que vous voulez savoir ou "
                "faire. " + self.examples_sentence(principal),
            )
        if not any(c.isalnum() for c in stripped):
            return Plan(
                "reply",
                "Je n'ai reçu que des symboles ou des émojis. " + self.examples_sentence(principal),
            )
        if WOLOF_GREETING.fullmatch(fold(stripped)):
            return Plan(
                "reply",
                "Maalekum salaam ! Que puis-je faire pour vous ? "
                + self.examples_sentence(principal),
            )
        said = set(re.findall(r"[\wëé]+", stripped.lower()))
        french = set(re.findall(r"\w+", fold(stripped)))
        wolof = said & WOLOF
        # « Non 8 bidons. Dama wax 6 mais c 8 »: a Wolof aside in a French message is read
        everyday = {w for w in french - wolof if everyday_word(w)}
        if wolof and len(everyday) <= len(wolof) and not french & WOLOF_READ:
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

    def capabilities(self, principal: Principal) -> str:
        """« factures, devis et paiements ; stock et produits ; … »: what this user's role
        may ask for."""
        allowed = [
            label
            for tools, label in CAPABILITIES
            if any((t := self.registry.get(n)) is not None and t.allowed(principal) for n in tools)
        ]
        return " ; ".join(allowed)

    def _chat(self, intent: str, principal: Principal) -> Plan:
        if intent == "chat.greeting":
            return Plan(
                "reply",
                "Bonjour ! Que puis-je faire pour vous ? " + self.examples_sentence(principal),
            )
        if intent == "chat.thanks":
            return Plan("reply", "Avec plaisir ! Autre chose ?")
        if intent == "chat.out_of_scope":
            return Plan(
                "reply",
                "Désolé, je ne peux pas vous aider pour ça : je m'occupe uniquement de la "
                "gestion de votre activité (ventes, paiements, stock, équipe). "
                + self.examples_sentence(principal),
            )
        return Plan(
            "reply",
            "Je gère votre activité en conversation. Avec votre compte, je peux vous aider "
            f"pour : {self.capabilities(principal)}. Demandez simplement, en une phrase. "
            + self.examples_sentence(principal),
        )

    def _override_refusal(self, attempt: str, principal: Principal) -> str:
        first = OVERRIDE_REFUSAL if attempt == "override" else ERASE_REFUSAL
        return (
            f"{first} Je suis toujours les mêmes règles : vos droits sont ceux de votre compte, "
            "toute écriture passe par un aperçu que vous confirmez, et rien ne s'efface en "
            "masse. " + self.examples_sentence(principal)
        )

    @staticmethod
    def _insisted(refusal: str) -> str:
        return (
            f"{refusal} Insister n'y change rien : ce sont les droits de votre compte qui "
            "décident, pas ce qui est écrit dans la conversation. Un administrateur de Comptoir "
            "peut vous donner ces droits, ou faire la demande lui-même."
        )

    def _how_to_candidates(self, subject: str) -> list[tuple[str, float]]:
        """Tools for « comment on fait pour <subject> ? », best first: similarity to the
        tool's title (« Créer un avoir », an infinitive like the subject) plus the
        router's score on the exemplars."""
        if self._titles is None:
            tools = [t for n in self.adapters if (t := self.registry.get(n)) is not None]
            titles = self.router.embedder.embed([t.title for t in tools])
            self._titles = ([t.name for t in tools], titles)
        names, matrix = self._titles
        similarities = (matrix @ self.router.embedder.embed([subject])[0]).tolist()
        by_title = dict(zip(names, similarities, strict=True))
        routed = dict(self.router.scores(subject, subject))
        ranked = [(n, by_title[n] + routed.get(n, 0.0)) for n in names]
        return sorted(ranked, key=lambda pair: pair[1], reverse=True)

    def _how_to(self, subject: str, principal: Principal) -> Plan:
        """« Comment on fait pour enregistrer un paiement ? »: how to ask for it, with
        examples close to what was said; nothing is done."""
        ranked = self._how_to_candidates(subject)
        best, score = ranked[0] if ranked else ("", 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        tool = self.registry.get(best)
        clear = score >= HOW_TO_MIN_SCORE or (
            score >= HOW_TO_MIN_SCORE - HOW_TO_CLEAR_MARGIN
            and score - runner_up >= HOW_TO_CLEAR_MARGIN
        )
        if tool is None or not clear:
            return Plan("reply", f"{JUST_SAY_IT} {self.examples_sentence(principal)}")
        if score - runner_up < HOW_TO_MARGIN:  # two close candidates: an example of each
            close = [
                n for n, s in ranked[:2] if (t := self.registry.get(n)) and t.allowed(principal)
            ]
            examples = " ou ".join(
                f"« {self.router.closest_examples(subject, n, 1)[0]} »" for n in close
            )
            return Plan(
                "reply", f"{JUST_SAY_IT} Par exemple : {examples}." if close else JUST_SAY_IT
            )
        if not tool.allowed(principal):
            return Plan(
                "reply",
                f"Votre compte n'a pas les droits pour ça (« {tool.title} ») : demandez à un "
                "responsable ou à un administrateur. " + self.examples_sentence(principal),
            )
        examples = " ou ".join(
            f"« {e} »" for e in self.router.closest_examples(subject, tool.name, 2)
        )
        text = f"Il suffit de me le dire en une phrase, par exemple : {examples}."
        needs = [FIELD_WORDS[f] for f in self.adapters[tool.name].ask if f in FIELD_WORDS]
        if needs:
            listed = ", ".join(needs[:-1]) + " et " + needs[-1] if len(needs) > 1 else needs[0]
            text += f" Précisez {listed} ; s'il manque quelque chose, je vous le demanderai."
        if tool.is_write:
            text += (
                " Je vous montre d'abord un aperçu, et rien n'est enregistré sans votre « oui »."
            )
        return Plan("reply", text)
