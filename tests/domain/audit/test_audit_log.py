"""The audit log is append-only: the application role cannot change or erase it, and a
trigger refuses it even to the owner."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from comptoir.bootstrap import Container
from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.kit.principal import Channel
from tests.factories import make_tenant


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_log SET action = 'rien'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ],
    )
    def test_application_role_cannot_change_it(self, container: Container, statement: str) -> None:
        account = make_tenant(container)
        with pytest.raises(ProgrammingError, match="permission denied"):
            with container.db.unit_of_work(account.tenant_id) as s:
                s.execute(text(statement))
        with container.db.unit_of_work(account.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM audit_log")) == 1

    @pytest.mark.parametrize("table", ["audit_log", "platform_audit_log"])
    def test_even_the_owner_cannot_change_it(self, container: Container, table: str) -> None:
        make_tenant(container)
        with pytest.raises(DBAPIError, match="append-only"):
            with container.owner_engine.begin() as conn:
                conn.execute(text(f"UPDATE {table} SET action = 'rien'"))
        with pytest.raises(DBAPIError, match="append-only"):
            with container.owner_engine.begin() as conn:
                conn.execute(text(f"DELETE FROM {table}"))

    def test_platform_log_is_write_only_for_the_application(self, container: Container) -> None:
        audit.record_attempt(
            container.db,
            RequestContext(channel=Channel.WEB),
            "auth.login",
            outcome="denied",
            tenant_hint="inconnue",
        )
        with pytest.raises(ProgrammingError, match="permission denied"):
            with container.db.unit_of_work() as s:
                s.execute(text("SELECT * FROM platform_audit_log")).all()


class TestContent:
    def test_a_write_records_who_what_and_after(self, container: Container) -> None:
        account = make_tenant(container, name="Quincaillerie Sow")
        with container.db.unit_of_work(account.tenant_id) as s:
            row = s.execute(
                text(
                    "SELECT actor_type, actor_id, channel, action, target_type, target_id, summary "
                    "FROM audit_log"
                )
            ).one()
        assert (row.actor_type, row.actor_id, row.channel, row.action, row.target_type) == (
            "user",
            account.user_id,
            "cli",
            "tenant.create",
            "tenant",
        )
        assert row.target_id == str(account.tenant_id)
        assert row.summary["after"]["name"] == "Quincaillerie Sow"
        assert row.summary["before"] is None
