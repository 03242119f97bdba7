"""The chat API the web app talks to: one agent turn per request, streamed as server-sent
events when the client accepts them, else answered as one JSON object.

Every turn goes through ``Agent.turn`` — the same principal, roles, confirmation tokens and
audit as WhatsApp or the terminal. A WRITE answers with a ``confirmation`` event carrying a
preview and a token; the client sends ``{"confirm": token}`` (or ``{"cancel": token}``),
or the person simply answers « oui » / « non ». The ``done`` event comes only after the
turn's transaction committed: a client that did not receive it cannot count on the write.

The turn is synchronous (database, local tier, LangGraph): it always runs in the worker
thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from starlette.responses import Response

from agents.executor import TurnTools
from api.deps import ContainerDep, PrincipalDep, declare_channel
from api.errors import error_payload
from comptoir.bootstrap import Container
from domain.audit.service import jsonable
from domain.conversations.models import Conversation, ConversationMessage, PendingConfirmation
from domain.kit import inputs
from domain.kit.errors import NotFound
from domain.kit.principal import Channel, Principal
from tools.base import ToolContext

log = logging.getLogger("comptoir.api.chat")
# Everything said through this router is recorded as the web channel, whatever the client sends.
router = APIRouter(prefix="/api/v1", tags=["chat"], dependencies=[declare_channel(Channel.WEB)])

# What a confirmation button sends as the person's words, for the conversation's record.
CONFIRM_WORDS = "oui"
Event = dict[str, Any]


class ChatIn(inputs.InputModel):
    """One message, or the answer to a confirmation by its token."""

    model_config = ConfigDict(extra="forbid")
    message: str | None = Field(
        default=None, min_length=1, max_length=4000, examples=["facture 3 sacs de riz à Diallo"]
    )
    conversation_id: UUID | None = None
    confirm: str | None = Field(default=None, min_length=1, max_length=200)
    cancel: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def one_thing(self) -> ChatIn:
        given = [v for v in (self.message, self.confirm, self.cancel) if v is not None]
        if len(given) != 1:
            raise ValueError("envoyez exactement un de « message », « confirm » ou « cancel »")
        return self


class ChatOut(BaseModel):
    conversation_id: UUID | None
    events: list[dict[str, Any]]


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    title: str | None
    channel: str
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    role: Literal["user", "assistant"]
    text: str
    tier: str | None
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


def _public(event: Event) -> Event:
    """What the client sees of an event: ``done`` keeps the outcome of each call (tool,
    status, code, and the choices a question back offers), not the arguments and texts
    already shown."""
    if event.get("type") != "done":
        return dict(jsonable(event))
    calls = [
        {
            "tool": c.get("tool"),
            "status": c.get("status"),
            "code": c.get("code"),
            **({"options": c["options"]} if c.get("options") else {}),
        }
        for c in event.get("calls", [])
    ]
    return {"type": "done", "tier": event.get("tier"), "calls": calls}


def _token_conversation(c: Container, principal: Principal, token: str) -> UUID | None:
    """The conversation a confirmation token was issued in, if it is the principal's own."""
    try:
        row_id = UUID(token.strip().partition(".")[0])
    except ValueError:
        return None
    with c.db.unit_of_work(principal.tenant_id) as session:
        row = session.get(PendingConfirmation, (principal.tenant_id, row_id))
        if row is None or row.user_id != principal.user_id:
            return None
        return row.conversation_id


def _cancel(
    c: Container, principal: Principal, token: str, conversation_id: UUID | None
) -> Iterator[Event]:
    """The « annuler » button: the token is cancelled (and audited) as a « non » would."""
    agent = c.agent
    with c.db.unit_of_work(principal.tenant_id) as session:
        ctx = ToolContext(session=session, principal=principal, clock=c.clock)
        tools = TurnTools(ctx, agent.registry, agent.confirmations, conversation_id=conversation_id)
        outcome = tools.cancel(token, tier="local")
    if conversation_id is not None:
        yield {"type": "conversation", "id": str(conversation_id)}
    yield {"type": "reply", "text": outcome.text, "tier": "local"}
    yield {"type": "done", "tier": "local", "calls": tools.calls}


