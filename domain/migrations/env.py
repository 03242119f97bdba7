"""Alembic environment: migrations run on the owner connection handed in by comptoir.dbadmin."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from domain.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url") or ""
        engine = create_engine(url, hide_parameters=True)  # no bound values in logs
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=metadata)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
