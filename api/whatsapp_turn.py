"""The WhatsApp conversation itself: a routed message through the same turn as the web
chat (``api.chat.turn_events`` → ``Agent.turn``), its answer written to the outbox inside
the turn's own transaction together with the mark that the delivery was processed —
either the turn commits with its write, its replies and that mark, or nothing happened.

A preview goes out as « Oui » / « Non » reply buttons, options as buttons or a list; a
button carries only the id of a ``whatsapp_choices`` row (the confirmation token is
derived again here, never sent to WhatsApp). One conversation per member and business,
new after 24 hours of silence.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.chat import ChatIn, turn_events
from comptoir.bootstrap import Container
from domain.conversations.models import Conversation, PendingConfirmation
from domain.kit.db import Database
from domain.kit.principal import Channel, Principal
from domain.whatsapp import inbox, links, outbox
from domain.whatsapp.models import WhatsAppChoice, WhatsAppContact
from domain.whatsapp.render import BODY_LIMIT, MAX_ROWS, buttons_body, choices_body, split_text

log = logging.getLogger("comptoir.whatsapp")


VOICE = "Les messages vocaux ne sont pas encore pris en charge : écrivez-moi votre demande."
UNSUPPORTED = "Je ne lis pour l'instant que les messages écrits, les boutons et les documents."
STALE_BUTTON = "Ce bouton n'est plus valable. Refaites la demande si besoin."
CONFIRM_PROMPT = "Je confirme ?"
YES, NO = "Oui", "Non"
MESSAGE_LIMIT = 4000  # what the chat accepts in one message
MEDIA_KINDS = ("document", "image")


# The messages queued while processing a delivery, when the caller collects them (the
# worker sends them itself right after, instead of waiting for their relay).
QUEUED: ContextVar[list[tuple[UUID, UUID]] | None] = ContextVar("whatsapp_queued", default=None)


def queue_reply(session: Session, tenant_id: UUID, **fields: Any) -> None:
    """Queue a reply; a worker collecting them sends them itself after commit, so they
    are not announced to the relay as well (one Celery task and two transactions fewer
    per reply, on the workers that run the turns)."""
    collected = QUEUED.get()
    message_id = outbox.queue(session, tenant_id, announce=collected is None, **fields)
    if message_id is not None and collected is not None:
        collected.append((tenant_id, message_id))


class AlreadyProcessed(Exception):
    """Another worker processed this delivery first: the turn is rolled back."""


@dataclass
class Delivery:
    inbound_id: UUID
    phone_number_id: str
    wamid: str
    payload: dict[str, Any]

    @property
    def phone(self) -> str:
        return "+" + str(self.payload.get("from") or "").lstrip("+")

    @property
    def button_id(self) -> str | None:
        interactive = self.payload.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply["id"]) if reply.get("id") else None


def answer_plainly(
    c: Container, tenant_id: UUID, delivery: Delivery, text: str, *, user_id: UUID | None = None
) -> None:
    """One text reply and the delivery marked processed, in one transaction."""
    with c.db.unit_of_work(tenant_id) as session:
        row = inbox.lock_unprocessed(session, delivery.inbound_id)
        if row is None:
            raise AlreadyProcessed()
        note_inbound(session, tenant_id, delivery.phone, c.clock.now())
        for n, part in enumerate(split_text(text)):
            queue_reply(
                session,
                tenant_id,
                phone_number_id=delivery.phone_number_id,
                to_phone=delivery.phone,
                kind="text",
                body=outbox.text_body(part),
                dedup_key=f"reply:{delivery.wamid}:{n}",
                user_id=user_id,
            )
        inbox.finish(session, row, c.clock.now(), "answered")


def note_inbound(session: Session, tenant_id: UUID, phone: str, now: datetime) -> None:
    """The contact wrote: their 24-hour window opens (again) now."""
    session.execute(
        insert(WhatsAppContact)
        .values(tenant_id=tenant_id, phone=phone, last_inbound_at=now)
        .on_conflict_do_update(
            index_elements=["tenant_id", "phone"],
            set_={"last_inbound_at": now, "updated_at": now},
        )
    )


class _TurnDatabase:
    """The application database, remembering the session of the unit of work in
    progress: what the channel writes while the turn's events arrive joins the turn's
    own transaction."""

    def __init__(self, inner: Database) -> None:
        self._inner = inner
        self.current: Session | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @contextmanager
    def unit_of_work(self, tenant_id: UUID | None = None) -> Iterator[Session]:
        with self._inner.unit_of_work(tenant_id) as session:
            self.current = session
            try:
                yield session
            finally:
                self.current = None


class _OptionsSeen:
    """The local tier, noting the options of a question back (« lequel ? ») so that they
    go out as buttons or a list."""

    def __init__(self, inner: Any, seen: list[list[str]]) -> None:
        self._inner = inner
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ask_back(self, *args: Any, **kwargs: Any) -> Any:
        options = args[4] if len(args) > 4 else kwargs.get("options")
        self._seen.append([str(o) for o in options or []])
        return self._inner.ask_back(*args, **kwargs)


@dataclass
class _Sink:
    """Turns the turn's events into outgoing messages, written in the turn's transaction
    (or, for a cancellation, which commits before its events, in one of their own)."""

    c: Container
    db: _TurnDatabase
    principal: Principal
    delivery: Delivery
    options: list[list[str]]
    waiting_id: str | None = None
    conversation_id: UUID | None = None
    preview: tuple[str, str] | None = None  # (token, text) of the confirmation shown
    buffered: list[str] = field(default_factory=list)
    written: int = 0
    marked: bool = False

    def on(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "conversation":
            self.conversation_id = UUID(str(event["id"]))
            if self.db.current is not None:
                self._mark(self.db.current)
        elif kind == "confirmation" and event.get("token"):
            self.preview = (str(event["token"]), str(event.get("text") or ""))
        elif kind == "reply":
            text = str(event.get("text") or "")
            if self.db.current is None:
                self.buffered.append(text)
            else:
                self._mark(self.db.current)
                self._write(self.db.current, text)

    def close(self) -> None:
        """Anything answered after the commit (a cancellation) goes out now."""
        if not self.buffered and self.marked:
            return
        with self.c.db.unit_of_work(self.principal.tenant_id) as session:
            self._mark(session)
            for text in self.buffered:
                self._write(session, text)

    def _mark(self, session: Session) -> None:
        if self.marked:
            return
        row = inbox.lock_unprocessed(session, self.delivery.inbound_id)
        if row is None:
            raise AlreadyProcessed()
        now = self.c.clock.now()
        inbox.finish(session, row, now, "turn")
        note_inbound(session, self.principal.tenant_id, self.delivery.phone, now)
        if self.waiting_id:
            _forget_waiting(session, self.waiting_id)
        self.marked = True

    def _write(self, session: Session, text: str) -> None:
        if self.preview is not None and self.preview[1] == text:
            token, self.preview = self.preview[0], None
            self._confirmation(session, token, text)
        elif self.options and self.options[-1]:
            self._options(session, text, self.options.pop())
        else:
            for part in split_text(text):
                self._queue(session, "text", outbox.text_body(part))

    def _confirmation(self, session: Session, token: str, text: str) -> None:
        confirmation_id = UUID(token.partition(".")[0])
        yes = self._choice(session, "confirm", confirmation_id=confirmation_id)
        no = self._choice(session, "cancel", confirmation_id=confirmation_id)
        if len(text) > BODY_LIMIT:
            for part in split_text(text):
                self._queue(session, "text", outbox.text_body(part))
            text = CONFIRM_PROMPT
        self._queue(session, "interactive", buttons_body(text, [(yes, YES), (no, NO)]))

    def _options(self, session: Session, text: str, options: list[str]) -> None:
        shown = options[:MAX_ROWS]
        if len(options) > MAX_ROWS:
            text += f"\n(… et {len(options) - MAX_ROWS} autres : écrivez le nom.)"
        refs = [(self._choice(session, "option", text=o), o) for o in shown]
        if len(text) > BODY_LIMIT:
            *first, text = split_text(text, BODY_LIMIT)
            for part in first:
                self._queue(session, "text", outbox.text_body(part))
        self._queue(session, "interactive", choices_body(text, refs))

    def _choice(self, session: Session, action: str, **values: Any) -> str:
        choice = WhatsAppChoice(
            tenant_id=self.principal.tenant_id,
            user_id=self.principal.user_id,
            conversation_id=self.conversation_id,
            action=action,
            **values,
        )
        session.add(choice)
        session.flush()
        return f"w:{choice.id.hex}"

    def _queue(self, session: Session, kind: str, body: dict[str, Any]) -> None:
        queue_reply(
            session,
            self.principal.tenant_id,
            phone_number_id=self.delivery.phone_number_id,
            to_phone=self.delivery.phone,
            kind=kind,
            body=body,
            dedup_key=f"reply:{self.delivery.wamid}:{self.written}",
            user_id=self.principal.user_id,
        )
        self.written += 1


def _forget_waiting(session: Session, waiting_id: str) -> None:
    from domain.whatsapp.models import WhatsAppInbound

    try:
        row = session.get(WhatsAppInbound, UUID(waiting_id), with_for_update=True)
    except ValueError:
        return
    if row is not None:
        row.payload = None
        session.flush()


@dataclass
class Request:
    """What the person's message asks of the turn."""

    message: str | None = None
    confirm: str | None = None
    cancel: str | None = None
    conversation_id: UUID | None = None
    answer: str | None = None  # answered without a turn (a voice note, a stale button)


