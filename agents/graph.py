"""The agent graph: one user turn in, a stream of events out.

::

    START → understand ─┬─ tool ──→ act ──┬─ needs confirmation → show_preview
                        ├─ llm ───→ llm ──┘                               ↓
                        │                               await_confirmation (interrupt)
                        │                                 │ yes: run · no: drop
                        └─ reply ─────────→ respond → END ←┘ anything else: understand
                                                  « attends » → hold → await_confirmation

``await_confirmation`` is an ``interrupt()``: the turn that showed a preview ends there and
the next message (or a button's token) resumes it — LangGraph's human-in-the-loop at the
top of the graph. State is checkpointed per conversation (``thread_id``) by the
PostgreSQL saver in the turn's own transaction. What a turn needs that is not state (the
session, the principal, the tiers) comes as the run's ``context`` (``Turn``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agents.compound import rehearse, run_then, shown_together
from agents.executor import TurnTools
from agents.local.router import STRONG_SCORE, one_message
from agents.local.understanding import ONE_AT_A_TIME, LocalTier, Memory, Plan
from agents.outcome import ToolOutcome
from domain.kit.principal import Principal
from domain.kit.text import fold
from tools.confirmation import reply_kind

HISTORY_TURNS = 12
HOLD = (
    "D'accord, je garde la demande en attente, rien n'est enregistré pour l'instant. "
    "Répondez « oui » pour la valider ou « non » pour l'annuler quand vous serez prêt."
)


class AgentState(TypedDict, total=False):
    message: str
    button: str | None
    memory: dict[str, Any]
    pending: dict[str, Any] | None
    plan: dict[str, Any] | None
    reply: str
    tier: str
    history: list[dict[str, str]]
    # What was just done, said before the answer to the next request of the same message.
    before: str | None
    chained: bool  # a reading was just done and the next request of its message follows


@dataclass
class Turn:
    """What one turn runs with (not checkpointed)."""

    principal: Principal
    tools: TurnTools
    local: LocalTier
    today: date
    currency: str
    llm: Any = None  # agents.llm tier (``LLMTier``) when configured
    # "auto": the LLM tier (when configured) takes what the local tier is unsure of;
    # "local": never the LLM; "llm": every message to the LLM (evals compare the tiers).
    mode: str = "auto"
    events: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=lambda: {"input": 0, "output": 0})


DOCUMENTS_SEARCH = "documents.search"


def _emit(runtime: Runtime[Turn], event: dict[str, Any]) -> None:
    runtime.context.events.append(event)
    runtime.stream_writer(event)


def _memory(state: AgentState) -> Memory:
    return Memory.load(state.get("memory"))


def understand(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    with one_message():  # the message's texts embedded once each
        return {**_understand(state, runtime), "chained": False}


def _understand(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    turn = runtime.context
    button = state.get("button")
    if button:
        return {"plan": {"kind": "confirm", "token": button}}
    message = state.get("message", "")
    memory = _memory(state)
    # the next request of a message (« …, et valide-la ») is a request, never an answer
    kind = "other" if state.get("before") else reply_kind(message)
    if kind == "yes" and not memory.draft and (asked := _request_in_yes(turn, message, memory)):
        return asked  # « bon, valide-la » with no preview waiting: a request of its own
    if kind in ("yes", "no") or (kind == "wait" and memory.draft):  # no preview waiting
        settled = turn.local.settle(kind, memory)
        if kind != "wait" and settled.kind == "reply":
            turn.tools.nothing_pending(message)
        return {"plan": _plan_dict(settled), "memory": memory.dump(), "tier": "local"}
    if turn.mode == "llm" and turn.llm is not None:
        memory.draft = None
        return {"plan": _plan_dict(Plan("llm")), "memory": memory.dump(), "tier": "local"}
    plan = turn.local.understand(
        message, memory, turn.principal, today=turn.today, currency=turn.currency
    )
    if kind == "wait" and plan.kind == "llm":  # « attends… » with nothing waiting
        plan = turn.local.settle(kind, memory)
    routing = plan.routing
    unsure = routing is not None and routing.score < STRONG_SCORE
    if turn.llm is not None and turn.mode == "auto" and unsure:
        # Understood on a keyword but not close to any exemplar: the model is surer.
        plan, memory.draft = Plan("llm", routing=routing), None
    if plan.kind == "llm" and plan.tool is None and _documents_answer(turn, message):
        # Not understood and no model to ask: the business's own documents may answer.
        plan = Plan("tool", tool=DOCUMENTS_SEARCH, arguments={"question": message})
    return {"plan": _plan_dict(plan), "memory": memory.dump(), "tier": "local"}


def _request_in_yes(turn: Turn, message: str, memory: Memory) -> dict[str, Any] | None:
    """A yes that names an action (« valide-la », « enregistre-le ») said when no preview
    waits: that action, when the local tier reads it as one; else None (the yes is
    settled as an answer with nothing to confirm)."""
    trial = Memory.load(memory.dump())
    plan = turn.local.understand(
        message, trial, turn.principal, today=turn.today, currency=turn.currency
    )
    if plan.kind != "tool":
        return None
    return {"plan": _plan_dict(plan), "memory": trial.dump(), "tier": "local"}


def _documents_answer(turn: Turn, message: str) -> bool:
    """Whether a message nothing else understood goes to ``documents.search``: only
    without an LLM tier to ask, a question-like message, and documents the user may read."""
    if turn.llm is not None and turn.mode != "local":
        return False
    if len(message.split()) < 3 or DOCUMENTS_SEARCH not in turn.tools.registry:
        return False
    from rag.service import list_documents

    ctx = turn.tools.ctx
    return list_documents(ctx.session, ctx.principal, limit=1)[1] > 0


def _documents_instead(turn: Turn, message: str, outcome: ToolOutcome) -> ToolOutcome | None:
    """The documents' answer to a question whose reading searched the records for nothing
    they hold, when the documents hold it; else None (the search's own answer stands).

    Two searches qualify: one that asked what to look for (« Quel client cherchez-vous ? »
    to a question of four words or more), and one that found no record for a word the
    documents contain (« c'est quoi le numéro de série du groupe électrogène ? »: no customer
    is « série », the equipment sheet gives it). A name searched that neither the
    records nor the documents know keeps its plain « aucun client ne correspond »."""
    tool = turn.tools.registry.get(outcome.tool)
    if tool is None or tool.is_write or not message.rstrip().endswith("?"):
        return None
    searched = fold(str(outcome.arguments.get("query") or ""))
    blank = outcome.status == "ask_back" and not outcome.arguments
    if not (blank and len(message.split()) >= 4) and not (outcome.found_nothing and searched):
        return None
    if not _documents_answer(turn, message):
        return None
    found = turn.tools.call(DOCUMENTS_SEARCH, {"question": message}, tier="local")
    passages = (found.result or {}).get("passages") or [] if found.status == "done" else []
    if blank and passages:
        return found
    word = re.compile(rf"\b{re.escape(searched)}\b")
    if any(word.search(fold(p["text"])) for p in passages):
        return found
    return None


def _plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "kind": plan.kind,
        "text": plan.text,
        "tool": plan.tool,
        "arguments": plan.arguments,
        "alternatives": plan.alternatives,
    }


def _other_names(turn: Turn, plan: dict[str, Any], outcome: ToolOutcome) -> ToolOutcome:
    """A name that found no record, when the reading offers others the message says
    (« facture cabinet roux pour le déjeuner »: no customer is « déjeuner »): each is tried
    in turn, and the first that does not come back unknown stands; when none finds one, the
    first answer does (« Aucun client ne correspond à « déjeuner » »)."""
    others = (plan.get("alternatives") or {}).get(outcome.field or "")
    if outcome.status != "ask_back" or outcome.options or not others:
        return outcome
    for name in others:
        arguments = {**plan["arguments"], outcome.field: name}
        tried = turn.tools.call(plan["tool"], arguments, tier="local")
        if not (tried.status == "ask_back" and tried.field == outcome.field and not tried.options):
            return tried
    return outcome


def after_understand(state: AgentState, runtime: Runtime[Turn]) -> str:
    plan = state.get("plan") or {}
    if plan.get("kind") == "llm" and runtime.context.llm is not None:
        return "llm"
    return {"tool": "act", "confirm": "act"}.get(plan.get("kind", ""), "respond")


def act(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    turn, plan = runtime.context, state.get("plan") or {}
    if plan.get("kind") == "confirm":
        outcome = turn.tools.run_confirmed(plan["token"], tier="local")
        return {"reply": outcome.text, "pending": None, "plan": None}
    _emit(runtime, {"type": "progress", "text": "Je m'en occupe…", "tool": plan["tool"]})
    outcome = turn.tools.call(plan["tool"], plan["arguments"], tier="local")
    outcome = _other_names(turn, plan, outcome)
    if (documents := _documents_instead(turn, state.get("message", ""), outcome)) is not None:
        outcome = documents
    update = _after_outcome(state, turn, outcome)
    if outcome.status == "needs_confirmation" and (
        then := rehearse(turn, outcome, Memory.load(update["memory"]))
    ):  # a second write in the same message: shown now, confirmed by the same « oui »
        update["pending"]["then"] = then
        update["reply"] = shown_together(outcome, then)
        if (plan.get("text") or "").startswith(ONE_AT_A_TIME):
            plan = {**plan, "text": None}  # both are shown: nothing waits
    if plan.get("text"):  # a word on the request itself (« je demande toujours… »)
        update["reply"] = f"{plan['text']}\n{update['reply']}"
    memory = Memory.load(update["memory"])
    update["chained"] = outcome.status == "done" and bool(memory.queued)
    if update["chained"]:  # a reading done: the next request of the message now
        update.update(message=memory.queued, before=_after_done(state, update["reply"]))
        memory.queued = None
        update["memory"] = memory.dump()
    return update


def _after_outcome(
    state: AgentState, turn: Turn, outcome: ToolOutcome, memory: Memory | None = None
) -> dict[str, Any]:
    memory = memory or _memory(state)
    update: dict[str, Any] = {"plan": None}
    if outcome.status in ("done", "needs_confirmation"):
        listed = outcome.result if outcome.status == "done" else None
        shown = outcome.status == "needs_confirmation"
        turn.local.remember(
            memory, outcome.tool, outcome.arguments, listed, outcome.result, shown=shown
        )
    if outcome.status == "error" and outcome.arguments:  # « solde insuffisant »: to correct
        turn.local.remember_attempt(memory, outcome.tool, outcome.arguments, outcome.text)
    if outcome.status == "ask_back" and outcome.field:
        turn.local.ask_back(
            memory, outcome.tool, outcome.arguments, outcome.field, outcome.options, outcome.text
        )
    if outcome.status == "refused":
        turn.local.refused(memory, outcome.text)
    if outcome.status == "needs_confirmation":
        update["pending"] = {
            "tool": outcome.tool,
            "token": outcome.token,
            "preview": outcome.text,
            "arguments": outcome.arguments,
        }
    update["memory"] = memory.dump()
    update["reply"] = outcome.text
    return update


def llm(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    turn = runtime.context
    _emit(runtime, {"type": "progress", "text": "Je réfléchis…"})
    result = turn.llm.run(turn, state.get("message", ""), state.get("history") or [])
    turn.tokens["input"] += result.input_tokens
    turn.tokens["output"] += result.output_tokens
    if result.outcome is not None:
        update = _after_outcome(state, turn, result.outcome)
        update["reply"] = result.text
    else:
        update = {"reply": result.text, "plan": None}
    update["tier"] = "llm"
    return update


def after_action(state: AgentState) -> str:
    if state.get("pending"):
        return "show_preview"
    return "understand" if state.get("chained") else "respond"


def show_preview(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    """Send the preview and its token (a node of its own: ``await_confirmation`` runs
    again from its start when resumed, and must not send them twice)."""
    pending = state.get("pending") or {}
    text = _after_done(state, state.get("reply", ""))
    _emit(
        runtime,
        {
            "type": "confirmation",
            "text": text,
            "token": pending.get("token"),
            "tool": pending.get("tool"),
        },
    )
    _emit(runtime, {"type": "reply", "text": text, "tier": state.get("tier")})
    return {"before": None}


def _after_done(state: AgentState, text: str) -> str:
    """The answer to the next request of a message, after what the first one did."""
    before = state.get("before")
    return f"{before}\n\nEnsuite : {text}" if before else text


def await_confirmation(state: AgentState, runtime: Runtime[Turn]) -> Command[Any]:
    pending = state.get("pending") or {}
    answer = interrupt({"token": pending.get("token"), "preview": pending.get("preview")})
    turn = runtime.context
    message, button = answer.get("message", ""), answer.get("button")
    shown = turn.tools.registry.get(pending.get("tool") or "")
    if button or reply_kind(message, shown.title if shown else None) == "yes":
        outcome = turn.tools.run_confirmed(button or pending["token"], tier="local")
        update = _confirmed_update(state, turn, outcome, message)
        if update.get("pending"):
            return Command(goto="show_preview", update=update)
        return Command(goto="understand" if update.get("before") else "respond", update=update)
    if reply_kind(message) == "no":
        outcome = turn.tools.cancel(pending["token"], tier="local")
        memory = _memory(state)
        memory.queued = None  # the rest of the message depended on it
        return Command(
            goto="respond",
            update={
                "reply": outcome.text,
                "pending": None,
                "message": message,
                "tier": "local",
                "memory": memory.dump(),
            },
        )
    if reply_kind(message) == "wait":  # « attends, je vérifie »: the preview keeps waiting
        return Command(goto="hold", update={"message": message, "tier": "local"})
    # Anything else goes on as a new message; a correction starts from what was shown.
    return Command(goto="understand", update={"message": message, "button": None, "pending": None})


def hold(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    """The user puts the answer off: say so, and wait for it again."""
    _emit(runtime, {"type": "reply", "text": HOLD, "tier": "local"})
    return {"reply": HOLD}


def _confirmed_update(
    state: AgentState, turn: Turn, outcome: ToolOutcome, message: str
) -> dict[str, Any]:
    update: dict[str, Any] = {"reply": outcome.text, "pending": None, "message": message}
    memory = _memory(state)
    if outcome.status == "done":
        turn.local.remember(memory, outcome.tool, outcome.arguments, record=outcome.result)
        then = (state.get("pending") or {}).get("then")
        if then:  # the second write shown under the first: confirmed by the same « oui »
            memory.queued = None
            if (second := _then_update(state, turn, outcome, memory, then)) is not None:
                return update | second  # the « oui » on record, unless more of it follows
            return update | {
                "message": then["message"],
                "before": outcome.text,
                "button": None,
                "plan": None,
                "memory": memory.dump(),
            }
        if memory.queued:  # the next request of the same message, now
            update.update(message=memory.queued, before=outcome.text, button=None, plan=None)
    memory.queued = None
    update["memory"] = memory.dump()
    return update


def _then_update(
    state: AgentState, turn: Turn, first: ToolOutcome, memory: Memory, then: dict[str, Any]
) -> dict[str, Any] | None:
    """The second write after the first: done, or its own preview, or what stopped it —
    each said after what the first did. None when the rest no longer reads as a write."""
    second = run_then(turn, then, memory)
    if second is None:
        return None
    if second.status == "done":
        turn.local.remember(memory, second.tool, second.arguments, record=second.result)
        update: dict[str, Any] = {"reply": f"{first.text}\n{second.text}", "pending": None}
        if memory.queued:  # yet another request of the message
            update.update(message=memory.queued, before=update["reply"], button=None)
        memory.queued = None
        return update | {"memory": memory.dump(), "plan": None}
    update = _after_outcome(state, turn, second, memory)
    memory = Memory.load(update["memory"])
    memory.queued = None
    update["memory"] = memory.dump()
    if update.get("pending"):  # shown with what the first did, waiting for its own « oui »
        return update | {"before": first.text, "button": None}
    return update | {"reply": f"{first.text}\n\n{second.text}", "before": None}


def respond(state: AgentState, runtime: Runtime[Turn]) -> dict[str, Any]:
    plan = state.get("plan") or {}
    reply = state.get("reply") if not plan else plan.get("text") or state.get("reply", "")
    if plan.get("kind") == "llm":  # not understood, no model: never the previous answer
        reply = plan.get("text") or ""
    reply = reply or runtime.context.local.not_understood(runtime.context.principal)
    reply = _after_done(state, reply)
    _emit(runtime, {"type": "reply", "text": reply, "tier": state.get("tier", "local")})
    history = list(state.get("history") or [])
    answer: dict[str, Any] = {"role": "assistant", "content": reply}
    registry = runtime.context.tools.registry
    if any(
        (t := registry.get(c["tool"])) is not None and t.untrusted
        for c in runtime.context.tools.calls
    ):
        answer["untrusted"] = True  # quotes documents: the LLM tier sees a placeholder
    history += [{"role": "user", "content": state.get("message", "")}, answer]
    return {
        "reply": reply,
        "plan": None,
        "button": None,
        "before": None,
        "history": history[-2 * HISTORY_TURNS :],
    }


def build_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(AgentState, context_schema=Turn)
    graph.add_node("understand", understand)
    graph.add_node("act", act)
    graph.add_node("llm", llm)
    graph.add_node("show_preview", show_preview)
    graph.add_node(
        "await_confirmation",
        await_confirmation,
        destinations=("respond", "understand", "hold", "show_preview"),
    )
    graph.add_node("hold", hold)
    graph.add_node("respond", respond)
    graph.add_edge(START, "understand")
    graph.add_conditional_edges("understand", after_understand, ["act", "llm", "respond"])
    graph.add_conditional_edges("act", after_action, ["show_preview", "understand", "respond"])
    graph.add_conditional_edges("llm", after_action, ["show_preview", "understand", "respond"])
    graph.add_edge("show_preview", "await_confirmation")
    graph.add_edge("hold", "await_confirmation")
    graph.add_edge("respond", END)
    return graph.compile()
