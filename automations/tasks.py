"""The Celery side of automations: the tasks workers run, the event subscribers, and what
beat's database scheduler calls each poll (``poll``), plus ``run_due_now``, the same
thing done synchronously for one business (the eval harness's ``advance_to``)."""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.orm import Session

from automations import channels, engine
from automations.celery_app import app
from automations.events import subscribe
from automations.maintenance import container_for_tasks
from comptoir.bootstrap import Container
from domain.events.models import DomainEvent
from domain.identity.models import Tenant

log = logging.getLogger(__name__)


@app.task(name="automations.run")  # type: ignore[untyped-decorator]
def run(tenant_id: str, run_id: str) -> str:
    return engine.run_automation(container_for_tasks(), UUID(tenant_id), UUID(run_id))


@app.task(name="automations.deliver")  # type: ignore[untyped-decorator]
def deliver(tenant_id: str, delivery_id: str) -> str:
    return channels.deliver(container_for_tasks(), UUID(tenant_id), UUID(delivery_id))


def _queue(task: object, pairs: list[tuple[UUID, UUID]]) -> None:
    for tenant_id, item_id in pairs:
        try:
            task.apply_async(args=[str(tenant_id), str(item_id)], retry=False)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the next poll hands it out again (stale)
            log.warning("could not queue %s for %s", item_id, tenant_id)


def poll(container: Container) -> dict[str, int]:
    """One scheduler poll over every business: install missing built-ins, dispatch what
    fell due, hand out runs to retry, and queue deliveries whose time has come."""
    installed = engine.install_missing(container)
    due = engine.dispatch_due(container)
    retried = engine.retry_due(container)
    deliveries = channels.due_deliveries(container)
    _queue(run, due + retried)
    _queue(deliver, deliveries)
    return {
        "installed": installed,
        "dispatched": len(due),
        "retried": len(retried),
        "deliveries": len(deliveries),
    }


def run_due_now(container: Container, tenant_id: UUID) -> dict[str, int]:
    """What production does on its own for one business, now, synchronously."""
    with container.db.unit_of_work(tenant_id) as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        installed = engine.install_builtins(session, tenant, container.clock.now())
    work = engine.dispatch_due(container, tenant_id=tenant_id)
    work += engine.retry_due(container, tenant_id=tenant_id)
    statuses = [engine.run_automation(container, t, r) for t, r in work]
    sent = [
        channels.deliver(container, t, d)
        for t, d in channels.due_deliveries(container, tenant_id=tenant_id)
    ]
    return {
        "installed": installed,
        "runs": len(statuses),
        "succeeded": statuses.count("succeeded"),
        "deliveries_sent": sent.count("sent"),
    }


# --- event subscribers ----------------------------------------------------------------


@subscribe("tenant.created")
def install_for_new_business(session: Session, event: DomainEvent) -> None:
    tenant = session.get(Tenant, event.tenant_id)
    if tenant is not None:
        engine.install_builtins(session, tenant, container_for_tasks().clock.now())


@subscribe("*")
def run_event_automations(session: Session, event: DomainEvent) -> None:
    engine.run_for_event(container_for_tasks().clock, session, event)


@subscribe("notification.deliveries_due")
def queue_deliveries(session: Session, event: DomainEvent) -> None:
    _queue(deliver, [(event.tenant_id, UUID(d)) for d in event.payload["delivery_ids"]])
