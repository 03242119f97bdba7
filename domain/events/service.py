"""Emitting domain events (the transactional outbox).

``emit`` adds the event to the caller's transaction. If the unit of work carries a
publisher (the composition root wires Celery), the event is handed to it only after the
commit, with the transaction's other events (one relay message per transaction); if the
commit fails the event never existed, and if publishing fails the periodic sweep relays it
later. Relaying marks the event dispatched, so each is handled once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from domain.audit.service import jsonable
from domain.events.models import DomainEvent
from domain.kit.db import publish_after_commit
from domain.kit.ids import uuid7
from domain.kit.principal import Principal


def emit(session: Session, principal: Principal, name: str, /, **payload: Any) -> DomainEvent:
    event = DomainEvent(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        name=name,
        payload=jsonable(payload),
        actor_id=principal.user_id,
        automation_id=principal.automation_id,
        channel=principal.channel.value,
    )
    session.add(event)
    session.flush()
    publish_after_commit(session, event.tenant_id, event.id)
    return event


def claim(session: Session, tenant_id: UUID, event_id: UUID) -> DomainEvent | None:
    """The event, locked, if nobody has dispatched it yet (else None)."""
    return session.scalar(
        select(DomainEvent)
        .where(
            DomainEvent.tenant_id == tenant_id,
            DomainEvent.id == event_id,
            DomainEvent.dispatched_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    )


def pending(session: Session, *, older_than: Any, limit: int = 500) -> list[tuple[UUID, UUID]]:
    """Undispatched events of every tenant (for the sweep), oldest first."""
    rows = session.execute(
        text("SELECT tenant_id, id FROM comptoir_pending_events(:before, :limit)"),
        {"before": older_than, "limit": limit},
    )
    return [(r.tenant_id, r.id) for r in rows]
