"""A real Celery worker on the real (embedded) Redis: housekeeping and the event relay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlalchemy import text
from sqlalchemy.orm import Session

from automations import events as relay
from automations import maintenance
from automations.celery_app import app as celery_app
from automations.celery_app import configure
from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.events.models import DomainEvent
from domain.events.service import emit
from domain.kit import records
from domain.kit.clock import ManualClock
from tests.factories import authentication_at, make_tenant


@pytest.fixture(scope="module")
def worker_app(container: Container) -> Iterator[Celery]:
    configure(container.endpoints.redis_url)
    maintenance.use_container(container)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield celery_app
    finally:
        maintenance.use_container(None)


def dispatched(container: Container, tenant_id: object) -> list[tuple[str, bool]]:
    with container.db.unit_of_work(tenant_id) as s:  # type: ignore[arg-type]
        rows = s.execute(
            text(
                "SELECT name, dispatched_at IS NOT NULL AS done "
                "FROM domain_events ORDER BY occurred_at"
            )
        )
        return [(r.name, r.done) for r in rows]


def wait_until(condition: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


class TestWorker:
    def test_round_trip_through_redis(self, worker_app: Celery) -> None:
        assert maintenance.ping.delay().get(timeout=20) == "pong"

    def test_purge_job_runs_in_the_worker(self, worker_app: Celery, container: Container) -> None:
        # A login eight days ago left a refresh token that expired yesterday.
        auth = authentication_at(container, ManualClock(datetime.now(UTC) - timedelta(days=8)))
        account = make_tenant(container)
        auth.login(RequestContext(), email=account.email, password=account.password)
        assert maintenance.purge_refresh_tokens.delay().get(timeout=20) >= 1
        with container.db.unit_of_work(account.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM refresh_tokens")) == 0

    def test_beat_schedule_names_registered_tasks(self, worker_app: Celery) -> None:
        for entry in worker_app.conf.beat_schedule.values():
            assert entry["task"] in worker_app.tasks


class TestEventRelay:
    def test_committed_events_reach_subscribers_once(
        self, worker_app: Celery, container: Container
    ) -> None:
        seen: list[tuple[str, object]] = []

        def record(session: Session, event: DomainEvent) -> None:
            seen.append((event.name, event.tenant_id))

        relay.subscribe("tenant.created")(record)
        try:
            account = make_tenant(container)
            wait_until(
                lambda: dispatched(container, account.tenant_id) == [("tenant.created", True)]
            )
        finally:
            relay.SUBSCRIBERS["tenant.created"].remove(record)
        assert seen.count(("tenant.created", account.tenant_id)) == 1
        # Relaying it again finds nothing to do.
        event_id = self._event_ids(container, account.tenant_id)[0]
        assert relay.relay_event(container, account.tenant_id, event_id) is False

    def test_rolled_back_writes_leave_no_event(self, container: Container) -> None:
        account = make_tenant(container)

        def emit_then_fail() -> None:
            with container.db.unit_of_work(account.tenant_id) as session:
                emit(session, account.principal(), "test.rolled_back")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            emit_then_fail()
        assert "test.rolled_back" not in [n for n, _ in dispatched(container, account.tenant_id)]

    def test_sweep_relays_what_the_broker_missed(
        self, worker_app: Celery, container: Container
    ) -> None:
        publisher = container.db.event_publisher
        container.db.event_publisher = None  # as if Redis was down at commit time
        try:
            account = make_tenant(container)
        finally:
            container.db.event_publisher = publisher
        assert dispatched(container, account.tenant_id) == [("tenant.created", False)]
        later = Container(
            settings=container.settings,
            endpoints=container.endpoints,
            clock=ManualClock(datetime.now(UTC) + timedelta(minutes=5)),
        )
        later.__dict__["db"] = container.db
        found = relay.pending_events(later, grace=timedelta(seconds=30))
        assert (account.tenant_id, self._event_ids(container, account.tenant_id)[0]) in found
        for tenant_id, event_id in found:
            relay.relay.delay(str(tenant_id), str(event_id))
        wait_until(lambda: dispatched(container, account.tenant_id) == [("tenant.created", True)])

    def test_one_message_carries_a_transactions_events(
        self, worker_app: Celery, container: Container
    ) -> None:
        account = make_tenant(container)
        wait_until(lambda: dispatched(container, account.tenant_id) == [("tenant.created", True)])
        sent: list[tuple[object, ...]] = []
        seen: list[tuple[str, object]] = []
        publisher = container.db.event_publisher
        assert publisher is not None

        def counting(tenant_id: UUID, *event_ids: UUID) -> None:
            sent.append((tenant_id, *event_ids))
            publisher(tenant_id, *event_ids)

        def record(session: Session, event: DomainEvent) -> None:
            seen.append((event.name, event.payload["n"]))

        relay.subscribe("test.batched")(record)
        container.db.event_publisher = counting
        try:
            with container.db.unit_of_work(account.tenant_id) as session:
                first = emit(session, account.principal(), "test.batched", n=1).id
                second = records.emit(session, account.principal(), "test.batched", n=2)
            wait_until(lambda: all(done for _, done in dispatched(container, account.tenant_id)))
        finally:
            container.db.event_publisher = publisher
            relay.SUBSCRIBERS["test.batched"].remove(record)
        assert sent == [(account.tenant_id, first, second)]
        assert seen == [("test.batched", 1), ("test.batched", 2)]

    def test_a_failing_event_does_not_hold_back_the_others(self, container: Container) -> None:
        account = make_tenant(container)
        publisher, container.db.event_publisher = container.db.event_publisher, None
        try:  # relayed below, by hand, not by a worker
            with container.db.unit_of_work(account.tenant_id) as session:
                failing = emit(session, account.principal(), "test.failing").id
                fine = emit(session, account.principal(), "test.fine").id
        finally:
            container.db.event_publisher = publisher

        def fail(session: Session, event: DomainEvent) -> None:
            raise RuntimeError("subscriber down")

        relay.subscribe("test.failing")(fail)
        try:
            with pytest.raises(RuntimeError, match="subscriber down"):
                relay.relay_events(container, account.tenant_id, [failing, fine])
        finally:
            relay.SUBSCRIBERS["test.failing"].remove(fail)
        state = dict(dispatched(container, account.tenant_id))
        assert state["test.failing"] is False  # left to the sweep
        assert state["test.fine"] is True

    @staticmethod
    def _event_ids(container: Container, tenant_id: object) -> list[object]:
        with container.db.unit_of_work(tenant_id) as s:  # type: ignore[arg-type]
            return list(s.scalars(text("SELECT id FROM domain_events ORDER BY occurred_at")))
