"""Rows a unit of work appends and does not read back — domain events (the outbox) and
audit entries — written together, in one statement, when its transaction commits.

``events.emit`` and ``audit.record`` flush each row as it is made: one round trip per row,
three or four per operation. Here a row is queued instead (no round trip), and every
queued row goes out in one ``INSERT`` per table, chained as data-modifying CTEs into a
single statement, just before the commit — inside the same transaction, so the
outbox keeps its promise (an event exists if and only if its change committed) and the
relay queued with ``publish_after_commit`` finds the row. The statement's text depends only on the
tables queued (``domain.kit.bulk``).

A transaction still reads its own records: an ORM query touching a table with queued rows
writes them first. A row queued inside a savepoint that rolls back is dropped with it, as
its ``INSERT`` would have been. ``once`` keys a row that a transaction writes at most once
(``stock.moved``, however many moves it makes): a second ``append`` with that key is
ignored, unless the savepoint holding the first one rolled back.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from domain.audit.models import AuditEntry
from domain.audit.service import jsonable
from domain.events.models import DomainEvent
from domain.kit.base import utcnow
from domain.kit.bulk import insert_rows
from domain.kit.db import publish_after_commit
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.kit.transaction import alive, scope_of, within

_QUEUE = "comptoir.queued_records"
EVENTS: Table = DomainEvent.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEntry.__table__  # type: ignore[assignment]


@dataclass(slots=True)
class _Queue:
    rows: list[tuple[SessionTransaction | None, Table, dict[str, Any]]]
    once: dict[Hashable, SessionTransaction | None]


def _queue(session: Session) -> _Queue:
    queue = session.info.get(_QUEUE)
    if queue is None:
        queue = session.info[_QUEUE] = _Queue([], {})
    return queue


def append(session: Session, table: Table, row: dict[str, Any], *, once: Hashable = None) -> bool:
    """Queue ``row`` (every column given) for ``table``; False when ``once`` was already
    appended in this transaction."""
    queue = _queue(session)
    if once is not None:
        if once in queue.once and alive(session, queue.once[once]):
            return False
        queue.once[once] = scope_of(session)
    queue.rows.append((scope_of(session), table, row))
    return True


def pending(session: Session) -> bool:
    queue: _Queue | None = session.info.get(_QUEUE)
    return bool(queue and queue.rows)


def write_pending(session: Session) -> None:
    """Write every queued row now, in one statement (nothing when none is queued)."""
    insert_rows(session, *take_pending(session))


def take_pending(session: Session) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Every queued row still alive, per table, taken off the queue: the caller writes
    them in the statement it sends next (``bulk.insert_ctes``), in this transaction."""
    queue: _Queue | None = session.info.get(_QUEUE)
    if not queue or not queue.rows:
        return []
    rows, queue.rows = queue.rows, []
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for scope, table, row in rows:
        if alive(session, scope):
            by_table.setdefault(table, []).append(row)
    return list(by_table.items())


def event_row(principal: Principal, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A ``domain_events`` row as ``events.emit`` writes it."""
    return {
        "tenant_id": principal.tenant_id,
        "id": uuid7(),
        "name": name,
        "payload": jsonable(payload),
        "actor_id": principal.user_id,
        "automation_id": principal.automation_id,
        "channel": principal.channel.value,
        "occurred_at": utcnow(),
        "dispatched_at": None,
    }


def emit(
    session: Session, principal: Principal, name: str, /, *, once: Hashable = None, **payload: Any
) -> UUID | None:
    """Queue a domain event (the outbox row) and its relay after commit, as ``events.emit``
    does without its flush. Returns the event's id, or None when ``once`` was seen."""
    row = event_row(principal, name, payload)
    if not append(session, EVENTS, row, once=once):
        return None
    publish_after_commit(session, row["tenant_id"], row["id"])
    return UUID(str(row["id"]))


def audit(
    session: Session,
    principal: Principal,
    action: str,
    *,
    target_type: str,
    target_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Queue an audit entry as ``audit.record`` writes it (outcome ``success``)."""
    append(
        session,
        AUDIT,
        {
            "tenant_id": principal.tenant_id,
            "id": uuid7(),
            "occurred_at": utcnow(),
            "actor_type": principal.actor_type.value,
            "actor_id": principal.user_id,
            "automation_id": principal.automation_id,
            "channel": principal.channel.value,
            "action": action,
            "outcome": "success",
            "target_type": target_type,
            "target_id": str(target_id),
            "summary": jsonable({"before": before, "after": after}),
            "request_id": principal.request_id,
            "ip": None,
        },
    )


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    # A released savepoint keeps its rows queued: the outer transaction writes them (or
    # drops them, if it rolls back).
    if not session.in_nested_transaction():
        write_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    session = state.session
    if not state.is_select or not pending(session):
        return
    queued = {table for _, table, _ in session.info[_QUEUE].rows}
    statement: Any = state.statement
    if any(table in queued for table in find_tables(statement, include_joins=True)):
        write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queue: _Queue | None = session.info.get(_QUEUE)
    if queue:
        queue.rows = [r for r in queue.rows if not within(r[0], previous_transaction)]
        for key in [k for k, s in queue.once.items() if within(s, previous_transaction)]:
            del queue.once[key]


@event.listens_for(Session, "after_commit")
def _clear_committed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_QUEUE, None)
