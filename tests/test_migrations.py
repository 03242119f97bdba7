"""The schema as migrations build it is the schema the models describe, and it keeps the
tenancy rules every table must follow."""

from __future__ import annotations

import logging
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from comptoir import dbadmin
from comptoir.bootstrap import Container, build_container
from comptoir.runtime import Endpoints
from comptoir.settings import ConfigurationError, Settings
from domain.kit.clock import SystemClock
from domain.kit.db import make_engine
from domain.models import metadata


class TestMigrations:
    def test_models_and_migrations_do_not_drift(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == [], f"models and migrations differ: {diff}"

    def test_downgrade_then_upgrade_round_trips(
        self, server_url: str, container: Container
    ) -> None:
        name = f"comptoir_roundtrip_{secrets.token_hex(4)}"
        engine = make_engine(dbadmin.create_database(server_url, name))
        try:
            dbadmin.migrate(engine)
            with engine.begin() as conn:
                config = dbadmin.alembic_config()
                config.attributes["connection"] = conn
                from alembic import command

                command.downgrade(config, "base")
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT to_regclass('public.tenants')")) is None
            dbadmin.migrate(engine)
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT to_regclass('public.tenants')")) is not None
        finally:
            engine.dispose()
            dbadmin.drop_database(server_url, name)


TENANT_TABLES = """
SELECT c.relname, c.relrowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
"""

INDEXES = """
SELECT i.indexrelid::regclass::text AS index, c.relname AS table,
       (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[0]) AS first
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = 'public'::regnamespace
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
"""


class TestTenancyRules:
    def test_every_tenant_table_is_protected_by_rls(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            rows = conn.execute(text(TENANT_TABLES)).all()
        assert {r.relname for r in rows} >= {"memberships", "audit_log", "auth_sessions"}
        unprotected = [r.relname for r in rows if not r.relrowsecurity or r.policies == 0]
        assert unprotected == []

    def test_tenant_id_leads_every_index_and_unique_constraint(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            rows = conn.execute(text(INDEXES)).all()
        assert rows, "expected indexes on tenant tables"
        # HNSW and GIN indexes take one column (see domain.documents.models); RLS and the
        # retrieval statement still filter by tenant.
        single_column = {"ix_document_chunks_embedding_hnsw", "ix_document_chunks_search_gin"}
        assert sorted(r.index for r in rows if r.first != "tenant_id") == sorted(single_column)

    def test_tenant_id_is_never_nullable(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            nullable = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE column_name = 'tenant_id' AND table_schema = 'public' "
                    "AND is_nullable = 'YES'"
                )
            ).all()
        assert nullable == []

    def test_application_role_cannot_bypass_rls(self, container: Container) -> None:
        with container.db.engine.connect() as conn:
            role = conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            ).one()
            owned = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_class WHERE relowner = "
                    "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
                )
            )
        assert (role.rolsuper, role.rolbypassrls, owned) == (False, False, 0)


SECURITY_DEFINER = """
SELECT p.oid::regprocedure::text AS signature
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
"""

DEFINER_SEARCH_PATHS = """
SELECT p.oid::regprocedure::text AS signature,
       (SELECT substr(c, length('search_path=') + 1) FROM unnest(p.proconfig) c
         WHERE c LIKE 'search_path=%') AS search_path
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
"""

ROUTINES_PUBLIC_MAY_RUN = """
SELECT p.oid::regprocedure::text
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND has_function_privilege('public', p.oid, 'EXECUTE')
"""

# Each SECURITY DEFINER function called as an outsider would: arguments of the right type.
DEFINER_CALLS = {
    "comptoir_auth_find_user": "SELECT * FROM comptoir_auth_find_user('a@b.sn')",
    "comptoir_auth_user_tenants": (
        "SELECT * FROM comptoir_auth_user_tenants('00000000-0000-0000-0000-000000000000')"
    ),
    "comptoir_purge_refresh_tokens": "SELECT comptoir_purge_refresh_tokens(now())",
    "comptoir_pending_events": "SELECT * FROM comptoir_pending_events(now(), 10)",
    "comptoir_current_tenant": "SELECT comptoir_current_tenant()",
    "comptoir_due_automations": "SELECT * FROM comptoir_due_automations(now(), 10)",
    "comptoir_automation_runs_to_retry": (
        "SELECT * FROM comptoir_automation_runs_to_retry(now(), now(), 10)"
    ),
    "comptoir_tenants_missing_automations": (
        "SELECT * FROM comptoir_tenants_missing_automations(ARRAY['dunning'], 10)"
    ),
    "comptoir_due_deliveries": "SELECT * FROM comptoir_due_deliveries(now(), 10)",
    "comptoir_name_candidates": (
        "SELECT * FROM comptoir_name_candidates('partners', 'diallo', 'diallo', ARRAY['dia'])"
    ),
}


@pytest.fixture
def outsider(container: Container) -> Iterator[tuple[str, str]]:
    """A URL for a role of the same server that is not the application's: what any other
    service or person with a login on a shared PostgreSQL has."""
    role = f"outsider_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with container.owner_engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
    try:
        yield role, dbadmin.app_url(container.endpoints.database_url, role, password)
    finally:
        with container.owner_engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


