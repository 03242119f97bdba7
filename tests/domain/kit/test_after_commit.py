"""Work queued for after commit (event relays, Celery jobs) runs once the unit of work has
committed — not when a savepoint inside it is released — and never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.db import on_commit


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
