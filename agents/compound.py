"""Two writes asked in one message, shown in one preview and confirmed by one « oui ».

« accepte le congé d'Awa mais refuse celui de Modou », « commande 40 pots au Rucher et
envoie-leur le bon » are one request each for the person who says them: asking a second
« oui » after the first write, when they already said what they wanted, leaves the work half
done. The second request may need what the first makes (« envoie-leur le bon »: the order
does not exist yet), so it is **rehearsed**: in one savepoint the first write runs for real,
the second is understood on what it left and dry-run, then everything is rolled back (what
the runs queued for after commit is forgotten, as in any preview). Its preview is shown
under the first one's. At the « oui » the first write runs, the second is understood again
on the record really made, and it runs only if it comes out exactly as shown; otherwise its
own preview is shown and waits for its own « oui ». Nothing runs that was not shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.executor import CONFIRM_HINT
from agents.local.understanding import Memory
from agents.outcome import ToolOutcome
from domain.kit.errors import DomainError

if TYPE_CHECKING:
    from agents.graph import Turn

THEN = "Puis : "


def rehearse(turn: Turn, first: ToolOutcome, memory: Memory) -> dict[str, Any] | None:
    """The second write of the message as it would run after ``first`` (``tool``,
    ``preview``, ``message``), or None when the rest of the message is no write that can
    be shown now (a reading, a question back, an error): it then follows the first as
    before."""
    tools, local = turn.tools, turn.local
    first_tool = tools.registry.get(first.tool)
    if first_tool is None or not memory.queued:
        return None
    session = tools.ctx.session
    savepoint = session.begin_nested()
    try:
        made = first_tool.run(tools.ctx, first_tool.validate(first.arguments))
        trial = Memory.load(memory.dump())
        trial.draft, rest = None, trial.queued
        local.remember(trial, first.tool, first.arguments, record=made.model_dump(mode="json"))
        plan = local.understand(
            rest or "", trial, turn.principal, today=turn.today, currency=turn.currency
        )
        second = tools.registry.get(plan.tool or "") if plan.kind == "tool" else None
        if second is None or not second.is_write or trial.queued or plan.text:
            return None
        second.require(turn.principal)
        shown = second.run(tools.ctx, second.validate(plan.arguments)).preview()
        return {"tool": second.name, "preview": shown, "message": rest}
    except DomainError:
        return None
    finally:
        savepoint.rollback()


def shown_together(first: ToolOutcome, then: dict[str, Any]) -> str:
    """The first preview, then the second, under one question."""
    preview = first.text.removesuffix(CONFIRM_HINT).rstrip()
    return f"{preview}\n{THEN}{then['preview']}\n{CONFIRM_HINT}"


def run_then(turn: Turn, then: dict[str, Any], memory: Memory) -> ToolOutcome | None:
    """After the first write ran: the second, understood again on what the first made. It
    runs when it is exactly what was shown; else its own preview is returned, to confirm
    apart. None when the message no longer reads as a write (the caller goes on with it as
    a new request)."""
    tools = turn.tools
    plan = turn.local.understand(
        then["message"], memory, turn.principal, today=turn.today, currency=turn.currency
    )
    if plan.kind != "tool" or plan.tool != then["tool"]:
        return None
    outcome = tools.call(then["tool"], plan.arguments, tier="local")
    if outcome.status != "needs_confirmation":
        return outcome
    if outcome.text.removesuffix(CONFIRM_HINT).rstrip() != then["preview"]:
        return outcome  # the data moved since the preview: shown again, confirmed apart
    return tools.run_confirmed(outcome.token or "", tier="local")
