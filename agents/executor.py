"""Calling tools from a conversation, for both tiers: role check, validation, dry run and
confirmation of WRITEs, savepoints so a refused call writes nothing, and an audit entry
for every call (tier, tool, arguments, confirmation, result or error, latency, tokens)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from agents.outcome import ToolOutcome
from domain.audit import service as audit
from domain.audit.service import jsonable
from domain.kit.clock import ManualClock
from domain.kit.errors import DomainError, PermissionDenied
from tools.base import AskBack, Tool, ToolContext, ToolResult
from tools.confirmation import Confirmations, Confirmed, dry_run
from tools.registry import Registry

CONFIRM_HINT = "Confirmez-vous ? Répondez « oui » pour valider ou « non » pour annuler."


@dataclass
class TurnTools:
    """The tools one agent turn may call, in that turn's transaction."""

    ctx: ToolContext
    registry: Registry
    confirmations: Confirmations
    exempt: frozenset[str] = frozenset()
    conversation_id: UUID | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def caller(self, tier: str) -> Any:
        """``(name, arguments) -> ToolOutcome`` for the LLM tier."""
        return lambda name, arguments: self.call(name, arguments, tier=tier)

    def call(self, name: str, arguments: dict[str, Any], *, tier: str) -> ToolOutcome:
        started = time.perf_counter()
        tool = self.registry.get(name)
        if tool is None:
            outcome = ToolOutcome("error", name, f"Outil inconnu : {name}.", dict(arguments))
        else:
            outcome = self._call(tool, arguments)
        self._audit(outcome, tier, started)
        return outcome

    def _call(self, tool: Tool, arguments: dict[str, Any]) -> ToolOutcome:
        try:
            tool.require(self.ctx.principal)
            args = tool.validate(arguments)
            plain = args.model_dump(mode="json", exclude_none=True)
            if tool.is_write and tool.name not in self.exempt:
                return self._preview(tool, args, plain)
            return self._run(tool, args, plain)
        except AskBack as e:
            return ToolOutcome(
                "ask_back", tool.name, e.message, dict(arguments), field=e.field, options=e.options
            )
        except PermissionDenied as e:
            return ToolOutcome("refused", tool.name, e.message, dict(arguments), code=e.code)
        except DomainError as e:
            return ToolOutcome("error", tool.name, e.message, dict(arguments), code=e.code)

    def _preview(self, tool: Tool, args: BaseModel, plain: dict[str, Any]) -> ToolOutcome:
        result = dry_run(self.ctx, tool, args)
        preview = result.preview()
        token = self.confirmations.issue(
            self.ctx.session,
            self.ctx.principal,
            self.ctx.clock,
            tool,
            plain,
            preview,
            self.conversation_id,
        )
        return ToolOutcome(
            "needs_confirmation",
            tool.name,
            f"{preview}\n{CONFIRM_HINT}",
            plain,
            token=token,
            result=result.model_dump(mode="json"),
        )

    def _run(
        self, tool: Tool, args: BaseModel, plain: dict[str, Any], ctx: ToolContext | None = None
    ) -> ToolOutcome:
        with self.ctx.session.begin_nested():  # a refused call leaves nothing behind
            result: ToolResult = tool.run(ctx or self.ctx, args)
        return ToolOutcome(
            "done",
            tool.name,
            result.render(),
            plain,
            result=result.model_dump(mode="json"),
            found_nothing=result.found_nothing(),
        )

    def run_confirmed(self, token: str, *, tier: str) -> ToolOutcome:
        """The user said yes to ``token``: consume it and run its tool for real."""
        started = time.perf_counter()
        session, principal, clock = self.ctx.session, self.ctx.principal, self.ctx.clock
        try:
            confirmed = self.confirmations.consume(session, principal, clock, token)
        except DomainError as e:
            outcome = ToolOutcome("refused", "confirmation", e.message, code=e.code)
            self._audit(outcome, tier, started)
            return outcome
        tool = self.registry.get(confirmed.tool)
        if tool is None:
            outcome = ToolOutcome("error", confirmed.tool, "Cet outil n'existe plus.")
        else:
            outcome = self._confirmed(tool, confirmed)
        status = "done" if outcome.status == "done" else "failed"
        self.confirmations.mark(session, principal, confirmed.confirmation_id, status)
        self._audit(outcome, tier, started, confirmation=str(confirmed.confirmation_id))
        return outcome

    def _confirmed(self, tool: Tool, confirmed: Confirmed) -> ToolOutcome:
        arguments = confirmed.arguments
        try:
            tool.require(self.ctx.principal)
            ctx = self.ctx
            if tool.at_request:  # the preview's moment, not the « oui »'s
                ctx = replace(ctx, clock=ManualClock(confirmed.requested_at))
            return self._run(tool, tool.validate(arguments), arguments, ctx)
        except AskBack as e:
            return ToolOutcome("ask_back", tool.name, e.message, arguments, field=e.field)
        except PermissionDenied as e:
            return ToolOutcome("refused", tool.name, e.message, arguments, code=e.code)
        except DomainError as e:
            return ToolOutcome("error", tool.name, e.message, arguments, code=e.code)

    def cancel(self, token: str, *, tier: str) -> ToolOutcome:
        started = time.perf_counter()
        try:
            self.confirmations.cancel(self.ctx.session, self.ctx.principal, self.ctx.clock, token)
            outcome = ToolOutcome("done", "confirmation", "D'accord, j'annule. Rien n'a été fait.")
        except DomainError as e:
            outcome = ToolOutcome("refused", "confirmation", e.message, code=e.code)
        self._audit(outcome, tier, started, cancelled=True)
        return outcome

    def nothing_pending(self, message: str) -> None:
        """« oui » or « non » with nothing waiting: answered, and on record."""
        outcome = ToolOutcome(
            "refused", "confirmation", "Rien à confirmer.", code="nothing_pending"
        )
        self._audit(outcome, "local", time.perf_counter(), message=message[:100])

    def _audit(self, outcome: ToolOutcome, tier: str, started: float, **extra: Any) -> None:
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        entry = {
            "tier": tier,
            "tool": outcome.tool,
            "arguments": jsonable(outcome.arguments),
            "status": outcome.status,
            "text": outcome.text[:500],
            "code": outcome.code,
            "latency_ms": latency_ms,
            "confirmation": outcome.token.split(".")[0] if outcome.token else None,
            # What a question back offers to choose from (« Diallo SARL ou Diallo & Fils »),
            # for clients that show the choices as buttons.
            **({"options": list(outcome.options)} if outcome.options else {}),
            **extra,
        }
        self.calls.append(entry)
        audit.record(
            self.ctx.session,
            self.ctx.principal,
            "agent.tool_call",
            target_type="conversation",
            target_id=self.conversation_id,
            after=entry,
            outcome="success"
            if outcome.status in ("done", "needs_confirmation")
            else outcome.status,
            flush=False,  # written with the turn's other entries, in one INSERT
        )
