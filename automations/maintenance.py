"""Platform housekeeping jobs (no tenant: they call narrow SECURITY DEFINER functions)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import text

from automations.celery_app import app
from comptoir.bootstrap import Container, build_container


@lru_cache(maxsize=1)
def _container() -> Container:
    return build_container()


def purge_expired_refresh_tokens(container: Container) -> int:
    """Delete refresh tokens past their expiry, for every tenant. Returns how many."""
    with container.db.unit_of_work() as session:
        return int(
            session.scalar(
                text("SELECT comptoir_purge_refresh_tokens(:now)"), {"now": container.clock.now()}
            )
            or 0
        )


@app.task(name="automations.maintenance.purge_refresh_tokens")  # type: ignore[untyped-decorator]
def purge_refresh_tokens() -> int:
    return purge_expired_refresh_tokens(_container())


@app.task(name="automations.maintenance.ping")  # type: ignore[untyped-decorator]
def ping() -> str:
    return "pong"
