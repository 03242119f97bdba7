"""The schema as migrations build it is the schema the models describe, and it keeps the
tenancy rules every table must follow."""

from __future__ import annotations

import secrets

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from comptoir import dbadmin
from comptoir.bootstrap import Container
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
