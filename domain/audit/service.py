"""Recording audit entries. Every write goes through ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit.models import AuditEntry, PlatformAuditEntry
from domain.kit.db import Database
from domain.kit.principal import ActorType, Channel, Principal


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the channel knows about a request before anyone is authenticated."""

    channel: Channel = Channel.API
    request_id: str | None = None
    ip: str | None = None


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    principal: Principal,
    action: str,
    *,
    target_type: str | None = None,
    target_id: object | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "success",
    ip: str | None = None,
    flush: bool = True,
) -> AuditEntry:
    """Add an audit entry to the principal's current transaction (flushed, not committed).

    ``flush=False`` leaves it pending: it is written with the transaction's next flush
    (at the latest the commit), in one INSERT with the other pending entries — for a caller
    that writes several entries in one unit of work (an agent turn)."""
    entry = AuditEntry(
        tenant_id=principal.tenant_id,
        actor_type=principal.actor_type.value,
        actor_id=principal.user_id,
        automation_id=principal.automation_id,
        channel=principal.channel.value,
        action=action,
        outcome=outcome,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        summary=jsonable({"before": before, "after": after}),
        request_id=principal.request_id,
        ip=ip,
    )
    session.add(entry)
    if flush:
        session.flush()
    return entry


def record_attempt(
    db: Database,
    context: RequestContext,
    action: str,
    *,
    outcome: str,
    tenant_id: UUID | None = None,
    actor_id: UUID | None = None,
    tenant_hint: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a refused or failed attempt in a transaction of its own.

    The attempt's own transaction has rolled back (nothing written), but the attempt
    itself must stay on record: filed under its tenant when one is known, else in the
    platform log.
    """
    columns: dict[str, Any] = {
        "actor_type": (ActorType.USER if actor_id else ActorType.ANONYMOUS).value,
        "actor_id": actor_id,
        "channel": context.channel.value,
        "action": action,
        "outcome": outcome,
        "summary": jsonable(details or {}),
        "request_id": context.request_id,
        "ip": context.ip,
    }
    with db.unit_of_work(tenant_id) as session:
        if tenant_id is not None:
            session.add(AuditEntry(tenant_id=tenant_id, **columns))
        else:
            session.add(PlatformAuditEntry(tenant_hint=tenant_hint, **columns))


def list_entries(session: Session, principal: Principal, *, limit: int = 100) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.tenant_id == principal.tenant_id)
            .order_by(AuditEntry.occurred_at.desc())
            .limit(limit)
        )
    )
