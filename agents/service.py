"""The channel-neutral entry point: ``Agent.turn`` takes one user message (or a
confirmation button's token) and yields events — progress, a confirmation preview with
its token, questions, the final reply — for the web app, WhatsApp, the terminal chat or
an automation alike.

One turn is one transaction: the domain writes, the conversation's messages, the audit
entries and the LangGraph checkpoint (the saver runs on the turn's own connection, under
Row-Level Security) commit together or not at all.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from agents.executor import TurnTools
from agents.graph import Turn, build_graph
from agents.local.understanding import LocalTier
from domain.audit import service as audit
from domain.conversations.models import AgentPolicy, Conversation, ConversationMessage
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.db import Database
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from tools.base import ToolContext
from tools.confirmation import Confirmations
from tools.registry import Registry

KEEP_CHECKPOINTS = 10

AgentEvent = dict[str, Any]


def thread_id(tenant_id: UUID, conversation_id: UUID) -> str:
    """The checkpoint thread: its tenant prefix is what the RLS policy checks."""
    return f"{tenant_id}:{conversation_id}"


def prune_checkpoints(session: Session, thread: str, keep: int = KEEP_CHECKPOINTS) -> int:
    """Delete all but the ``keep`` newest checkpoints of ``thread`` with their writes and
    the blobs no kept checkpoint refers to (the open-source saver never deletes any).
    Returns how many checkpoints went."""
    deleted = session.execute(  # type: ignore[attr-defined]
        text(
            "DELETE FROM checkpoints WHERE thread_id = :t AND checkpoint_id NOT IN ("
            " SELECT checkpoint_id FROM checkpoints WHERE thread_id = :t"
            " ORDER BY checkpoint_id DESC LIMIT :keep)"
        ),
        {"t": thread, "keep": keep},
    ).rowcount
    if deleted:
        session.execute(
            text(
                "DELETE FROM checkpoint_writes w WHERE w.thread_id = :t AND NOT EXISTS ("
                " SELECT 1 FROM checkpoints c WHERE c.thread_id = w.thread_id"
                " AND c.checkpoint_ns = w.checkpoint_ns AND c.checkpoint_id = w.checkpoint_id)"
            ),
            {"t": thread},
        )
        session.execute(
            text(
                "DELETE FROM checkpoint_blobs b WHERE b.thread_id = :t AND NOT EXISTS ("
                " SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id"
                " AND c.checkpoint_ns = b.checkpoint_ns"
                " AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)"
            ),
            {"t": thread},
        )
    return int(deleted or 0)


class TurnSaver(PostgresSaver):
    """A PostgresSaver on the turn's own connection that holds its writes until the graph
    has run, then writes them in the turn's thread.

    LangGraph writes checkpoints from a background thread while the next node may be
    running on the same connection; the saver's ``conn.transaction()`` savepoints would
    then interleave with the node's own (releasing one releases every later savepoint).
    Held back, the writes still commit with the turn, atomically, after every node."""

    def __init__(self, conn: Any, *, fresh: bool = False) -> None:
        super().__init__(conn)
        self.supports_pipeline = False  # a connection inside the turn's transaction
        self._held: list[tuple[str, tuple[Any, ...]]] = []
        self._held_lock = threading.Lock()
        # The thread of a conversation this turn started has no checkpoint yet: not read.
        self._fresh = fresh

    def get_tuple(self, config: Any) -> Any:
        if self._fresh:
            return None
        return super().get_tuple(config)

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        held = (config, copy.deepcopy(checkpoint), copy.deepcopy(metadata), dict(new_versions))
        with self._held_lock:
            self._held.append(("put", held))
        c = config["configurable"]
        return {
            "configurable": {
                "thread_id": c["thread_id"],
                "checkpoint_ns": c["checkpoint_ns"],
                "checkpoint_id": checkpoint["id"],
            }
        }

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        with self._held_lock:
            self._held.append(("put_writes", (config, list(writes), task_id, task_path)))

    def flush(self) -> None:
        with self._held_lock:
            held, self._held = self._held, []
        for method, args in held:
            getattr(super(), method)(*args)


@dataclass
class Agent:
    db: Database
    clock: Clock
    registry: Registry
    local: LocalTier
    confirmations: Confirmations
    llm: Any = None  # agents.llm_tier.LLMTier when a provider is configured
    mode: str = "auto"  # see ``agents.graph.Turn.mode``

    def __post_init__(self) -> None:
        self._graph: CompiledStateGraph[Any, Any, Any, Any] = build_graph()

    def turn(
        self,
        principal: Principal,
        message: str,
        *,
        conversation_id: UUID | None = None,
        confirm_token: str | None = None,
    ) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        with self.db.unit_of_work(principal.tenant_id) as session:
            conversation, new = self._conversation(session, principal, conversation_id, message)
            yield {"type": "conversation", "id": str(conversation.id)}
            turn = self._turn(session, principal, conversation.id)
            thread = thread_id(principal.tenant_id, conversation.id)
            config: Any = {"configurable": {"thread_id": thread}}
            saver = TurnSaver(session.connection().connection.driver_connection, fresh=new)
            graph = self._graph.copy(update={"checkpointer": saver})
            incoming = {"message": message, "button": confirm_token}
            # A conversation started by this turn has no checkpoint, so nothing to resume.
            waiting = not new and graph.get_state(config).interrupts
            payload: Any = Command(resume=incoming) if waiting else incoming
            final: dict[str, Any] = {}
            for mode, chunk in self._stream(graph, payload, config, turn):
                if mode == "custom":
                    yield chunk
                else:
                    final = chunk
            saver.flush()
            tier = self._record(session, principal, conversation, message, final, turn, started)
            if not new:  # a turn writes one checkpoint: a new thread has nothing to prune
                prune_checkpoints(session, thread)
        # Committed: what the turn did, for channels that show it and for the evals.
        yield {"type": "done", "tier": tier, "calls": turn.tools.calls, "tokens": turn.tokens}

    def _stream(
        self, graph: CompiledStateGraph[Any, Any, Any, Any], payload: Any, config: Any, turn: Turn
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The graph's events as the nodes emit them (``custom``), and its state after each
        step (``values``). "exit": one checkpoint (with the interrupt's pending
        writes) at the end of the turn instead of one per step: the turn commits all or
        nothing anyway.

        With an LLM tier the events stream live (« Je réfléchis… » before a model call of
        several seconds), which makes LangGraph run each node in a thread of its own. The
        local tier's nodes take milliseconds: they run in this thread, with no thread pool
        per turn, and their events (kept in ``turn.events`` in order) follow each step."""
        if turn.llm is not None:
            yield from cast(
                Iterator[tuple[str, dict[str, Any]]],
                graph.stream(
                    payload,
                    config,
                    context=turn,
                    stream_mode=["custom", "values"],
                    durability="exit",
                ),
            )
            return
        sent = 0
        for state in graph.stream(
            payload, config, context=turn, stream_mode="values", durability="exit"
        ):
            yield from (("custom", e) for e in turn.events[sent:])
            sent = len(turn.events)
            yield "values", cast(dict[str, Any], state)
        yield from (("custom", e) for e in turn.events[sent:])

    def reply(
        self, principal: Principal, message: str, **kwargs: Any
    ) -> tuple[str, list[AgentEvent]]:
        """The whole turn at once: the final reply's text and every event."""
        events = list(self.turn(principal, message, **kwargs))
        replies = [e["text"] for e in events if e["type"] == "reply"]
        return (replies[-1] if replies else ""), events

    def _turn(self, session: Session, principal: Principal, conversation_id: UUID) -> Turn:
        # The tenant and its agent policy in one statement.
        found = session.execute(
            select(Tenant, AgentPolicy)
            .outerjoin(AgentPolicy, AgentPolicy.tenant_id == Tenant.id)
            .where(Tenant.id == principal.tenant_id)
        ).first()
        assert found is not None  # the principal's own tenant is visible under RLS
        tenant, policy = found
        ctx = ToolContext(session=session, principal=principal, clock=self.clock)
        exempt = frozenset(
            name
            for name in (policy.exempt_tools if policy else [])
            if (t := self.registry.get(name)) is not None and t.low_risk
        )
        tools = TurnTools(ctx, self.registry, self.confirmations, exempt, conversation_id)
        today: date = self.clock.now().astimezone(ZoneInfo(tenant.timezone)).date()
        return Turn(principal, tools, self.local, today, tenant.currency, self.llm, mode=self.mode)

    def _conversation(
        self, session: Session, principal: Principal, conversation_id: UUID | None, message: str
    ) -> tuple[Conversation, bool]:
        """The conversation the turn belongs to, and whether this turn starts it."""
        if conversation_id is not None:
            found = session.get(Conversation, (principal.tenant_id, conversation_id))
            if found is not None and found.user_id == principal.user_id:
                return found, False
        conversation = Conversation(
            id=uuid7(),
            tenant_id=principal.tenant_id,
            user_id=principal.user_id,
            channel=principal.channel.value,
            title=message.strip()[:120] or None,
        )
        session.add(conversation)
        session.flush()
        return conversation, True

    def _record(
        self,
        session: Session,
        principal: Principal,
        conversation: Conversation,
        message: str,
        final: dict[str, Any],
        turn: Turn,
        started: float,
    ) -> str:
        tier: str = final.get("tier") or "local"
        replies = [e for e in turn.events if e["type"] == "reply"]
        reply = replies[-1]["text"] if replies else final.get("reply", "")
        now = self.clock.now()
        session.add_all(
            [
                ConversationMessage(
                    tenant_id=principal.tenant_id,
                    conversation_id=conversation.id,
                    role="user",
                    text=message[:10_000],
                    created_at=now,
                ),
                ConversationMessage(
                    tenant_id=principal.tenant_id,
                    conversation_id=conversation.id,
                    role="assistant",
                    text=reply,
                    tier=tier,
                    meta={"calls": turn.tools.calls, "tokens": turn.tokens},
                    created_at=now,
                ),
            ]
        )
        conversation.updated_at = now
        audit.record(
            session,
            principal,
            "agent.turn",
            target_type="conversation",
            target_id=conversation.id,
            after={
                "tier": tier,
                "tools": [c["tool"] for c in turn.tools.calls],
                "input_tokens": turn.tokens["input"],
                "output_tokens": turn.tokens["output"],
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
            flush=False,  # with the tool calls' entries and the messages, at commit
        )
        return tier
