"""Benchmark ``db``: raw insert throughput of PostgreSQL on this machine, in rows per second.

This is the physical limit the later benchmarks are compared to: no ORM, no Row-Level
Security, no application code — psycopg 3 talking straight to the server. Two ways of
writing the same rows are measured:

``copy``
    ``COPY … FROM STDIN (FORMAT BINARY)`` through ``cursor.copy`` + ``write_row``: the
    fastest way PostgreSQL has to take rows in. Binary, because the text format spends
    most of its time formatting values in Python (about 1.7× slower here).
``insert_batched``
    ``cursor.executemany`` of one multi-row ``INSERT … VALUES`` of ``BATCH_SIZE`` rows
    (one shorter statement for the remainder): the fastest way the application can insert
    with ordinary SQL. ``executemany`` pipelines the statements and adapts the parameters
    with the same dumpers throughout; calling ``execute`` once per batch, or
    ``INSERT … SELECT FROM unnest(%s::uuid[], …)``, was 3–4× slower, the time going to
    psycopg adapting parameters in Python (its array dumper in particular), not to the
    server.

Both write into a normal (logged, WAL-ed) table shaped like a typical tenant table, with
its primary-key index, in a scratch database that is always dropped afterwards. Rows are
generated beforehand (not timed); each run is one transaction and its commit is inside the
timing. The table is truncated and a ``CHECKPOINT`` taken before each run, so no run pays
for the dirty pages another left behind. Each method runs ``REPEAT`` times and the best
run is reported (the lower bound of what the machine needs, as ``timeit`` does); all runs'
times are kept in ``runs_seconds`` to show the spread.
"""

from __future__ import annotations

import os
import platform
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg

from benchmarks.goals import goal
from comptoir import dbadmin
from domain.kit.db import libpq_url
from domain.kit.ids import uuid7

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

BATCH_SIZE = 1000
TENANTS = 10  # rows are spread over a few tenants, as they would be in production
SEED = 20240601  # same tenants, labels and amounts every run (ids are UUIDv7: time-based)
# Client and server share the machine's CPUs: single runs vary by ±30 %; keep the best.
REPEAT = 3
COLUMNS = "tenant_id, id, label, amount, created_at"
# Server settings that change what the figure means (durability, memory).
SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers")

TABLE_DDL = """
CREATE TABLE bench_row (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    label text NOT NULL,
    amount numeric(18, 4) NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
)
"""
COPY_TYPES = ["uuid", "uuid", "text", "numeric", "timestamptz"]  # binary COPY needs them

Row = tuple[UUID, UUID, str, Decimal, datetime]
Method = Callable[[psycopg.Connection[Any], Sequence[Row]], None]


def run(container: Container, *, rows: int = 200_000) -> dict[str, object]:
    """Insert ``rows`` rows with each method into a scratch database; return the figures."""
    owner_url = container.endpoints.database_url
    data = make_rows(rows)
    with scratch_database(owner_url) as url:
        with psycopg.connect(libpq_url(url)) as conn:
            conn.execute(TABLE_DDL)
            conn.commit()
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            settings = server_settings(conn)
            results = [
                {"method": "copy", **measure(conn, insert_copy, data)},
                {
                    "method": "insert_batched",
                    "batch_size": BATCH_SIZE,
                    **measure(conn, insert_batched, data),
                },
            ]
    by_method = {r["method"]: float(r["rows_per_second"]) for r in results}
    return {
        "benchmark": "db",
        # COPY is the yardstick other benchmarks compare with: it must beat batched INSERTs.
        "goals": [
            goal(
                "copy_vs_insert_batched",
                by_method["copy"],
                "rows/s",
                baseline=by_method["insert_batched"],
                at_least=1.0,
            )
        ],
        "rows": rows,
        "postgres_version": version,
        "postgres_settings": settings,
        "results": results,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }


@contextmanager
def scratch_database(owner_url: str) -> Iterator[str]:
    """A fresh database for the duration of the block, dropped even on error."""
    name = f"comptoir_bench_{secrets.token_hex(6)}"
    try:
        yield dbadmin.create_database(owner_url, name)
    finally:
        dbadmin.drop_database(owner_url, name)


def make_rows(count: int) -> list[Row]:
    """Deterministic rows; time-ordered ids (UUIDv7) like the application's."""
    rng = random.Random(SEED)
    tenants = [UUID(int=rng.getrandbits(128), version=4) for _ in range(TENANTS)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        (
            tenants[i % TENANTS],
            uuid7(),
            f"Article {i:07d} — {rng.choice(('café', 'thé', 'croissant', 'savon'))}",
            Decimal(rng.randrange(100_000_000)).scaleb(-4),  # up to 9 999.9999, never float
            start + timedelta(seconds=i),
        )
        for i in range(count)
    ]


def server_settings(conn: psycopg.Connection[Any]) -> dict[str, str]:
    rows = conn.execute(
        "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
        [list(SETTINGS)],
    ).fetchall()
    return {str(name): str(value) for name, value in rows}


def measure(conn: psycopg.Connection[Any], method: Method, data: Sequence[Row]) -> dict[str, Any]:
    """Best of ``REPEAT`` timed runs of ``method``; every run's time is kept for the record."""
    runs = [timed_run(conn, method, data) for _ in range(REPEAT)]
    best = min(runs)
    return {
        "rows": len(data),
        "seconds": round(best, 4),
        "rows_per_second": round(len(data) / best) if best else 0,
        "runs_seconds": [round(seconds, 4) for seconds in runs],
    }


def timed_run(conn: psycopg.Connection[Any], method: Method, data: Sequence[Row]) -> float:
    """Seconds ``method`` takes to fill the empty table, commit included."""
    conn.execute("TRUNCATE bench_row")
    conn.commit()
    conn.execute("CHECKPOINT")  # no dirty pages left over; superuser only (the owner URL is)
    conn.commit()
    started = time.perf_counter()
    method(conn, data)
    conn.commit()
    seconds = time.perf_counter() - started
    inserted = conn.execute("SELECT count(*) FROM bench_row").fetchone()[0]  # type: ignore[index]
    conn.commit()
    if inserted != len(data):  # a silently short insert would flatter the figure
        raise RuntimeError(f"{method.__name__}: {inserted} rows in the table, {len(data)} sent")
    return seconds


def insert_copy(conn: psycopg.Connection[Any], data: Sequence[Row]) -> None:
    sql = f"COPY bench_row ({COLUMNS}) FROM STDIN (FORMAT BINARY)"
    with conn.cursor() as cur, cur.copy(sql) as copy:
        copy.set_types(COPY_TYPES)
        for row in data:
            copy.write_row(row)


def insert_batched(conn: psycopg.Connection[Any], data: Sequence[Row]) -> None:
    full = len(data) - len(data) % BATCH_SIZE
    with conn.cursor() as cur:
        cur.executemany(
            insert_values(BATCH_SIZE),
            [flatten(data[i : i + BATCH_SIZE]) for i in range(0, full, BATCH_SIZE)],
        )
        if full < len(data):
            cur.execute(insert_values(len(data) - full), flatten(data[full:]))


def insert_values(count: int) -> str:
    """``INSERT … VALUES`` of ``count`` rows (5 parameters each: well under the 65 535 cap)."""
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * count)
    return f"INSERT INTO bench_row ({COLUMNS}) VALUES {values}"


def flatten(rows: Sequence[Row]) -> list[object]:
    return [value for row in rows for value in row]
