"""Small functions shared by the automation tests: moving the clock, probes, reading runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from automations.kinds import KINDS
from comptoir.bootstrap import Container
from domain.automations.models import Automation, AutomationRun, Notification
from domain.kit.clock import ManualClock
from tests.automations import probe_kind  # noqa: F401 - registers the probe kind
from tests.factories import Account


def at(container: Container, moment: datetime) -> Container:
    """The test container living at ``moment`` (same database and Redis)."""
    moved = Container(
        settings=container.settings, endpoints=container.endpoints, clock=ManualClock(moment)
    )
    moved.__dict__["db"] = container.db
    return moved


def mailing(container: Container, url: str, moment: datetime) -> Container:
    """The test container at ``moment``, sending e-mail to the SMTP server at ``url``."""
    from domain.identity.mail import SmtpMailer

    moved = at(container, moment)
    moved.__dict__["mailer"] = SmtpMailer(url, "comptoir@example.com")
    return moved


def run_kind(container: Container, account: Account, kind: str) -> dict[str, Any]:
    """Make ``kind`` due at the container's now and run what is due, as beat would."""
    from automations.tasks import run_due_now

    now = container.clock.now()
    run_due_now(container, account.tenant_id)  # installs the built-ins if needed
    with container.db.unit_of_work(account.tenant_id) as s:
        automation = s.scalars(select(Automation).where(Automation.kind == kind)).one()
        automation.next_run_at = now
    return run_due_now(container, account.tenant_id)


def add_probe(
    container: Container, account: Account, *, next_run_at: datetime, **params: Any
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as s:
        automation = Automation(
            tenant_id=account.tenant_id,
            kind="probe",
            rule=KINDS["probe"].rule,
            params=params,
            next_run_at=next_run_at,
        )
        s.add(automation)
        s.flush()
        return automation.id


def runs(container: Container, account: Account, kind: str | None = None) -> list[AutomationRun]:
    with container.db.unit_of_work(account.tenant_id) as s:
        query = select(AutomationRun).order_by(AutomationRun.created_at)
        if kind is not None:
            query = query.join(
                Automation,
                (Automation.tenant_id == AutomationRun.tenant_id)
                & (Automation.id == AutomationRun.automation_id),
            ).where(Automation.kind == kind)
        return list(s.scalars(query))


def notifications(container: Container, account: Account, kind: str) -> list[Notification]:
    with container.db.unit_of_work(account.tenant_id) as s:
        return list(
            s.scalars(
                select(Notification)
                .where(Notification.kind == kind)
                .order_by(Notification.created_at)
            )
        )


def relay_all(container: Container, account: Account) -> int:
    """Relay the business's waiting domain events to their subscribers, as the worker
    would, until none is left (a subscriber may emit more). Returns how many."""
    from automations import maintenance, tasks  # noqa: F401 - tasks registers subscribers
    from automations.events import relay_event
    from domain.events.models import DomainEvent

    relayed = 0
    maintenance.use_container(container)
    try:
        while True:
            with container.db.unit_of_work(account.tenant_id) as s:
                waiting = list(
                    s.scalars(
                        select(DomainEvent.id)
                        .where(DomainEvent.dispatched_at.is_(None))
                        .order_by(DomainEvent.occurred_at)
                    )
                )
            if not waiting:
                return relayed
            relayed += sum(relay_event(container, account.tenant_id, e) for e in waiting)
    finally:
        maintenance.use_container(None)
