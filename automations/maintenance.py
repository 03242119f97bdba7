"""Platform housekeeping jobs (no tenant: they call narrow SECURITY DEFINER functions)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import text

from automations.celery_app import app
from comptoir.bootstrap import Container, build_container

_override: Container | None = None


@lru_cache(maxsize=1)
def _built() -> Container:
    return build_container()


def container_for_tasks() -> Container:
    """The worker's container (tests hand theirs in with ``use_container``)."""
    return _override or _built()


def use_container(container: Container | None) -> None:
    global _override
    _override = container


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
    return purge_expired_refresh_tokens(container_for_tasks())


@app.task(name="automations.maintenance.ping")  # type: ignore[untyped-decorator]
def ping() -> str:
    return "pong"
