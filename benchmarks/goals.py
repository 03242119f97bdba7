"""The one shape every benchmark's ``"goals"`` list has, and its check.

Each goal is ``{"name", "value", "unit", "baseline", "ratio", "goal", "met"}``: the figure,
the same-run baseline it is compared with and their ratio (both null for an absolute goal),
the goal in words and whether it is met. ``comptoir bench NAME`` prints it at the top.
"""

from __future__ import annotations

from typing import Any, Literal

GOAL_KEYS = ("name", "value", "unit", "baseline", "ratio", "goal", "met")


def goal(
    name: str,
    value: float | None,
    unit: str,
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    baseline: float | None = None,
    bound_on: Literal["ratio", "value"] = "ratio",
) -> dict[str, Any]:
    """One benchmark goal in the shape every benchmark's ``"goals"`` list shares.

    Without ``baseline`` the bound applies to ``value`` itself (an absolute goal; baseline
    and ratio are null). With it, the bound applies to ``ratio = value / baseline``, the
    baseline being measured in the same run — or, with ``bound_on="value"``, to the value
    (a bound the caller derived from the baseline). A missing value (nothing measured) or
    a zero baseline never meets its goal.
    """
    if (at_most is None) == (at_least is None):
        raise ValueError("a goal has exactly one bound: at_most or at_least")
    ratio = round(value / baseline, 4) if value is not None and baseline else None
    on_ratio = baseline is not None and bound_on == "ratio"
    compared = ratio if on_ratio else value
    bound = at_most if at_most is not None else at_least
    assert bound is not None
    sign = "<=" if at_most is not None else ">="
    text = f"ratio {sign} {bound:g}" if on_ratio else f"{sign} {bound:g} {unit}"
    met = compared is not None and (compared <= bound if at_most is not None else compared >= bound)
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "goal": text,
        "met": bool(met),
    }


def check_goals(goals: object) -> list[str]:
    """What is wrong with a benchmark's ``"goals"`` list (empty when it has the shape)."""
    if not isinstance(goals, list) or not goals:
        return ["goals is not a non-empty list"]
    problems = []
    for i, row in enumerate(goals):
        if not isinstance(row, dict) or tuple(row) != GOAL_KEYS:
            problems.append(f"goal {i}: keys {list(row) if isinstance(row, dict) else row!r}")
            continue
        if not isinstance(row["met"], bool) or not isinstance(row["name"], str):
            problems.append(f"goal {i} ({row['name']}): met must be a bool, name a str")
        if (row["baseline"] is None) != (row["ratio"] is None) and row["value"] is not None:
            problems.append(f"goal {i} ({row['name']}): baseline and ratio go together")
    return problems
