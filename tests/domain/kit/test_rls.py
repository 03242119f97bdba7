"""Tenant isolation is enforced by PostgreSQL, even for raw SQL in the app's own session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from comptoir.bootstrap import Container
from domain.kit.ids import uuid7
from domain.kit.rls import TenantSigner
from tests.factories import Account, make_member, make_tenant

TABLES = ["tenants", "users", "memberships", "audit_log", "auth_sessions", "refresh_tokens"]


@pytest.fixture(scope="module")
def two(container: Container) -> tuple[Account, Account]:
    a = make_tenant(container, name="Alpha")
    b = make_tenant(container, name="Beta", country="SN")
    make_member(container, b)
    return a, b


def read_memberships_as(container: Container, account: Account, context: str) -> None:
    """Raw SQL in the app's session that tries to re-scope itself to ``context``."""
    with container.db.unit_of_work(account.tenant_id) as s:
        s.execute(text("SELECT set_config('app.tenant', :v, true)"), {"v": context})
        s.execute(text("SELECT count(*) FROM memberships")).all()


class TestWithoutTenant:
    @pytest.mark.parametrize("table", TABLES)
    def test_tenant_tables_read_empty(self, container: Container, two: object, table: str) -> None:
        with container.db.unit_of_work() as s:
            assert s.scalar(text(f"SELECT count(*) FROM {table}")) == 0

    def test_writes_fail(self, container: Container, two: tuple[Account, Account]) -> None:
        _, b = two
        with pytest.raises(ProgrammingError, match="row-level security"):
            with container.db.unit_of_work() as s:
                s.execute(
                    text(
                        "INSERT INTO memberships (tenant_id, id, user_id, roles, is_active)"
                        " VALUES (:t, :i, :u, ARRAY['admin'], true)"
                    ),
                    {"t": b.tenant_id, "i": uuid7(), "u": b.user_id},
                )

    def test_updates_and_deletes_touch_nothing(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        with container.db.unit_of_work() as s:
            assert s.execute(text("UPDATE memberships SET is_active = false")).rowcount == 0
            assert s.execute(text("DELETE FROM auth_sessions")).rowcount == 0


class TestAcrossTenants:
    def test_a_sees_only_its_rows(self, container: Container, two: tuple[Account, Account]) -> None:
        a, b = two
        with container.db.unit_of_work(a.tenant_id) as s:
            tenants = s.execute(text("SELECT id FROM tenants")).scalars().all()
            members = s.execute(text("SELECT DISTINCT tenant_id FROM memberships")).scalars().all()
            users = s.execute(text("SELECT id FROM users")).scalars().all()
            named_b = s.scalar(
                text("SELECT count(*) FROM memberships WHERE tenant_id = :b"), {"b": b.tenant_id}
            )
        assert tenants == [a.tenant_id]
        assert members == [a.tenant_id]
        assert users == [a.user_id]
        assert named_b == 0

    def test_a_cannot_update_or_delete_b(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        a, b = two
        with container.db.unit_of_work(a.tenant_id) as s:
            assert (
                s.execute(
                    text("UPDATE memberships SET roles = ARRAY['employee'] WHERE tenant_id = :b"),
                    {"b": b.tenant_id},
                ).rowcount
                == 0
            )
            assert (
                s.execute(
                    text("DELETE FROM memberships WHERE tenant_id = :b"), {"b": b.tenant_id}
                ).rowcount
                == 0
            )
            assert (
                s.execute(
                    text("UPDATE tenants SET name = 'pwned' WHERE id = :b"), {"b": b.tenant_id}
                ).rowcount
                == 0
            )
            assert (
                s.execute(
                    text("UPDATE users SET name = 'pwned' WHERE id = :u"), {"u": b.user_id}
                ).rowcount
                == 0
            )
        with container.db.unit_of_work(b.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM memberships")) == 2
            assert s.scalar(text("SELECT name FROM tenants")) == "Beta"

    def test_a_cannot_insert_into_b(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        a, b = two
        with pytest.raises(ProgrammingError, match="row-level security"):
            with container.db.unit_of_work(a.tenant_id) as s:
                s.execute(
                    text(
                        "INSERT INTO auth_sessions (tenant_id, id, user_id, channel) "
                        "VALUES (:b, :i, :u, 'api')"
                    ),
                    {"b": b.tenant_id, "i": uuid7(), "u": b.user_id},
                )

    @pytest.mark.parametrize("forgery", ["unsigned", "zero-mac", "a-mac-on-b", "other-key"])
    def test_switching_tenant_by_hand_is_refused(
        self, container: Container, two: tuple[Account, Account], forgery: str
    ) -> None:
        a, b = two
        a_mac = TenantSigner(container.settings.resolved_secret_key()).sign(a.tenant_id)
        forged = {
            "unsigned": str(b.tenant_id),
            "zero-mac": f"{b.tenant_id}.{'0' * 64}",
            "a-mac-on-b": f"{b.tenant_id}.{a_mac.split('.')[1]}",
            "other-key": TenantSigner("not-the-key").sign(b.tenant_id),
        }[forgery]
        with pytest.raises(DBAPIError, match="invalid tenant context"):
            read_memberships_as(container, a, forged)

    def test_the_signing_key_is_out_of_reach(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        with pytest.raises(ProgrammingError, match="permission denied"):
            with container.db.unit_of_work(two[0].tenant_id) as s:
                s.execute(text("SELECT * FROM tenant_guard")).all()

    def test_tenant_context_ends_with_the_transaction(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        a, _ = two
        with container.db.engine.connect() as conn:
            from sqlalchemy.orm import Session

            with Session(bind=conn) as s:
                container.db.bind_tenant(s, a.tenant_id)
                assert s.scalar(text("SELECT count(*) FROM tenants")) == 1
                s.commit()
                assert s.scalar(text("SELECT count(*) FROM tenants")) == 0


# The attacker's own HMAC key: a temporary tenant_guard holding its pads would let it sign
# a context for any tenant, were the definer function to read that table.
ATTACKER = TenantSigner("chosen-by-the-attacker")
SHADOW_GUARD = (
    "CREATE TEMP TABLE tenant_guard (id int PRIMARY KEY, inner_key bytea, outer_key bytea)"
)
# What migrations 0001-0009 set; migration 0010 appends pg_temp.
PATH_WITHOUT_PG_TEMP = "pg_catalog, public"


@contextmanager
def granted_temp(container: Container, shadowed: str, path: str | None) -> Iterator[Connection]:
    """An owner transaction, always rolled back, in which the application role has TEMPORARY
    on the database again (to test the definer functions on their own); ``path`` (if given)
    is set on ``shadowed`` first, to show what the function did before pg_temp came last."""
    with container.owner_engine.connect() as conn:
        conn.begin()
        database = conn.scalar(text("SELECT current_database()"))
        conn.execute(text(f'GRANT TEMPORARY ON DATABASE "{database}" TO {app_role(container)}'))
        if path is not None:
            conn.execute(text(f"ALTER FUNCTION {shadowed} SET search_path = {path}"))
        try:
            yield conn
        finally:
            conn.rollback()


def app_role(container: Container) -> str:
    role = container.app_role_credentials[0]
    return str(container.owner_engine.dialect.identifier_preparer.quote(role))


def forge_with_shadow_guard(conn: Connection, victim: UUID) -> int:
    """Shadow tenant_guard with the attacker's keys, sign a context for ``victim`` with them
    and count the victim's memberships."""
    inner, outer = ATTACKER.pads()
    conn.execute(text(SHADOW_GUARD))
    conn.execute(text("INSERT INTO tenant_guard VALUES (1, :i, :o)"), {"i": inner, "o": outer})
    conn.execute(text("SELECT set_config('app.tenant', :v, true)"), {"v": ATTACKER.sign(victim)})
    count = conn.scalar(
        text("SELECT count(*) FROM memberships WHERE tenant_id = :t"), {"t": victim}
    )
    return int(count or 0)


def release_with_shadow_users(conn: Connection, victim: UUID) -> int:
    """Shadow users with a row calling the (verified) victim unverified, then ask the
    definer function to detach the victim from every business but a made-up one."""
    conn.execute(text("CREATE TEMP TABLE users (id uuid, email_verified_at timestamptz)"))
    conn.execute(text("INSERT INTO users VALUES (:u, NULL)"), {"u": victim})
    released = conn.scalar(
        text("SELECT comptoir_release_unverified_account(:u, :keep)"),
        {"u": victim, "keep": uuid7()},
    )
    return int(released or 0)


class TestTemporaryShadowTables:
    """SQL smuggled into the app's session shadows a table a definer function reads."""

    def test_the_app_role_may_not_create_temporary_tables(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        with pytest.raises(ProgrammingError, match="permission denied to create temporary"):
            with container.db.unit_of_work(two[0].tenant_id) as s:
                s.execute(text(SHADOW_GUARD))

    def test_a_shadow_tenant_guard_cannot_forge_a_context(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        with granted_temp(container, "comptoir_current_tenant()", None) as conn:
            conn.execute(text(f"SET LOCAL ROLE {app_role(container)}"))
            with pytest.raises(DBAPIError, match="invalid tenant context"):
                forge_with_shadow_guard(conn, two[1].tenant_id)

    def test_without_pg_temp_last_the_forgery_shows_the_victims_rows(
        self, container: Container, two: tuple[Account, Account]
    ) -> None:
        """The probe above is a real attack: with the former search_path it succeeds."""
        path = PATH_WITHOUT_PG_TEMP
        with granted_temp(container, "comptoir_current_tenant()", path) as conn:
            conn.execute(text(f"SET LOCAL ROLE {app_role(container)}"))
            assert forge_with_shadow_guard(conn, two[1].tenant_id) >= 2

    @pytest.mark.parametrize("path", [None, PATH_WITHOUT_PG_TEMP], ids=["shipped", "former"])
    def test_a_shadow_users_table_cannot_release_a_verified_account(
        self, container: Container, two: tuple[Account, Account], path: str | None
    ) -> None:
        victim = two[1].user_id
        release = "comptoir_release_unverified_account(uuid, uuid)"
        with granted_temp(container, release, path) as conn:
            conn.execute(
                text("UPDATE users SET email_verified_at = now() WHERE id = :u"), {"u": victim}
            )
            conn.execute(text(f"SET LOCAL ROLE {app_role(container)}"))
            released = release_with_shadow_users(conn, victim)
        assert released == (0 if path is None else 1)
