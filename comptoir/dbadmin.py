"""Database administration on the owner connection: databases, migrations, the app role.

The application itself connects as a separate role that is not a superuser, does not own
the tables and has no BYPASSRLS: Row-Level Security applies to everything it runs.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InternalError

from domain.kit.db import make_engine
from domain.kit.rls import TenantSigner

MIGRATIONS = Path(__file__).resolve().parent.parent / "domain" / "migrations"
# Tables the application may add to but never change or remove from.
APPEND_ONLY = ("audit_log", "platform_audit_log", "journal_entries", "journal_lines")
# Tables the application may only add to (it never reads them back).
WRITE_ONLY = ("platform_audit_log",)
PRIVATE = ("alembic_version", "tenant_guard")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def provision_app_role(engine: Engine, role: str, password: str | None, secret_key: str) -> None:
    """Create (or refresh) the application role, its grants and the RLS signing key.

    ``password`` None leaves the role's password as it is (a role managed outside Comptoir,
    given through APP_DATABASE_URL without one).

    Roles are cluster-wide but advisory locks are per database: two databases of one server
    provisioned at once (parallel test workers) can collide on the role's catalog row
    ("tuple concurrently updated"). The whole transaction is then simply tried again.
    """
    for attempt in range(5):
        try:
            _provision_app_role(engine, role, password, secret_key)
            return
        except InternalError as error:
            if "concurrently" not in str(error) or attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def _provision_app_role(engine: Engine, role: str, password: str | None, secret_key: str) -> None:
    inner, outer = TenantSigner(secret_key).pads()
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))  # roles are cluster-wide
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        verb = "ALTER" if exists else "CREATE"
        # Utility statements take no bind parameters: the password is quoted as a literal.
        attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
        if password is not None:
            attributes += f" PASSWORD {_literal(password)}"
        conn.execute(text(f"{verb} ROLE {quoted} {attributes}"))
        database = conn.scalar(text("SELECT current_database()"))
        for statement in database_privileges(f'"{database}"', quoted):
            conn.execute(text(statement))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        )
        for table in PRIVATE:
            conn.execute(text(f"REVOKE ALL ON {table} FROM {quoted}"))
        for table in APPEND_ONLY:
            conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}"))
        for table in WRITE_ONLY:
            conn.execute(text(f"REVOKE SELECT ON {table} FROM {quoted}"))
        for statement in function_privileges(quoted):
            conn.execute(text(statement))
        conn.execute(
            text(
                "INSERT INTO tenant_guard (id, inner_key, outer_key) VALUES (1, :i, :o) "
                "ON CONFLICT (id) DO UPDATE SET inner_key = :i, outer_key = :o"
            ),
            {"i": inner, "o": outer},
        )


def database_privileges(quoted_database: str, quoted_role: str) -> list[str]:
    """The application role connects to the database but may not create temporary tables.

    PostgreSQL grants TEMPORARY on every database to PUBLIC. A temporary table shadows a
    real one of the same name wherever a ``search_path`` leaves ``pg_temp`` out (it is then
    searched first): SQL smuggled into the application's session could create its own
    ``tenant_guard`` and forge the signed tenant context. The definer functions name
    ``pg_temp`` last (migration 0010); the application never needs a temporary table, so
    the privilege goes too. The owner keeps it (a database owner holds every privilege on
    it), so operator scripts and benchmarks still may.
    """
    return [
        f"GRANT CONNECT ON DATABASE {quoted_database} TO {quoted_role}",
        f"REVOKE TEMPORARY ON DATABASE {quoted_database} FROM PUBLIC",
        f"REVOKE TEMPORARY ON DATABASE {quoted_database} FROM {quoted_role}",
    ]


def function_privileges(quoted_role: str) -> list[str]:
    """Only the application role may call the schema's functions.

    PostgreSQL lets PUBLIC (every role of the cluster) execute a new function. The SECURITY
    DEFINER ones (``comptoir_auth_find_user`` returns a password hash for an e-mail,
    ``comptoir_auth_user_tenants``, ``comptoir_purge_refresh_tokens``,
    ``comptoir_pending_events``…) run as their owner, past RLS: any other role on the same
    server could read hashes or purge sessions through them. Every routine of the schema —
    those of the extensions too (pgvector, pg_trgm: harmless, but the rule stays one rule)
    — is revoked from PUBLIC and granted to the application role, at every start, so a
    function a new migration adds is covered; the default privileges also keep PUBLIC off
    routines the migrating role creates from now on (ALTER DEFAULT PRIVILEGES is per
    database and per creating role: the migrations run as this one).
    """
    return [
        "REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA public FROM PUBLIC",
        f"GRANT EXECUTE ON ALL ROUTINES IN SCHEMA public TO {quoted_role}",
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON ROUTINES FROM PUBLIC",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON ROUTINES TO {quoted_role}",
    ]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def app_url(owner_url: str, role: str, password: str) -> str:
    """The owner URL with the application role's credentials instead."""
    return (
        make_url(owner_url)
        .set(username=role, password=password)
        .render_as_string(hide_password=False)
    )


def _on_server(owner_url: str, statement: str) -> None:
    """Run ``statement`` outside a transaction (CREATE/DROP DATABASE need that)."""
    engine = make_engine(owner_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def create_database(owner_url: str, name: str) -> str:
    """Create database ``name`` on the owner's server; return its owner URL."""
    _on_server(owner_url, f'CREATE DATABASE "{name}"')
    return make_url(owner_url).set(database=name).render_as_string(hide_password=False)


def drop_database(owner_url: str, name: str) -> None:
    _on_server(owner_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
