"""Pooled connections the server has closed are replaced before a unit of work uses them,
without a round trip per checkout (the pool's pre-ping is off)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from sqlalchemy import event, text

from comptoir.bootstrap import Container
from domain.kit.db import Database, _refuse_closed_connection, make_engine
from domain.kit.rls import TenantSigner
from tests.factories import make_tenant


def backend_pid(db: Database, tenant_id: UUID | None = None) -> int:
    with db.unit_of_work(tenant_id) as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")))


def terminate_app_backends(container: Container) -> int:
    """End every backend of the application role, as a server restart would."""
    role, _ = container.app_role_credentials
    with container.owner_engine.connect() as owner:
        ended = owner.scalar(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                "FROM pg_stat_activity WHERE usename = :role AND pid <> pg_backend_pid()"
            ),
            {"role": role},
        )
        owner.commit()
    return int(ended or 0)


@pytest.fixture
def fresh_db(container: Container) -> Iterator[Database]:
    """A Database of its own, so that the test knows every connection in its pool."""
    signer = TenantSigner(container.settings.resolved_secret_key())
    db = Database(make_engine(container.app_database_url), signer)
    try:
        yield db
    finally:
        db.dispose()


class TestClosedConnections:
    def test_a_terminated_backend_is_replaced_at_checkout(
        self, container: Container, fresh_db: Database
    ) -> None:
        tenant = make_tenant(container).tenant_id
        before = {backend_pid(fresh_db), backend_pid(fresh_db, tenant)}
        assert terminate_app_backends(container) >= 1
        for tenant_id in (None, tenant, tenant):
            assert backend_pid(fresh_db, tenant_id) not in before

    def test_the_first_statement_finding_it_dead_begins_again(
        self, container: Container, fresh_db: Database
    ) -> None:
        """A server gone without closing the socket is not seen at checkout: the unit of
        work's first statement (binding the tenant) fails on it, and the unit of work
        starts again on a fresh connection."""
        event.remove(fresh_db.engine, "checkout", _refuse_closed_connection)
        tenant = make_tenant(container).tenant_id
        before = backend_pid(fresh_db, tenant)
        assert terminate_app_backends(container) >= 1
        assert backend_pid(fresh_db, tenant) != before
        with fresh_db.unit_of_work(tenant) as session:
            assert session.scalar(text("SELECT current_setting('app.tenant')")) != ""
