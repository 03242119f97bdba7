"""Two real Celery worker processes on the real Redis and PostgreSQL: one run given to
both is worked once, and a worker killed mid-run leaves it to be finished once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automations import engine, maintenance, tasks
from automations.celery_app import app as celery_app
from automations.scheduler import DatabaseScheduler
from comptoir.bootstrap import Container
from tests.automations.helpers import add_probe, at, notifications, runs
from tests.factories import make_tenant

ROOT = Path(__file__).resolve().parents[2]


def worker_env(container: Container) -> dict[str, str]:
    settings = container.settings
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": container.endpoints.database_url,
        "APP_DATABASE_URL": container.app_database_url,
        "REDIS_URL": container.endpoints.redis_url,
        "COMPTOIR_HOME": str(settings.home.resolve()),
        "COMPTOIR_SECRET_KEY": settings.resolved_secret_key(),
    }


def start_worker(container: Container, name: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "automations.celery_app",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}@%h",
        "-I",
        "tests.automations.probe_kind",
    ]
    return subprocess.Popen(command, env=worker_env(container), cwd=ROOT)


def wait_until(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def workers(container: Container) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    container.db  # configures the Celery app on the test Redis  # noqa: B018
    procs = {name: start_worker(container, name) for name in ("alpha", "beta")}
    try:
        wait_until(lambda: len(celery_app.control.ping(timeout=0.5)) >= 2, timeout=60)
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class TestRealWorkers:
    def test_two_beats_ticking_at_once_hand_one_run_to_the_workers(
        self, workers: dict[str, subprocess.Popen[bytes]], container: Container
    ) -> None:
        account = make_tenant(container)
        add_probe(container, account, next_run_at=now() - timedelta(minutes=1))
        beats = [DatabaseScheduler(app=celery_app) for _ in range(2)]
        # The platform's fixed jobs stay in beat's own schedule beside the database's.
        assert {"sweep-domain-events", "purge-refresh-tokens"} <= set(beats[0].schedule)
        maintenance.use_container(container)
        try:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda beat: beat.tick(), beats))
        finally:
            maintenance.use_container(None)
        wait_until(lambda: [r.status for r in runs(container, account, "probe")] == ["succeeded"])
        time.sleep(0.5)  # a duplicate, had there been one, would be done by now
        assert len(runs(container, account, "probe")) == 1
        assert len(notifications(container, account, "probe")) == 1

    def test_one_run_given_to_two_workers_is_done_once(
        self, workers: dict[str, subprocess.Popen[bytes]], container: Container
    ) -> None:
        account = make_tenant(container)
        add_probe(container, account, next_run_at=now(), sleep=1.5)
        [(tenant, run_id)] = engine.dispatch_due(container, tenant_id=account.tenant_id)
        sent = [tasks.run.apply_async(args=[str(tenant), str(run_id)]) for _ in range(2)]
        statuses = sorted(r.get(timeout=30) for r in sent)
        assert statuses in (["busy", "succeeded"], ["succeeded", "succeeded"])
        assert len(notifications(container, account, "probe")) == 1
        assert runs(container, account, "probe")[0].attempts == 1

    def test_a_worker_killed_mid_run_is_retried_and_finishes_once(
        self, workers: dict[str, subprocess.Popen[bytes]], container: Container, tmp_path: Path
    ) -> None:
        account = make_tenant(container)
        marker = tmp_path / "started"
        add_probe(
            container,
            account,
            next_run_at=now(),
            sleep=60,
            sleep_first_only=True,
            marker=str(marker),
        )
        [(tenant, run_id)] = engine.dispatch_due(container, tenant_id=account.tenant_id)
        tasks.run.apply_async(args=[str(tenant), str(run_id)])
        wait_until(lambda: marker.exists() and marker.read_text().isdigit())
        pid = int(marker.read_text())
        victim = next(name for name, p in workers.items() if p.pid == pid)
        os.kill(pid, signal.SIGKILL)  # mid-run: inside the run's transaction
        workers[victim].wait(timeout=10)
        [run] = runs(container, account, "probe")
        assert (run.status, run.attempts) == ("queued", 0)  # its transaction died with it
        # Once stale, the scheduler hands it out again; the surviving worker finishes it.
        later = at(container, datetime.now(UTC) + engine.STALE_AFTER + timedelta(minutes=1))
        assert engine.retry_due(later, tenant_id=account.tenant_id) == [(tenant, run_id)]
        tasks.run.apply_async(args=[str(tenant), str(run_id)])
        wait_until(lambda: runs(container, account, "probe")[0].status == "succeeded")
        assert runs(container, account, "probe")[0].attempts == 1
        assert len(notifications(container, account, "probe")) == 1