def turn_events(c: Container, principal: Principal, body: ChatIn) -> Iterator[Event]:
    """The events of the turn ``body`` asks for (blocking: call it from a worker thread)."""
    token = body.confirm or body.cancel
    conversation_id = body.conversation_id
    if token is not None and conversation_id is None:
        conversation_id = _token_conversation(c, principal, token)
    if body.cancel is not None:
        events: Iterator[Event] = _cancel(c, principal, body.cancel, conversation_id)
    else:
        events = c.agent.turn(
            principal,
            body.message if body.message is not None else CONFIRM_WORDS,
            conversation_id=conversation_id,
            confirm_token=body.confirm,
        )
    for event in events:
        yield _public(event)


def _sse(event: Event) -> bytes:
    data = json.dumps(event, ensure_ascii=False, default=str)
    return f"event: {event.get('type', 'message')}\ndata: {data}\n\n".encode()


async def _stream(produce: Callable[[], Iterator[Event]], request: Request) -> Response:
    """Run the turn in a worker thread and stream its events as they come. An error before
    the first event is answered with its own status (503 when the database is down); one
    after it — the status is sent — becomes an ``error`` event."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def run() -> None:
        put: Callable[[tuple[str, Any]], Any] = lambda item: loop.call_soon_threadsafe(  # noqa: E731
            queue.put_nowait, item
        )
        try:
            for event in produce():
                put(("event", event))
        except Exception as exc:  # noqa: BLE001 - handed to the response, rendered there
            put(("error", exc))
        else:
            put(("end", None))

    runner = asyncio.ensure_future(anyio.to_thread.run_sync(run))
    kind, first = await queue.get()
    if kind == "error":
        await runner
        raise first

    async def frames() -> AsyncIterator[bytes]:
        item: tuple[str, Any] = (kind, first)
        while item[0] == "event":
            yield _sse(item[1])
            item = await queue.get()
        if item[0] == "error":
            log.warning("chat stream interrupted", exc_info=item[1])
            status, body = error_payload(item[1], request)
            yield _sse({"type": "error", "status": status, **body["error"]})
        await runner

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


@router.post(
    "/chat",
    summary="Parler à Comptoir (une demande, ou la réponse à une confirmation)",
    response_model=ChatOut,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat(body: ChatIn, request: Request, c: ContainerDep, principal: PrincipalDep) -> Any:
    """Answers ``text/event-stream`` (one event per step: ``conversation``, ``progress``,
    ``confirmation`` with its preview and token, ``reply``, ``done`` once committed) when
    the client accepts it, else ``{"conversation_id": …, "events": […]}``."""
    acting = principal

    def produce() -> Iterator[Event]:
        return turn_events(c, acting, body)

    if "text/event-stream" in request.headers.get("accept", ""):
        return await _stream(produce, request)
    events = await anyio.to_thread.run_sync(lambda: list(produce()))
    conversation = next((e["id"] for e in events if e.get("type") == "conversation"), None)
    return JSONResponse({"conversation_id": conversation, "events": events})


@router.get("/conversations", response_model=list[ConversationOut], summary="Mes conversations")
def list_conversations(
    c: ContainerDep, principal: PrincipalDep, limit: int = 50, offset: int = 0
) -> list[ConversationOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = session.scalars(
            select(Conversation)
            .where(Conversation.user_id == principal.user_id)
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(min(max(limit, 1), 200))
            .offset(max(offset, 0))
        )
        return [ConversationOut.model_validate(r) for r in rows]


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationDetail,
    summary="Une conversation et ses messages (le plus récent en dernier)",
)
def get_conversation(
    conversation_id: UUID, c: ContainerDep, principal: PrincipalDep, limit: int = 200
) -> ConversationDetail:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = session.get(Conversation, (principal.tenant_id, conversation_id))
        # Another member's conversation reads as absent, like another business's (RLS).
        if found is None or found.user_id != principal.user_id:
            raise NotFound("Conversation introuvable.")
        # A turn writes its question and its answer with the same timestamp (and uuid7 ids
        # are not ordered within a millisecond): the question comes first.
        answer_last = ConversationMessage.role == "assistant"
        newest = (
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id)
            .order_by(
                ConversationMessage.created_at.desc(),
                answer_last.desc(),
                ConversationMessage.id.desc(),
            )
            .limit(min(max(limit, 1), 1000))
            .subquery()
        )
        messages = session.scalars(
            select(ConversationMessage)
            .join(newest, ConversationMessage.id == newest.c.id)
            .where(ConversationMessage.tenant_id == principal.tenant_id)
            .order_by(ConversationMessage.created_at, answer_last, ConversationMessage.id)
        )
        return ConversationDetail(
            **ConversationOut.model_validate(found).model_dump(),
            messages=[MessageOut.model_validate(m) for m in messages],
        )
