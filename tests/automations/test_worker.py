"""A real Celery worker on the real (embedded) Redis runs the housekeeping job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlalchemy import text

from automations import maintenance
from automations.celery_app import app as celery_app
from automations.celery_app import configure
from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.identity.service import Authentication
from domain.identity.tokens import Tokens
from domain.kit.clock import ManualClock
from tests.factories import make_tenant


@pytest.fixture(scope="module")
def worker_app(container: Container) -> Iterator[Celery]:
    configure(container.endpoints.redis_url)
    maintenance._container.cache_clear()
    original = maintenance._container
    maintenance._container = lambda: container  # type: ignore[assignment]
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield celery_app
    finally:
        maintenance._container = original  # type: ignore[assignment]


class TestWorker:
    def test_round_trip_through_redis(self, worker_app: Celery) -> None:
        assert maintenance.ping.delay().get(timeout=20) == "pong"

    def test_purge_job_runs_in_the_worker(self, worker_app: Celery, container: Container) -> None:
        # A login eight days ago left a refresh token that expired yesterday.
        past = ManualClock(datetime.now(UTC) - timedelta(days=8))
        tokens = Tokens(
            container.settings.resolved_secret_key(),
            past,
            access_ttl=timedelta(minutes=15),
            refresh_ttl=timedelta(days=7),
        )
        auth = Authentication(
            container.db, tokens, container.passwords, container.authentication.throttle, past
        )
        account = make_tenant(container)
        auth.login(RequestContext(), email=account.email, password=account.password)
        assert maintenance.purge_refresh_tokens.delay().get(timeout=20) >= 1
        with container.db.unit_of_work(account.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM refresh_tokens")) == 0

    def test_beat_schedule_names_a_registered_task(self, worker_app: Celery) -> None:
        for entry in worker_app.conf.beat_schedule.values():
            assert entry["task"] in worker_app.tasks
