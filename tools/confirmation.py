"""The confirmation of WRITE tools.

A WRITE first runs as a dry run: in a savepoint that is rolled back, with the work queued
for after commit dropped, so the preview shows the real totals, VAT and numbers and a
refused request is refused before anyone is asked to confirm. Then a token is issued,
bound to tenant, user, tool and the exact arguments (HMAC over their canonical JSON),
single-use and short-lived. Only the user's explicit yes — a word of ``YES`` or the token
sent back by a button — runs the tool for real.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.conversations.models import PendingConfirmation
from domain.kit.clock import Clock
from domain.kit.errors import DomainError
from domain.kit.ids import uuid7
from domain.kit.lexicon import words
from domain.kit.principal import Principal
from domain.kit.text import fold
from tools.base import Tool, ToolContext, ToolResult


class ConfirmationRefused(DomainError):
    code = "confirmation_refused"
    status_code = 409
    default_message = "Cette confirmation n'est pas valable."


class NothingToConfirm(DomainError):
    code = "nothing_to_confirm"
    status_code = 409
    default_message = "Il n'y a rien à confirmer pour le moment."


Reply = Literal["yes", "no", "wait", "other"]

# Whole answers only, from the lexicon (``domain/kit/lexicon.yaml``): « oui, 4 sacs » or « non,
# 4 sacs » are corrections, not a yes or no. An answer may chain several of these (« ok
# vas-y, valide ») and carry fillers (« bon, laisse tomber finalement »), nothing else.
YES = words("yes_words")
NO = words("no_words")
# A part of a message that cancels whatever the rest says (« non, annule, il a changé d'avis »).
CANCEL = NO - {"non", "no", "nan", "pas maintenant", "pas besoin", "plus besoin", "stop"}
FILLERS = words("fillers")
# « oui les deux »: a yes to everything the preview shows, not an answer by itself.
TO_ALL = words("yes_to_all")
# « attends, je vérifie avec mon associé »: every part of the message puts the answer off.
LATER = r"(?:plus tard|apres|tout a l'heure|demain|ce soir|bientot|dans \w+)"
WAIT = re.compile(
    r"^(?:attends?|attendez|patiente[sz]?|une (?:minute|seconde|sec|min)|un (?:instant|moment|peu)"
    r"|deux (?:minutes|secondes)|pas (?:tout de suite|encore)|minute|doucement|je reflechis"
    r"|(?:je|on) (?:vais |dois |va )?(?:verifie|verifier|regarde|regarder|reflechis|reflechir"
    r"|reviens|revenir|rappelle|rappeler|check|en parle|en parler|vois|voir)"
    # « je vérifie avec mon associé », not « je vérifie le stock » (a request)
    rf"(?: (?:avec|aupres|chez|d'abord|ca|cela|quelque chose|un truc|de mon cote|moi-meme"
    rf"|vers|encore|un peu|et)\b.*| {LATER}.*)?"
    r"|(?:je|on) (?:vais |dois |va )?demander? (?:a|au|aux|d'abord)\b.*"
    r"|laisse[- ]moi (?:verifier|voir|reflechir|regarder|demander)\b.*"
    rf"|(?:je|on) (?:te|vous) (?:le )?(?:dis|redis|confirme|reponds)(?: ca| cela)? {LATER}.*"
    rf"|(?:je )?confirme {LATER}.*)$"
)
_PUNCT = re.compile(r"[\s!.?,;:…]+")
_CLAUSES = re.compile(r"[,;.!?…]+|\s+et\s+")


def _folded(text: str) -> str:
    text = re.sub(r"\b(stp|svp|s'il te plait|s'il vous plait|merci beaucoup)\b", " ", fold(text))
    return _PUNCT.sub(" ", text).strip()


def _made_of(folded: str, answers: frozenset[str], fillers: frozenset[str] = FILLERS) -> bool:
    """``folded`` is a sequence of phrases of ``answers`` and ``fillers``, with at least one
    answer (« ok vas-y valide », « bon laisse tomber finalement »)."""
    words = folded.split()
    # reach[i]: words[:i] covered; with_answer[i]: and one of them was an answer
    reach, with_answer = [False] * (len(words) + 1), [False] * (len(words) + 1)
    reach[0] = True
    for i in range(len(words)):
        if not reach[i]:
            continue
        for j in range(i + 1, min(len(words), i + 5) + 1):
            phrase = " ".join(words[i:j])
            if phrase in answers:
                reach[j] = with_answer[j] = True
            elif phrase in fillers:
                reach[j] = True
                with_answer[j] = with_answer[j] or with_answer[i]
    return with_answer[len(words)]


_OPENERS = FILLERS | {"ok", "oui", "non", "d'accord", "ouais"}


def _waits(message: str) -> bool:
    clauses = []
    for clause in _CLAUSES.split(fold(message)):
        words = _folded(clause).split()
        while words and words[0] in _OPENERS:  # « ok, je vérifie » puts off like « je vérifie »
            words.pop(0)
        if words:
            clauses.append(" ".join(words))
    return bool(clauses) and all(WAIT.match(c) for c in clauses)


def _declines(message: str) -> bool:
    """« Non attends, annule, ils ont changé d'avis »: one part of the message is a plain
    cancel and the rest only explains (no figure in it, which would make a correction)."""
    if any(c.isdigit() for c in message):
        return False
    clauses = [_folded(c) for c in _CLAUSES.split(fold(message))]
    return any(c and _made_of(c, CANCEL, FILLERS | {"non", "nan", "no"}) for c in clauses)


def _verb_forms(title: str | None) -> frozenset[str]:
    """« Annuler un bon de commande » → annule, annuler, annulez…: the preview's own verb,
    which a yes may repeat (« oui annule »)."""
    verb = fold(title or "").split()[0] if title else ""
    if not verb.endswith("er") or len(verb) < 4:
        return frozenset()
    stem = verb[:-2]
    return frozenset({verb, stem + "e", stem + "ez", stem + "e-la", stem + "e-le", stem + "e-les"})


def reply_kind(message: str, title: str | None = None) -> Reply:
    """``yes`` / ``no`` when the whole message is one, ``wait`` when it only puts the
    answer off (« attends, je vérifie »), else ``other``. ``title``, the title of the tool
    whose preview waits: a yes that repeats its verb is a yes (« oui annule » to a
    cancellation shown), never a no."""
    folded = _folded(message)
    if not folded:
        return "other"
    if folded in YES or _made_of(folded, YES, FILLERS | TO_ALL):
        return "yes"
    if (verb := _verb_forms(title)) and _made_of(folded, YES, FILLERS | TO_ALL | verb):
        return "yes"
    if folded in NO or _made_of(folded, NO) or _declines(message):
        return "no"
    if _waits(message):
        return "wait"
    return "other"


def dry_run(ctx: ToolContext, tool: Tool, args: BaseModel) -> ToolResult:
    """Run ``tool`` and undo it: the savepoint is rolled back and whatever the run queued
    for after commit (event relays, jobs) is forgotten."""
    savepoint = ctx.session.begin_nested()
    try:
        return tool.run(ctx, args)
    finally:
        savepoint.rollback()  # drops what the run queued, keeps what was queued before


def canonical(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Confirmed:
    tool: str
    arguments: dict[str, Any]
    confirmation_id: UUID
    requested_at: datetime  # when the preview was issued: the moment the person asked


class Confirmations:
    """Issue and consume confirmation tokens (rows of ``pending_confirmations``)."""

    def __init__(self, secret_key: str, ttl: timedelta = timedelta(minutes=10)) -> None:
        self._key = hmac.new(secret_key.encode(), b"comptoir-confirm-v1", hashlib.sha256).digest()
        self.ttl = ttl

    def _signature(
        self, row_id: UUID, tenant_id: UUID, user_id: UUID, tool: str, digest: str
    ) -> str:
        message = f"{row_id}|{tenant_id}|{user_id}|{tool}|{digest}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def issue(
        self,
        session: Session,
        principal: Principal,
        clock: Clock,
        tool: Tool,
        arguments: dict[str, Any],
        preview: str,
        conversation_id: UUID | None = None,
    ) -> str:
        digest = hashlib.sha256(canonical(arguments).encode()).hexdigest()
        row = PendingConfirmation(
            id=uuid7(),
            tenant_id=principal.tenant_id,
            user_id=principal.user_id,
            conversation_id=conversation_id,
            tool=tool.name,
            arguments=arguments,
            digest=digest,
            preview=preview,
            created_at=clock.now(),
            expires_at=clock.now() + self.ttl,
        )
        session.add(row)
        session.flush()
        signature = self._signature(
            row.id, principal.tenant_id, principal.user_id, tool.name, digest
        )
        return f"{row.id}.{signature}"

    def _row(self, session: Session, principal: Principal, token: str) -> PendingConfirmation:
        raw_id, _, signature = token.strip().partition(".")
        try:
            row_id = UUID(raw_id)
        except ValueError:
            raise ConfirmationRefused() from None
        row = session.scalar(
            select(PendingConfirmation)
            .where(
                PendingConfirmation.tenant_id == principal.tenant_id,
                PendingConfirmation.id == row_id,
            )
            .with_for_update()
        )
        if row is None or row.user_id != principal.user_id:
            raise ConfirmationRefused()
        digest = hashlib.sha256(canonical(row.arguments).encode()).hexdigest()
        expected = self._signature(row.id, row.tenant_id, row.user_id, row.tool, digest)
        if digest != row.digest or not hmac.compare_digest(expected, signature):
            raise ConfirmationRefused()
        return row

    def consume(
        self, session: Session, principal: Principal, clock: Clock, token: str
    ) -> Confirmed:
        """The tool call the token stands for, marked used; refused when altered, someone
        else's, already used or expired."""
        row = self._row(session, principal, token)
        if row.used_at is not None:
            raise ConfirmationRefused("Cette demande a déjà été confirmée ou annulée.")
        if clock.now() >= row.expires_at:
            row.used_at, row.outcome = clock.now(), "expired"
            session.flush()
            minutes = int(self.ttl.total_seconds() // 60)
            raise ConfirmationRefused(
                f"Cette confirmation a expiré ({minutes} minutes). Refaites la demande si besoin."
            )
        row.used_at, row.outcome = clock.now(), "confirmed"
        session.flush()
        return Confirmed(row.tool, dict(row.arguments), row.id, row.created_at)

    def cancel(self, session: Session, principal: Principal, clock: Clock, token: str) -> None:
        row = self._row(session, principal, token)
        if row.used_at is None:
            row.used_at, row.outcome = clock.now(), "cancelled"
            session.flush()

    def mark(
        self, session: Session, principal: Principal, confirmation_id: UUID, outcome: str
    ) -> None:
        """Record how the confirmed call ended (``done`` or ``failed``)."""
        row = session.get(PendingConfirmation, (principal.tenant_id, confirmation_id))
        if row is not None:
            row.outcome = outcome
            session.flush()
