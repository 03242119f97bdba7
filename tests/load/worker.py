"""The Celery worker the load test starts as a subprocess: the real app, plus one
subscriber that records each delivery of a domain event in the relay's own transaction,
so the test can count how many times every event was handed over.

``celery -A tests.load.worker worker --pool=solo`` (REDIS_URL, DATABASE_URL and
COMPTOIR_SECRET_KEY in the environment, like any worker).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from automations import events
from automations.celery_app import app
from domain.events.models import DomainEvent
from tests.load import DELIVERIES


@events.subscribe("*")
def record_delivery(session: Session, event: DomainEvent) -> None:
    session.execute(
        text(f"INSERT INTO {DELIVERIES} (tenant_id, event_id) VALUES (:t, :e)"),
        {"t": event.tenant_id, "e": event.id},
    )


__all__ = ["app"]
