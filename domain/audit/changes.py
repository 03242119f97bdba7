"""One write, recorded twice in the caller's transaction: a domain event for whatever reacts
to it (automations, channels) and an audit entry for whoever asks later who did what."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.kit.principal import Principal

UNAUDITED_COLUMNS = frozenset({"tenant_id", "created_at", "updated_at"})


def row_state(obj: object) -> dict[str, Any]:
    """Column values of a row, for audit ``before``/``after``."""
    return {
        a.key: getattr(obj, a.key)
        for a in inspect(obj).mapper.column_attrs
        if a.key not in UNAUDITED_COLUMNS
    }


def record_write(
    session: Session,
    principal: Principal,
    event: str,
    action: str,
    *,
    target_type: str,
    target_id: UUID,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """The event (``event``, with ``<target_type>_id`` and ``payload``) and the audit entry
    (``action`` on the target, ``before`` → ``after``)."""
    events.emit(session, principal, event, **{f"{target_type}_id": target_id, **(payload or {})})
    audit.record(
        session,
        principal,
        action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )


def record_change(
    session: Session,
    principal: Principal,
    target: Any,
    event: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    **payload: Any,
) -> None:
    """The event (``partner.created``, with ``partner_id`` and ``payload``) and the audit
    entry (``partner.create``, the row's state after, ``before`` if given)."""
    kind = action.split(".")[0]
    record_write(
        session,
        principal,
        event,
        action,
        target_type=kind,
        target_id=target.id,
        after=row_state(target),
        before=before,
        payload=payload,
    )
