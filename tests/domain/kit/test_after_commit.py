"""Work queued for after commit (event relays, Celery jobs) runs once the unit of work has
committed — not when a savepoint inside it is released — and never after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.db import _AFTER_COMMIT, on_commit, publish_after_commit


class TestAfterCommit:
    def test_a_released_savepoint_does_not_run_it(self, container: Container) -> None:
        ran: list[str] = []
        with container.db.unit_of_work() as session:
            with session.begin_nested():
                on_commit(session, lambda: ran.append("job"))
            assert ran == []  # the savepoint is released, the transaction still open
            session.execute(text("SELECT 1"))
            assert ran == []
        assert ran == ["job"]

    def test_a_rollback_drops_it(self, container: Container) -> None:
        ran: list[str] = []

        def fail_after_queueing() -> None:
            with container.db.unit_of_work() as session:
                on_commit(session, lambda: ran.append("job"))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_after_queueing()
        assert ran == []

    def test_a_rolled_back_savepoint_drops_only_its_own(self, container: Container) -> None:
        """A tool that fails inside its savepoint must not cancel what an earlier tool of
        the same turn queued."""
        ran: list[str] = []
        with container.db.unit_of_work() as session:
            on_commit(session, lambda: ran.append("before"))
            savepoint = session.begin_nested()
            on_commit(session, lambda: ran.append("inside"))
            with session.begin_nested():
                on_commit(session, lambda: ran.append("deeper"))
            savepoint.rollback()
            on_commit(session, lambda: ran.append("after"))
        assert ran == ["before", "after"]


class TestPublishAfterCommit:
    """Events go to the publisher once the unit of work commits, all of a transaction's
    events of one tenant in one call (one relay message), in the order they were queued."""

    @pytest.fixture
    def published(self, container: Container) -> Iterator[list[tuple[UUID, ...]]]:
        calls: list[tuple[UUID, ...]] = []
        kept, container.db.event_publisher = (
            container.db.event_publisher,
            lambda tenant_id, *event_ids: calls.append((tenant_id, *event_ids)),
        )
        try:
            yield calls
        finally:
            container.db.event_publisher = kept

    def test_one_call_per_transaction(
        self, container: Container, published: list[tuple[UUID, ...]]
    ) -> None:
        tenant, first, second = uuid4(), uuid4(), uuid4()
        with container.db.unit_of_work() as session:
            publish_after_commit(session, tenant, first)
            publish_after_commit(session, tenant, second)
            session.execute(text("SELECT 1"))
            assert published == []
        assert published == [(tenant, first, second)]

    def test_one_call_per_tenant(
        self, container: Container, published: list[tuple[UUID, ...]]
    ) -> None:
        one, other = uuid4(), uuid4()
        events = [uuid4() for _ in range(3)]
        with container.db.unit_of_work() as session:
            publish_after_commit(session, one, events[0])
            publish_after_commit(session, other, events[1])
            publish_after_commit(session, one, events[2])
        assert published == [(one, events[0], events[2]), (other, events[1])]

    def test_a_rolled_back_savepoint_drops_only_its_events(
        self, container: Container, published: list[tuple[UUID, ...]]
    ) -> None:
        tenant, kept, dropped, later = uuid4(), uuid4(), uuid4(), uuid4()
        with container.db.unit_of_work() as session:
            publish_after_commit(session, tenant, kept)
            savepoint = session.begin_nested()
            publish_after_commit(session, tenant, dropped)
            savepoint.rollback()
            publish_after_commit(session, tenant, later)
        assert published == [(tenant, kept, later)]

    def test_a_rollback_publishes_nothing(
        self, container: Container, published: list[tuple[UUID, ...]]
    ) -> None:
        def fail_after_queueing() -> None:
            with container.db.unit_of_work() as session:
                publish_after_commit(session, uuid4(), uuid4())
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_after_queueing()
        assert published == []

    def test_nothing_without_a_publisher(self, container: Container) -> None:
        kept, container.db.event_publisher = container.db.event_publisher, None
        try:
            with container.db.unit_of_work() as session:
                publish_after_commit(session, uuid4(), uuid4())
                assert session.info.get(_AFTER_COMMIT, []) == []
        finally:
            container.db.event_publisher = kept
