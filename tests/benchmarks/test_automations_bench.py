"""The ``automations`` benchmark runs end to end at a tiny size and its figures hang
together. Speed is not asserted: it depends on the machine."""

from __future__ import annotations

import json

from automations.kinds import KINDS
from benchmarks import automations as bench
from benchmarks.goals import check_goals
from comptoir.bootstrap import Container

SIZES = bench.Sizes(crossings=3, businesses=2, invoices=120, schedules=160, repeat=2)


class TestAutomationsBenchmark:
    def test_figures_hang_together(self, container: Container) -> None:
        figures = bench.run(container, sizes=SIZES)
        json.dumps(figures, default=str)
        assert check_goals(figures["goals"]) == []
        assert [g["name"] for g in figures["goals"]] == [
            "stock_alert_p95",
            "daily_dunning_1000_businesses",
        ]
        # Every crossing under the minimum notified the one admin, once (plus the first).
        assert figures["stock_alert"]["latency"]["count"] == 3
        assert figures["stock_alert"]["notifications"] == 3 + 1
        dunning = figures["dunning"]
        assert dunning["open_invoices"] == 240
        assert 0 < dunning["reminders_recorded"] < 240  # some invoices are at no stage
        assert dunning["first_pass"]["per_business"]["count"] == 2
        assert dunning["daily_pass"]["seconds"] > 0
        beat = figures["beat"]
        builtins = [k for k in KINDS.values() if k.builtin]
        businesses = SIZES.schedules // len(builtins)  # each business has every built-in
        assert beat["businesses"] == businesses
        assert beat["stored_automations"] >= businesses * len(builtins)
        assert beat["poll_with_one_percent_due"]["dispatched"] == 1
        assert beat["poll_with_one_percent_due"]["installed"] == 0
