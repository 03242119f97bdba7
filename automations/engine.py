"""The automation engine: dispatching what fell due, running it once, retrying failures.

- **Dispatch** (beat, or the eval harness): an automation whose ``next_run_at`` has come
  is locked (``SKIP LOCKED``: a second beat passes by), a run row is written for the
  *latest* occurrence due — so a run missed while everything was down is caught up once,
  not once per missed occurrence — under the unique ``(automation, period_key)``, and
  ``next_run_at`` moves past now. The run is handed to a worker after commit.
- **Run** (a worker): the run row is locked (``SKIP LOCKED``) while ``queued``; the kind
  does its work in a savepoint of that same transaction, and the outcome is written with
  it. Two workers given the same run: one works, the other finds it locked or done. A
  worker killed mid-run leaves nothing but the ``queued`` row, which the broker
  redelivers (``acks_late``) or ``retry_due`` hands out again once stale.
- **Failures** stay in their business: the savepoint rolls back the kind's writes, the run
  is ``retrying`` with a growing back-off, and after ``MAX_ATTEMPTS`` it is ``failed`` and
  the business's admins are notified.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from automations import builtins, dunning, einvoicing, routine  # noqa: F401 - the built-in kinds
from automations import rules as chat_rules
from automations.kinds import KINDS, Kind, RunContext
from comptoir.bootstrap import Container
from domain.audit.service import jsonable
from domain.automations.models import Automation, AutomationRun
from domain.automations.notifications import members_with_roles, notify
from domain.automations.rules import PREFIX as RULE_PREFIX
from domain.automations.schedule import latest_occurrence, next_occurrence, period_key
from domain.events.models import DomainEvent
from domain.identity.models import Membership, Tenant
from domain.kit.clock import Clock
from domain.kit.errors import PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.principal import Channel, Principal, Role

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF = timedelta(minutes=1)  # 1, 5, 25 minutes between attempts
STALE_AFTER = timedelta(minutes=15)  # a queued run nobody finished is handed out again
BATCH = 500

Work = list[tuple[UUID, UUID]]  # (tenant_id, run_id)


# --- installing the built-ins -------------------------------------------------------


def install_builtins(session: Session, tenant: Tenant, now: datetime) -> int:
    """Give the business every kind it lacks, on, with its default schedule."""
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": tenant.id,
            "id": uuid7(),
            "kind": kind.name,
            "enabled": True,
            "rule": kind.rule,
            "params": {},
            "next_run_at": next_occurrence(kind.rule, tenant.timezone, now) if kind.rule else None,
        }
        for kind in sorted(KINDS.values(), key=lambda k: k.priority)
        if kind.builtin
    ]
    added = session.scalars(
        insert(Automation)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_automations_tenant_id_kind")
        .returning(Automation.id)
    )
    return len(added.all())


def install_missing(container: Container) -> int:
    """Install the built-ins in every active business lacking one (a new business, or a
    kind this release adds)."""
    kinds = [k.name for k in KINDS.values() if k.builtin]
    with container.db.unit_of_work() as session:
        tenants = list(
            session.scalars(
                text("SELECT tenant_id FROM comptoir_tenants_missing_automations(:kinds, :n)"),
                {"kinds": kinds, "n": BATCH},
            )
        )
    for tenant_id in tenants:
        with container.db.unit_of_work(tenant_id) as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is not None:
                install_builtins(session, tenant, container.clock.now())
    return len(tenants)


# --- dispatching --------------------------------------------------------------------


def dispatch_due(container: Container, *, tenant_id: UUID | None = None) -> Work:
    """Write a run for every automation due now (of one business, or of all); returns
    the runs to hand to workers. A business whose rule cannot be read is logged and
    skipped: the others are dispatched."""
    now = container.clock.now()
    if tenant_id is None:
        with container.db.unit_of_work() as session:
            due = [
                (r.tenant_id, r.id)
                for r in session.execute(
                    text("SELECT tenant_id, id FROM comptoir_due_automations(:now, :n)"),
                    {"now": now, "n": BATCH},
                )
            ]
    else:
        with container.db.unit_of_work(tenant_id) as session:
            due = [
                (tenant_id, a)
                for a in session.scalars(
                    select(Automation.id).where(
                        Automation.tenant_id == tenant_id,
                        Automation.enabled,
                        Automation.next_run_at <= now,
                    )
                )
            ]
    work: Work = []
    for tenant, automation_id in due:
        try:
            run_id = _dispatch_one(container, tenant, automation_id, now)
        except Exception:
            log.exception("automation %s of %s could not be dispatched", automation_id, tenant)
            continue
        if run_id is not None:
            work.append((tenant, run_id))
    return work


def _dispatch_one(
    container: Container, tenant_id: UUID, automation_id: UUID, now: datetime
) -> UUID | None:
    with container.db.unit_of_work(tenant_id) as session:
        automation = session.scalar(
            select(Automation)
            .where(Automation.tenant_id == tenant_id, Automation.id == automation_id)
            .with_for_update(skip_locked=True)
        )
        if automation is None or not automation.enabled or automation.rule is None:
            return None
        if automation.next_run_at is None or automation.next_run_at > now:
            return None  # another beat dispatched it a moment ago
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        occurrence = latest_occurrence(automation.rule, tenant.timezone, now)
        automation.next_run_at = next_occurrence(automation.rule, tenant.timezone, now)
        if occurrence is None:
            return None
        return _claim_period(
            session, automation, period_key(occurrence, tenant.timezone), occurrence
        )


def _claim_period(
    session: Session, automation: Automation, key: str, scheduled_for: datetime
) -> UUID | None:
    """The run of this period, new; None when the period already has one."""
    return session.scalar(
        insert(AutomationRun)
        .values(
            tenant_id=automation.tenant_id,
            id=uuid7(),
            automation_id=automation.id,
            period_key=key,
            status="queued",
            scheduled_for=scheduled_for,
            attempts=0,
            output={},
        )
        .on_conflict_do_nothing(constraint="uq_automation_runs_tenant_id_automation_id_period_key")
        .returning(AutomationRun.id)
    )


def retry_due(container: Container, *, tenant_id: UUID | None = None) -> Work:
    """Runs to hand out again: failed ones whose back-off is over, queued ones gone stale."""
    now = container.clock.now()
    with container.db.unit_of_work(tenant_id) as session:
        found = [
            (r.tenant_id, r.id)
            for r in session.execute(
                text(
                    "SELECT tenant_id, id FROM comptoir_automation_runs_to_retry(:now, :stale, :n)"
                ),
                {"now": now, "stale": now - STALE_AFTER, "n": BATCH},
            )
            if tenant_id is None or r.tenant_id == tenant_id
        ]
    work: Work = []
    for tenant, run_id in found:
        with container.db.unit_of_work(tenant) as session:
            run = session.scalar(
                select(AutomationRun)
                .where(AutomationRun.tenant_id == tenant, AutomationRun.id == run_id)
                .with_for_update(skip_locked=True)
            )
            if run is None or run.status not in ("queued", "retrying"):
                continue  # a worker holds it right now, or it just finished
            run.status, run.updated_at = "queued", now
            work.append((tenant, run_id))
    return work


# --- running ------------------------------------------------------------------------


def kind_of(automation: Automation) -> Kind | None:
    """The kind that runs ``automation``: its own, or for a rule defined in chat the one
    kind every such rule shares."""
    if automation.kind.startswith(RULE_PREFIX):
        return KINDS.get(chat_rules.KIND)
    return KINDS.get(automation.kind)


def owner_principal(session: Session, automation: Automation) -> Principal | None:
    """Who the automation acts as, with the roles they hold *now*: its owner, or for a
    built-in without one the business's first active admin. None: nobody may."""
    query = select(Membership).where(
        Membership.tenant_id == automation.tenant_id, Membership.is_active
    )
    if automation.owner_id is not None:
        query = query.where(Membership.user_id == automation.owner_id)
    else:
        query = query.where(Membership.roles.contains([Role.ADMIN.value])).order_by(
            Membership.created_at
        )
    membership = session.scalars(query.limit(1)).first()
    if membership is None:
        return None
    return Principal(
        tenant_id=automation.tenant_id,
        user_id=membership.user_id,
        roles=frozenset(Role(r) for r in membership.roles),
        channel=Channel.AUTOMATION,
        automation_id=automation.id,
    )