class TestFunctionPrivileges:
    def test_the_definer_functions_tried_below_exist(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            signatures = conn.scalars(text(SECURITY_DEFINER)).all()
        assert {s.split("(")[0] for s in signatures} >= set(DEFINER_CALLS)

    def test_another_role_may_run_no_routine_of_the_schema(
        self, container: Container, outsider: tuple[str, str]
    ) -> None:
        with container.owner_engine.connect() as conn:
            runnable = conn.scalars(
                text(ROUTINES_PUBLIC_MAY_RUN.replace("'public', p.oid", ":role, p.oid")),
                {"role": outsider[0]},
            ).all()
            definers = conn.scalars(text(SECURITY_DEFINER)).all()
        assert (runnable, len(definers) >= len(DEFINER_CALLS)) == ([], True)

    @pytest.mark.parametrize("name", sorted(DEFINER_CALLS))
    def test_another_role_cannot_call_a_definer_function(
        self, outsider: tuple[str, str], name: str
    ) -> None:
        engine = make_engine(outsider[1])
        try:
            with engine.connect() as conn, pytest.raises(ProgrammingError) as refused:
                conn.execute(text(DEFINER_CALLS[name]))
        finally:
            engine.dispose()
        assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
        assert f"permission denied for function {name}" in str(refused.value)

    def test_every_definer_function_searches_pg_temp_last(self, container: Container) -> None:
        """Without pg_temp named last, the caller's temporary tables are searched first: a
        temporary tenant_guard or users would stand in for the real one (test_rls)."""
        with container.owner_engine.connect() as conn:
            rows = conn.execute(text(DEFINER_SEARCH_PATHS)).all()
        assert len(rows) >= len(DEFINER_CALLS)
        wrong = [
            (r.signature, r.search_path)
            for r in rows
            if r.search_path is None or r.search_path.split(",")[-1].strip() != "pg_temp"
        ]
        assert wrong == []

    def test_public_may_run_no_routine_of_the_schema(self, container: Container) -> None:
        with container.owner_engine.connect() as conn:
            assert conn.scalars(text(ROUTINES_PUBLIC_MAY_RUN)).all() == []

    def test_the_application_role_runs_them(self, container: Container) -> None:
        with container.db.engine.connect() as conn:
            found = conn.execute(text(DEFINER_CALLS["comptoir_auth_find_user"])).all()
            distance = conn.scalar(text("SELECT '[1,0]'::vector <=> '[0,1]'::vector"))
            similar = conn.scalar(text("SELECT similarity('boulangerie', 'boulangeries')"))
        assert found == []
        assert (distance, similar > 0.5) == (1.0, True)

    def test_a_function_a_later_migration_adds_is_not_public(self, container: Container) -> None:
        with container.owner_engine.begin() as conn:
            conn.execute(
                text("CREATE FUNCTION comptoir_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'")
            )
            public = conn.scalar(
                text("SELECT has_function_privilege('public', 'comptoir_probe()', 'EXECUTE')")
            )
            app = conn.scalar(
                text("SELECT has_function_privilege(:r, 'comptoir_probe()', 'EXECUTE')"),
                {"r": container.app_role_credentials[0]},
            )
            conn.execute(text("DROP FUNCTION comptoir_probe()"))
        assert (public, app) == (False, True)


class TestApplicationRolePassword:
    def test_generated_kept_private_and_reused(self, tmp_path: Path) -> None:
        first = Settings(home=tmp_path).resolved_app_db_password()
        again = Settings(home=tmp_path).resolved_app_db_password()
        path = tmp_path / "app-db.password"
        assert (first, len(first) >= 40) == (again, True)
        assert first != "comptoir_app"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert Settings(home=tmp_path / "other").resolved_app_db_password() != first

    def test_the_running_role_uses_it(self, container: Container) -> None:
        role, password = container.app_role_credentials
        expected = Settings(home=container.settings.home).resolved_app_db_password()
        assert (password, password != "comptoir_app") == (expected, True)
        assert make_url(container.app_database_url).password == expected
        with container.db.engine.connect() as conn:
            assert conn.scalar(text("SELECT current_user")) == role

    def test_required_with_an_external_server(self, tmp_path: Path) -> None:
        external = "postgresql://comptoir@db.example:5432/comptoir"
        with pytest.raises(ConfigurationError) as missing:
            build_container(Settings(home=tmp_path, database_url=external))
        assert "COMPTOIR_APP_DB_PASSWORD est obligatoire" in str(missing.value)
        assert "is required when DATABASE_URL" in str(missing.value)
        assert not (tmp_path / "app-db.password").exists()

    def test_app_database_url_password_is_the_one_provisioned(self) -> None:
        url = "postgresql://ventes:s3cret@db.example/comptoir"
        settings = Settings(
            database_url="postgresql://owner@db.example/comptoir", app_database_url=url
        )
        c = Container(settings, Endpoints(settings.database_url or "", "unix:///x"), SystemClock())
        assert c.app_role_credentials == ("ventes", "s3cret")


HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdA$bm90LWEtcmVhbC1oYXNoLWJ1dC1jbG9zZQ"


class TestBoundValuesStayOutOfLogs:
    def test_failing_statement_hides_its_parameters(
        self, container: Container, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
        with container.db.engine.connect() as conn, pytest.raises(DBAPIError) as failed:
            conn.execute(text("SELECT length(:hash) / 0"), {"hash": HASH})
        shown = str(failed.value) + repr(failed.value) + caplog.text
        assert "division by zero" in str(failed.value)
        assert "SELECT length(" in caplog.text  # the statement itself is logged…
        assert HASH not in shown and "c2VjcmV0c2FsdA" not in shown  # …its values are not
        assert "hidden due to hide_parameters" in shown
