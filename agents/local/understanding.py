"""The local tier: offline French understanding of one message in a conversation.

It decides, without any network, what the message asks: a tool call with its arguments,
a question back for what is missing, a conversational answer, or « I don't know » (then
the LLM tier is tried when one is configured). It keeps the request being filled across
turns (``draft``) and the last request shown or done (``last``) for corrections
(« non, 4 sacs ») and follow-ups (« et pour Ndiaye ? »).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, get_args

from agents.local import conversation as talk
from agents.local import coverage, unavailable
from agents.local.adapters import documents as rules
from agents.local.adapters import purchasing as received
from agents.local.adapters import stock
from agents.local.adapters.base import Adapter
from agents.local.adapters.finance import with_terms
from agents.local.declared import declared
from agents.local.mentions import capitalized_subject, names_said
from agents.local.replies import (
    ERASE_REFUSAL,
    MAX_MESSAGE,
    OVERRIDE_REFUSAL,
    Kind,
    Plan,
    Replies,
)
from agents.local.router import IntentRouter, Routing
from agents.local.slots import analyse
from agents.local.slots.calendar import WEEKDAYS
from agents.local.slots.dates import the_period_beside, the_same_length_from, the_same_period_from
from agents.local.slots.payment import find_in_full, parse_document_numbers, payment_methods
from agents.local.slots.recurrence import at_another_time, find_schedule
from agents.local.slots.text import expand_sms
from agents.local.slots.text import fold as text_fold
from agents.local.slots.types import Utterance
from domain.audit.service import jsonable
from domain.kit.lexicon import alternation, everyday_word, lexicon, phrasing, words
from domain.kit.principal import Principal
from domain.kit.text import fold
from domain.sales.units import known_unit
from tools.base import Tool
from tools.registry import Registry

__all__ = ["MAX_MESSAGE", "Kind", "LocalTier", "Memory", "Plan"]

# A new request interrupts the one being filled only when the router is this sure of it.
SWITCH_SCORE = 0.89
CORRECTION = phrasing("correction")
SELF_CORRECTION = phrasing("self_correction")
SENTENCE_END = phrasing("sentence_end")
WEAK_CORRECTION = phrasing("weak_correction")
BEFORE_THAT = phrasing("before_that")
FOLLOW_UP = phrasing("follow_up")
SAME_FOR = phrasing("same_for")
RECEIVED_KIND = phrasing("received_kind")
VALIDATED_INVOICE_EDITED = phrasing("validated_invoice_edited")
# What a document of each kind is recorded as when someone else made it and sent it.
RECEIVED_AS: dict[str, str] = lexicon()["received_as"]
EDIT_VALIDATED = "unavailable.edit_posted_invoice"
ORDINALS: dict[str, int] = lexicon()["option_ordinals"]
# The field a document number fills, by its prefix.
DOCUMENT_FIELDS = {"F": "invoice", "D": "quote"}
# A line's field an amount of money answers.
PRICE_FIELDS = frozenset({"unit_price", "amount", "price"})
# Records a write acts on that exist only as documents (never named by a person's name alone).
DOCUMENT_KINDS = frozenset({"quote", "invoice", "credit_note", "supplier_bill", "purchase_order"})
# Nouns that name such a document for a write on it, besides the kinds' own words (« la
# commande de Sotiba » is an order to the supplier; as a kind it would name one anywhere).
DOCUMENT_NOUNS = {"purchase_order": re.compile(r"\bcommandes?\b")}
# Between two items of one movement: « 10 cartons de thé et 5 cartons de savon ».
ANOTHER_ITEM = re.compile(r"[^,;.!?]*?(\s*(?:,|\bet\b|\bpuis\b|\+)\s*)")
# A long message (a story that ends with the question) is understood from its question.
LONG_MESSAGE = 300
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# Sentences that only open the message: « Ah pardon. », « Merci. », « Bonjour. », and
# thanks for something past (« Bonjour, merci pour hier. »; « merci de … » asks).
THANKS_FOR = phrasing("thanks_for")
# « combien … ? », « cmb », « c'est combien »: a figure asked for.
HOW_MUCH = re.compile(r"\bcombien\b")
READING_SPREAD = 0.06  # how close to the write a reading must score to be the question
OPENING = re.compile(r"^\s*([^,]{1,30}),\s*")
GREETING_WORDS = words("greeting_words") | words("address_words")
OPENER_WORDS = words("opener_words")
# Sentences that only close the message: « Merci beaucoup et bonne journée. »
CLOSER_WORDS = OPENER_WORDS | words("closer_words")
# « …750 g ? une cliente demande », « … ? le client attend »: after a question, who asks it.
WHO_ASKS = phrasing("who_asks")
# A follow-up question about someone else (« et Sow, c'est quelle facture ? ») is read as
# the reading that fits it best, when it fits this well.
MIN_ABOUT_SCORE = 0.88
PERSON_FIELDS = ("customer", "employee", "partner", "supplier")
OVERVIEW_TOOL = "reports.kpis"
# An unsure message with a pronoun goes to the first of the close candidates that takes
# what the pronoun stands for.
CONTEXT_CANDIDATES = 5
CONTEXT_SPREAD = 0.035
SECOND_REQUEST = re.compile(
    r"(?:\s*[,;.?!]\s*(?:et\s+|puis\s+|ensuite\s+|et puis\s+|apres\s+|mais\s+)?"
    r"|\s+(?:et|puis|ensuite|mais)\s+)"
    r"(?:tu\s+|stp\s+|svp\s+)?(?=((?:" + alternation("second_request_starts") + r")\b))"
)
# A message that opens like a request of its own (« montre-moi … », « crée … »).
OPENS_REQUEST = phrasing("opens_request")
# Goods of an order that arrived (« les 40 bouteilles de la commande sont là », « Sotiba a
# livré 20 sacs sur les 50 commandés »): received on that purchase order.
GOODS_ARRIVED = phrasing("goods_arrived")
ORDER_ARRIVED = re.compile(GOODS_ARRIVED.pattern + phrasing("an_order_named").pattern)
# « ils ont livré toute la commande », « la commande complète est arrivée »: all of it came.
WHOLE_ORDER = phrasing("whole_order")
ORDERING = phrasing("ordering")
RECEIVE_ORDER = "stock.receive_purchase_order"
PRODUCT_SEARCH = "stock.find_product"
PEOPLE_SEARCHES = frozenset({"hr.find_employee", "sales.find_customer", "sales.find_supplier"})
# Words that ask to make a record (« ajoute-le comme fournisseur », « crée la fiche »).
CREATING = phrasing("creating")
# « ajoute la ville Saint-Louis » to a card that exists: a change of it, not a new one.
FIELD_ADDED = phrasing("field_added")
NEW_CARD = phrasing("new_card")
# Lines added to the request shown (« ajoute aussi 2 ramettes », « rajoute 3 sacs »).
MORE_LINES = phrasing("more_lines")
# « mets 12 sacs » sets a count; « mets aussi 2 sacs de sel » adds.
SETS_NOT_ADDS = phrasing("sets_not_adds")
POLITE_END = phrasing("polite_end", re.IGNORECASE)
# Said before the first of several requests, whose next one waits for it.
ONE_AT_A_TIME = "Une chose à la fois : ensuite, "
STILL_MISSING = "Il me manque encore une précision avant l'aperçu : "
THE_ONE_MADE = phrasing("the_one_made")
THAT_RECORD = phrasing("that_record")
MADE = phrasing("one_already_made")
ONE_OF_THEM = phrasing("one_of_them")
ABOUT_THE_FIRST = phrasing("about_the_first")
AND_ANOTHER = phrasing("and_another", re.IGNORECASE)
LEADING_AND = phrasing("leading_and", re.IGNORECASE)
ANOTHER_FOR = phrasing("another_for")
# A request naming a kind of record its routed tool does not take is re-read as the close
# intent whose tool creates that kind, among this many of the best.
KIND_CANDIDATES = 6
# After a parse left a recurrence over: the closest intents looked at for one that takes it.
RECURRENCE_CANDIDATES = 3
KIND_SPREAD = 0.03  # how close to the best an intent must score to be among them
# « il en reste combien ? », « il lui reste combien ? »: a pronoun for what was just spoken of.
ABOUT_IT = phrasing("about_it")
# A message opening by asking to see something reads (« montre-moi la facture de … »).
SHOW = phrasing("show")
SHOW_SPREAD = 0.05  # how close a reading must score to the routed writing
# « m'a donné », « nous a versé »: money that came in.
RECEIVED_BY_US = phrasing("received_by_us")
# « le numéro c'est 88/2026 », « réf : FA-12 »: the words saying a number is coming.
NUMBER_LEAD = phrasing("number_lead")
# « j'ai payé 150 000 cash aux Grands Moulins »: money the business paid out.
PAID_BY_US = phrasing("paid_by_us")
# The documents « elle a payé », « paie-la » settle right after they were made: the field
# naming the document on the paying tool, and the one naming whom it is with.
PAID_DOCUMENTS = {"invoice": ("invoice", "customer"), "supplier_bill": ("bill", "supplier")}
# « pour ses factures », « sur sa dernière facture », « ça solde leur facture »: records
# that already exist.
WORD_RE = re.compile(r"[a-z]+")
EXISTING_ONES = phrasing("existing_ones")
# A question is answered by the best reading when it scores this much, and leads another
# reading by this margin (a writing runner-up does not count: a question does not write).
QUESTION_MIN_SCORE = 0.90
QUESTION_MARGIN = 0.005
# A question the router puts nearly as close to a write as to a reading reads.
QUESTION_OVER_WRITE_MARGIN = 0.03
CONFIRMATION_STAYS = "Je demande toujours votre accord avant d'enregistrer quoi que ce soit."
# A follow-up of a reading whose words it cannot account for.
NOT_A_FOLLOW_UP = (
    "Je n'ai pas bien compris « {} » : pouvez-vous poser la question en entier ? Rien n'a été fait."
)
# The kinds of declared slots that hold a name (« clients à Thiès », « le client Diallo »).
NAME_SLOTS = frozenset({"name", "lookup", "product", "place"})


@dataclass
class Memory:
    """What the local tier remembers between turns (JSON-safe, kept in the checkpoint)."""

    draft: dict[str, Any] | None = None  # {"tool", "arguments", "awaiting", "options", "question"}
    last: dict[str, Any] | None = None  # {"tool", "arguments"}
    # Whom and what the conversation was last about, by kind (« lui » = about["customer"]).
    about: dict[str, str] = field(default_factory=dict)
    refused: str | None = None  # the refusal just given, repeated when the user insists
    # The documents the last answer listed (« la plus ancienne » is one of them).
    listed: list[dict[str, Any]] = field(default_factory=list)
    # The next request of a message that asked for several (« …, et valide-la »), taken up
    # once the first is done.
    queued: str | None = None

    def dump(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "last": self.last,
            "about": self.about,
            "refused": self.refused,
            "listed": self.listed,
            "queued": self.queued,
        }

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> Memory:
        data = data or {}
        return cls(
            draft=data.get("draft"),
            last=data.get("last"),
            about=dict(data.get("about") or {}),
            refused=data.get("refused"),
            listed=list(data.get("listed") or []),
            queued=data.get("queued"),
        )


def _a_date(value: Any) -> date | None:
    """A date argument as kept in a request (a date or its ISO text), or None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _shown_fields(tool: Tool) -> set[str]:
    """The names of the fields a tool's answer holds, at any depth (« email » of each
    customer found)."""
    schema = tool.output_model.model_json_schema()
    found: set[str] = set()
    for part in [schema, *(schema.get("$defs") or {}).values()]:
        found |= set((part.get("properties") or {}).keys())
    return found


def _complete_for(tool: Tool, arguments: dict[str, Any]) -> bool:
    """Every field the tool requires is in ``arguments``."""
    fields = tool.input_model.model_fields
    return all(name in arguments for name, field in fields.items() if field.is_required())


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


def _of(label: str) -> str:
    """« un avoir » → « d'un avoir »."""
    return "d'" + label if label[:1] in "aeiouyéèê" else "de " + label


# « c'est avec », « pour le client »: what an answer that names someone opens with.
ANSWER_LEAD = phrasing("answer_lead")


def _says_yes(folded: str) -> bool:
    """A yes word among the words of an answer (« wax na, oui »)."""
    said = re.findall(r"[\w'-]+", folded)
    phrases = set(said) | {" ".join(pair) for pair in zip(said, said[1:], strict=False)}
    return bool(phrases & words("yes_words"))


def _clean_answer(text: str, *, whole: bool = False) -> str:
    """« avec Sow Transport, pour le paiement » → "Sow Transport"; « le numéro c'est
    88/2026 » → "88/2026"; ``whole``: free words kept past their first comma."""
    text = NUMBER_LEAD.sub("", text.strip())
    text = ANSWER_LEAD.sub("", text.strip())
    if not whole and talk.NAMED.match("avec " + text):
        text = re.split(r"[,;(]", text)[0]
    return text.strip(" .!?;,")


def _another_priced_record(utt: Utterance, message: str) -> tuple[str, str] | None:
    """« nouveaux produits : thé vert à 900 F la boîte et café moulu à 2 500 »: two records
    made alike, each with its price, joined by « et »; the words that open the message (up
    to « nouveaux produits ») are said of both."""
    if len(utt.amounts) != 2:
        return None
    one, other = utt.amounts
    joined = re.search(r"\s+et\s+", message[one.end : other.start])
    markers = "|".join(map(re.escape, sorted(words("new_product_markers"), key=len, reverse=True)))
    opening = re.search(rf"\b(?:{markers})\b\s*:?", fold(message))
    if joined is None or opening is None or opening.end() > one.start:
        return None
    at, end = one.end + joined.start(), one.end + joined.end()
    return message[:at].strip(), f"{message[: opening.end()]} {message[end:]}".strip()


