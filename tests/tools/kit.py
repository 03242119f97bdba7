"""Running tools in tests: a unit of work per call, as an agent turn has."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from comptoir.bootstrap import Container
from domain.kit.clock import Clock
from domain.kit.principal import Principal
from tools.base import Tool, ToolContext, ToolResult


@contextmanager
def tool_context(container: Container, principal: Principal, clock: Clock) -> Iterator[ToolContext]:
    """A committed unit of work (rolled back if the block raises)."""
    with container.db.unit_of_work(principal.tenant_id) as session:
        yield ToolContext(session=session, principal=principal, clock=clock)


def call(
    container: Container,
    tool: Tool,
    principal: Principal,
    clock: Clock,
    args: Mapping[str, Any],
) -> ToolResult:
    """Run ``tool`` for real (no confirmation step) in its own committed transaction."""
    with tool_context(container, principal, clock) as ctx:
        return tool.run(ctx, args)
