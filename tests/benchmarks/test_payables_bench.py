"""The ``payables`` benchmark runs end to end at a tiny size and its figures hang together
(speed is not asserted: it depends on the machine)."""

from __future__ import annotations

from typing import Any

import benchmarks.payables as bench
from benchmarks.goals import check_goals
from comptoir.bootstrap import Container


def test_runs_at_a_tiny_size(container: Container) -> None:
    figures: dict[str, Any] = bench.run(
        container, sizes=bench.Sizes(imports=3, bills=300, repeat=2)
    )
    assert figures["import"]["files"] == 3
    assert set(figures["reports"]) == {"vat_return_month", "aged_payables", "vat_return_year"}
    assert check_goals(figures["goals"]) == []
    assert [g["name"] for g in figures["goals"]] == [
        "import_rate",
        "report_vat_return_month_median",
        "report_aged_payables_median",
    ]