def _another_record(message: str) -> tuple[str, str] | None:
    """« une facture à X pour …, et une autre pour Y : … »: the first request, and the same
    record's noun with the other part (nothing when the first names no such noun)."""
    folded = fold(message)
    found = ANOTHER_FOR.search(folded)
    if found is None or len(folded) != len(message):
        return None
    first, rest = message[: found.start()].strip(), message[found.end() :].strip(" .!")
    noun = re.search(rf"\b{found[1]}\s+(\w+)", fold(first))
    return first, f"{found[1]} {noun[1]} {rest}" if noun else ""


def _another_asked(plan: Plan, message: str) -> tuple[str, str] | None:
    """« il reste combien de savon et de javel ? »: a reading of one product asked of two,
    the article said again before the second; the same question for each, one after the
    other."""
    product = plan.arguments.get("product")
    at = message.find(product) if isinstance(product, str) else -1
    if not isinstance(product, str) or at < 0:
        return None
    parts = AND_ANOTHER.split(product, maxsplit=1)
    if len(parts) != 2:
        return None
    one, other = parts[0].strip(), re.sub(r"(?i)^(?:de la|de|du|des)\s+|^d'", "", parts[1])
    head, tail = message[:at], message[at + len(product) :]
    article = re.search(r"(?i)(?<![\w'])(?:de la |de l'|de |du |des |d')$", head)
    if article is not None:  # « combien d'huile et de riz »: the second keeps its own article
        return (
            f"{head}{one}{tail}".strip(),
            f"{head[: article.start()]}{parts[1].strip()}{tail}".strip(),
        )
    return f"{head}{one}{tail}".strip(), f"{head}{other.strip()}{tail}".strip()


def _focus(message: str) -> str:
    """What to understand of a message: the question that ends a long story (« … tout ça
    pour dire que : il me reste combien de farine ? »), without the short sentences that
    only open it (« Ah pardon. Il me reste combien d'huile ? ») or close it (« … Merci et
    bonne soirée »)."""
    sentences = [s for s in SENTENCE_END.split(message.strip()) if s.strip()]
    if len(sentences) < 2:
        return _without_opening(message)
    questions = [s for s in sentences if s.rstrip().endswith("?")]
    if len(message) > LONG_MESSAGE and questions:  # a story, then the question
        tail = questions[-1].rsplit(":", 1)[-1].strip()
        return tail if len(tail.split()) >= 3 else questions[-1]
    while len(sentences) > 1 and (
        set(fold(sentences[0]).strip(" .!?…,").split()) <= OPENER_WORDS
        or THANKS_FOR.match(fold(sentences[0]))
    ):
        sentences.pop(0)
    while len(sentences) > 1 and (
        set(fold(sentences[-1]).strip(" .!?…,").split()) <= CLOSER_WORDS
        or (sentences[-2].rstrip().endswith("?") and WHO_ASKS.match(fold(sentences[-1])))
    ):
        sentences.pop()
    return _without_opening(" ".join(sentences))


# « bonjour je suis au dépôt »: a greeting word, then someone saying what they do.
GREETED = re.compile(
    r"(?i)^\s*(?:"
    + "|".join(sorted(words("greeting_words")))
    + r")\s+(?=(?:je|j'|j’|on|nous|il|elle)\b)"
)


def _without_opening(message: str) -> str:
    """« Bonjour, Julien Petit sera en congé… »: a greeting before the first comma only
    opens the message (« merci, c'est tout » is an answer: kept whole); so does a greeting
    word right before « je », « on », « il »… (« salut je commence »)."""
    if (greeted := GREETED.match(message)) is not None:
        return message[greeted.end() :]
    opening = OPENING.match(message)
    if opening is None or not set(fold(opening.group(1)).split()) <= GREETING_WORDS:
        return message
    return message[opening.end() :] or message


# « …, je pars en congé », « …, car je la réactiverai en septembre », « … . La facture, on
# la fera à la livraison », « … . Le lait, ce sera lundi »: a last clause or sentence that
# only says why the speaker asks, or what they or others will do later (a verb of being
# away, or in the future), with no number in it (« je lui ferai 10 % » changes the request).
ASIDE = re.compile(
    # « …. le lait, ce sera la semaine prochaine », « le reste suivra »: what comes later
    r"^(?:[^?\d]*\s)?(?:je |j'|on |nous |ce |ca |(?:il|elle) est |(?:ils|elles) sont "
    r"|le reste |les autres )"
    r"(?:(?:la|le|les|lui|leur|en|y) |l')*(?:"
    + alternation("aside_verbs")
    + r"|\w+(?:rai|ra|rons))\b[^?\d]*$"
)
# A follow-up naming someone first (« et Ndiaye 30 000 en espèces »): a name with a capital.
ANOTHER_NAMED = re.compile(r"(?i:et)\s+([A-ZÀ-Ý][^\W\d_]+(?:[ '-][A-ZÀ-Ý][^\W\d_]+)*)\b(?!-)")
LAST_PART = re.compile(r"^(?P<head>.*\S)\s*[,.;]\s+(?P<tail>[^,.;]+?)[\s.!]*$")

# « …, parce qu'ils sont en rupture jusqu'au mois prochain »: a last clause that says why
# is no part of what is asked (its words are still read as the request's reason).
REASON_TAIL = phrasing("reason_tail", re.IGNORECASE)
NAMED_CASH = re.compile(r"\b([A-Z][\w'’&-]+) Cash\b")


def _for_routing(message: str) -> str:
    """« Fais-lui une facture » is routed as « Fais une facture »: who it is for is not
    what is asked; « attends, avant ça » only says the request comes first; « CA » (in
    capitals) is the revenue; « Metro Cash » is a name, not a way of paying."""
    message = talk.INTERRUPTION.sub("", message) or message
    message = NAMED_CASH.sub(r"\1", message)
    message = re.sub(r"\bC\.?A\b\.?", "chiffre d'affaires", message)  # « ça » folds to "ca"
    message = REASON_TAIL.sub("", message) or message
    return re.sub(r"(?i)-(lui|leur)\b", "", message)


# « sors 2 sacs pour la cantine »: a count of containers with no product named.
BARE_COUNT = re.compile(r"\b\d+(?:[.,]\d+)?\s+([a-z]+)\b(?!\s+(?:de|du|des|d')\b)")


def _stems(verb: str) -> tuple[str, ...]:
    """How a title's verb begins when conjugated: « Relancer » → "relan"; a verb in -oyer
    turns its y to i (« Envoyer » → "envoy", "envoi": « envoie la facture »)."""
    return (verb[:5], verb[:-3] + "i") if verb.endswith("oyer") else (verb[:5],)


def _takes(tool: Tool, kind: str) -> bool:
    """Whether an argument of ``tool`` names a record of ``kind`` (``bill``: a supplier_bill)."""
    return any(talk.ENTITY_FIELDS.get(f, f) == kind for f in tool.input_model.model_fields)


def _counted_bare(name: str, folded: str) -> bool:
    """Whether a product left unsaid is the one just spoken of: the message counts its
    containers only (« 2 sacs »)."""
    return name == "product" and any(
        known_unit(m.group(1)) is not None for m in BARE_COUNT.finditer(folded)
    )


# The arguments that name a partner or a person, whose other names a plan may carry.
OTHER_NAMED = frozenset({"customer", "supplier", "employee", "partner"})
_LETTERS = re.compile(r"[^\W\d_]+")


def _everyday_name(name: str, value: Any) -> list[str]:
    """The words of ``value`` when argument ``name`` names a partner or a person in lower-case
    everyday words only (« déjeuner », « repris deux »): maybe no one; else nothing."""
    if name not in OTHER_NAMED or not isinstance(value, str) or value[:1].isupper():
        return []
    read = _LETTERS.findall(fold(value))
    return read if read and all(map(everyday_word, read)) else []


def _other_names(plan: Plan, message: str) -> Plan:
    """A partner read in everyday words only (« pour le déjeuner de ce midi » → « déjeuner »,
    « au lieu de 6,50 » → « lieu ») may be no one: the other names the message says go with
    the plan, tried in turn when that reading finds no record. A name written with a capital
    or holding a word that is no everyday word (« Diop Frères ») has none: unknown, it is
    asked about."""
    if plan.kind != "tool":
        return plan
    folded = fold(message)
    alternatives: dict[str, list[str]] = {}
    for name, value in plan.arguments.items():
        read = _everyday_name(name, value)
        if not read or fold(value) not in folded:
            continue
        others = [
            other
            for other in names_said(Utterance(text=message, folded=folded))
            if not set(_LETTERS.findall(fold(other))) & set(read)
        ]
        if others:
            alternatives[name] = others
    return replace(plan, alternatives=alternatives) if alternatives else plan


