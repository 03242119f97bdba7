"""The local tier asked directly, without the graph or the database: what it understands of
one message, as an admin of a business whose currency is given."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role


def understand(
    local: LocalTier,
    message: str,
    memory: Memory | None = None,
    *,
    today: date,
    currency: str = "XOF",
) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, memory or Memory(), principal, today=today, currency=currency)


def tool_call(plan: Plan) -> tuple[str | None, dict[str, object]]:
    """The tool a plan calls and its arguments; the plan must call one."""
    assert plan.kind == "tool", plan
    return plan.tool, dict(plan.arguments)