def run_automation(container: Container, tenant_id: UUID, run_id: UUID) -> str:
    """Do one queued run, once; returns its status (``busy`` when another worker holds it)."""
    with container.db.unit_of_work(tenant_id) as session:
        run = session.scalar(
            select(AutomationRun)
            .where(AutomationRun.tenant_id == tenant_id, AutomationRun.id == run_id)
            .with_for_update(skip_locked=True)
        )
        if run is None:
            return "busy"
        if run.status != "queued":
            return run.status
        automation = session.get(Automation, (tenant_id, run.automation_id))
        assert automation is not None
        _execute(container.clock, session, automation, run)
        return run.status


def _execute(clock: Clock, session: Session, automation: Automation, run: AutomationRun) -> None:
    run.started_at = clock.now()
    run.attempts += 1
    kind = kind_of(automation)
    principal = owner_principal(session, automation)
    if kind is None or principal is None or not automation.enabled:
        reason = "désactivée" if not automation.enabled else "sans propriétaire actif"
        _finish(run, clock.now(), "skipped", error=None if kind else "type inconnu")
        run.output = {"raison": reason if kind else "type inconnu"}
        return
    tenant = session.get(Tenant, automation.tenant_id)
    assert tenant is not None
    context = RunContext(session, principal, clock, tenant, automation, run, kind.params)
    try:
        with session.begin_nested():
            output = kind.work(context)
    except PermissionDenied as exc:  # the owner may no longer do it: no retry
        _finish(run, clock.now(), "skipped", error=exc.message)
        run.output = {"raison": exc.message}
        return
    except Exception as exc:  # noqa: BLE001 - any failure is this run's, recorded
        log.warning("automation %s (%s) failed: %s", automation.kind, automation.id, exc)
        _record_failure(session, principal, tenant, automation, run, exc, clock.now())
        return
    run.output = jsonable(output)
    _finish(run, clock.now(), "succeeded")