class LocalTier(Replies):
    def __init__(self, router: IntentRouter, adapters: dict[str, Adapter], registry: Registry):
        self.router = router
        self.adapters = declared(adapters, ((s.name, s.slots, s.ask) for s in router.specs))
        self.registry = registry
        self._first_examples = {s.name: s.examples[0] for s in router.specs if s.examples}
        self._slots = {s.name: s.slots or {} for s in router.specs}
        everyday_word("")  # the word list is read now (0.2 s), not during someone's turn

    def _ranked(self, message: str, most: int | None = KIND_CANDIDATES) -> list[tuple[str, float]]:
        """The ``most`` intents closest to ``message`` as it is routed, best first."""
        routed = _for_routing(message)
        return self.router.scores(routed, fold(routed))[:most]

    def _nearest(
        self, message: str, spread: float | None = KIND_SPREAD, most: int | None = KIND_CANDIDATES
    ) -> list[Tool]:
        """The tools of the ``most`` intents closest to ``message`` that the tier reads,
        best first, scoring within ``spread`` of the best (all of them when None)."""
        ranked = self._ranked(message, most)
        return [
            tool
            for name, score in ranked
            if (spread is None or score >= ranked[0][1] - spread)
            and name in self.adapters
            and (tool := self.registry.get(name)) is not None
        ]

    # -- entry point ---------------------------------------------------------------------
    def understand(
        self, message: str, memory: Memory, principal: Principal, *, today: date, currency: str
    ) -> Plan:
        message = talk.hyphenated(expand_sms(message))
        guard = self._guard(message, principal)
        if guard is not None:
            return guard
        if memory.draft is None:  # a new message: what an earlier one left for later goes
            memory.queued = None
        folded = fold(message)
        refused, memory.refused = memory.refused, None
        if attempt := talk.overrides_rules(folded):
            memory.refused = OVERRIDE_REFUSAL if attempt == "override" else ERASE_REFUSAL
            return Plan("reply", self._override_refusal(attempt, principal))
        if refused and talk.insists(folded):
            memory.refused = refused
            return Plan("reply", self._insisted(refused))
        message, skipped = talk.without_skip_confirmation(message)
        message = talk.FILLER.sub("", message).strip() or message
        if memory.draft is None:
            message = LEADING_AND.sub("", _focus(message))  # « et règle-la » is « règle-la »
        if memory.draft is None:
            message = self._without_aside(message, memory, principal, today, currency)
            message = talk.fronted_object(capitalized_subject(message))
        folded = fold(message)
        subject = None if talk.asks_overview(folded) else talk.how_to_subject(folded)
        if subject is not None:
            return self._how_to_or_answer(subject, message, principal)
        plan = (
            self._corrected_within(message, memory, principal, today, currency)
            if memory.draft is None
            else None
        ) or self._understand(message, folded, memory, principal, today=today, currency=currency)
        plan = _other_names(plan, message)
        return replace(plan, text=CONFIRMATION_STAYS) if skipped and plan.kind == "tool" else plan

    def _corrected_within(
        self, message: str, memory: Memory, principal: Principal, today: date, currency: str
    ) -> Plan | None:
        """« 6 cartons de bordeaux… ah non, 8. Et 12 champagnes »: a request its speaker
        corrects before the message ends. The request is read without the corrected sentence
        (what follows that sentence still belongs to it), then the correction is applied to
        it as to a preview shown; when the correction names no single part of the whole
        request, it is applied to what came before it, and what follows is added after.
        A correction that changes nothing is a request in place of the first one (« …, non
        attends, mets juste le minimum à 15 »), or is not understood: never the request as
        first said, never both. None when the message holds no such correction."""
        found = SELF_CORRECTION.search(text_fold(message))
        head = message[: found.start()].rstrip(" ,;:.\u2026") if found else ""
        if found is None or len(head.split()) < 2 or CORRECTION.match(fold(message)):
            return None
        said, rest = message[found.start() :].strip(), ""
        if end := SENTENCE_END.search(said, found.end() - found.start()):
            said, rest = said[: end.start()], f"et {said[end.end() :]}"
        readings = [(f"{head}, {rest}", [said])] if rest else []
        readings.append((head, [said, rest] if rest else [said]))
        first: Plan | None = None
        for request, corrections in readings:
            trial = deepcopy(memory)
            first = self._understand(
                request, fold(request), trial, principal, today=today, currency=currency
            )
            plan: Plan | None = first
            queued = trial.queued
            for correction in corrections:
                if plan is None or plan.kind != "tool" or not plan.tool:
                    break
                trial.draft = None
                trial.last = {"tool": plan.tool, "arguments": plan.arguments, "shown": True}
                corrected = self._correct(trial, correction, today, currency)
                changed = (
                    corrected is not None
                    and corrected.kind in ("tool", "reply")
                    and corrected.tool == plan.tool
                    and corrected.arguments != plan.arguments
                )
                plan = corrected if changed else None
            if plan is not None and plan is not first:
                memory.draft = trial.draft
                return self._queued(plan, queued, memory) if queued else plan
        instead = talk.correction_value(said)
        alone = self._understand(
            instead, fold(instead), memory, principal, today=today, currency=currency
        )
        if alone.kind in ("tool", "reply") and alone.tool and alone.tool != (first and first.tool):
            return alone
        memory.draft = None
        return Plan(
            "llm",
            "Je n'ai pas bien compris la correction dans votre message (« "
            f"{said.strip(' ,.')} »). Pouvez-vous redire la demande en entier ? Rien n'a été "
            "fait.",
        )

    def _without_aside(
        self, message: str, memory: Memory, principal: Principal, today: date, currency: str
    ) -> str:
        """« Suspends l'envoi du lundi, je pars en congé » is « Suspends l'envoi du lundi »:
        a last clause saying only why or until when the speaker is away, when what comes
        before it is a whole request of another kind by itself (« note mon congé, je pars du
        3 au 5 » keeps its dates)."""
        parts = LAST_PART.match(message)
        if parts is None or len(parts["head"].split()) < 2 or not ASIDE.match(fold(parts["tail"])):
            return message
        head, tail = parts["head"], parts["tail"]
        alone = self._understand(
            head, fold(head), deepcopy(memory), principal, today=today, currency=currency
        )
        if alone.kind != "tool" or alone.tool == self._intent_of(tail):
            return message
        return head.strip()

    def _how_to_or_answer(self, subject: str, message: str, principal: Principal) -> Plan:
        """Only what Comptoir does is explained: « comment on fait pour envoyer une facture
        par WhatsApp ? » is told it is not available, « comment calculer l'indemnité de
        licenciement ? » asks what a rule says, and is read in the documents."""
        routing = self.router.route(subject, fold(subject))
        intent = routing.intent if routing.confident else None
        if (not_built := unavailable.reply(intent)) is not None:
            return Plan("reply", not_built)
        if intent == rules.SEARCH and intent in self.adapters:
            return Plan("tool", tool=intent, arguments={"question": message}, routing=routing)
        return self._how_to(subject, principal)

    def _understand(
        self,
        message: str,
        folded: str,
        memory: Memory,
        principal: Principal,
        *,
        today: date,
        currency: str,
    ) -> Plan:
        utt = analyse(message, today=today, currency=currency)
        routing = self._routing(message, memory)
        if memory.draft and self._aside(routing):
            return self._chat(routing.intent or "", principal)  # the draft waits
        if memory.draft and (
            not self._switches(routing, memory.draft["tool"])
            or self._answers(memory.draft, utt, folded, routing)
            or self._names_whom(memory.draft, message)
        ):
            return self._fill(memory, utt, message, folded, today=today, currency=currency)
        last_tool = (memory.last or {}).get("tool")
        if memory.last and (same := SAME_FOR.match(text_fold(message))):
            whom = message[same.end() :].strip(" ?!.")
            return self._same_for(memory, same["marker"], whom, today, currency)
        if (memory.last or {}).get("shown") and (
            more := self._more_lines(memory, message, today, currency)
        ):
            return more
        # a request done, not one still shown (« non, le numéro c'est … » corrects it)
        on_its_record = not (memory.last or {}).get("shown") and self._acts_on_its_record(
            routing, last_tool
        )
        if (acting := self._action_on_record_made(routing, folded, memory)) is not None:
            routing, on_its_record = replace(routing, intent=acting, confident=True), True
        elif (acting := self._action_on_one_of_them(routing, folded, memory)) is not None:
            routing = replace(routing, intent=acting, confident=True)
        if on_its_record and (routing.keyword or talk.THEIR_FIELD.match(folded)):
            routing = replace(routing, confident=True)  # the record just spoken of decides
        if (undone := stock.undoing(memory.last or {}, utt)) is not None:
            return self._complete(self.adapters[undone[0]], undone[1], memory)  # its opposite
        retried = self._retried(routing, message, memory)
        if memory.last and (CORRECTION.match(folded) or retried) and not on_its_record:
            kept = memory.draft
            corrected = self._correct(memory, message, today, currency)
            # « non attends, mets-en 3 plutôt » may look like another request: it corrects
            # the last one when it changes something in it.
            changes = (
                not WEAK_CORRECTION.match(folded)  # « attends, d'abord… »: maybe another request
                and corrected is not None
                and corrected.kind == "tool"
                and corrected.arguments != memory.last.get("arguments")
            )
            # a preview waiting for its « oui » is what « non, … » corrects, never another write;
            # « attends, avant ça crée le client X » asks for another one first
            switches = self._switches(routing, last_tool)
            first = switches and BEFORE_THAT.search(folded) is not None
            stays = not retried and ((memory.last.get("shown") and not first) or not switches)
            if corrected is not None and (changes or stays):
                return corrected
            memory.draft = kept
        if (
            memory.last
            and not routing.confident
            and (redone := self._other_document(memory, message))
        ):
            return redone
        if memory.last and talk.asks_which(folded) and (again := self._again(memory)):
            return again
        if memory.last and FOLLOW_UP.match(folded) and self._goes_on(routing, memory, folded):
            return self._follow_up(memory, utt, message, today)
        memory.draft = None
        plan = self._new_request(routing, utt, memory, principal, message, today)
        return self._and_the_rest(plan, routing, utt, memory, principal, message, today, currency)

    def _routing(self, message: str, memory: Memory) -> Routing:
        """The router's reading of ``message``, with what the message itself says of the way
        the debt runs, of an order, of a document received, and — nothing being filled or
        shown — of a validated invoice changed, a unit's price or a product's VAT rate."""
        routed = _for_routing(message)
        routing = self.router.route(routed, fold(routed))
        routing = received.owed_to_us(self.router, routing, routed)
        routing = stock.on_an_order(self.router, routing, routed)
        routing = self._not_ours(routing, routed)
        if memory.draft or (memory.last or {}).get("shown"):
            return routing
        if VALIDATED_INVOICE_EDITED.search(fold(routed)) and any(
            spec.name == EDIT_VALIDATED for spec in self.router.specs
        ):  # « change le prix sur la facture F-… »: a validated invoice is never changed
            return replace(routing, intent=EDIT_VALIDATED, confident=True)
        routing = stock.unit_price_said(self.router, routing, routed)
        return stock.vat_rate_said(self.router, routing, routed)

    def _and_the_rest(
        self,
        plan: Plan,
        routing: Routing,
        utt: Utterance,
        memory: Memory,
        principal: Principal,
        message: str,
        today: date,
        currency: str,
    ) -> Plan:
        """``plan`` for the message read as one request, or the first of the requests it
        holds, with the next one queued (never dropped)."""
        # A part left over (see ``_unclear``) or nothing understood: maybe two requests; a
        # question answered may also follow another request (« je suis arrivée ! et au
        # fait il me reste combien de congés ? »): the other one first, never dropped.
        if (
            (plan.kind == "llm" or self._a_reading(plan))
            and plan.tool != OVERVIEW_TOOL  # the key figures answer every part at once
            and (split := self._several(message) or self._another_item(plan, utt, message))
        ):
            first, then = split
            done_first = self._understand(
                first, fold(first), memory, principal, today=today, currency=currency
            )
            if done_first.kind == "tool" and (plan.kind == "llm" or done_first.tool != plan.tool):
                if not self._spoken_of(message, done_first.tool):
                    return self._queued(done_first, then, memory)
            if self._two_readings(done_first, then, today, currency):
                memory.queued = then  # « combien il reste de riz et qui est absent ? »
                return done_first  # both answered, one after the other
            memory.draft = None
            return plan
        if not plan.tool:
            return plan
        if self._spoken_of(message, plan.tool):  # « … du devis. Passe-le en accepté »
            memory.draft = None
            return Plan("llm", self.not_understood(principal), routing=routing)
        # « 200 en espèces et le reste par carte », « une facture à X …, et une autre pour
        # Y »: two payments or records, the second read once the first is made, even when
        # the message was not read whole as one request; « pointe mon arrivée et sors 2
        # cartons … » read as its second request only: the first one first, the second
        # queued. Never one of them dropped.
        parts = self._paid_two_ways(plan, message) or _another_record(message)
        same = parts is not None  # the first one is the same request
        if parts is None and plan.kind == "tool":
            parts = self._request_before(plan, message, today, currency)
        if parts:
            first, then = parts
            done_first = self._understand(
                first, fold(first), memory, principal, today=today, currency=currency
            )
            if done_first.kind != "tool" or (done_first.tool == plan.tool) != same or not then:
                memory.draft = None
                return Plan("llm", self.not_understood(principal), routing=routing)
            return self._queued(done_first, then, memory)
        if plan.kind != "tool":
            return plan
        if following := self._next_request(plan, message, today, currency):
            return self._queued(plan, following, memory)  # « …, et envoie-la par WhatsApp »
        return plan

    def _spoken_of(self, message: str, tool: str | None) -> bool:
        """« il prend les machines du devis. Passe-le en accepté »: a record of the kind
        ``tool`` makes spoken of as one already made, then designated: none to make."""
        made, said = self.registry.get(tool or ""), fold(message)
        return made is not None and any(
            kind.name == made.creates and MADE.search(said[:at]) and THAT_RECORD.search(said, to)
            for kind, at, to in coverage.named_kinds(said)
        )

    @staticmethod
    def _queued(plan: Plan, then: str, memory: Memory) -> Plan:
        """``plan``, the first of several requests, saying the next one waits for it."""
        memory.queued = then
        return replace(plan, text=f"{ONE_AT_A_TIME}« {then} ».")

    def _request_before(
        self, plan: Plan, message: str, today: date, currency: str
    ) -> tuple[str, str] | None:
        """A write read from the second of two requests (« pointe mon arrivée et sors 2
        cartons … » read as the stock issue), its first part asking for another write of
        its own and telling the second nothing (« X a ramené 4 cartons, fais-leur un
        avoir » is one credit note): both parts, the first to be done first."""
        tool = self.registry.get(plan.tool or "")
        adapter = self.adapters.get(plan.tool or "")
        split = self._several(message) if tool is not None and tool.is_write else None
        if split is None or adapter is None:
            return None
        first, then = split
        intent = self._intent_of(first)
        earlier = self.registry.get(intent or "")
        if intent == plan.tool or earlier is None or not earlier.is_write:
            return None
        received = self._received(fold(first))
        if THE_ONE_MADE.search(then) and earlier.acts_on[:1] and earlier.acts_on[0] in received:
            return first, then  # « reçu la facture 781 de X …, et je l'ai réglée »
        alone = jsonable(adapter.extract(analyse(then, today=today, currency=currency)))
        if alone != plan.arguments or self._intent_of(then) != plan.tool:
            return None
        return first, then

    def _next_request(self, plan: Plan, message: str, today: date, currency: str) -> str | None:
        """A write that leaves a request of another intent after it (« …, et envoie-la par
        WhatsApp »), whose kinds of record it does not take itself (« et valide-la » is
        an invoice made and validated): that request, read once this one is done."""
        tool = self.registry.get(plan.tool or "")
        split = self._several(message) if tool is not None and tool.is_write else None
        if tool is None or split is None:
            return None
        then = split[1]
        if tool.creates and THE_ONE_MADE.search(then) and len(then.split()) == 1:
            if CREATING.search(fold(then)):  # « X nous a facturé 90 000, enregistre-la »
                return None  # the record being made, asked for again: one request
        adapter = self.adapters.get(tool.name)
        if adapter is not None:
            alone = jsonable(adapter.extract(analyse(split[0], today=today, currency=currency)))
            if set(plan.arguments or {}) - set(alone):
                return None  # the first request takes it (« le 1er du mois, envoie-moi … »)
            if any(plan.arguments.get(key) != value for key, value in alone.items()):
                return None  # it tells more of the first (« …, 10 % de remise sur le riz »)
        # said as chained to the first (« et valide-la »), as the kinds' words expect
        named = {kind.name for kind, _, _ in coverage.named_kinds(fold(f"et {then}"))}
        intent = self._intent_of(then)
        if intent == plan.tool:
            return None
        if intent is None and self.router.says_keyword(tool.name, fold(then)):
            return None  # « X a signé le devis, marque-le accepté »: the same request again
        if named and named <= tool.kinds and not self._acts_on_made(tool.name, then):
            return None
        return then

    def _acts_on_its_record(self, routing: Routing, last_tool: str | None) -> bool:
        """« finalement mets-le en pause » after a reminder was set: another action on the
        kind of record the last request was about, not a correction of that request."""
        last, tool = self.registry.get(last_tool or ""), self.registry.get(routing.intent or "")
        return (
            last is not None
            and tool is not None
            and tool is not last
            and tool.is_write
            and bool(set(tool.acts_on) & last.kinds)
            and routing.score >= SWITCH_SCORE
        )

    def _action_on_record_made(self, routing: Routing, folded: str, memory: Memory) -> str | None:
        """« finalement supprime-la », « mets ce rappel en pause » right after a record was
        made, the router unsure or reading: the one other write on that kind of record whose
        verb (its title's or one of its keywords) the message says, when the message
        designates the record by a pronoun or « ce … » and names no other kind or day."""
        last = memory.last or {}
        made = self.registry.get(last.get("tool", ""))
        current = self.registry.get(routing.intent or "")
        if (
            made is None
            or not made.is_write
            or made.record is None
            or last.get("shown")
            or (routing.confident and current is not None and current.is_write)
            or not THAT_RECORD.search(folded)
            or folded.rstrip().endswith("?")  # a question about it reads
        ):
            return None
        said = set(WORD_RE.findall(folded))
        fitting = self._writes_said_on(made.record, folded, but=made.name)
        when = (last.get("arguments") or {}).get("when")
        days = said & set(WEEKDAYS)  # « supprime ce rappel du lundi »: that day's, maybe not it
        if days and not (isinstance(when, dict) and days <= set(WORD_RE.findall(fold(str(when))))):
            return None
        return fitting[0] if len(fitting) == 1 else None

    def _writes_said_on(self, record: str, folded: str, *, but: str = "") -> list[str]:
        """The writes on an existing record of kind ``record`` whose verb (its title's or one
        of its keywords) the message says, among those that take every kind it names."""
        named = {kind.name for kind, _, _ in coverage.named_kinds(folded)}
        said = set(WORD_RE.findall(folded))
        return [
            tool.name
            for tool in self.registry
            if tool.name != but
            and tool.is_write
            and tool.creates is None
            and tool.record == record
            and tool.name in self.adapters
            and named <= tool.kinds
            and (
                self.router.says_keyword(tool.name, folded)
                or any(w.startswith(fold(tool.title).split()[0][:5]) for w in said)
                or any(  # « relance-le », « peux le relancer »: the verb of the pronoun
                    isinstance(m, str)
                    and re.search(rf"\b(?:{re.escape(m)}-l[ae]|l[ae] {re.escape(m)})\b", folded)
                    for slot in self._slots.get(tool.name, {}).values()
                    for m in slot.get("markers") or ()
                )
            )
        ]

    def _action_on_one_of_them(self, routing: Routing, folded: str, memory: Memory) -> str | None:
        """« valide celle de Modou » right after the pending leave requests were listed,
        « et refuse celui d'Awa » after one was approved: a record designated by « celle
        de … », « celui de … » is one of the kind just spoken of; the one write on that kind
        whose verb the message says, unless the router is sure of a request on that kind."""
        last = self.registry.get((memory.last or {}).get("tool", ""))
        current = self.registry.get(routing.intent or "") if routing.confident else None
        if (
            last is None
            or last.record is None
            or not ONE_OF_THEM.search(folded)
            or folded.rstrip().endswith("?")  # a question about it reads
            or (current is not None and last.record in current.kinds)
        ):
            return None
        fitting = self._writes_said_on(last.record, folded)
        return fitting[0] if len(fitting) == 1 else None

    def _acts_on_made(self, intent: str, then: str) -> bool:
        """« …, et envoie-leur le bon »: a part naming only the kind of record the first
        request makes, best read as another write on that kind of record."""
        made = getattr(self.registry.get(intent), "creates", None)
        named = {kind.name for kind, _, _ in coverage.named_kinds(fold(then))}
        if made is None or named != {made}:
            return False
        routed = _for_routing(then)
        ranked = self.router.scores(routed, fold(routed))
        top = self.registry.get(ranked[0][0]) if ranked else None
        return (
            top is not None
            and top.name != intent
            and top.name in self.adapters
            and top.is_write
            and top.acts_on[:1] == (made,)
        )

    def _goes_on(self, routing: Routing, memory: Memory, folded: str) -> bool:
        """A follow-up (« et pour Ndiaye ? ») goes on with the last request when the router
        is unsure, when it says the rest of the same payment (« et le reste par carte »), or
        when it asks after a reading something a write resembles (« et leur adresse mail ? »
        after a customer shown changes no address). Never after a write when it names a kind
        of record that write does not take (« et je leur ai réglé 800 »), nor when it asks a
        question after a write done (« et on leur doit combien maintenant ? »): that reads."""
        last = memory.last or {}
        done = self.registry.get(last.get("tool", ""))
        routed = self.registry.get(routing.intent or "")
        if done is not None and done.is_write:
            named = {kind.name for kind, _, _ in coverage.named_kinds(folded)}
            if named - done.kinds or (not last.get("shown") and talk.QUESTION.search(folded)):
                return False
        asks = folded.rstrip().endswith("?") or bool(talk.QUESTION.search(folded))
        return (
            not routing.confident
            or (routing.intent == last.get("tool") and bool(find_in_full(folded)))
            or (
                done is not None
                and not done.is_write
                and routed is not None
                and routed.is_write
                and asks
                and not talk.POLITE_REQUEST.search(folded)
            )
        )

    def _two_readings(self, first: Plan, then: str, today: date, currency: str) -> bool:
        """A reading followed by a question the router is sure is another reading, or the
        same one asked of something else (« facturé combien, et combien est rentré ? »)."""
        if not self._a_reading(first):
            return False
        routed = _for_routing(then)
        routing = self.router.route(routed, fold(routed))
        other = self.registry.get(routing.intent or "")
        adapter = self.adapters.get(routing.intent or "")
        if not routing.confident or other is None or other.is_write or adapter is None:
            return False
        if other.name != first.tool:
            return True
        again = jsonable(adapter.extract(analyse(then, today=today, currency=currency)))
        return any(first.arguments.get(k) != v for k, v in again.items())

    def _paid_two_ways(self, plan: Plan, message: str) -> tuple[str, str] | None:
        """A payment said in two methods (« 200 en espèces et le reste par carte »): the part
        paid the first way, and the rest (« et le reste par carte ») as its own payment."""
        tool = self.registry.get(plan.tool or "")
        if tool is None or not tool.is_write or "method" not in tool.input_model.model_fields:
            return None
        folded = fold(message)  # same length as the message: its spans are the message's
        methods = payment_methods(folded)
        if len(folded) != len(message) or len({m for m, _, _ in methods}) < 2:
            return None
        first_end, second_start = methods[0][2], methods[1][1]
        joint = re.search(r"\s*(?:,|;|\bet\b|\bpuis\b)\s*", folded[first_end:second_start])
        if joint is None:
            return None
        cut = first_end + joint.start()
        return message[:cut].strip(), "et " + message[first_end + joint.end() :].strip(" .!")

    def _a_reading(self, plan: Plan) -> bool:
        tool = self.registry.get(plan.tool or "")
        return plan.kind == "tool" and tool is not None and not tool.is_write

    def _several(self, message: str) -> tuple[str, str] | None:
        """« crée la facture de Diallo, et valide-la », « enregistre le client X puis
        fais-lui un devis »: the first request and the next one, when the message, read as
        one request, leaves a part over and asks for two things each a request of its own
        (not the same one said twice: « je l'ai envoyé, marque-le envoyé »)."""
        folded = fold(message)
        for found in SECOND_REQUEST.finditer(folded):
            first, then = message[: found.start()].strip(), message[found.end() :].strip()
            if len(first.split()) < 2 or not then:
                continue
            if ABOUT_THE_FIRST.search(fold(then)):  # « …, fais un avoir pour ça »: one request
                continue
            intent = self._intent_of(first) or self._intent_of_named(first)
            next_intent = self._intent_of(then)
            if intent in self.adapters and next_intent in self.adapters and next_intent != intent:
                return first, then.rstrip(" .!")
            if (
                intent in self.adapters
                and next_intent is None
                and (THE_ONE_MADE.search(found[1]) or self._acts_on_made(intent, then))
            ):
                # « …, et je l'ai déjà payée en espèces »: read once the first one is made
                return first, then.rstrip(" .!")
        return None

    def _another_item(self, plan: Plan, utt: Utterance, message: str) -> tuple[str, str] | None:
        """« reçu 10 cartons de thé et 5 cartons de savon » for a tool that moves one product:
        the same request for each item, one after the other."""
        tool = self.registry.get(plan.tool or "")
        if tool is not None and self._a_reading(plan):
            return _another_asked(plan, message)
        if tool is None or not tool.is_write:
            return None
        fields = tool.input_model.model_fields
        if "name" in fields and "sale_price" in fields and "product" not in fields:
            return _another_priced_record(utt, message)
        counted = [q for q in utt.quantities if q.item or q.unit not in coverage.SIZE_UNITS]
        if len(counted) != 2 or "lines" in fields or not {"product", "quantity"} <= set(fields):
            return None
        one, other = sorted(counted, key=lambda q: q.start)  # a size (« huile 5L ») counts none
        between = ANOTHER_ITEM.fullmatch(message[one.end : other.start])
        if between is None or not one.item or not other.item:
            return None
        # what follows the last item (« pour la boutique ») is said of both
        tail = message[other.end :]
        first = message[: one.end + between.start(1)].rstrip() + tail
        return first.strip(), message[: one.start] + message[other.start :]

    def settle(self, kind: str, memory: Memory) -> Plan:
        """« oui », « non » or « attends » with no preview waiting."""
        draft = memory.draft
        question = (draft or {}).get("question") or ""
        if kind == "no":
            if draft:
                memory.draft = None
                return Plan("reply", "D'accord, j'abandonne cette demande. Rien n'a été fait.")
            return Plan("reply", "D'accord. Il n'y avait rien en attente.")
        if kind == "wait":
            if draft:
                return Plan("reply", f"D'accord, je garde votre demande en cours. {question}")
            return Plan("reply", "D'accord, je reste à votre disposition.")
        options = (draft or {}).get("options") or []
        if draft and len(options) == 1 and draft.get("awaiting") and draft["tool"] in self.adapters:
            # « Vouliez-vous dire Fer à béton 12mm ? » — « oui »: that one.
            arguments = dict(draft["arguments"])
            set_path(arguments, draft["awaiting"], options[0])
            return self._complete(self.adapters[draft["tool"]], arguments, memory)
        if draft and question:
            return Plan("reply", f"{STILL_MISSING}{question}")
        if why := (memory.last or {}).get("why"):  # « oui » right after a request refused
            return Plan("reply", f"Il n'y a rien à confirmer : la demande n'a pas été faite. {why}")
        return Plan("reply", "Il n'y a rien à confirmer pour le moment.")

    # -- requests ----------------------------------------------------------------------------
    def _switches(self, routing: Routing, current: str | None) -> bool:
        return (
            routing.confident
            and routing.score >= SWITCH_SCORE
            and routing.intent is not None
            and routing.intent != current
            and not routing.intent.startswith("chat.")
        )

    def _answers(
        self, draft: dict[str, Any], utt: Utterance, folded: str, routing: Routing
    ) -> bool:
        """The message gives what the question asked for (« 2 cartons de sucre » after « Que
        faut-il facturer ? »), however much it looks like another request. Names are not
        judged so (any words can be a name), nor questions (« qui est absent demain ? »).
        Free words answer a question for free words (« trop de livraisons cette semaine-là »
        after « Pour quel motif ? ») unless they open like a request of their own or the
        router is sure they are another write."""
        awaiting, adapter = draft.get("awaiting"), self.adapters.get(draft["tool"])
        if not awaiting or adapter is None or folded.endswith("?"):
            return False
        if "." in awaiting:  # « 25 000 F HT » after « À quel prix faut-il facturer … ? »
            return awaiting.rsplit(".", 1)[1] in PRICE_FIELDS and bool(utt.amounts)
        if self._free_text(draft["tool"], awaiting):
            other = self.registry.get(routing.intent or "") if routing.confident else None
            return not OPENS_REQUEST.match(folded) and not (
                other is not None and other.is_write and self._reads_all(other, utt)
            )
        if self._field_kind(draft["tool"], awaiting) is str:
            return False
        return jsonable(adapter.extract(utt)).get(awaiting) not in (None, "", [])

    def _reads_all(self, tool: Tool, utt: Utterance) -> bool:
        """Whether ``tool``'s reading accounts for the whole message: « erreur de quantité,
        ils en ont reçu 40 seulement » after « Pour quel motif ? » looks like goods received,
        but that reading leaves the « 40 » over; the answer is the reason."""
        adapter = self.adapters.get(tool.name)
        if adapter is None or utt.today is None:
            return True
        return coverage.gap(utt, jsonable(adapter.extract(utt)), tool, utt.today) is None

    @staticmethod
    def _names_whom(draft: dict[str, Any], message: str) -> bool:
        """« avec Sow Transport, pour le paiement » after « Avec quel client ? »: a name
        introduced like the question asked for it answers it, whatever words follow."""
        awaiting = draft.get("awaiting") or ""
        return talk.ENTITY_FIELDS.get(awaiting) is not None and bool(talk.NAMED.match(message))

    @staticmethod
    def _aside(routing: Routing) -> bool:
        """Help or an out-of-scope question while a request is being filled: answered,
        and the request keeps waiting."""
        return (
            routing.confident
            and routing.score >= SWITCH_SCORE
            and routing.intent in ("chat.help", "chat.out_of_scope")
        )

    def _order_arrived(self, intent: str | None, utt: Utterance, folded: str) -> bool:
        """Goods of a purchase order that arrived: the order said (« la commande », a BC
        number) with what came or which order; or, when nothing else read the message,
        goods from a named supplier (« les 30 sacs de Sotiba sont arrivés »), not a person's."""
        if RECEIVE_ORDER not in self.adapters:
            return False
        if (
            # what came, which order, or all of it
            (utt.quantities or talk.PO_NUMBER.search(folded) or WHOLE_ORDER.search(folded))
            and ORDER_ARRIVED.search(folded)
            and not ORDERING.match(folded)
            and not SHOW.match(folded)
        ):
            return True
        return bool(
            (intent is None or intent.startswith("hr."))  # goods counted: no one checking in
            and utt.quantities
            and GOODS_ARRIVED.search(folded)
            and self.adapters[RECEIVE_ORDER].extract(utt).get("order")
        )

    def _new_request(
        self,
        routing: Routing,
        utt: Utterance,
        memory: Memory,
        principal: Principal,
        message: str,
        today: date,
    ) -> Plan:
        folded = fold(message)
        asks = (
            folded.rstrip().endswith("?") or bool(talk.QUESTION.search(folded))
        ) and not talk.POLITE_REQUEST.search(folded)
        intent = self._routed(routing, utt, memory, folded, asks)
        intent = self._field_added(intent, routing, message, folded)
        if intent is None and not asks:  # a question names a kind to read about, not make
            intent = self._unsure_write(routing, utt, message, folded, today, memory)
        if not asks and self._order_arrived(intent, utt, folded):
            intent = RECEIVE_ORDER
        about_it = bool(memory.about) and ABOUT_IT.search(folded) is not None
        if about_it and intent == rules.SEARCH:
            intent = None
        if (
            rules.SEARCH in self.adapters
            and not about_it  # « il en reste combien ? »: the record just spoken of
            and rules.asks_about_rule(utt, routing, self.router, self.registry)
        ):
            intent = rules.SEARCH  # what a rule says is read in the documents
        if intent is None and memory.about:
            intent = self._in_context(message, folded, memory)
        elif intent is not None and memory.about and self._of_no_one(intent):
            intent = self._in_context(message, folded, memory) or intent
        if intent is None and asks:
            intent = self._best_reading(routing) or self._one_area(routing, message)
        intent = self._goods_by_size(intent, utt)
        if self._overview(routing, message, folded):
            intent = OVERVIEW_TOOL
        if intent is None:
            return Plan("llm", self.not_understood(principal), routing=routing)
        if intent.startswith("chat."):
            return self._chat(intent, principal)
        if (not_built := unavailable.reply(intent)) is not None:
            return Plan("reply", not_built, routing=routing)
        intent = self._of_named_kind(intent, message, folded)
        intent = self._paid_out(intent, message, folded)
        intent = self._shown_not_made(intent, message, folded)
        if received.RECORD in self.adapters:
            intent = received.received_invoice(intent, utt)
        intent = self._for_document_just_made(intent, message, folded, memory)
        intent = self._change_of_whom(intent, message, folded, memory)
        intent = self._one_they_may_change(intent, utt, principal, today)
        adapter = self.adapters.get(intent)
        if adapter is None:
            return Plan("llm", self.not_understood(principal), routing=routing)
        arguments = jsonable(adapter.extract(utt))
        self._designated(adapter.tool, arguments, folded, memory)
        self._paid_just_made(adapter.tool, arguments, memory)
        self._named_first(adapter.tool, arguments, message)
        self._from_list(adapter.tool, arguments, folded, memory)
        if (unclear := self._unclear(adapter.tool, utt, arguments, memory, today)) is not None:
            return self._recurring_instead(unclear, routing, utt, memory, message, today)
        return self._complete(adapter, arguments, memory, routing)

    def _field_added(
        self, intent: str | None, routing: Routing, message: str, folded: str
    ) -> str | None:
        """« pour la fiche de la Galette, ajoute la ville Saint-Louis », « ajoute le téléphone
        … au client Diallo »: a field added to a person's card that the message does not say
        is new changes that card; making one would duplicate it. The close change of that
        kind of record, whether the router chose the making or was unsure between the two."""
        said = intent or routing.intent
        tool = self.registry.get(said or "")
        if tool is None or not tool.is_write or not FIELD_ADDED.search(folded):
            return intent
        if NEW_CARD.search(folded):
            return intent
        kind = tool.creates or (tool.acts_on[0] if tool.acts_on else None)
        if kind not in PERSON_FIELDS:
            return intent
        if tool.creates is None:
            return said
        return self._closest_change(message, lambda kinds: kinds[:1] == (kind,)) or intent

    def _goods_by_size(self, intent: str | None, utt: Utterance) -> str | None:
        """« la fiche de l'huile Dinor 5L » routed to a search of people: a size (5 L,
        750 g) names goods, never a person; the product search reads it."""
        if intent not in PEOPLE_SEARCHES or PRODUCT_SEARCH not in self.adapters:
            return intent
        sized = any(q.item is None and q.unit in coverage.SIZE_UNITS for q in utt.quantities)
        return PRODUCT_SEARCH if sized else intent

    def _fuller_reading(
        self, read_by: str | None, utt: Utterance, message: str, today: date
    ) -> str | None:
        """A question whose reading left part of it over (« c'est qui mes 3 meilleurs
        clients ? » read as a customer search): the one other close reading that accounts
        for all of it, when exactly one does, or when several do, the router's second
        choice among them. Readings only: a question never turns into a write this way."""
        tool = self.registry.get(read_by or "")
        if tool is None or tool.is_write:
            return None
        nearest = self._nearest(message)
        full = [
            other.name
            for other in nearest
            if other.name != read_by and not other.is_write and self._reads_all(other, utt)
        ]
        if len(full) > 1 and [t.name for t in nearest[:2]] == [read_by, full[0]]:
            return full[0]  # the router's second choice, right after the one left over
        return full[0] if len(full) == 1 else None

    def _recurring_instead(
        self,
        unclear: Plan,
        routing: Routing,
        utt: Utterance,
        memory: Memory,
        message: str,
        today: date,
    ) -> Plan:
        """A parse that left part of the message over (``unclear``): for a question, the
        other close reading that accounts for all of it; else the close intent that
        declares a recurrence slot, when the message says a recurrence and its parse
        accounts for all of it; else ``unclear``."""
        if (other := self._fuller_reading(unclear.tool, utt, message, today)) is not None:
            adapter = self.adapters[other]
            return self._complete(adapter, jsonable(adapter.extract(utt)), memory, routing)
        recurring = self._recurrence_decides(routing, message, left_by=unclear.tool)
        if recurring is None:
            return unclear
        adapter = self.adapters[recurring]
        arguments = jsonable(adapter.extract(utt))
        if (still := self._unclear(adapter.tool, utt, arguments, memory, today)) is not None:
            return still
        return self._complete(adapter, arguments, memory, routing)

    def _of_named_kind(self, intent: str, message: str, folded: str) -> str:
        """« crée un avoir … sur sa dernière facture » routed to creating an invoice: the
        close intent whose tool creates the kind of record the message names, when the
        routed one does not take it."""
        tool = self.registry.get(intent)
        asks = folded.rstrip().endswith("?") and not CREATING.search(folded)
        if tool is None or (not tool.is_write and (asks or not CREATING.search(folded))):
            return intent  # a reading stays one, unless the message asks to make a record
        held = tool.kinds if tool.is_write else frozenset()
        named = {kind.name for kind, _, _ in coverage.named_kinds(folded)}
        if not named or named <= held:
            return intent
        # « le bon BC-2026-00001, marque-le comme envoyé »: a document said by its number
        # exists; the request acts on it, it makes none
        numbered = {
            DOCUMENT_FIELDS[f.group(1).upper()] for f in talk.DOCUMENT_NUMBER.finditer(message)
        }
        numbered |= {"purchase_order"} if talk.PO_NUMBER.search(message) else set()
        received = self._received(folded)
        for other in self._nearest(message, None):
            if not other.is_write or not named <= other.kinds:
                continue
            if other.creates in named - held - numbered - received or self._records(
                other, (named - held - numbered) & received
            ):
                return other.name
            if other.acts_on[:1] and other.acts_on[0] in (numbered & named) - held:
                return other.name
        # « envoie un rappel de paiement pour la facture F-… » routed to a payment: the one
        # close write about a kind named that takes every kind named, when the routed one is
        # a write too and the message is one request (never one of two, the other dropped)
        if not tool.is_write or self._several(message) is not None:
            return intent
        taking = [
            other.name
            for other in self._nearest(message, 2 * KIND_SPREAD)
            if other.is_write
            and other.record in named
            and named <= other.kinds
            and named - held <= {*other.acts_on, other.creates}  # what it acts on, not notes
        ]
        return taking[0] if len(taking) == 1 else intent

    def _paid_out(self, intent: str, message: str, folded: str) -> str:
        """« je l'ai payée par Orange Money » routed to a customer's payment: money the
        business paid out is the close intent paying a supplier."""
        tool = self.registry.get(intent)
        if tool is None or tool.creates != "payment" or not PAID_BY_US.search(folded):
            return intent
        paying = (
            t.name for t in self._nearest(message, None, None) if t.creates == "supplier_payment"
        )
        return next(paying, intent)

    def _shown_not_made(self, intent: str, message: str, folded: str) -> str:
        """« montre-moi la facture de Fatou Ndoye » routed to making an invoice: a message
        that opens by asking to see reads; the first close intent that reads."""
        tool = self.registry.get(intent)
        if tool is None or not tool.is_write:
            return intent
        return self._shown(message, folded) or intent

    def _shown(self, message: str, folded: str) -> str | None:
        """The first close intent that reads, for a message that opens by asking to see
        (« ouvre la dernière facture de Fall »)."""
        if not SHOW.match(folded):
            return None
        return next((t.name for t in self._nearest(message, SHOW_SPREAD) if not t.is_write), None)

    def _routed(
        self, routing: Routing, utt: Utterance, memory: Memory, folded: str, asks: bool
    ) -> str | None:
        """The intent the router is sure of, unless the message cannot be that: a write on
        a document it does not name, a question of how much routed to a write."""
        intent = routing.intent if routing.confident else None
        if intent is not None and not self._names_its_document(intent, utt, memory):
            # « Sow devient chef magasinier » sends no quote; « le bon de commande de X, passe-le
            # en envoyé » is the runner-up's, acting on the document named
            runner = self.registry.get(routing.runner_up or "")
            named = {kind.name for kind, _, _ in coverage.named_kinds(utt.folded)}
            fits = (
                runner is not None and runner.name in self.adapters and named & set(runner.acts_on)
            )
            intent = runner.name if runner is not None and fits else None
        if intent is not None and coverage.undoes(utt, self.registry.get(intent)):
            # the verb said decides: a close intent's whose title says it (« mets en pause »)
            said = (t.name for t in self._nearest(utt.text, None) if coverage.titled(utt, t))
            intent = next(said, None)
        if asks and (reading := self._how_much_asked(routing, intent, utt, folded)):
            intent = reading  # « combien on a encaissé par Wave ? » records no payment
        return intent

    def _names_its_document(self, intent: str, utt: Utterance, memory: Memory) -> bool:
        """A write on an existing document (send a quote, post an invoice, receive an
        order) needs that document: its kind or number said, or one just spoken of."""
        tool = self.registry.get(intent)
        if tool is None or not tool.is_write or tool.creates or not tool.acts_on:
            return True
        if tool.acts_on[0] not in DOCUMENT_KINDS or utt.document_numbers:
            return True  # an opportunity (« l'affaire Diallo ») is named by its customer
        acted_on = set(tool.acts_on)
        named = {kind.name for kind, _, _ in coverage.named_kinds(utt.folded)}
        named |= {kind for kind, said in DOCUMENT_NOUNS.items() if said.search(utt.folded)}
        last = self.registry.get((memory.last or {}).get("tool", ""))
        return bool(
            named & acted_on
            or acted_on & set(memory.about)
            or (last is not None and last.record in acted_on)
        )

    def _unsure_write(
        self,
        routing: Routing,
        utt: Utterance,
        message: str,
        folded: str,
        today: date,
        memory: Memory,
    ) -> str | None:
        """A request the router is unsure of: the intent the kind of record named decides,
        else the one whose verb is said among contrary actions, else the one that takes a
        recurrence said, else the one reading that accounts for the whole message."""
        named = self._named_kind_decides(message)
        if named is not None and self._value_left_over(named, utt, today):
            # « ajoute la facture Orange de 45 € TTC »: an invoice by its kind, but only a
            # bill received (also called « facture ») reads its amount
            full = self._only_full_reading(utt, message, today, memory)
            if full is not None and self._takes_kinds_named(full, folded):
                named = full
        return (
            named
            or self._action_on_named(utt, message, folded, today)
            or self._said_action(message, folded)
            or self._recurrence_decides(routing, message)
            or self._only_full_reading(utt, message, today, memory)
            or self._shown(message, folded)
        )

    def _action_on_named(
        self, utt: Utterance, message: str, folded: str, today: date
    ) -> str | None:
        """« peux-tu envoyer sa facture au Garage Moreau ? » routed to sending a quote: the
        one close intent whose tool acts first on a kind of record the message names, whose
        title's verb the message says, and whose reading accounts for the whole message."""
        named = {kind.name for kind, _, _ in coverage.named_kinds(folded)}
        if not named:
            return None
        said = set(WORD_RE.findall(folded))
        acting = [
            tool.name
            for tool in self._nearest(message)
            if tool.is_write
            and tool.acts_on[:1]
            and tool.acts_on[0] in named
            and any(w.startswith(_stems(fold(tool.title).split()[0])) for w in said)
            and self._reads_all(tool, utt)
        ]
        return acting[0] if len(acting) == 1 else None

    def _said_action(self, message: str, folded: str) -> str | None:
        """Close intents that undo each other (approve or refuse a leave): the one whose
        title's verb the message says, when it says only one side (« Refuse la demande de
        congé de Thomas … »)."""
        close = [(tool.name, fold(tool.title)) for tool in self._nearest(message)]
        for one, other in coverage.contrary_words():
            said, unsaid = one.search(folded), other.search(folded)
            if bool(said) == bool(unsaid):
                continue
            said_side, other_side = (one, other) if said else (other, one)
            fitting = [name for name, title in close if said_side.match(title)]
            if len(fitting) == 1 and any(other_side.match(title) for _, title in close):
                return fitting[0]
        return None

    def _takes_kinds_named(self, name: str, folded: str) -> bool:
        """Whether intent ``name``'s tool takes every kind of record the message names and
        makes a record its title calls by one of their words (« Enregistrer une facture
        fournisseur »; « Payer un fournisseur » makes no « facture »)."""
        tool = self.registry.get(name)
        named = list(coverage.named_kinds(folded))
        if tool is None or not named or not {kind.name for kind, _, _ in named} <= tool.kinds:
            return False
        return tool.creates is not None and any(
            kind.words.search(fold(tool.title)) for kind, _, _ in named
        )

    def _value_left_over(self, name: str, utt: Utterance, today: date) -> bool:
        """Whether the reading of intent ``name`` leaves a value of the message over (an
        amount, a date…), not a second request (« … et rappelle-moi de le relancer »)."""
        tool, adapter = self.registry.get(name), self.adapters.get(name)
        if tool is None or adapter is None:
            return False
        left = coverage.gap(utt, jsonable(adapter.extract(utt)), tool, today)
        return left is not None and left.kind is None

    def _only_full_reading(
        self, utt: Utterance, message: str, today: date, memory: Memory
    ) -> str | None:
        """Close intents the router cannot tell apart (« Sall m'a remis 100 000 en liquide
        pour ses factures »: a payment or an invoice?): the one whose reading accounts for
        every part of the message, when exactly one does. A write on a document the message
        does not name is no reading of it (« accepte celui d'Awa » accepts no quote). Of
        several, the one that alone needs nothing more (« le sac de riz c'est 16 500 » is a
        price, not a quote line without its customer; « Khady prend 3 jours » a leave asked,
        not one approved without a request), never between actions that undo each other."""
        ranked = self._ranked(message, 1)
        if not ranked or ranked[0][0] not in self.adapters:
            return None  # closest to help, or to what Comptoir does not do: never a write
        full: list[tuple[Tool, bool]] = []
        received = RECEIVED_BY_US.search(utt.folded) is not None
        paid_out = PAID_BY_US.search(utt.folded) is not None
        for tool in self._nearest(message):
            if not self._names_its_document(tool.name, utt, memory):
                continue
            if received and tool.creates == "supplier_payment":
                continue  # « Fall m'a donné 40 000 »: money that came in pays no supplier
            if paid_out and tool.creates == "payment":
                continue  # « j'ai payé 150 000 aux Grands Moulins »: no customer's payment
            arguments = jsonable(self.adapters[tool.name].extract(utt))
            if arguments and coverage.gap(utt, arguments, tool, today) is None:
                full.append((tool, _complete_for(tool, arguments)))
        if utt.payment_method and len(full) > 1:
            # « … a donné 50 000 cash … »: a payment method said is read by a tool taking one
            full = [f for f in full if "method" in f[0].input_model.model_fields] or full
        if len(full) <= 1:
            return full[0][0].name if full else None
        complete = [tool.name for tool, done in full if done]
        titles = [fold(tool.title) for tool, _ in full]
        contrary = any(
            any(one.match(t) for t in titles) and any(other.match(t) for t in titles)
            for one, other in coverage.contrary_words()
        )
        return complete[0] if len(complete) == 1 and not contrary else None

    def _how_much_asked(
        self, routing: Routing, intent: str | None, utt: Utterance, folded: str
    ) -> str | None:
        """« combien … ? » asks for a figure; a write would carry it. A question of how
        much or how many that says no amount or quantity, routed to a write: the best
        reading of the same area close to it."""
        tool = self.registry.get(intent or routing.intent or "")
        if tool is None or not tool.is_write or utt.amounts or utt.quantities:
            return None
        if not HOW_MUCH.search(folded):
            return None
        top = routing.score
        for name, score in self.router.scores(_for_routing(utt.text), folded):
            reading = self.registry.get(name)
            if top - score > READING_SPREAD:
                return None
            if (
                reading is not None
                and not reading.is_write
                and reading.area == tool.area
                and name in self.adapters
            ):
                return name
        return None

    def _one_area(self, routing: Routing, message: str) -> str | None:
        """« on en est où du CA ce mois-ci ? »: a question the router finds as close to
        the overview as to a reading, naming one area only, is that area's reading (the
        best among the readings other than the overview)."""
        if OVERVIEW_TOOL not in (routing.intent, routing.runner_up):
            return None
        if talk.overview_topics(message) != 1:
            return None
        readings = {
            name
            for name in self.adapters
            if name != OVERVIEW_TOOL
            and (tool := self.registry.get(name)) is not None
            and not tool.is_write
        }
        routed = _for_routing(message)
        return self._best_reading(self.router.route(routed, fold(routed), among=readings))

    def _best_reading(self, routing: Routing) -> str | None:
        """A question the router is not sure of, whose best intent reads (a question does
        not write): that reading, when it scores well and leads every other reading."""
        tool = self.registry.get(routing.intent or "")
        runner = self.registry.get(routing.runner_up or "")
        if (
            tool is not None
            and tool.is_write
            and runner is not None
            and not runner.is_write
            and routing.margin < QUESTION_OVER_WRITE_MARGIN
            and routing.score - routing.margin >= QUESTION_MIN_SCORE
        ):
            # « est-ce que je reçois un bilan chaque semaine ? »: as close to making a rule
            # as to listing them, a question reads
            return routing.runner_up if routing.runner_up in self.adapters else None
        if tool is None or tool.is_write or routing.score < QUESTION_MIN_SCORE:
            return None
        if runner is not None and not runner.is_write and routing.margin < QUESTION_MARGIN:
            return None
        return routing.intent if routing.intent in self.adapters else None

    def _intent_of(self, message: str) -> str | None:
        """The intent a message alone asks for, when the router or the kind of record it
        names decides it."""
        routing = self.router.route(_for_routing(message), fold(_for_routing(message)))
        return routing.intent if routing.confident else self._named_kind_decides(message)

    def _intent_of_named(self, message: str) -> str | None:
        """The intent a part of a message asks for when the router is unsure only because of
        writes on a document the part does not name (« accepte celui d'Awa » is close to
        accepting a quote): the router's choice among the others, when it is sure of it."""
        routed = _for_routing(message)
        utt = Utterance(
            text=message, folded=fold(message), document_numbers=parse_document_numbers(message)
        )
        among = {
            spec.name
            for spec in self.router.specs
            if self._names_its_document(spec.name, utt, Memory())
        }
        routing = self.router.route(routed, fold(routed), among=among)
        return routing.intent if routing.confident else None

    def _one_they_may_change(
        self, intent: str, utt: Utterance, principal: Principal, today: date
    ) -> str:
        """« nouveau numéro pour Aminata » from someone who keeps the staff's records but not
        the customers': a change to a person the user may not make is the close change to
        the same person as another kind (an employee) that the user may make, when exactly
        one reads the whole message. The tool then finds that person, or says it does not."""
        tool = self.registry.get(intent)
        adapter = self.adapters.get(intent)
        if tool is None or adapter is None or not tool.is_write or tool.creates:
            return intent
        if tool.allowed(principal):
            return intent
        said = jsonable(adapter.extract(utt))
        person = next((said[f] for f in PERSON_FIELDS if said.get(f)), None)
        change = {k: v for k, v in said.items() if k not in PERSON_FIELDS}
        if person is None or not change:
            return intent
        fitting = []
        for other in self.registry:
            reader = self.adapters.get(other.name)
            if (
                reader is None
                or other is tool
                or not other.is_write
                or other.creates
                or not other.allowed(principal)
            ):
                continue
            arguments = jsonable(reader.extract(utt))
            if (
                person in (arguments.get(f) for f in PERSON_FIELDS)
                and {k: v for k, v in arguments.items() if k not in PERSON_FIELDS} == change
                and coverage.gap(utt, arguments, other, today) is None
            ):
                fitting.append(other.name)
        return fitting[0] if len(fitting) == 1 else intent

    def _change_of_whom(self, intent: str, message: str, folded: str, memory: Memory) -> str:
        """« mets-lui l'email … » right after a customer was made or shown: a change to the
        one « lui » stands for (the first close intent changing a record of that kind),
        never a search."""
        tool = self.registry.get(intent)
        if tool is None or tool.is_write or not talk.PERSON_PRONOUN.search(folded):
            return intent
        if folded.rstrip().endswith("?"):
            return intent  # a question about them reads
        about = self._closest_change(message, lambda kinds: any(k in memory.about for k in kinds))
        return about or intent

    def _closest_change(
        self, message: str, acts_on: Callable[[tuple[str, ...]], bool]
    ) -> str | None:
        """The closest intent to ``message`` that changes an existing record of the kinds
        ``acts_on`` accepts (and that the tier can read), if any."""
        changes = (
            t.name
            for t in self._nearest(message, None)
            if t.is_write and t.creates is None and acts_on(t.acts_on)
        )
        return next(changes, None)

    def _for_document_just_made(
        self, intent: str, message: str, folded: str, memory: Memory
    ) -> str:
        """« facture-le » right after a quote was made or shown: the pronoun stands for that
        quote, so the request is the close intent whose tool takes a quote (invoicing it),
        not a new invoice."""
        tool = self.registry.get(intent)
        kind = talk.document_of(self.registry.get((memory.last or {}).get("tool", "")))
        if (
            tool is None
            or kind is None
            or kind not in memory.about
            or _takes(tool, kind)
            or not talk.DOCUMENT_PRONOUN.search(folded)
        ):
            return intent
        taking = (
            other.name
            for other in self._nearest(message, 2 * KIND_SPREAD)
            if _takes(other, kind) and other.is_write == tool.is_write
        )
        return next(taking, intent)

    def _recurrence_decides(
        self, routing: Routing, message: str, *, left_by: str | None = None
    ) -> str | None:
        """« rappelle-moi chaque mercredi d'appeler le comptable », as close to a one-off
        task as to a rule: a message that says a recurrence (« chaque mercredi », « tous
        les 1er du mois ») is the one of the two closest intents that declares a
        recurrence slot, when only one of them does. ``left_by``: the intent routed to,
        whose parse left part of the message over (« chaque lundi à 8h envoie-moi les
        factures en retard » read as a list of invoices): only the other one then."""
        if find_schedule(message, fold(message)) is None:
            return None
        close = [routing.intent, routing.runner_up]
        if left_by is not None:  # the intents close to the message, but the one that failed
            ranked = self._ranked(message, RECURRENCE_CANDIDATES)
            close = [name for name, _ in ranked if name != left_by]
        taking = [
            name
            for name in close
            if name is not None
            and any(slot.get("kind") == "recurrence" for slot in self._slots.get(name, {}).values())
        ]
        return taking[0] if len(taking) == 1 and taking[0] in self.adapters else None

    def _named_kind_decides(self, message: str) -> str | None:
        """Two close intents (« crée un avoir … sur sa facture »: a credit note or an
        invoice?): the one whose tool creates a kind of record the message names and takes
        every kind it names, when only one of them does; when the kind is named with an
        existing document's number, the first intent if it acts on that document. Records
        spoken of as someone's (« pour ses factures », « sur sa facture ») exist already:
        they name nothing to make."""
        folded = fold(message)
        named = {
            kind.name
            for kind, start, _ in coverage.named_kinds(folded)
            if not EXISTING_ONES.search(folded[max(0, start - 30) : start])
        }
        if not named:
            return None
        # « a accepté le devis D-2026-00001 »: a document named by its number exists already;
        # the request acts on it, it does not make one.
        numbered = {
            DOCUMENT_FIELDS[found.group(1).upper()]
            for found in talk.DOCUMENT_NUMBER.finditer(message)
        }
        received = self._received(folded)
        near = self._nearest(message)
        # a kind said received is recorded by the tool taking it, however far it ranks
        near += [t for t in self._nearest(message, None, None) if received and t not in near]
        creating = [
            tool
            for tool in near
            if (tool.creates in named - numbered - received or self._records(tool, received))
            and not coverage.undoes(Utterance(text=message, folded=folded), tool)
        ]
        # Best: the one tool that takes every kind named; else the one tool creating one of
        # them (what it does not take is then pointed out, nothing proposed).
        for fitting in ([t for t in creating if named <= t.kinds], creating):
            recording = bool(fitting) and all(self._records(t, received) for t in fitting)
            if len(fitting) == 1 or recording:
                return fitting[0].name  # one, or the closest of those recording it
        ranked = self._ranked(message, 1)
        top = self.registry.get(ranked[0][0]) if ranked else None
        # « ont validé le devis, fais la facture »: the one tool making one of the kinds named
        # from the others, taking exactly those, wherever the router ranks it
        exact: list[str] = [
            t.name for t in self.registry if t.creates in named and t.kinds == named
        ]
        exact = [name for name in exact if name in self.adapters]
        if creating and top is not None and top.is_write and len(exact) == 1 and len(named) > 1:
            return exact[0]
        if not creating and top is not None and numbered & set(top.acts_on):
            return top.name if top.name in self.adapters else None
        return None

    def _unclear(
        self, tool_name: str, utt: Utterance, arguments: dict[str, Any], memory: Memory, today: date
    ) -> Plan | None:
        """A reply saying which part of the message the parse left over, or None when it
        accounts for all of it; nothing is proposed, and the LLM tier gets the turn when
        there is one."""
        tool = self.registry.get(tool_name)
        if tool is None:
            return None
        left = coverage.gap(utt, arguments, tool, today)
        if left is None:
            return None
        memory.draft = None
        if left.impossible:
            text = (
                f"La date « {left.text} » n'existe pas : quel jour voulez-vous dire ? "
                "Rien n'a été fait."
            )
        elif left.kind is not None:
            what = f"vous parlez {_of(left.kind.label)} (« {left.text} »)"
            text = (
                f"Je n'ai pas bien compris : {what}, et je ne sais pas en tenir compte pour "
                f"« {tool.title} ». Pouvez-vous reformuler, une demande à la fois ? "
                "Rien n'a été fait."
            )
        else:
            text = (
                f"Je n'ai pas bien compris cette partie de votre message : « {left.text} ». "
                "Pouvez-vous préciser ou reformuler ? Rien n'a été fait."
            )
        return Plan("llm", text, tool=tool_name, arguments=arguments)

    def _in_context(self, message: str, folded: str, memory: Memory) -> str | None:
        """« il lui reste combien à payer du coup ? » after a payment: among the close
        candidates, the first that takes what the pronoun stands for (a question reads,
        it does not write)."""
        question = folded.rstrip().endswith("?") or bool(talk.QUESTION.search(folded))
        for tool in self._nearest(message, CONTEXT_SPREAD, CONTEXT_CANDIDATES):
            if question and tool.is_write:
                continue
            for field_name in tool.input_model.model_fields:
                kind = talk.ENTITY_FIELDS.get(field_name)
                if kind in memory.about and talk.designates(folded, kind):
                    return tool.name
        return None

    def _of_no_one(self, intent: str) -> bool:
        """A reading that takes no customer, supplier, employee or product (« les impayés
        de tous les clients »): a pronoun standing for one makes it another reading."""
        tool = self.registry.get(intent)
        return (
            tool is not None
            and not tool.is_write
            and not any(f in talk.ENTITY_FIELDS for f in tool.input_model.model_fields)
        )

    def _overview(self, routing: Routing, message: str, folded: str) -> bool:
        """Several areas in one question (« les ventes, les ruptures et les absents ») or
        « comment ça va ce mois-ci ? » is the overview, unless something is to be done."""
        if OVERVIEW_TOOL not in self.adapters:
            return False
        several = talk.overview_topics(message) >= 2 or talk.asks_overview(folded)
        tool = self.registry.get(routing.intent or "") if routing.confident else None
        return several and (tool is None or not tool.is_write)

    def _designated(
        self, tool_name: str, arguments: dict[str, Any], folded: str, memory: Memory
    ) -> None:
        """« fais-lui une facture »: ``lui`` is whom the conversation was about."""
        tool = self.registry.get(tool_name)
        if tool is None:
            return
        # « passe-la en négociation » right after an affaire was made: « la » is that record,
        # and its customer (or employee…) is the one the conversation was about.
        last = self.registry.get((memory.last or {}).get("tool", ""))
        on_last = last is not None and last.record in tool.acts_on
        that_record = on_last and bool(talk.DOCUMENT_PRONOUN.search(folded))
        when = ((memory.last or {}).get("arguments") or {}).get("when")
        if on_last and "which" in tool.input_model.model_fields and THAT_RECORD.search(folded):
            if isinstance(when, dict) and when.get("said"):  # « supprime-la »: the rule just made
                arguments["which"] = when["said"]
            elif not arguments.get("which"):  # « relance-le »: the rule just paused
                arguments["which"] = ((memory.last or {}).get("arguments") or {}).get("which")
        lines = arguments.get("lines")
        if isinstance(lines, list) and "product" in memory.about:
            for line in lines:  # « …pour 5 sacs »: sacks of the product just spoken of
                product = line.get("product") if isinstance(line, dict) else None
                if isinstance(product, str) and known_unit(product) is not None:
                    line["product"] = memory.about["product"]
        for name in tool.input_model.model_fields:
            kind = talk.ENTITY_FIELDS.get(name)
            said = arguments.get(name)
            if kind is None or kind not in memory.about:
                continue
            pronoun = isinstance(said, str) and fold(said) in talk.PRONOUNS
            if (said in (None, "", []) or pronoun) and (
                that_record or talk.designates(folded, kind) or _counted_bare(name, folded)
            ):
                arguments[name] = memory.about[kind]

    def _paid_just_made(self, tool_name: str, arguments: dict[str, Any], memory: Memory) -> None:
        """« elle a payé par carte » right after an invoice was made or shown, « paie-la par
        Wave » right after a supplier's bill was recorded: that document, paid in full (the
        preview says how much) unless an amount is said (« je leur ai réglé 800 dessus »)."""
        tool = self.registry.get(tool_name)
        last = self.registry.get((memory.last or {}).get("tool", ""))
        if tool is None or last is None or last.record not in PAID_DOCUMENTS:
            return
        document_field, party_field = PAID_DOCUMENTS[last.record]
        fields = tool.input_model.model_fields
        if "amount" not in fields or document_field not in fields or "payment" not in tool.kinds:
            return
        # the invoice by its number, or its customer while it is a draft; the bill by its number
        said = ((memory.last or {}).get("arguments") or {}).get("supplier_number")
        document = memory.about.get("invoice") if last.record == "invoice" else said
        if not isinstance(document, str) or (
            last.record != "invoice" and "supplier" not in memory.about
        ):
            return
        this = {fold(document), fold(memory.about.get(party_field, ""))}
        if any(
            arguments.get(name) and fold(str(arguments[name])) not in this | talk.PRONOUNS
            for name in (document_field, party_field)
        ):
            return  # another document or partner is named
        arguments.pop("customer", None)
        if party_field in fields and party_field in memory.about:
            arguments[party_field] = memory.about[party_field]
        arguments[document_field] = document
        arguments.setdefault("amount", "balance")  # « je leur ai réglé 800 dessus »: 800

    def _named_first(self, tool_name: str, arguments: dict[str, Any], message: str) -> None:
        """« et Garage Ndoye, c'est quelles factures ? »: the name before the question is
        whom it is about, when the question names no one."""
        head = talk.NAMED_FIRST.match(message)
        tool = self.registry.get(tool_name)
        if head is None or tool is None:
            return
        for name in tool.input_model.model_fields:
            if name in talk.ENTITY_FIELDS and name not in DOCUMENT_FIELDS.values():
                if arguments.get(name) in (None, "", []):
                    arguments[name] = head.group(1).strip()
                return

    def _from_list(
        self, tool_name: str, arguments: dict[str, Any], folded: str, memory: Memory
    ) -> None:
        """« ils ont réglé la plus ancienne, en totalité »: the invoice is one just listed,
        and the amount what it still owes."""
        tool = self.registry.get(tool_name)
        fields = tool.input_model.model_fields if tool is not None else {}
        if "invoice" not in fields or arguments.get("invoice"):
            return
        item = talk.picked(folded, memory.listed)
        if item is None:
            return
        arguments["invoice"] = item["number"]
        arguments.pop("customer", None)  # the invoice says whose it is
        if "amount" in fields and not arguments.get("amount") and item.get("balance"):
            if talk.in_full(folded):
                arguments["amount"] = item["balance"]

    def _again(self, memory: Memory) -> Plan | None:
        """« c'est lesquelles ? » after an answer: that answer again, in full."""
        last = memory.last or {}
        tool = self.registry.get(last.get("tool", ""))
        if tool is None or tool.is_write:
            return None
        return Plan("tool", tool=tool.name, arguments=dict(last.get("arguments") or {}))

    def _complete(
        self,
        adapter: Adapter,
        arguments: dict[str, Any],
        memory: Memory,
        routing: Routing | None = None,
    ) -> Plan:
        for name, question in adapter.ask.items():
            if name in arguments and arguments[name] is None:
                continue  # said to be left open (« le prix, on le fixe à chaque fois »)
            if arguments.get(name) in (None, "", []):
                memory.draft = {
                    "tool": adapter.tool,
                    "arguments": arguments,
                    "awaiting": name,
                    "question": question,
                }
                return Plan(
                    "reply", question, tool=adapter.tool, arguments=arguments, routing=routing
                )
        memory.draft = None
        return Plan("tool", tool=adapter.tool, arguments=arguments, routing=routing)

    def _fill(
        self,
        memory: Memory,
        utt: Utterance,
        message: str,
        folded: str,
        *,
        today: date,
        currency: str,
    ) -> Plan:
        draft = memory.draft or {}
        adapter = self.adapters[draft["tool"]]
        awaiting = draft.get("awaiting")
        corrected = self._corrected(adapter, draft, message, folded, today, currency)
        correcting = corrected is not None
        if corrected is not None:
            utt, arguments = corrected
            chosen = False
        elif awaiting and (choice := self._chosen_option(draft, folded)) is not None:
            arguments = dict(draft["arguments"])
            set_path(arguments, awaiting, choice)
            chosen = True
        else:
            said = jsonable(adapter.extract(utt))
            if awaiting and "." in awaiting:  # the answer names one part of a list
                said.pop(awaiting.split(".")[0], None)
            if self._free_text(draft["tool"], awaiting):
                # « ils ont pris moins cher chez un concurrent » after « pour quelle raison
                # ? »: an answer in free words changes nothing already said
                said = {
                    k: v for k, v in said.items() if k == awaiting or k not in draft["arguments"]
                }
            arguments = {**draft["arguments"], **said}
            chosen = False
        if not correcting and awaiting and get_path(arguments, awaiting) in (None, "", []):
            if len(draft.get("options") or []) > 1 and _says_yes(folded):
                # « oui » to a choice between two names picks neither: the question again
                return Plan("reply", f"{STILL_MISSING}{draft.get('question') or ''}".strip())
            value = self._answer_value(draft, awaiting, utt, message, folded)
            if value is not None:
                set_path(arguments, awaiting, value)
                line = awaiting.rsplit(".", 1)[0]
                if awaiting.endswith(".unit_price") and isinstance(get_path(arguments, line), dict):
                    # « 320 € HT pièce, TVA 5,5 % »: that line's price and its terms
                    priced = with_terms([get_path(arguments, line)], utt)[0]
                    set_path(arguments, line, jsonable(priced))
        if not chosen and (unclear := self._unclear(adapter.tool, utt, arguments, memory, today)):
            return unclear
        return self._complete(adapter, arguments, memory)

    def _corrected(
        self,
        adapter: Adapter,
        draft: dict[str, Any],
        message: str,
        folded: str,
        today: date,
        currency: str,
    ) -> tuple[Utterance, dict[str, Any]] | None:
        """The request being filled as a correction changes it (« non, 4 sacs »), or None.
        « erreur de quantité, … » after « Pour quel motif ? »: a correction that changes
        nothing, said where free words are awaited, is the answer."""
        if not CORRECTION.match(folded):
            return None
        utt = self._correction(message, draft, today, currency)
        arguments = jsonable(adapter.corrected(dict(draft["arguments"]), utt))
        if arguments == draft["arguments"] and self._free_text(
            draft["tool"], draft.get("awaiting")
        ):
            return None
        return utt, arguments

    def _free_text(self, tool_name: str, field_name: str | None) -> bool:
        """A field answered in free words (a reason, a note), not a record's name."""
        return (
            field_name is not None
            and talk.ENTITY_FIELDS.get(field_name) is None
            and self._field_kind(tool_name, field_name) is str
        )

    @staticmethod
    def _chosen_option(draft: dict[str, Any], folded: str) -> str | None:
        """« le premier », or the name of one of the candidates offered."""
        options: Sequence[str] = draft.get("options") or []
        key = folded.strip(" .!?")
        if options and key in ORDINALS and ORDINALS[key] < len(options):
            return options[ORDINALS[key]]
        named = [o for o in options if fold(o) == key] or [o for o in options if key in fold(o)]
        if len(named) == 1:
            return named[0]
        if sized := talk.of_size(key, list(options)):  # « les 5 litres »
            return sized
        # « la boutique, celle de Thiès »: the one option that shares a word with the answer
        said = {w for w in re.findall(r"[\w&'-]+", key) if len(w) > 2} - talk.OPTION_STOPWORDS
        shared = [o for o in options if said & set(re.findall(r"[\w&'-]+", fold(o)))]
        return shared[0] if len(shared) == 1 else None

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
            # a reason or a note is the whole answer, whatever its commas and numbers
            whole = self._free_text(draft["tool"], awaiting)
            return _clean_answer(message, whole=whole) or None
        return None

    def _field_kind(self, tool_name: str, field_name: str) -> type | None:
        if "." in field_name:  # inside a list of lines: a price or quantity, else a name
            return Decimal if field_name.endswith((".unit_price", ".quantity")) else str
        tool = self.registry.get(tool_name)
        if tool is None or field_name not in tool.input_model.model_fields:
            return None
        annotation = tool.input_model.model_fields[field_name].annotation
        candidates = [annotation, *get_args(annotation)]
        return next((k for k in (date, Decimal, str) if any(c is k for c in candidates)), None)

    @staticmethod
    def _correction(message: str, request: dict[str, Any], today: date, currency: str) -> Utterance:
        """What a correction says, read alone (« 4 sacs » of « non attends, c'est 4 sacs pas
        3 »); a bare number is the new quantity of the request's only line (« oups, 5 »)."""
        value = talk.correction_value(message)
        arguments = request.get("arguments") or {}
        lines = arguments.get("lines") or []
        if re.fullmatch(r"\d+(?:[.,]\d+)?", value) and len(lines) == 1:
            what = lines[0].get("product") or lines[0].get("description")
            if what:
                value = f"{value} {what}"
        if isinstance(arguments.get("when"), dict) and find_schedule(value, fold(value)) is None:
            # « plutôt le mardi à 9h » of a weekly schedule: every Tuesday at 9
            again = "chaque " + re.sub(r"(?i)^(?:le|la|les)\s+", "", value)
            if find_schedule(again, fold(again)) is not None:
                value = again
            elif (moved := at_another_time(arguments["when"].get("said") or "", value)) is not None:
                value = moved  # « plutôt 7h » of « chaque samedi à 9h »: every Saturday at 7
        start, end = _a_date(arguments.get("start_date")), _a_date(arguments.get("end_date"))
        period = None
        if start is not None:
            period = the_same_period_from(fold(value), start, end) or the_same_length_from(
                fold(value), start, end, today
            )
        if period is not None:
            # « plutôt celle du 26 » of a week shown: that week, in its month; « à partir de
            # mardi » of three days shown: three working days from Tuesday
            value = period
        corrected = start or next(filter(None, map(_a_date, arguments.values())), None)
        return analyse(value, today=today, currency=currency, month=corrected)

    def _more_lines(self, memory: Memory, message: str, today: date, currency: str) -> Plan | None:
        """« ajoute aussi 2 ramettes de papier » while a preview with lines waits: the same
        request with those lines after its own, when the rest of the message is only them."""
        last = memory.last or {}
        adapter = self.adapters.get(last.get("tool", ""))
        opening = MORE_LINES.match(fold(message))
        lines = (last.get("arguments") or {}).get("lines")
        if adapter is None or opening is None or not isinstance(lines, list):
            return None
        said = POLITE_END.sub("", message[opening.end() :])
        utt = analyse(said, today=today, currency=currency)
        if SETS_NOT_ADDS.search(opening.group(0)) and any(q.item is None for q in utt.quantities):
            return None  # « attends, mets 12 sacs »: how many of what is there, not a new line
        added = jsonable(adapter.extract(utt)).get("lines") or []
        if not added:
            return None
        if (
            unclear := self._unclear(adapter.tool, utt, {"lines": added}, memory, today)
        ) is not None:
            return unclear
        return self._complete(adapter, {**last["arguments"], "lines": lines + added}, memory)

    def _other_document(self, memory: Memory, message: str) -> Plan | None:
        """« celle de mars, la F-2026-00002 » after a payment shown on another invoice: the
        same request on the document named."""
        last = memory.last or {}
        found = talk.DOCUMENT_NUMBER.search(message)
        adapter = self.adapters.get(last.get("tool", ""))
        tool = self.registry.get(last.get("tool", ""))
        if found is None or adapter is None or tool is None or len(message.split()) > 10:
            return None
        field_name = DOCUMENT_FIELDS[found.group(1).upper()]
        said = (last.get("arguments") or {}).get(field_name)
        if field_name not in tool.input_model.model_fields or not said:
            return None
        arguments = {**last["arguments"], field_name: found.group(0).upper()}
        return self._complete(adapter, arguments, memory)

    def _correct(self, memory: Memory, message: str, today: date, currency: str) -> Plan | None:
        """The last request with what the correction changes; None when a message that
        only opens like one (« alors… », « attends… ») changes nothing in it."""
        last = memory.last or {}
        adapter = self.adapters.get(last.get("tool", ""))
        if adapter is None:
            return Plan("llm")
        utt = self._correction(message, last, today, currency)
        arguments = jsonable(adapter.corrected(dict(last["arguments"]), utt))
        for name in talk.ENTITY_FIELDS:  # « chez eux »: whom the request was already for
            said = arguments.get(name)
            if isinstance(said, str) and fold(said) in talk.PRONOUNS and name in last["arguments"]:
                arguments[name] = last["arguments"][name]
        unchanged = arguments == last["arguments"]
        if unchanged and WEAK_CORRECTION.match(fold(message)):
            return None
        unclear = self._unclear(adapter.tool, utt, arguments, memory, today)
        renamed = any(  # « mets 12 sacs, il en a repris deux »: no one is « repris deux »
            value != last["arguments"].get(name) and _everyday_name(name, value)
            for name, value in arguments.items()
        )
        if (unclear or renamed) and (shorter := talk.without_reason(message)):
            return self._correct(
                memory, shorter, today, currency
            )  # « non 12, il y en avait 3 cassés »
        if unclear is not None:
            return unclear
        tool = self.registry.get(adapter.tool)
        if unchanged and tool is not None and tool.is_write:
            # the same write again would be taken for the corrected one: say so instead
            memory.draft = None
            text = (
                "Je n'ai pas compris ce qu'il faut changer dans la demande "
                f"(« {talk.correction_value(message)} »). Pouvez-vous préciser ou "
                "reformuler ? Rien n'a été fait."
            )
            return Plan("llm", text, tool=adapter.tool, arguments=arguments)
        return self._complete(adapter, arguments, memory)

    def _not_ours(self, routing: Routing, text: str) -> Routing:
        """« j'ai reçu la facture de Metro, 450 € »: a document received was made by whoever
        sent it. The request is never to make one of ours of that kind: it is read among
        the other intents."""
        tool = self.registry.get(routing.intent or "")
        folded = fold(text)
        received = self._received(folded)
        if tool is None or tool.creates not in received:
            return routing
        ours = {t.name for t in self.registry if t.creates in received}
        others = {spec.name for spec in self.router.specs} - ours
        return self.router.route(text, folded, among=others)

    @staticmethod
    def _records(tool: Tool, received: set[str]) -> bool:
        """Whether ``tool`` records a document of one of the kinds ``received`` (a supplier
        bill for an invoice received)."""
        return tool.creates in {RECEIVED_AS.get(kind) for kind in received}

    @staticmethod
    def _received(folded: str) -> set[str]:
        """The kinds of document the message says were received (made by someone else)."""
        return {
            kind.name
            for said in RECEIVED_KIND.finditer(folded)
            for kind, _, _ in coverage.named_kinds(said.group(0))
        }

    def _same_for(self, memory: Memory, marker: str, name: str, today: date, currency: str) -> Plan:
        """« pareil pour Sow », « fais exactement le même pour Ciments et Matériaux Diagne »:
        the last request again, for ``name`` (said after ``marker``) — in full, « et »
        inside a name being part of it."""
        again = f"et {marker} {name}"
        plan = self._follow_up(memory, analyse(again, today=today, currency=currency), again, today)
        for field_name, value in (plan.arguments or {}).items():
            if (
                field_name in talk.ENTITY_FIELDS
                and isinstance(value, str)
                and value != name
                and name.startswith(value)
            ):
                plan.arguments[field_name] = name
        return plan

    def _follow_up(self, memory: Memory, utt: Utterance, message: str, today: date) -> Plan:
        last = memory.last or {}
        adapter = self.adapters.get(last.get("tool", ""))
        if adapter is None:
            return Plan("llm")
        said = jsonable(adapter.extract(utt))
        tool = self.registry.get(adapter.tool)
        if tool is not None and not tool.is_write:
            return self._asked_again(memory, adapter, tool, utt, message, said, today)
        kept = dict(last["arguments"])
        if said and (other := ANOTHER_NAMED.match(message)):
            # someone else's turn (« et Ndiaye 30 000 … »): the last one's party, documents
            # and dates are not theirs, only the manner (a payment method) carries over
            if not any(other.group(1) in str(v) for v in said.values()):
                names = (k for k in kept if self._field_kind(adapter.tool, k) is str)
                party = next((k for k in names if not re.search(r"\d", str(kept[k]))), None)
                if party is None:
                    return Plan("llm")
                said[party] = other.group(1)
            kept = {k: v for k, v in kept.items() if self._field_kind(adapter.tool, k) is None}
        if not said:
            entity = next(
                (f for f in adapter.ask if self._field_kind(adapter.tool, f) is str), None
            )
            name = re.sub(r"(?i)^\s*et\s+(?:(?:pour|chez|de|du|à|a|au|en)\s+)?", "", message)
            name, _, question = name.partition(",")
            name = re.sub(r"(?i)\s+l[àa]$", "", name.strip(" ?!."))  # « et Boutique Sow là »
            if question.strip(" ?!.") and name[:1].isupper():  # « et Sow, quelle facture ? »
                return self._about_named(name, question, memory)
            if entity is None or not name:  # « et rien qu'en négociation ? »: the reading
                return self._again(memory) or Plan("llm")  # again, which has the detail
            said = {entity: name}
        return self._complete(adapter, {**kept, **said}, memory)

    def _asked_again(
        self,
        memory: Memory,
        adapter: Adapter,
        tool: Tool,
        utt: Utterance,
        message: str,
        said: dict[str, Any],
        today: date,
    ) -> Plan:
        """A short follow-up of a reading (« et sur Dakar ? », « et le mois d'avant ? »,
        « et leur adresse mail ? »): the same reading with the one part it names changed —
        what the reading's own words say (a period, a stage), the period next to the one
        asked, a name in place of the name asked about — or again for a detail its answer
        shows. Anything else is not understood: the last answer is never given for another
        question."""
        last = dict((memory.last or {}).get("arguments") or {})
        folded = fold(message)
        asked = talk.details_asked(folded)
        said = {  # « et leur mail ? » names no product: a detail is asked
            k: v
            for k, v in said.items()
            if not (
                isinstance(v, str) and _a_date(v) is None and (asked or fold(v).startswith("et "))
            )
        }
        arguments = {**last, **said}
        for start, end in (("start", "end"), ("start_date", "end_date")):
            first, until = _a_date(last.get(start)), _a_date(last.get(end))
            beside = (
                None if first is None or until is None else the_period_beside(folded, first, until)
            )
            if beside is not None:
                arguments.update({start: beside[0].isoformat(), end: beside[1].isoformat()})
                said = {**said, start: arguments[start]}
        if not said:
            name = re.sub(r"(?i)^\s*et\s+(?:(?:pour|chez|de|du|à|a|au|en)\s+)?", "", message)
            name, _, question = name.partition(",")
            name = re.sub(r"(?i)\s+l[àa]$", "", name.strip(" ?!."))
            if question.strip(" ?!.") and name[:1].isupper():  # « et Sow, quelle facture ? »
                return self._about_named(name, question, memory)
            if asked and asked & _shown_fields(tool):
                return self._again(memory) or Plan("llm")  # its answer shows them
            named = talk.follow_up_name(message)
            field_name = self._name_field(tool, adapter, last) if named else None
            if named is None or field_name is None:
                ranked = self._ranked(message, 1)
                if not asked and ranked and ranked[0][0] == tool.name:
                    return self._again(memory) or Plan("llm")  # the same question, reworded
                return Plan("llm", NOT_A_FOLLOW_UP.format(message.strip()))
            said = {field_name: named}
            arguments = {**last, **said}
        if (unclear := self._unclear(adapter.tool, utt, arguments, memory, today)) is not None:
            return unclear
        return self._complete(adapter, arguments, memory)

    def _name_field(self, tool: Tool, adapter: Adapter, last: dict[str, Any]) -> str | None:
        """The field of a reading a name said alone changes: the one name it was asked
        with (« clients à Thiès » → the city), else whom it may be about."""
        slots = self._slots.get(tool.name) or {}
        named = [
            f
            for f, value in last.items()
            if isinstance(value, str)
            and (f in talk.ENTITY_FIELDS or (slots.get(f) or {}).get("kind") in NAME_SLOTS)
        ]
        if len(named) == 1:
            return named[0]
        if named:
            return None
        return next((f for f in adapter.ask if self._field_kind(adapter.tool, f) is str), None)

    def _close(self, question: str, intent: str) -> bool:
        """``intent`` scores as close to the question as the best intent does."""
        ranked = self.router.scores(question, fold(question))
        score = dict(ranked).get(intent)
        return bool(ranked) and score is not None and score >= ranked[0][1] - CONTEXT_SPREAD

    def _about_named(self, name: str, question: str, memory: Memory) -> Plan:
        """« et Boutique Sow, c'est quelle facture ? depuis quand ? » after the money owed:
        the question asked (a reading) about the customer named."""
        readers: dict[str, str] = {}  # reading tool → its field for whom it is about
        for tool_name in self.adapters:
            tool = self.registry.get(tool_name)
            if tool is None or tool.is_write:
                continue
            fields = [f for f in tool.input_model.model_fields if f in PERSON_FIELDS]
            if fields:
                readers[tool_name] = fields[0]
        last = (memory.last or {}).get("tool")
        routing = self.router.route(question, fold(question), among=set(readers))
        intent = routing.intent
        if last in readers and (
            intent is None or routing.score < MIN_ABOUT_SCORE or self._close(question, last)
        ):
            intent = last  # « et Awa Diop, elle en a combien ? » after a balance
        if intent is None or (intent != last and routing.score < MIN_ABOUT_SCORE):
            return Plan("llm")
        return self._complete(self.adapters[intent], {readers[intent]: name}, memory, routing)

    def remember(
        self,
        memory: Memory,
        tool: str,
        arguments: dict[str, Any],
        result: dict[str, Any] | None = None,
        record: dict[str, Any] | None = None,
        *,
        shown: bool = False,
    ) -> None:
        """What was just shown or done: ``result`` when it lists documents (« la plus
        ancienne »), ``record`` when it names whom and what it was about (« valide-la »)."""
        memory.last = {"tool": tool, "arguments": jsonable(arguments)}
        if shown:  # a preview waiting for its « oui »: what « ajoute aussi … » adds to
            memory.last["shown"] = True
        memory.listed = talk.listed_items(result)
        declared = self.registry.get(tool)
        memory.about = {**memory.about, **talk.entities(declared, memory.last["arguments"])}
        if record is not None:
            memory.about = {**memory.about, **talk.recorded(declared, jsonable(record))}

    @staticmethod
    def remember_attempt(
        memory: Memory, tool: str, arguments: dict[str, Any], why: str = ""
    ) -> None:
        """A request the business refused (« solde insuffisant »): what « bon, alors du 3 au
        5 » corrects, and why « oui » then confirms nothing; what was listed and whom it is
        about stay."""
        memory.last = {"tool": tool, "arguments": jsonable(arguments), "failed": True, "why": why}

    @staticmethod
    def _retried(routing: Routing, message: str, memory: Memory) -> bool:
        """« bon ok, par mail alors » after « l'envoi par SMS n'est pas disponible »: a short
        message right after a request refused, reading as that request or as nothing sure,
        naming no document of its own: the refused request again with what it changes."""
        last = memory.last or {}
        return (
            bool(last.get("failed"))
            and (routing.intent in (None, last.get("tool")) or not routing.confident)
            and len(message.split()) <= 6
            and talk.DOCUMENT_NUMBER.search(message) is None
        )

    @staticmethod
    def refused(memory: Memory, text: str) -> None:
        """A tool refused for lack of rights: insisting next gets the same answer."""
        memory.refused = text

    def ask_back(
        self,
        memory: Memory,
        tool: str,
        arguments: dict[str, Any],
        awaiting: str,
        options: list[str],
        question: str = "",
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
            "question": question,
        }
