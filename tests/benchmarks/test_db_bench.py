"""The ``db`` benchmark runs end to end on a small row count and leaves nothing behind.

Speed is not asserted: it depends on the machine, and the figures are for people to read.
"""

from __future__ import annotations

import json

import psycopg
import pytest

import benchmarks.db as bench
from benchmarks.goals import check_goals
from comptoir import dbadmin
from comptoir.bootstrap import Container
from domain.kit.db import libpq_url

ROWS = 2000


def database_exists(container: Container, name: str) -> bool:
    with psycopg.connect(libpq_url(container.endpoints.database_url)) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the databases the benchmark creates (it picks them at random)."""
    names: list[str] = []
    create = dbadmin.create_database  # the real one, before it is replaced below

    def spy(owner_url: str, name: str) -> str:
        names.append(name)
        return create(owner_url, name)

    monkeypatch.setattr(dbadmin, "create_database", spy)  # bench looks it up per call
    return names


class TestDbBenchmark:
    def test_reports_both_methods_and_drops_its_database(
        self, container: Container, created: list[str]
    ) -> None:
        figures = bench.run(container, rows=ROWS)

        json.dumps(figures)  # the CLI prints it as JSON
        assert figures["benchmark"] == "db"
        assert figures["rows"] == ROWS
        goals = figures["goals"]
        assert check_goals(goals) == []
        assert isinstance(goals, list)
        assert goals[0]["name"] == "copy_vs_insert_batched"
        assert isinstance(figures["postgres_version"], str)
        assert figures["postgres_version"]
        assert isinstance(figures["machine"], dict)
        assert "cpus" in figures["machine"]
        results = figures["results"]
        assert isinstance(results, list)
        assert [r["method"] for r in results] == ["copy", "insert_batched"]
        assert results[1]["batch_size"] == bench.BATCH_SIZE
        for result in results:
            assert result["rows"] == ROWS
            assert result["seconds"] > 0
            assert result["rows_per_second"] > 0
        assert len(created) == 1
        assert created[0].startswith("comptoir_bench_")
        assert not database_exists(container, created[0])

    def test_drops_its_database_when_a_method_fails(
        self, container: Container, created: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(conn: psycopg.Connection[object], data: object) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(bench, "insert_batched", broken)
        with pytest.raises(RuntimeError, match="boom"):
            bench.run(container, rows=ROWS)
        assert len(created) == 1
        assert not database_exists(container, created[0])