def _finish(run: AutomationRun, now: datetime, status: str, error: str | None = None) -> None:
    run.status, run.finished_at, run.error, run.next_attempt_at = status, now, error, None


def _record_failure(
    session: Session,
    principal: Principal,
    tenant: Tenant,
    automation: Automation,
    run: AutomationRun,
    exc: Exception,
    now: datetime,
) -> None:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    run.error = f"{type(exc).__name__}: {message}"[:2000]
    run.finished_at = now
    if run.attempts < MAX_ATTEMPTS:
        run.status = "retrying"
        run.next_attempt_at = now + BACKOFF * 5 ** (run.attempts - 1)
        return
    run.status, run.next_attempt_at = "failed", None
    found = kind_of(automation)
    label = found.label if found is not None else automation.kind
    notify(
        session,
        principal,
        now,
        members_with_roles(session, tenant.id),
        kind="automation.failed",
        title=f"L'automatisation « {label} » a échoué",
        body=(
            f"L'automatisation « {label} » (période {run.period_key}) a échoué "
            f"{run.attempts} fois de suite et ne sera plus retentée pour cette période. "
            f"Dernière erreur : {message}"
        ),
        data={"automation_id": str(automation.id), "run_id": str(run.id)},
        dedup_key=f"automation-failed:{run.id}",
    )


# --- event-driven automations -------------------------------------------------------


def run_for_event(clock: Clock, session: Session, event: DomainEvent) -> list[str]:
    """Run, inside the relay's transaction, every enabled kind that reacts to ``event``;
    once per event (the relay claims the event; the period key is the event's id). A run
    that changed nothing is not kept: a busy shop would otherwise record one per sale."""
    statuses = []
    automations = [
        session.scalar(
            select(Automation).where(
                Automation.tenant_id == event.tenant_id, Automation.kind == kind.name
            )
        )
        for kind in KINDS.values()
        if event.name in kind.events
    ]
    for automation in [*automations, *chat_rules.rules_for_event(session, event)]:
        if automation is None or not automation.enabled:
            continue
        run_id = _claim_period(session, automation, f"event:{event.id}", event.occurred_at)
        if run_id is None:
            continue
        run = session.get(AutomationRun, (event.tenant_id, run_id))
        assert run is not None
        _execute(clock, session, automation, run)
        statuses.append(run.status)
        if run.status == "succeeded" and not any(run.output.values()):
            session.delete(run)  # most moves change no alert: they leave no run behind
    return statuses


def recent_runs(session: Session, tenant_id: UUID, *, limit: int = 50) -> list[dict[str, Any]]:
    """The business's latest runs, newest first (what happened on its own, and how)."""
    rows = session.execute(
        select(AutomationRun, Automation.kind)
        .join(
            Automation,
            (Automation.tenant_id == AutomationRun.tenant_id)
            & (Automation.id == AutomationRun.automation_id),
        )
        .where(AutomationRun.tenant_id == tenant_id)
        .order_by(AutomationRun.created_at.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "kind": kind,
            "period_key": r.period_key,
            "status": r.status,
            "attempts": r.attempts,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "error": r.error,
            "output": r.output,
        }
        for r, kind in rows
    ]
