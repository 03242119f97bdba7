"""Switching and tuning a business's automations (admins), and reading their runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from automations import engine
from automations.kinds import KINDS
from domain.audit import service as audit
from domain.automations.models import Automation
from domain.automations.schedule import next_occurrence, parse_rule
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.principal import Principal, Role

READERS = (Role.MANAGER, Role.ACCOUNTANT)


def _tenant(session: Session, principal: Principal, clock: Clock) -> Tenant:
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    if not session.scalar(select(Automation.id).where(Automation.tenant_id == tenant.id)):
        engine.install_builtins(session, tenant, clock.now())
    return tenant


def list_automations(session: Session, principal: Principal, clock: Clock) -> list[dict[str, Any]]:
    """The business's automations, in priority order, with their settings."""
    principal.require(*READERS)
    tenant = _tenant(session, principal, clock)
    rows = session.scalars(select(Automation).where(Automation.tenant_id == tenant.id))
    out = [_describe(a) for a in rows if a.kind in KINDS]
    return sorted(out, key=lambda a: (KINDS[a["kind"]].priority, a["kind"]))


def _describe(a: Automation) -> dict[str, Any]:
    kind = KINDS[a.kind]
    return {
        "kind": a.kind,
        "label": kind.label,
        "enabled": a.enabled,
        "rule": a.rule,
        "trigger": "event" if kind.rule is None else "schedule",
        "params": {**kind.params, **(a.params or {})},
        "next_run_at": a.next_run_at,
    }


def update_automation(
    session: Session,
    principal: Principal,
    clock: Clock,
    kind: str,
    *,
    enabled: bool | None = None,
    rule: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Switch an automation on or off, change its schedule or its parameters (admins)."""
    principal.require(Role.ADMIN)
    tenant = _tenant(session, principal, clock)
    automation = session.scalar(
        select(Automation).where(Automation.tenant_id == tenant.id, Automation.kind == kind)
    )
    if automation is None or kind not in KINDS:
        raise NotFound(f"Automatisation inconnue : {kind}.")
    before = _describe(automation)
    if params is not None:
        unknown = sorted(set(params) - set(KINDS[kind].params))
        if unknown:
            raise InvalidInput(f"Paramètre inconnu : {', '.join(unknown)}.", field="params")
        automation.params = {**(automation.params or {}), **params}
    if rule is not None:
        if KINDS[kind].rule is None:
            raise InvalidInput("Cette automatisation réagit aux événements : pas d'horaire.")
        parse_rule(rule, clock.now().replace(tzinfo=None))
        automation.rule = rule
    if enabled is not None:
        automation.enabled = enabled
    if automation.rule is not None and (rule is not None or enabled):
        automation.next_run_at = next_occurrence(automation.rule, tenant.timezone, clock.now())
    session.flush()
    after = _describe(automation)
    audit.record(
        session,
        principal,
        "automation.update",
        target_type="automation",
        target_id=automation.id,
        before={k: before[k] for k in ("enabled", "rule", "params")},
        after={k: after[k] for k in ("enabled", "rule", "params")},
    )
    return after