def converse(
    c: Container, member: links.Member, delivery: Delivery, *, waiting_id: str | None = None
) -> str:
    """One turn of the member's conversation with the business, replies queued."""
    principal = Principal(
        tenant_id=member.business.tenant_id,
        user_id=member.user_id,
        roles=member.roles,
        channel=Channel.WHATSAPP,
        request_id=delivery.wamid[:64],
    )
    if delivery.payload.get("type") in MEDIA_KINDS:
        from api.whatsapp_media import receive_document

        answer = receive_document(c, principal, delivery.payload)
        answer_plainly(c, principal.tenant_id, delivery, answer, user_id=principal.user_id)
        return "document"
    request = read_request(c, principal, delivery.payload)
    db = _TurnDatabase(c.db)
    options: list[list[str]] = []
    sink = _Sink(c, db, principal, delivery, options, waiting_id=waiting_id)
    if request.answer is not None:
        sink.buffered.append(request.answer)
        sink.close()
        return "answered"
    turn_c = _turn_container(c, db, options)
    body = ChatIn(
        message=request.message,
        confirm=request.confirm,
        cancel=request.cancel,
        conversation_id=request.conversation_id,
    )
    events = turn_events(turn_c, principal, body)
    try:
        for event in events:
            sink.on(event)
    finally:
        # An abort (already processed) closes the turn inside its transaction: rolled back.
        getattr(events, "close", lambda: None)()
    sink.close()
    return "turn"


