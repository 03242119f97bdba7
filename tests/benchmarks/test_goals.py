"""Every benchmark reports its goals in one shape (``benchmarks.goals``): the figure, the
same-run baseline and the ratio when the goal is relative, the goal in words, met or not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from benchmarks.goals import GOAL_KEYS, check_goals, goal

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NAMES = ("agent", "rag", "invoices", "stock", "web", "whatsapp", "automations", "payables", "db")


class TestGoal:
    def test_an_absolute_goal_has_no_baseline(self) -> None:
        row = goal("turn_p95", 58.2, "ms", at_most=60)

        assert tuple(row) == GOAL_KEYS
        assert row == {
            "name": "turn_p95",
            "value": 58.2,
            "unit": "ms",
            "baseline": None,
            "ratio": None,
            "goal": "<= 60 ms",
            "met": True,
        }
        assert goal("turn_p95", 60.1, "ms", at_most=60)["met"] is False

    def test_a_relative_goal_bounds_the_ratio_to_its_baseline(self) -> None:
        row = goal("service_vs_sql", 40.0, "invoices/s", baseline=100.0, at_least=0.5)

        assert (row["baseline"], row["ratio"], row["goal"], row["met"]) == (
            100.0,
            0.4,
            "ratio >= 0.5",
            False,
        )
        assert goal("s", 50.0, "invoices/s", baseline=100.0, at_least=0.5)["met"] is True

    def test_a_bound_derived_from_the_baseline_can_apply_to_the_value(self) -> None:
        row = goal("reply", 290.0, "ms", baseline=120.0, at_most=280.0, bound_on="value")

        assert (row["ratio"], row["goal"], row["met"]) == (2.4167, "<= 280 ms", False)

    def test_nothing_measured_never_meets_its_goal(self) -> None:
        assert goal("api", None, "ms", baseline=10.0, at_most=2)["met"] is False
        assert goal("api", 5.0, "ms", baseline=0.0, at_most=2)["met"] is False

    def test_a_goal_has_exactly_one_bound(self) -> None:
        with pytest.raises(ValueError, match="exactly one bound"):
            goal("x", 1.0, "ms")
        with pytest.raises(ValueError, match="exactly one bound"):
            goal("x", 1.0, "ms", at_most=1, at_least=0)


class TestCheckGoals:
    def test_accepts_the_shape_and_names_what_is_wrong(self) -> None:
        good = [goal("a", 1.0, "ms", at_most=2), goal("b", 3.0, "x", baseline=2.0, at_least=1)]

        assert check_goals(good) == []
        assert check_goals({"a": True}) == ["goals is not a non-empty list"]
        assert check_goals([]) == ["goals is not a non-empty list"]
        assert check_goals([{"name": "a", "met": True}]) == ["goal 0: keys ['name', 'met']"]
        assert check_goals([{**good[0], "met": "yes"}]) != []


class TestEveryBenchmark:
    @pytest.mark.parametrize("name", NAMES)
    def test_builds_its_goals_with_the_shared_helper(self, name: str) -> None:
        """Each benchmark's ``"goals"`` entry is a list made by ``goal(...)`` calls (or a
        function returning them), never a dict of booleans."""
        tree = ast.parse((BENCHMARKS / f"{name}.py").read_text())
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "goal"
        ]
        entries = [
            value
            for node in ast.walk(tree)
            if isinstance(node, ast.Dict)
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "goals"
        ]

        assert calls, f"{name} never calls goal()"
        assert len(entries) == 1
        assert isinstance(entries[0], ast.List | ast.Call)
