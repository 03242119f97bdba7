"""The ``stock`` benchmark runs end to end at a tiny size, its figures hang together, and it
leaves no database behind.

Speed is not asserted: it depends on the machine, and the figures are for people to read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import benchmarks.stock as bench
from benchmarks.kit import check_goals
from comptoir import dbadmin
from comptoir.bootstrap import Container
from tests.benchmarks.test_invoices_bench import database_exists

SIZES = bench.Sizes(
    products=60,
    warehouses=3,
    moves=6000,
    suppliers=4,
    open_orders=6,
    repeat=3,
    service_moves=20,
    batch_moves=10,
)


@pytest.fixture(scope="module")
def run(container: Container) -> tuple[dict[str, Any], list[str]]:
    names: list[str] = []
    create = dbadmin.create_database

    def spy(owner_url: str, name: str) -> str:
        names.append(name)
        return create(owner_url, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbadmin, "create_database", spy)
        figures = bench.run(container, sizes=SIZES)
    return figures, names


@pytest.fixture
def figures(run: tuple[dict[str, Any], list[str]]) -> dict[str, Any]:
    return run[0]


class TestStockBenchmark:
    def test_prints_as_json_with_its_goals(self, figures: dict[str, Any]) -> None:
        json.dumps(figures, default=str)
        assert figures["benchmark"] == "stock"
        assert figures["sizes"]["moves"] == 6000
        assert check_goals(figures["goals"]) == []
        assert [g["name"] for g in figures["goals"]] == [
            "service_move_vs_sql_baseline",
            "level_one_product_one_warehouse_median",
            "level_one_product_all_warehouses_median",
            "level_one_page_median",
            "level_whole_tenant_median",
            "reorder_suggestions_median",
        ]
        assert figures["machine"]["postgres_version"]

    def test_loads_the_history_asked_for(self, figures: dict[str, Any]) -> None:
        dataset = figures["dataset"]
        assert dataset["products"] == 60
        assert dataset["warehouses"] == 3
        # The moves asked for, plus one adjustment per level chance left below zero.
        assert 6000 <= dataset["stock_moves"] <= 6000 + 60 * 3
        assert dataset["stock_levels"] == dataset["reorder_rules"] == 60 * 3
        assert dataset["suppliers"] == 4
        assert dataset["open_purchase_orders"] == 6
        assert dataset["negative_levels"] == 0

    def test_the_loaded_cache_matches_the_moves(self, figures: dict[str, Any]) -> None:
        assert figures["planning"]["cache_check"]["differences_found"] == 0

    def test_measures_levels_and_planning(self, figures: dict[str, Any]) -> None:
        levels = figures["levels"]
        assert levels["whole_tenant"]["rows_returned"] == 60 * 3
        assert levels["whole_tenant"]["explain"], "the level query's plan is kept"
        assert levels["one_page"]["rows_returned"] == 60 * 3  # a page is larger than this
        for figure in levels.values():
            assert figure["count"] > 0
            assert isinstance(figure["meets_goal"], bool)
        suggestions = figures["planning"]["reorder_suggestions"]
        # One rule in ten is set above what is on hand, so something must be suggested.
        assert suggestions["lines"] > 0
        assert 0 < suggestions["supplier_groups"] <= 4 + 1

    def test_counts_the_rows_a_move_writes(self, figures: dict[str, Any]) -> None:
        moves = figures["moves"]
        single = moves["single_thread"]
        assert list(single["writes_by_table"]["stock_moves"]) == [20, 0]
        assert single["writes_by_table"]["stock_levels"][1] >= 20  # one level updated each
        assert single["rows_written"] >= 20 * 3
        assert moves["two_threads"]["moves_per_second"] > 0
        assert moves["one_unit_of_work"]["moves"] == 10
        assert moves["raw_insert"]["rows"] == single["rows_written"]
        assert 0 < moves["ratio_to_raw_copy"] < 1

    def test_compares_moves_with_their_sql_baseline(self, figures: dict[str, Any]) -> None:
        versus = figures["moves"]["against_baseline"]
        first = figures["goals"][0]
        baseline = versus["baseline_writes_per_move"]
        service = figures["moves"]["single_thread"]["writes_by_table"]

        assert versus["moves_each"] == 20
        assert first["value"] == versus["service_moves_per_second"] > 0
        assert first["baseline"] == versus["baseline_moves_per_second"] > 0
        assert versus["service_cpu_ms_per_move"] > versus["baseline_cpu_ms_per_move"] > 0
        # Half receipts, half issues: the same rows per move as the service writes.
        assert baseline["stock_moves"] == {"inserted": 1.0, "updated": 0.0}
        for table in ("stock_moves", "domain_events", "audit_log"):
            assert baseline[table]["inserted"] == service[table][0] / 20, table
        assert baseline["products"]["updated"] == service["products"][1] / 20

    def test_drops_its_databases(
        self, container: Container, run: tuple[dict[str, Any], list[str]]
    ) -> None:
        names = run[1]
        assert len(names) == 2  # the scratch tenant database and the raw-insert one
        assert not any(database_exists(container, name) for name in names)
