"""The ``invoices`` benchmark runs end to end at a tiny size, its figures hang together,
and it leaves no database behind.

Speed is not asserted: it depends on the machine, and the figures are for people to read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

import benchmarks.invoices as bench
from benchmarks.kit import check_goals
from comptoir import dbadmin
from comptoir.bootstrap import Container
from domain.kit.db import libpq_url

SIZES = bench.Sizes(
    invoice_lines=5000,
    customers=20,
    products=10,
    service_postings=20,
    api_clients=2,
    api_iterations=3,
    open_loop_pairs=5,
    kpi_repeat=2,
)
API_PAIRS = SIZES.api_clients * SIZES.api_iterations
ALONE_PAIRS = SIZES.api_iterations  # one client alone first: the latency floor
GOALS = [
    "service_create_and_post_vs_sql_baseline",
    "api_create_p95_open_loop_vs_one_client",
    "api_post_p95_open_loop_vs_one_client",
    "report_revenue_median",
    "report_aged_receivables_median",
    "report_kpis_median",
]


def database_exists(container: Container, name: str) -> bool:
    with psycopg.connect(libpq_url(container.endpoints.database_url)) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


@dataclass(frozen=True)
class Run:
    figures: dict[str, Any]
    databases: list[str]  # the names of the databases it created
    queued_before: list[bytes | str]  # the Celery queue before and after the run
    queued_after: list[bytes | str]


@pytest.fixture(scope="module")
def run(container: Container) -> Run:
    """One tiny run shared by the tests."""
    names: list[str] = []
    create = dbadmin.create_database

    def spy(owner_url: str, name: str) -> str:
        names.append(name)
        return create(owner_url, name)

    before = container.redis.lrange("celery", 0, -1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbadmin, "create_database", spy)  # the benches look it up per call
        figures = bench.run(container, sizes=SIZES)
    return Run(figures, names, before, container.redis.lrange("celery", 0, -1))


@pytest.fixture
def figures(run: Run) -> dict[str, Any]:
    return run.figures


class TestInvoicesBenchmark:
    def test_prints_as_json_with_every_goal(self, figures: dict[str, Any]) -> None:
        json.dumps(figures)  # the CLI prints it as JSON
        assert figures["benchmark"] == "invoices"
        assert figures["sizes"] == {
            "invoice_lines": 5000,
            "customers": 20,
            "products": 10,
            "service_postings": 20,
            "api_clients": 2,
            "api_iterations": 3,
            "open_loop_pairs": 5,
            "kpi_repeat": 2,
        }
        assert figures["machine"]["cpus"]
        assert figures["machine"]["postgres_version"]
        assert check_goals(figures["goals"]) == []
        assert [g["name"] for g in figures["goals"]] == GOALS
        for report in figures["reports"].values():
            assert isinstance(report["meets_goal"], bool)

    def test_loads_the_history_asked_for(self, figures: dict[str, Any]) -> None:
        dataset = figures["dataset"]
        loaded = sum(dataset["loaded_invoice_statuses"].values())

        assert loaded == 5000 // bench.LINES_PER_INVOICE
        # Counted right after the load, before the run adds its own postings.
        assert dataset["invoices"] == loaded
        assert dataset["invoice_lines"] == 5000
        assert dataset["partners"] == 20
        assert dataset["products"] == 10
        assert 0 < dataset["payments"] == dataset["allocations"] < loaded
        assert {"paid", "partially_paid", "posted"} <= set(dataset["loaded_invoice_statuses"])
        assert dataset["journal_entries_loaded"] is False
        assert dataset["loaded_last_seq"] > 0
        assert dataset["event_relays_dropped_from_queue"] > 0

    def test_counts_the_rows_a_create_and_post_writes(self, figures: dict[str, Any]) -> None:
        service = figures["service_layer"]
        for key, threads in (("single_thread", 1), ("two_threads", 2)):
            result = service[key]
            per_posting = result["rows_per_create_and_post"]

            assert result["threads"] == threads
            assert result["invoices"] == 20
            assert result["seconds"] > 0
            assert result["invoices_per_second"] > 0
            assert per_posting["invoices"] == {"inserted": 1.0, "updated": 1.0}
            assert per_posting["invoice_lines"]["inserted"] == bench.LINES_PER_INVOICE
            assert per_posting["journal_entries"]["inserted"] == 1.0
            assert per_posting["journal_lines"]["inserted"] >= 2
            # Two numbers per posting (invoice, VT entry). A counter's first number is its
            # insert (one upsert), every later one an update.
            numbers = per_posting["sequences"]
            assert numbers["inserted"] + numbers["updated"] == 2.0
            assert per_posting["domain_events"]["inserted"] == 2.0
            assert per_posting["audit_log"]["inserted"] == 2.0
            assert result["rows_written"] > 20 * (1 + bench.LINES_PER_INVOICE)
        assert service["raw_insert"]["rows"] == service["single_thread"]["rows_written"]
        assert service["raw_insert"]["copy_rows_per_second"] > 0
        assert 0 < service["ratio_to_raw_copy"]

    def test_compares_the_service_with_its_sql_baseline(self, figures: dict[str, Any]) -> None:
        versus = figures["service_layer"]["against_baseline"]
        service = figures["service_layer"]["single_thread"]["rows_per_create_and_post"]
        baseline = versus["baseline_rows_per_invoice"]
        first = figures["goals"][0]

        assert versus["invoices_each"] == SIZES.service_postings
        assert first["value"] == versus["service_invoices_per_second"] > 0
        assert first["baseline"] == versus["baseline_invoices_per_second"] > 0
        assert first["ratio"] == pytest.approx(first["value"] / first["baseline"], abs=1e-3)
        # This process's CPU per invoice, each side (the baseline's excludes the server's).
        assert versus["service_cpu_ms_per_invoice"] > versus["baseline_cpu_ms_per_invoice"] > 0
        # The baseline writes the same rows in the same tables as the service.
        for table in ("invoices", "invoice_lines", "journal_entries", "domain_events"):
            assert baseline[table] == service[table], table
        assert baseline["audit_log"] == service["audit_log"]
        assert sum(baseline["sequences"].values()) == sum(service["sequences"].values())
        assert baseline["journal_lines"]["inserted"] >= 2

    def test_measures_each_api_request(self, figures: dict[str, Any]) -> None:
        api = figures["api"]

        assert api["errors"] == 0, api["error_samples"]
        assert api["pairs"] == API_PAIRS
        for kind in ("create", "post", "pair"):
            assert api[kind]["count"] == API_PAIRS
            assert 0 < api[kind]["p50_ms"] <= api[kind]["p95_ms"] <= api[kind]["max_ms"]
        assert api["pair"]["p50_ms"] > api["create"]["p50_ms"]
        assert api["pairs_per_second"] > 0
        alone = api["one_client"]
        assert alone["errors"] == 0, alone["error_samples"]
        assert alone["pairs"] == alone["pair"]["count"] == ALONE_PAIRS
        assert alone["post"]["p50_ms"] > 0
        opened = api["open_loop"]
        assert opened["errors"] == 0, opened["error_samples"]
        assert opened["pairs"] == SIZES.open_loop_pairs
        assert opened["arrivals_per_second"] == pytest.approx(
            0.5 * api["pairs_per_second"], rel=0.1
        )

    def test_times_each_report_and_explains_the_slow_candidates(
        self, figures: dict[str, Any]
    ) -> None:
        reports = figures["reports"]

        assert set(reports) == {"revenue", "aged_receivables", "kpis"}
        for report in reports.values():
            assert len(report["runs_ms"]) == 2
            assert 0 < report["best_ms"] <= report["median_ms"]
        assert [p["table"] for p in reports["revenue"]["explain"]] == ["invoices", "payments"]
        assert [p["table"] for p in reports["aged_receivables"]["explain"]] == ["invoices"]
        for plan in reports["revenue"]["explain"] + reports["aged_receivables"]["explain"]:
            assert plan["execution_ms"] > 0
            assert plan["plan"][-1].startswith("Execution Time:")

    def test_postings_continue_the_loaded_series_without_a_gap(
        self, figures: dict[str, Any]
    ) -> None:
        numbering = figures["numbering"]
        # Single thread, two threads, then service and SQL baseline side by side (plus the
        # baseline's own first block, whose rows are counted): one series for all.
        count = SIZES.service_postings
        open_loop = SIZES.open_loop_pairs  # arriving at a fixed rate
        expected = 4 * count + min(bench.BLOCK, count) + ALONE_PAIRS + API_PAIRS + open_loop
        first = figures["dataset"]["loaded_last_seq"] + 1

        assert numbering["expected_postings"] == numbering["posted"] == expected
        assert numbering["first_posted_seq"] == first
        assert numbering["last_posted_seq"] == first + expected - 1
        assert numbering["contiguous"] is True
        assert numbering["matches_responses"] is True

    def test_takes_its_event_relays_off_the_queue(self, run: Run) -> None:
        assert run.queued_after == run.queued_before

    def test_drops_every_database_it_created(self, container: Container, run: Run) -> None:
        names = run.databases

        assert len(names) == 2  # its own scratch database, then bench db's for the raw figure
        assert all(name.startswith("comptoir_bench_") for name in names)
        assert not any(database_exists(container, name) for name in names)


class TestSizes:
    def test_reads_each_size_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COMPTOIR_BENCH_INVOICE_LINES", "50_000")
        monkeypatch.setenv("COMPTOIR_BENCH_API_CLIENTS", "4")

        sizes = bench.Sizes.from_env()

        assert sizes.invoice_lines == 50_000
        assert sizes.api_clients == 4
        assert sizes.service_postings == bench.Sizes().service_postings
