"""Engines and units of work.

One transaction per unit of work (an HTTP request, an agent turn, a Celery task): services
``flush``; the unit of work commits when its block ends without error and rolls back
otherwise. Work queued with ``on_commit`` (Celery jobs, outbox relays) runs only after a
successful commit and is dropped on rollback.

Domain events queued with ``publish_after_commit`` go to the publisher together: one call
per tenant with every event the transaction committed (``publisher(tenant_id, *event_ids)``),
so an operation that emits two events sends one relay message, not two.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction

from domain.kit.rls import TenantSigner
from domain.kit.transaction import within

_AFTER_COMMIT = "comptoir.after_commit"
# Where a unit of work keeps its domain-event publisher (read by domain.events.service).
EVENT_PUBLISHER = "comptoir.event_publisher"
# ``publisher(tenant_id, *event_ids)``: hands committed events to their relay (Celery).
EventPublisher = Callable[..., None]


def sqlalchemy_url(url: str) -> str:
    """Accept ``postgresql://`` (libpq style) and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same URL without the SQLAlchemy driver suffix (for psycopg and CLI tools)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: object) -> Engine:
    """Every engine of Comptoir. ``hide_parameters``: bound values (password hashes,
    tokens, personal data) never appear in SQLAlchemy's logs or in the text of its errors,
    which end up in logs and tracebacks.

    A pooled connection the server has closed (a restart, an idle timeout, a terminated
    backend) is replaced when it is checked out, as ``pool_pre_ping`` would, but without
    its round trip: see ``_refuse_closed_connection``."""
    engine = create_engine(sqlalchemy_url(url), hide_parameters=True, **kwargs)
    event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: object, proxy: object) -> None:
    """The pool's checkout: a connection idle in the pool has nothing to read, unless the
    server has spoken since — a backend that is shut down or terminated sends its FATAL
    error and closes the socket, which makes it readable (and an end of file is readable
    too). Polling the socket costs a system call where ``pool_pre_ping`` sends a
    ``SELECT 1`` and waits for it. On ``DisconnectionError`` SQLAlchemy discards the
    connection and checks out another (a rare notice readable here costs a reconnection,
    never an error). A server that vanished without closing anything is found by the
    first statement: see ``Database.unit_of_work``."""
    if dbapi_connection.closed:
        raise DisconnectionError("connection closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection or spoke out of turn")


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after the session's transaction commits; forget it on rollback —
    of the whole transaction, or of the savepoint it was queued in (work queued before
    that savepoint is kept)."""
    _queue_after_commit(session, callback)


@dataclass(frozen=True, slots=True)
class _Publish:
    """An event to hand to the unit of work's publisher once the transaction commits."""

    publisher: EventPublisher
    tenant_id: UUID
    event_id: UUID


def publish_after_commit(session: Session, tenant_id: UUID, event_id: UUID) -> None:
    """Relay the event ``event_id`` after the commit that writes it — dropped with the
    transaction or savepoint it was queued in, like ``on_commit`` work. Every event of one
    transaction goes to the publisher in one call per tenant (in the order they were
    queued); nothing is published when the unit of work has no publisher."""
    publisher: EventPublisher | None = session.info.get(EVENT_PUBLISHER)
    if publisher is not None:
        _queue_after_commit(session, _Publish(publisher, tenant_id, event_id))


def _queue_after_commit(session: Session, work: Callable[[], None] | _Publish) -> None:
    scope = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_AFTER_COMMIT, []).append((scope, work))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # SQLAlchemy also fires ``after_commit`` when a SAVEPOINT is released (a tool's
    # ``begin_nested``): the outer transaction has not committed yet, so a relay sent now
    # races the commit, finds nothing and leaves the event to the sweep.
    if session.in_nested_transaction():
        return
    queued = session.info.pop(_AFTER_COMMIT, [])
    batches: dict[tuple[EventPublisher, UUID], list[UUID]] = {}
    for _, work in queued:
        if isinstance(work, _Publish):
            batches.setdefault((work.publisher, work.tenant_id), []).append(work.event_id)
        else:
            work()
    for (publisher, tenant_id), event_ids in batches.items():
        publisher(tenant_id, *event_ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(_AFTER_COMMIT)
    if queued:
        kept = [(s, c) for s, c in queued if not within(s, previous_transaction)]
        session.info[_AFTER_COMMIT] = kept


class Database:
    """The application's connection (RLS-subject role) and its units of work."""

    def __init__(
        self,
        engine: Engine,
        signer: TenantSigner,
        event_publisher: EventPublisher | None = None,
    ) -> None:
        self.engine = engine
        self._signer = signer
        self.event_publisher = event_publisher

    @contextmanager
    def unit_of_work(self, tenant_id: UUID | None = None) -> Iterator[Session]:
        """A transaction scoped to ``tenant_id`` (or to no tenant: tenant tables read empty)."""
        with Session(self.engine, expire_on_commit=False, autoflush=True) as session:
            session.info[EVENT_PUBLISHER] = self.event_publisher
            with self._begin(session, tenant_id):
                yield session

    def _begin(self, session: Session, tenant_id: UUID | None) -> SessionTransaction:
        """Begin, and bind the tenant. When that first statement finds the connection
        dead (the server went away without closing it, so the checkout saw nothing),
        SQLAlchemy has invalidated it — and the rest of the pool with it; nothing was done
        in the transaction yet, so it is begun again, once, on a fresh connection."""
        try:
            return self._begin_bound(session, tenant_id)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return self._begin_bound(session, tenant_id)

    def _begin_bound(self, session: Session, tenant_id: UUID | None) -> SessionTransaction:
        transaction = session.begin()
        if tenant_id is not None:
            try:
                self.bind_tenant(session, tenant_id)
            except BaseException:
                transaction.rollback()
                raise
        return transaction

    def bind_tenant(self, session: Session, tenant_id: UUID) -> None:
        """Scope the current transaction to ``tenant_id`` (``SET LOCAL``-like). Sent as the
        driver's SQL: the ORM's execution machinery would cost more than the statement."""
        session.connection().exec_driver_sql(
            "SELECT set_config('app.tenant', %(value)s, true)",
            {"value": self._signer.sign(tenant_id)},
        )
        session.info["tenant_id"] = tenant_id

    def dispose(self) -> None:
        self.engine.dispose()