def _turn_container(c: Container, db: _TurnDatabase, options: list[list[str]]) -> Container:
    """The container and agent of this turn: the same, with the recording database and
    the option-noting local tier."""
    agent = copy.copy(c.agent)
    agent.db = db  # type: ignore[assignment]
    agent.local = _OptionsSeen(agent.local, options)  # type: ignore[assignment]
    turn_c = copy.copy(c)
    turn_c.__dict__["db"] = db
    turn_c.__dict__["agent"] = agent
    return turn_c


def read_request(c: Container, principal: Principal, payload: dict[str, Any]) -> Request:
    """The turn a WhatsApp message asks for: its text, or what the tapped button stands
    for (« Oui » → the confirmation, derived again from the pending row; an option → its
    text), in the member's current conversation."""
    kind = payload.get("type")
    if kind in ("audio", "voice"):
        return Request(answer=VOICE)
    if kind == "text":
        text = str((payload.get("text") or {}).get("body") or "").strip()
        if not text:
            return Request(answer=UNSUPPORTED)
        return Request(
            message=text[:MESSAGE_LIMIT], conversation_id=_current_conversation(c, principal)
        )
    if kind == "button":  # a template's quick reply: its text
        text = str((payload.get("button") or {}).get("text") or "").strip()
        return Request(
            message=text[:MESSAGE_LIMIT] or "oui",
            conversation_id=_current_conversation(c, principal),
        )
    if kind == "interactive":
        return _button_request(c, principal, payload)
    return Request(answer=UNSUPPORTED)


def _button_request(c: Container, principal: Principal, payload: dict[str, Any]) -> Request:
    interactive = payload.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    ref = str(reply.get("id") or "")
    try:
        choice_id = UUID(hex=ref[2:]) if ref.startswith("w:") else None
    except ValueError:
        choice_id = None
    if choice_id is None:
        return Request(answer=STALE_BUTTON)
    with c.db.unit_of_work(principal.tenant_id) as session:
        choice = session.get(WhatsAppChoice, (principal.tenant_id, choice_id))
        if choice is None or choice.user_id != principal.user_id:
            return Request(answer=STALE_BUTTON)
        if choice.action == "option":
            return Request(message=choice.text or "", conversation_id=choice.conversation_id)
        token = _token(c, session, principal, choice.confirmation_id)
    if token is None:
        return Request(answer=STALE_BUTTON)
    if choice.action == "confirm":
        return Request(confirm=token, conversation_id=choice.conversation_id)
    return Request(cancel=token, conversation_id=choice.conversation_id)


def _token(
    c: Container, session: Session, principal: Principal, confirmation_id: UUID | None
) -> str | None:
    """The confirmation token of a pending row, as the agent issued it (HMAC of the row
    with the secret key): derived here, so that it never travels through WhatsApp."""
    if confirmation_id is None:
        return None
    row = session.get(PendingConfirmation, (principal.tenant_id, confirmation_id))
    if row is None or row.user_id != principal.user_id:
        return None
    confirmations = c.agent.confirmations
    signature = confirmations._signature(row.id, row.tenant_id, row.user_id, row.tool, row.digest)
    return f"{row.id}.{signature}"


def _current_conversation(c: Container, principal: Principal) -> UUID | None:
    """The member's WhatsApp conversation with the business, unless silent for 24 h."""
    since = c.clock.now() - timedelta(hours=24)
    with c.db.unit_of_work(principal.tenant_id) as session:
        return session.scalar(
            select(Conversation.id)
            .where(
                Conversation.tenant_id == principal.tenant_id,
                Conversation.user_id == principal.user_id,
                Conversation.channel == Channel.WHATSAPP.value,
                Conversation.updated_at > since,
            )
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )
