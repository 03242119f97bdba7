"""Running a rule defined in chat (``domain.automations.rules``): one kind, ``rule``, for
every such rule; the engine gives it the run and the owner's principal, rebuilt from the
owner's *current* membership (a removed member's rules are skipped).

What a run does, as its owner:

- a **report** reads through the same tool a member would call (``finance.revenue``,
  ``reports.kpis``, ``finance.list_invoices``, ``stock.low_stock``): the tool re-checks
  the owner's roles, so a rule whose owner lost the right stops (the run is ``skipped``);
- a **reminder** is its text;
- a **write** runs its tool with the stored arguments only when the owner confirmed it at
  creation and still holds the tool's roles;
- a **stock threshold** (after a ``stock.moved`` event) tells once per crossing.

Then the recipients still in the business are notified on the rule's channel (once per
period: the notification's key is the rule and the period), and the run is audited with
the rule's id (the principal carries it as ``automation_id``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from automations.kinds import RunContext, automation_kind
from domain.audit import service as audit
from domain.automations.models import Automation
from domain.automations.notifications import notify
from domain.automations.rules import (
    PREFIX,
    Action,
    RuleSpec,
    active_members,
    describe_action,
    label_of,
    quantity_text,
    spec_of,
)
from domain.events.models import DomainEvent
from domain.kit.clock import period_just_ended
from domain.kit.errors import PermissionDenied
from domain.stock.repository import on_hand_total
from tools.base import ToolContext
from tools.registry import default_registry

KIND = "rule"
# What each report reads, with the owner's rights; a stock threshold reads the stock level.
REPORT_TOOLS = {
    "revenue": "finance.revenue",
    "kpis": "reports.kpis",
    "unpaid": "finance.list_invoices",
    "low_stock": "stock.low_stock",
    "stock_alert": "stock.stock_level",
}


def _report_arguments(action: Action, today: date) -> dict[str, Any]:
    if action.report in ("revenue", "kpis"):
        start, end = period_just_ended(action.period or "week", today)
        return {"start": start, "end": end}
    if action.report == "unpaid":
        return {"status": "overdue"}
    return {}


def perform(ctx: RunContext, spec: RuleSpec) -> str:
    """What the rule's action says, done as its owner (``PermissionDenied`` when the
    owner may no longer do it)."""
    action = spec.action
    if action.type == "reminder":
        return f"Rappel : {action.text}"
    tool_ctx = ToolContext(ctx.session, ctx.principal, ctx.clock)
    if action.type == "report":
        tool = default_registry().get(REPORT_TOOLS[action.report or "kpis"])
        assert tool is not None
        return tool.run(tool_ctx, _report_arguments(action, ctx.today())).render()
    tool = default_registry().get(action.tool or "")
    if tool is None or not tool.is_write:
        raise PermissionDenied(f"Action inconnue : {action.tool}.")
    if spec.write_confirmed_by != str(ctx.automation.owner_id):
        raise PermissionDenied("Cette action n'a pas été confirmée par l'auteur de la règle.")
    return tool.run(tool_ctx, action.arguments).render()


def _recipients(ctx: RunContext, spec: RuleSpec) -> list[UUID]:
    wanted = [UUID(r) for r in spec.recipients] or [ctx.principal.user_id]
    return active_members(ctx.session, ctx.tenant.id, [u for u in wanted if u is not None])


def tell(ctx: RunContext, spec: RuleSpec, body: str) -> dict[str, Any]:
    """Notify the rule's recipients on its channel, once per period; audit the run."""
    recipients = _recipients(ctx, spec)
    channels: list[str] | None = None if spec.channel is None else [spec.channel]
    written = notify(
        ctx.session,
        ctx.principal,
        ctx.now(),
        recipients,
        kind="automation.rule",
        title=label_of(spec)[:200],
        body=body,
        data={"automation_id": str(ctx.automation.id), "run_id": str(ctx.run.id)},
        dedup_key=f"rule:{ctx.automation.id}:{ctx.run.period_key}"[:120],
        channels=channels,
    )
    audit.record(
        ctx.session,
        ctx.principal,
        "automation.rule_run",
        target_type="automation",
        target_id=ctx.automation.id,
        after={
            "period": ctx.run.period_key,
            "action": describe_action(spec.action),
            "notified": len(written),
        },
    )
    return {"notifies": len(written), "action": spec.action.type}


def _stock_crossing(ctx: RunContext, spec: RuleSpec) -> dict[str, Any]:
    """Tell once when the product goes under its threshold; going back over re-arms it."""
    trigger = spec.trigger
    assert trigger.product_id is not None and trigger.below is not None
    reading = default_registry().get(REPORT_TOOLS["stock_alert"])
    assert reading is not None
    reading.require(ctx.principal)  # the owner may still see the stock
    on_hand = on_hand_total(ctx.session, ctx.tenant.id, UUID(trigger.product_id))
    under = on_hand < trigger.below
    if under == spec.under:
        return {}
    ctx.automation.params = {**(ctx.automation.params or {}), "under": under}
    if not under:
        return {}
    quantity = format(on_hand.normalize(), "f").replace(".", ",")
    body = (
        f"Alerte stock : {trigger.product} est passé sous "
        f"{quantity_text(trigger.below, trigger.unit)} (il en reste {quantity})."
    )
    return tell(ctx, spec, body)


@automation_kind(
    KIND, label="Automatisation définie en conversation", rule=None, priority=200, builtin=False
)
def run_rule(ctx: RunContext) -> dict[str, Any]:
    spec = spec_of(ctx.automation)
    if spec.trigger.type == "stock_below":
        return _stock_crossing(ctx, spec)
    return tell(ctx, spec, perform(ctx, spec))


EVENT_TRIGGERS = {"stock.moved": "stock_below"}


def rules_for_event(session: Session, event: DomainEvent) -> list[Automation]:
    """The business's enabled rules that an event may trigger."""
    trigger = EVENT_TRIGGERS.get(event.name)
    if trigger is None:
        return []
    return list(
        session.scalars(
            select(Automation).where(
                Automation.tenant_id == event.tenant_id,
                Automation.kind.startswith(PREFIX),
                Automation.enabled,
                Automation.rule.is_(None),
                Automation.params["trigger"]["type"].astext == trigger,
            )
        )
    )
