"""The kinds of automation a business can have, and what a run of one gets to work with.

A kind is a function over a ``RunContext`` returning what it produced (stored on the run,
JSON). It works inside the run's transaction, as the automation's owner: everything it
writes commits with the run's outcome, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.automations.models import Automation, AutomationRun
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.principal import Principal


@dataclass
class RunContext:
    session: Session
    principal: Principal
    clock: Clock
    tenant: Tenant
    automation: Automation
    run: AutomationRun
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        return {**self.defaults, **(self.automation.params or {})}

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def last_success(self) -> AutomationRun | None:
        """The latest earlier run of this automation that succeeded (catch-up starts there)."""
        return self.session.scalar(
            select(AutomationRun)
            .where(
                AutomationRun.tenant_id == self.tenant.id,
                AutomationRun.automation_id == self.automation.id,
                AutomationRun.status == "succeeded",
                AutomationRun.id != self.run.id,
            )
            .order_by(AutomationRun.scheduled_for.desc())
            .limit(1)
        )


Work = Callable[[RunContext], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """``rule``: when it runs by default (RRULE, business time); None when it reacts to
    events (``events``). ``priority`` orders the built-ins (lower first)."""

    name: str
    label: str
    rule: str | None
    work: Work
    params: dict[str, Any] = field(default_factory=dict)
    events: tuple[str, ...] = ()
    priority: int = 100
    builtin: bool = True  # installed, on, in every business


KINDS: dict[str, Kind] = {}


def automation_kind(
    name: str,
    *,
    label: str,
    rule: str | None,
    params: dict[str, Any] | None = None,
    events: tuple[str, ...] = (),
    priority: int = 100,
    builtin: bool = True,
) -> Callable[[Work], Work]:
    """Register ``work`` as the automation kind ``name`` (a built-in is installed, on, in
    every business)."""

    def register(work: Work) -> Work:
        KINDS[name] = Kind(name, label, rule, work, dict(params or {}), events, priority, builtin)
        return work

    return register
