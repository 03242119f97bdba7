"""A whole Comptoir of its own for the load test, so its faults disturb no other test:
an embedded PostgreSQL in its own data directory (stopped and started again on purpose),
its own embedded Redis, the API on real uvicorn in a subprocess, and a Celery worker
subprocess that can be SIGKILLed and started again."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from comptoir.bootstrap import Container
from comptoir.runtime import Endpoints, embedded_postgres, embedded_redis, stop_embedded_redis
from comptoir.settings import Settings
from domain.kit.clock import SystemClock
from domain.kit.db import Database, make_engine
from domain.kit.rls import TenantSigner
from tests.conftest import ROOT, TEST_HOME, free_port
from tests.load import DELIVERIES

PYTHON = sys.executable


@dataclass
class Stack:
    home: Path
    owner_url: str
    redis_url: str
    secret_key: str
    container: Container
    api_url: str = ""
    api: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    logs: list[Any] = field(default_factory=list)

    @property
    def pgdata(self) -> Path:
        return self.home / "pg"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.owner_url,
            "REDIS_URL": self.redis_url,
            "COMPTOIR_HOME": str(self.home),
            "COMPTOIR_SECRET_KEY": self.secret_key,
            # The server is ours but reached by URL, so the role's password is given as for
            # any external server: the one the test process provisioned.
            "COMPTOIR_APP_DB_PASSWORD": self.container.settings.resolved_app_db_password(),
            "COMPTOIR_LOG_LEVEL": "WARNING",
        }

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.home / f"{name}.log").open("ab")
        self.logs.append(log)
        return subprocess.Popen([PYTHON, "-m", *args], env=self.env(), stdout=log, stderr=log)

    def start_api(self) -> None:
        port = free_port()
        self.api_url = f"http://127.0.0.1:{port}"
        self.api = self._spawn(
            "api", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning", "--no-access-log",
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            assert self.api.poll() is None, (self.home / "api.log").read_text()[-3000:]
            try:
                if httpx.get(f"{self.api_url}/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.3)

    def start_worker(self) -> None:
        self.worker = self._spawn(
            "worker", "celery", "-A", "tests.load.worker", "worker", "--pool=solo",
            "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
        )  # fmt: skip

    def kill_worker(self) -> None:
        """SIGKILL: no graceful shutdown, whatever it was relaying is cut off mid-way."""
        assert self.worker is not None and self.worker.poll() is None, "the worker died early"
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)

    def _pg_ctl(self, *args: str) -> None:
        import pgserver

        server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        pgserver.pg_ctl(  # type: ignore[attr-defined]
            ["-w", *args], pgdata=self.pgdata, user=server.system_user, timeout=60
        )

    def stop_postgres(self) -> None:
        """Fast shutdown: every open connection (the API's, the worker's) is cut."""
        self._pg_ctl("-m", "fast", "stop")

    def start_postgres(self) -> None:
        # ``restart`` with no server running starts one with the options it last ran with
        # (its socket directory above all), which a plain ``start`` would not know.
        self._pg_ctl("-l", str(self.pgdata / "log"), "restart")

    def owner_sql(self, statement: str, **params: Any) -> list[Any]:
        with self.container.owner_engine.connect() as conn:
            return list(conn.execute(text(statement), params))

    def close(self) -> None:
        for proc in (self.api, self.worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        for log in self.logs:
            log.close()
        self.container.close()
        stop_embedded_redis(self.home / "redis")
        try:
            self._pg_ctl("-m", "fast", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        kept = TEST_HOME / "load-logs"  # for whoever reads a failure
        kept.mkdir(exist_ok=True)
        for name in ("api.log", "worker.log"):
            if (self.home / name).exists():
                shutil.copy(self.home / name, kept / name)
        shutil.rmtree(self.home, ignore_errors=True)


def start_stack() -> Stack:
    """Servers up, schema migrated, the intent cache shared with the other tests (building
    it takes a minute), the delivery record the worker writes into."""
    home = TEST_HOME / f"load-{secrets.token_hex(4)}"
    home.mkdir(parents=True)
    shared_cache = TEST_HOME / "cache"
    shared_cache.mkdir(parents=True, exist_ok=True)
    (home / "cache").symlink_to(shared_cache)
    owner_url = embedded_postgres(home / "pg")
    redis_url = embedded_redis(home / "redis")
    secret_key = "load-" + secrets.token_hex(16)
    settings = Settings(
        home=home, secret_key=secret_key, database_url=owner_url, redis_url=redis_url
    )
    container = Container(
        settings=settings,
        endpoints=Endpoints(database_url=owner_url, redis_url=redis_url),
        clock=SystemClock(),
    )
    # The test process writes through a database with no event publisher: its events
    # (tenants created) wait for the sweep, and the process-wide Celery app stays pointed
    # at the other tests' broker.
    signer = TenantSigner(secret_key)
    container.__dict__["db"] = Database(make_engine(container.app_database_url), signer, None)
    stack = Stack(home, owner_url, redis_url, secret_key, container)
    try:
        container.prepare_database()
        with container.owner_engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {DELIVERIES} (tenant_id uuid, event_id uuid)"))
            conn.execute(text(f"GRANT INSERT ON {DELIVERIES} TO {settings.app_db_role}"))
        # The intent exemplars' embeddings, computed once and cached for every process.
        from agents.local.router import IntentRouter, load_intents

        IntentRouter(load_intents(), cache_dir=home / "cache")
    except BaseException:
        stack.close()
        raise
    return stack
