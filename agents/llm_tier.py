"""The LLM tier as the graph uses it: the tenant's token budget, personal data masked,
the user's own tools per sub-agent, WRITEs through the same confirmation as the local
tier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agents.llm.budget import BudgetExceeded, TokenBudget
from agents.llm.masking import Masker
from agents.llm.orchestrator import LLMTurn, run_llm_turn
from agents.llm.providers import ChatModel, ModelUnavailable
from tools.registry import Registry

if TYPE_CHECKING:
    from agents.graph import Turn

# Below this, a turn is not started: a simple request costs about 2,000 tokens.
MIN_TOKENS_FOR_A_TURN = 3_000


@dataclass
class LLMTier:
    model: ChatModel
    registry: Registry
    budget: TokenBudget

    def run(self, turn: Turn, message: str, history: list[dict[str, Any]]) -> LLMTurn:
        tools = turn.tools
        session, principal = tools.ctx.session, tools.ctx.principal
        try:
            self.budget.ensure_available(
                session, principal.tenant_id, turn.today, MIN_TOKENS_FOR_A_TURN
            )
        except BudgetExceeded as e:
            return LLMTurn(e.message, None, 0, 0, [])
        try:
            result = run_llm_turn(
                self.model,
                user_text=message,
                history=history,
                tools_by_area=self.registry.by_area(principal),
                call_tool=tools.caller("llm"),
                masker=Masker(),
                today=turn.today,
                context=f"Devise de l'entreprise : {turn.currency}.",
            )
        except ModelUnavailable as e:
            fallback = f"{e.message} {turn.local.not_understood(principal)}"
            return LLMTurn(fallback, None, 0, 0, [])
        self.budget.spend(
            session, principal.tenant_id, turn.today, result.input_tokens, result.output_tokens
        )
        return result
