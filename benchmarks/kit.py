"""Plumbing shared by the benchmarks that build a tenant in a scratch database."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

import psycopg
from sqlalchemy import event

from benchmarks import db as db_bench
from benchmarks.goals import GOAL_KEYS, check_goals, goal
from domain.kit.db import libpq_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from comptoir.bootstrap import Container

S = TypeVar("S")
__all__ = ["GOAL_KEYS", "check_goals", "goal"]  # every benchmark's goals, one shape


def sizes_from_env(cls: type[S]) -> S:
    """``cls(...)`` with each field overridden by ``COMPTOIR_BENCH_<FIELD>`` when set."""
    values = {
        f.name: int(os.environ[f"COMPTOIR_BENCH_{f.name.upper()}"].replace("_", ""))
        for f in fields(cls)  # type: ignore[arg-type]
        if f"COMPTOIR_BENCH_{f.name.upper()}" in os.environ
    }
    return cls(**values)


class Tally:
    """Wall-clock and CPU seconds (this process's, all threads: ``time.process_time``) spent
    per name. The CPU figure is the stable one on a loaded machine: other processes'
    load stretches the wall clock, not the work this process does per operation."""

    def __init__(self, *names: str) -> None:
        self.wall = dict.fromkeys(names, 0.0)
        self.cpu = dict.fromkeys(names, 0.0)

    @contextmanager
    def timing(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - wall
            self.cpu[name] += time.process_time() - cpu

    def cpu_ms_per(self, name: str, count: int) -> float:
        return round(1000 * self.cpu[name] / count, 3)


def timed_phase(phases: dict[str, float], name: str, phase: Callable[..., Any], *args: Any) -> Any:
    started = time.perf_counter()
    try:
        return phase(*args)
    finally:
        phases[name] = time.perf_counter() - started


def scratch_container(container: Container, url: str) -> Container:
    """A container on the scratch database, with the run's Redis, role and secret key."""
    from comptoir.bootstrap import Container
    from comptoir.runtime import Endpoints

    settings = container.settings.model_copy(
        update={
            "database_url": url,
            "app_database_url": None,  # derived from the scratch owner URL
            "redis_url": container.endpoints.redis_url,
            "secret_key": container.settings.resolved_secret_key(),
        }
    )
    return Container(
        settings=settings,
        endpoints=Endpoints(database_url=url, redis_url=container.endpoints.redis_url),
        clock=container.clock,
    )


def copy_rows(
    conn: psycopg.Connection[Any],
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Any,
) -> None:
    """Binary ``COPY`` of ``rows`` (an iterable of tuples) into ``table``."""
    names = ", ".join(name for name, _ in columns)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as cp:
        cp.set_types([kind for _, kind in columns])
        for row in rows:
            cp.write_row(row)


def table_writes(scratch: Container) -> dict[str, tuple[int, int]]:
    """Tuples inserted and updated (+ deleted) per table since the database was created."""
    scratch.db.engine.dispose()  # idle backends exit, flushing their statistics
    with psycopg.connect(libpq_url(scratch.endpoints.database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, n_tup_ins, n_tup_upd + n_tup_del FROM pg_stat_user_tables"
        ).fetchall()
    return {str(name): (int(ins), int(upd)) for name, ins, upd in rows}


def writes_since(
    scratch: Container, before: dict[str, tuple[int, int]], *, table: str, inserted: int
) -> dict[str, tuple[int, int]]:
    """The writes since ``before``, once every backend's statistics have arrived: ``table``
    shows ``inserted`` new rows and two readings agree."""
    deadline = time.monotonic() + 15
    previous: dict[str, tuple[int, int]] = {}
    while True:
        now = table_writes(scratch)
        delta = {
            name: (ins - before.get(name, (0, 0))[0], upd - before.get(name, (0, 0))[1])
            for name, (ins, upd) in now.items()
        }
        delta = {name: d for name, d in delta.items() if d != (0, 0)}
        settled = delta.get(table, (0, 0))[0] >= inserted and delta == previous
        if settled or time.monotonic() > deadline:
            return delta
        previous = delta
        time.sleep(0.2)


def raw_comparison(container: Container, rows: int, best_rows_per_second: float) -> dict[str, Any]:
    """``comptoir bench db`` for ``rows`` rows, and how a measured rate compares with it."""
    raw = db_bench.run(container, rows=rows)
    by_method = {r["method"]: r["rows_per_second"] for r in raw["results"]}  # type: ignore[attr-defined]
    return {
        "raw_insert": {"rows": rows, **{f"{m}_rows_per_second": v for m, v in by_method.items()}},
        "ratio_to_raw_copy": round(best_rows_per_second / by_method["copy"], 4),
        "ratio_to_raw_insert_batched": round(best_rows_per_second / by_method["insert_batched"], 4),
    }


def latency(values_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    if not ordered:
        return {"count": 0, "mean_ms": 0, "p50_ms": 0, "p95_ms": 0, "p99_ms": 0, "max_ms": 0}

    def rank(p: float) -> float:  # nearest-rank percentile
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)

    return {
        "count": len(ordered),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "p50_ms": rank(50),
        "p95_ms": rank(95),
        "p99_ms": rank(99),
        "max_ms": round(ordered[-1], 1),
    }


def explain_statements(
    scratch: Container,
    tenant_id: UUID,
    query: Callable[[Session], object],
    keep: Callable[[str], str | None],
) -> list[dict[str, Any]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the SELECTs ``query`` sends, as the application role
    (so with the RLS filter). ``keep(statement)`` names the statement, or None to skip it."""
    sent: list[tuple[str, str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        label = keep(statement) if statement.lstrip().startswith("SELECT") else None
        if label is not None:
            sent.append((label, statement, parameters))

    engine = scratch.db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with scratch.db.unit_of_work(tenant_id) as session:
            query(session)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with scratch.db.unit_of_work(tenant_id) as session:
        for label, statement, parameters in sent:
            result = session.connection().exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
            )
            lines = [str(row[0]) for row in result]
            plans.append(
                {
                    "table": label,
                    "execution_ms": plan_ms(lines, "Execution Time"),
                    "planning_ms": plan_ms(lines, "Planning Time"),
                    "plan": lines,
                }
            )
    return plans


def plan_ms(lines: list[str], label: str) -> float | None:
    for line in lines:
        if line.startswith(f"{label}:"):
            return float(line.split(":")[1].strip().split()[0])
    return None


def drop_queued_relays(scratch: Container, tenant_id: UUID) -> int:
    """Take this run's event relays off the Celery queue (their database is about to go):
    the run's Redis may be the one ``comptoir run`` uses. Returns how many were dropped."""
    needle = str(tenant_id).encode()  # in the message's ``argsrepr`` header
    queue = "celery"
    dropped = 0
    messages = cast(list[bytes], scratch.redis.lrange(queue, 0, -1))
    for message in messages:
        if needle in message:
            dropped += int(scratch.redis.lrem(queue, 1, message.decode()))
    return dropped


def machine(url: str) -> dict[str, Any]:
    """The machine and the PostgreSQL server the figures were measured on."""
    with psycopg.connect(libpq_url(url)) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        settings = db_bench.server_settings(conn)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres_version": version,
        "postgres_settings": settings,
    }
