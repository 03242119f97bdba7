"""Audit tables. The application role may INSERT and SELECT them, never UPDATE or DELETE
(privileges are revoked and a trigger refuses it even to the owner)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import GlobalRecord, TenantRecord, utcnow


class _AuditColumns:
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[UUID | None]
    automation_id: Mapped[UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))


class AuditEntry(_AuditColumns, TenantRecord):
    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "tenant_id", "occurred_at"),)


class PlatformAuditEntry(_AuditColumns, GlobalRecord):
    """Events with no tenant to file them under (e.g. a login attempt for an unknown
    account). The application role may only INSERT here: it cannot read it back."""

    __tablename__ = "platform_audit_log"
    tenant_hint: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index(None, "occurred_at"),)
