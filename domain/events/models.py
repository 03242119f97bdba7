from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantRecord, utcnow


class DomainEvent(TenantRecord):
    """An outbox row: written with the change it describes, relayed after commit."""

    __tablename__ = "domain_events"
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actor_id: Mapped[UUID | None]
    automation_id: Mapped[UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    # Only undispatched events are looked up (relay, sweep): a small partial index.
    __table_args__ = (
        Index(None, "tenant_id", "occurred_at", postgresql_where=text("dispatched_at IS NULL")),
    )
