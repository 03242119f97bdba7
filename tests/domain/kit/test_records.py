"""Events and audit entries queued by a unit of work are written at its commit, in its
transaction: read back by the transaction itself, dropped with a rolled-back savepoint or
transaction, ``once`` keeping one row per transaction. Values remembered by a
transaction end with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.events.models import DomainEvent
from domain.kit import records
from domain.kit.principal import Principal
from domain.kit.transaction import recall, remember
from tests.factories import Account, make_tenant


@pytest.fixture(scope="module")
def account(container: Container) -> Account:
    return make_tenant(container)


def names(container: Container, account: Account) -> list[str]:
    with container.db.unit_of_work(account.tenant_id) as session:
        found = session.scalars(
            text("SELECT name FROM domain_events WHERE name LIKE 'essai.%' ORDER BY name")
        )
        return list(found)


class TestQueuedRecords:
    def test_written_at_commit_with_their_audit_entry(
        self, container: Container, account: Account
    ) -> None:
        principal: Principal = account.principal()
        with container.db.unit_of_work(account.tenant_id) as session:
            event_id = records.emit(session, principal, "essai.commit", amount=3)
            records.audit(session, principal, "essai.commit", target_type="x", target_id=1)
            assert records.pending(session)
        with container.db.unit_of_work(account.tenant_id) as session:
            event = session.get(DomainEvent, (account.tenant_id, event_id))
            assert event is not None and event.payload == {"amount": 3}
            audited = session.scalar(
                select(func.count()).where(AuditEntry.action == "essai.commit")
            )
        assert audited == 1

    def test_the_transaction_reads_its_own(self, container: Container, account: Account) -> None:
        with container.db.unit_of_work(account.tenant_id) as session:
            records.emit(session, account.principal(), "essai.lu")
            found = session.scalar(
                select(func.count()).select_from(DomainEvent).where(DomainEvent.name == "essai.lu")
            )
            assert found == 1 and not records.pending(session)

    def test_a_rollback_drops_them(self, container: Container, account: Account) -> None:
        def fail_after_queueing() -> None:
            with container.db.unit_of_work(account.tenant_id) as session:
                records.emit(session, account.principal(), "essai.annule")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_after_queueing()
        assert "essai.annule" not in names(container, account)

    def test_a_rolled_back_savepoint_drops_only_its_own(
        self, container: Container, account: Account
    ) -> None:
        with container.db.unit_of_work(account.tenant_id) as session:
            records.emit(session, account.principal(), "essai.avant")
            savepoint = session.begin_nested()
            records.emit(session, account.principal(), "essai.dedans")
            savepoint.rollback()
            with session.begin_nested():
                records.emit(session, account.principal(), "essai.garde")
        found = names(container, account)
        assert "essai.avant" in found and "essai.garde" in found
        assert "essai.dedans" not in found

    def test_once_per_transaction_unless_its_savepoint_rolled_back(
        self, container: Container, account: Account
    ) -> None:
        principal = account.principal()
        with container.db.unit_of_work(account.tenant_id) as session:
            savepoint = session.begin_nested()
            assert records.emit(session, principal, "essai.unique", once="u") is not None
            savepoint.rollback()
            assert records.emit(session, principal, "essai.unique", once="u") is not None
            assert records.emit(session, principal, "essai.unique", once="u") is None
        assert names(container, account).count("essai.unique") == 1


class TestRemembered:
    def test_forgotten_at_commit_and_with_a_rolled_back_savepoint(
        self, container: Container
    ) -> None:
        with Session(container.db.engine) as session:
            with session.begin():
                remember(session, "kept", 1)
                savepoint = session.begin_nested()
                remember(session, "inside", 2)
                savepoint.rollback()
                assert recall(session, "kept") == 1 and recall(session, "inside") is None
            with session.begin():  # the next transaction of the same session
                assert recall(session, "kept") is None
