"""The spec's matching rules, reply checks, tool-call order, counts, pass^k and the gate."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evals.cases import ReplyExpect, ToolCallExpect
from evals.report import Thresholds, markdown, misses, pass_hat, to_html, totals
from evals.scoring import (
    check_no_writes,
    check_reply,
    check_state_line,
    check_tool_calls,
    matches,
    numbers_in,
)

INVOICES = [
    {
        "customer": "Diallo SARL",
        "total": Decimal("53100"),
        "status": "posted",
        "lines": 2,
        "date": date(2026, 3, 16),
    },
    {
        "customer": "Supérette Ndiaye",
        "total": Decimal("5900"),
        "status": "draft",
        "lines": 1,
        "date": date(2026, 3, 1),
    },
]


def records(kind: str) -> list[dict[str, object]]:
    return {
        "invoices": INVOICES,
        "attendance": [{"employee": "Awa Ndiaye", "check_in": time(8, 5), "check_out": None}],
    }.get(kind, [])


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("  diallo sarl ", "Diallo SARL", True),
        ("Superette NDIAYE", "Supérette Ndiaye", True),
        ("Diallo", "Diallo SARL", False),
        (53100, Decimal("53100.00"), True),
        ("53100", Decimal("53100"), True),
        (53100.5, Decimal("53100.50"), True),
        (53101, Decimal("53100"), False),
        ("2026-03-16", date(2026, 3, 16), True),
        (date(2026, 3, 16), date(2026, 3, 16), True),
        ("2026-03-17", date(2026, 3, 16), False),
        (True, time(8, 5), True),
        (True, None, False),
        ("08:05", time(8, 5), True),
        (None, None, True),
        ("x", None, False),
        ({"in": ["draft", "posted"]}, "posted", True),
        ({"in": ["draft", "paid"]}, "posted", False),
        ({"gte": 50000, "lte": 60000}, Decimal("53100"), True),
        ({"gte": 60000}, Decimal("53100"), False),
        ({"contains": "diallo"}, "Boutique Diallo & Fils", True),
        ({"gte": "2026-03-01"}, date(2026, 3, 16), True),
        (True, True, True),
        (False, True, False),
    ],
)
def test_values_compare_as_the_spec_says(expected: object, actual: object, ok: bool) -> None:
    assert matches(expected, actual) is ok


def test_a_state_line_needs_one_record_matching_every_field() -> None:
    assert (
        check_state_line({"invoices": {"customer": "diallo sarl", "total": 53100}}, records) is None
    )
    failure = check_state_line({"invoices": {"customer": "Diallo SARL", "total": 5900}}, records)
    assert failure is not None and "2 enregistrement" in failure.found
    unknown = check_state_line({"invoices": {"colour": "red"}}, records)
    assert unknown is not None and "colour" in unknown.found
    assert (
        check_state_line({"attendance": {"employee": "Awa Ndiaye", "check_in": True}}, records)
        is None
    )
    assert check_state_line({"attendance": {"check_out": True}}, records) is not None


def test_counts_and_absence() -> None:
    assert check_state_line({"count": {"invoices": 2}}, records) is None
    assert check_state_line({"count": {"invoices": 3}}, records) is not None
    where = {"invoices": {"where": {"customer": "Diallo SARL"}, "equals": 1}}
    assert check_state_line({"count": where}, records) is None
    where = {"invoices": {"where": {"status": "paid"}, "equals": 1}}
    failure = check_state_line({"count": where}, records)
    assert failure is not None and failure.found == "0 invoices"
    assert check_state_line({"count": {"payments": 0}}, records) is None
    assert check_state_line({"absent": {"invoices": {"status": "paid"}}}, records) is None
    assert check_state_line({"absent": {"invoices": {"status": "draft"}}}, records) is not None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Total : 53 100 FCFA", 53100),
        ("Total : 53\u202f100,00 €", 53100),
        ("Total : 53.100 F", 53100),
        ("53100 FCFA TTC", 53100),
        ("1 234,56 €", Decimal("1234.56")),
        ("TVA 5,5 %", Decimal("5.5")),
        ("il reste 12 sacs", 12),
        ("soit 6.50 €", Decimal("6.5")),
    ],
)
def test_numbers_are_read_the_french_way(text: str, number: object) -> None:
    assert Decimal(str(number)) in numbers_in(text)


def test_numbers_do_not_invent_values() -> None:
    assert Decimal("53100") not in numbers_in("Total : 53 101 FCFA")
    assert Decimal("12") not in numbers_in("il reste 120 sacs")


def test_reply_checks_fold_case_and_accents() -> None:
    reply = "La facture FA-2026-00001 pour Diallo SARL est créée : 53 100 FCFA."
    ok = ReplyExpect(
        contains=["facture", "diallo"],
        contains_any=["cree", "valide"],
        not_contains=["erreur"],
        numbers=[53100],
    )
    assert check_reply(ok, reply) == []
    bad = ReplyExpect(
        contains=["devis"], contains_any=["annul"], not_contains=["FACTURE"], numbers=[5900]
    )
    assert len(check_reply(bad, reply)) == 4


def test_tool_calls_are_a_subsequence_with_argument_subsets() -> None:
    calls = [
        {"tool": "sales.find_customer", "arguments": {"query": "Diallo"}},
        {
            "tool": "finance.create_invoice",
            "arguments": {"customer": "Diallo", "lines": [{"product": "riz", "quantity": 3}]},
        },
        {"tool": "finance.create_invoice", "arguments": {"customer": "Diallo"}},
    ]
    assert (
        check_tool_calls(
            [ToolCallExpect(tool="finance.create_invoice", args={"customer": "diallo"})], calls
        )
        is None
    )
    assert (
        check_tool_calls(
            [
                ToolCallExpect(tool="sales.find_customer"),
                ToolCallExpect(tool="finance.create_invoice", args={"lines": [{"quantity": 3}]}),
            ],
            calls,
        )
        is None
    )
    wrong_order = [
        ToolCallExpect(tool="finance.create_invoice"),
        ToolCallExpect(tool="sales.find_customer"),
    ]
    assert check_tool_calls(wrong_order, calls) is not None
    assert (
        check_tool_calls(
            [ToolCallExpect(tool="finance.create_invoice", args={"customer": "Fall"})], calls
        )
        is not None
    )
    assert check_tool_calls([ToolCallExpect(tool="hr.check_in")], []) is not None


def test_no_writes_names_what_changed() -> None:
    assert check_no_writes({"a": "1", "b": "2"}, {"a": "1", "b": "2"}) is None
    failure = check_no_writes({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "x"})
    assert failure is not None and failure.found.endswith("b, c")


def test_pass_hat_follows_tau_bench() -> None:
    # Three cases, 4 trials: passed 4, 2 and 0 times.
    assert pass_hat([4, 2, 0], 4, 1) == pytest.approx((1 + 0.5 + 0) / 3)
    assert pass_hat([4, 2, 0], 4, 2) == pytest.approx((1 + 1 / 6 + 0) / 3)
    assert pass_hat([4, 2, 0], 4, 4) == pytest.approx(1 / 3)


def _result(case: str, tags: list[str], passed: bool, trial: int = 1) -> dict[str, object]:
    turn = {
        "user": "bonjour",
        "reply": "salut",
        "calls": [],
        "latency_ms": 10.0,
        "tokens": {"input": 0, "output": 0},
        "tier": "local",
    }
    return {
        "id": case,
        "tags": tags,
        "passed": passed,
        "trial": trial,
        "tier": "local",
        "turns": [turn],
        "failures": [],
    }


def test_totals_and_the_gate(tmp_path: Path) -> None:
    results = [
        _result(f"c{i}", ["finance"] if i < 10 else ["hr"], i not in (0, 1, 10)) for i in range(12)
    ]
    figures = totals(results, 1, 1.0)
    assert figures["overall"]["pass^1"] == pytest.approx(9 / 12)
    assert figures["per_tag"]["finance"] == {
        "cases": 10,
        "passed": 8,
        "pass^1": 0.8,
        "wrong_writes": 0,
    }
    readme = tmp_path / "README.md"
    readme.write_text(
        "x\n```thresholds\noverall: 0.70\nper_tag: 0.85\nmin_cases_per_tag: 10\n```\n"
    )
    thresholds = Thresholds.from_readme(readme)
    assert thresholds == Thresholds(overall=0.70, per_tag=0.85, min_cases=10)
    missed = misses(figures, thresholds)
    assert len(missed) == 1 and "finance" in missed[0]  # hr has 2 cases: not gated
    assert misses(figures, Thresholds(overall=0.8)) != []
    assert misses(figures, Thresholds()) == []


def test_html_report_escapes_and_keeps_tables() -> None:
    page = to_html("# T\n\n| tag | n |\n|---|---:|\n| <b> | 1 |\n\n> **vous** : <script>\n", "T")
    assert "<table>" in page and "&lt;b&gt;" in page and "<script>" not in page


def test_wrong_writes_are_failed_cases_that_wrote_and_can_fail_the_gate(tmp_path: Path) -> None:
    results = [
        {**_result("wrote-and-failed", ["finance"], False), "wrote": True},
        {**_result("wrote-and-passed", ["finance"], True), "wrote": True},
        {**_result("failed-quietly", ["hr"], False), "wrote": False},
        _result("older-report", ["hr"], False),  # a result without ``wrote``
    ]
    figures = totals(results, 1, 1.0)
    assert figures["wrong_writes"] == 1
    assert figures["per_tag"]["finance"]["wrong_writes"] == 1
    assert figures["per_tag"]["hr"]["wrong_writes"] == 0
    readme = tmp_path / "README.md"
    readme.write_text("```thresholds\noverall: 0.10\nmax_wrong_writes: 0\n```\n")
    thresholds = Thresholds.from_readme(readme)
    assert thresholds == Thresholds(overall=0.10, max_wrong_writes=0)
    assert misses(figures, thresholds) == [
        "écritures à tort 1 > 0 (cas échoués qui ont modifié les données :"
        " l'agent a agi, et pas comme demandé)"
    ]
    assert misses(figures, Thresholds(max_wrong_writes=1)) == []
    assert misses(figures, Thresholds(overall=0.10)) == []  # the key is optional
    text = markdown(results, figures, "T")
    assert "- Wrong writes (failed cases that changed business data): 1" in text
    assert "## Wrong writes (1)\n\n- wrote-and-failed (essai 1)\n" in text
    assert "### wrote-and-failed (essai 1) — finance — **a écrit**" in text
    assert "### failed-quietly (essai 1) — hr\n" in text
    page = to_html(text, "T")
    assert "Wrong writes (1)" in page and "<li>wrote-and-failed (essai 1)</li>" in page


def test_advance_turns_show_in_the_report_and_stay_out_of_latency() -> None:
    moved = {"advance_to": "2026-03-23T08:05:00", "latency_ms": 0.0, "tier": "local"}
    result: dict[str, Any] = _result("c", ["hr"], False)
    result["turns"].append({**moved, "tokens": {"input": 0, "output": 0}})
    figures = totals([result], 1, 1.0)
    assert figures["latency_ms"]["turns"] == 1
    assert "> *horloge avancée au 2026-03-23T08:05:00*" in markdown([result], figures, "T")
