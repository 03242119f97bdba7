"""The harness end to end on the real agent graph: a case passes or fails for the right
reason, templates resolve, a crash is a failed case, the LLM tier without a provider is
refused, and the command writes its reports and honours its thresholds."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from comptoir.bootstrap import Container
from evals.cases import Case, load_cases
from evals.command import EvalOptions, run_eval
from evals.report import Thresholds
from evals.runner import NoProvider, RunConfig, make_container, run_case

RICE = {
    "customers": [{"name": "Diallo SARL", "city": "Dakar"}],
    "products": [
        {
            "name": "Sac de riz 25kg",
            "sku": "RIZ25",
            "unit": "sac",
            "sale_price": 15000,
            "vat_rate": 18,
            "stock": 12,
        }
    ],
}
INVOICE = ["Crée une facture pour Diallo SARL : 3 sacs de riz", "oui"]


def case(**fields: Any) -> Case:
    turns = [t if isinstance(t, dict) else {"user": t} for t in fields.pop("turns", INVOICE)]
    defaults: dict[str, Any] = {"id": "t", "tenant": {"country": "SN"}, "setup": RICE}
    return Case.model_validate({**defaults, **fields, "turns": turns})


@pytest.fixture(scope="module")
def harness(container: Container) -> Any:
    evaluated = make_container(RunConfig(container.settings, container.endpoints, "local"))
    yield evaluated
    evaluated.close()


def test_a_confirmed_invoice_passes_on_state_reply_and_calls(harness: Container) -> None:
    result = run_case(
        harness,
        case(
            expect={
                "state": [
                    {"invoices": {"customer": "Diallo SARL", "total": 53100, "lines": 1}},
                    {"count": {"invoices": 1}},
                ],
                "reply": {"contains_any": ["facture"]},
                "tool_calls": [
                    {"tool": "finance.create_invoice", "args": {"customer": "diallo sarl"}}
                ],
            }
        ),
    )
    assert result["passed"], result["failures"]
    first, second = result["turns"]
    assert first["confirmation"] and first["calls"][0]["status"] == "needs_confirmation"
    assert second["calls"][0]["status"] == "done" and second["tier"] == "local"
    assert result["tier"] == "local" and first["latency_ms"] > 0


def test_a_wrong_expectation_fails_and_says_what_was_found(harness: Container) -> None:
    result = run_case(
        harness,
        case(
            expect={
                "state": [{"invoices": {"customer": "Diallo SARL", "total": 53000}}],
                "no_writes": True,
                "tool_calls": [{"tool": "finance.record_payment"}],
            }
        ),
    )
    assert not result["passed"] and result["wrote"]  # a wrong write
    found = {f["expectation"].split(":")[0]: f["found"] for f in result["failures"]}
    assert "53100" in found["invoices"]
    assert "invoices" in found["aucune écriture"]
    assert "finance.create_invoice" in next(
        f["found"] for f in result["failures"] if "record_payment" in f["expectation"]
    )


def test_unconfirmed_write_leaves_no_writes_and_templates_resolve(harness: Container) -> None:
    setup = {
        **RICE,
        "invoices": [
            {
                "ref": "inv1",
                "customer": "Diallo SARL",
                "date": "2026-03-02",
                "lines": [{"product": "RIZ25", "quantity": 2}],
            }
        ],
    }
    result = run_case(
        harness,
        case(
            setup=setup,
            turns=["détails de la facture {{inv1.number}}"],
            expect={"no_writes": True, "reply": {"numbers": [35400]}},
        ),
    )
    assert result["passed"], result["failures"]
    assert "{{" not in result["turns"][0]["user"] and not result["wrote"]


def test_expectations_name_setup_records_through_templates(harness: Container) -> None:
    """A state line or a reply check may name what the setup made (``{{inv1.number}}``):
    the template is resolved before matching, and a failure shows the resolved value."""
    line = {"customer": "Diallo SARL", "lines": [{"product": "RIZ25", "quantity": 2}]}
    setup = {
        **RICE,
        "invoices": [
            {"ref": "inv1", "date": "2026-03-02", **line},
            {"ref": "inv2", "date": "2026-03-03", "status": "posted", **line},
        ],
    }
    turns = ["détails de la facture {{inv2.number}}"]
    held = run_case(
        harness,
        case(
            setup=setup,
            turns=turns,
            expect={
                "state": [{"invoices": {"number": "{{inv2.number}}", "status": "posted"}}],
                "reply": {"contains": ["{{inv2.number}}"]},
            },
        ),
    )
    assert held["passed"], held["failures"]
    number = held["turns"][0]["user"].rsplit(" ", 1)[1]
    missed = run_case(
        harness,
        case(
            setup=setup,
            turns=turns,
            expect={"state": [{"invoices": {"number": "{{inv2.number}}", "status": "paid"}}]},
        ),
    )
    assert not missed["passed"] and number in missed["failures"][0]["expectation"]
    assert "{{" not in missed["failures"][0]["expectation"]


def test_wrote_is_measured_even_without_no_writes(harness: Container) -> None:
    confirmed = run_case(harness, case())
    assert confirmed["passed"] and confirmed["wrote"]
    asked = run_case(harness, case(turns=INVOICE[:1]))  # proposed, never confirmed
    assert asked["passed"] and not asked["wrote"]


def test_each_turn_happens_at_its_own_moment(harness: Container) -> None:
    """The invoice is written when « oui » comes, after midnight: its date is that turn's."""
    result = run_case(
        harness,
        Case.model_validate(
            {
                "id": "t",
                "tenant": {"country": "SN"},
                "setup": RICE,
                "today": "2026-03-16T23:58:00",
                "turns": [
                    {"user": INVOICE[0]},
                    {"user": INVOICE[1], "at": "2026-03-17T00:01"},
                    {"user": "bonjour"},
                ],
                "expect": {"state": [{"invoices": {"date": "2026-03-17", "total": 53100}}]},
            }
        ),
    )
    assert result["passed"], result["failures"]
    assert [t["at"] for t in result["turns"]] == [
        "2026-03-16T23:58:00",
        "2026-03-17T00:01:00",
        "2026-03-17T00:02:00",
    ]


def test_advance_to_moves_the_clock_and_relays_what_fell_due(harness: Container) -> None:
    """A quote valid ten days reads expired once the clock has moved past it, and the
    events the turns emitted reach their subscribers."""
    setup = {
        **RICE,
        "quotes": [
            {
                "customer": "Diallo SARL",
                "valid_days": 10,
                "lines": [{"product": "RIZ25", "quantity": 1}],
            }
        ],
    }
    result = run_case(
        harness,
        Case.model_validate(
            {
                "id": "t",
                "tenant": {"country": "SN"},
                "setup": setup,
                "turns": [
                    {"user": INVOICE[0]},
                    {"user": INVOICE[1]},
                    {"advance_to": "2026-04-01T08:00"},
                ],
                "expect": {
                    "state": [{"quotes": {"status": "expired"}}],
                    "reply": {"contains_any": ["facture"]},  # the last reply, before the move
                },
            }
        ),
    )
    assert result["passed"], result["failures"]
    moved = result["turns"][-1]
    assert moved["advance_to"] == "2026-04-01T08:00:00" and moved["user"] is None
    assert moved["events_relayed"] >= 1  # at least the invoice's creation
    # The business's schedules that fell due in between ran, as beat would have run them.
    assert moved["automation_runs"] >= 1
    assert result["wrote"]  # the invoice, confirmed before the move


def test_what_the_clock_moving_writes_on_its_own_is_not_the_agent_writing(
    harness: Container,
) -> None:
    """The built-in automations installed and run by a move write business data; a failed
    case whose messages wrote nothing is still no wrong write."""
    move = {"advance_to": "2026-04-01T08:00"}
    expect = {"state": [{"invoices": {"customer": "Diallo SARL"}}]}
    quiet = run_case(harness, case(turns=["bonjour", move], expect=expect))
    assert not quiet["passed"] and quiet["turns"][-1]["automation_runs"] >= 1
    assert not quiet["wrote"]
    moved_data = run_case(harness, case(turns=["bonjour", move], expect={"no_writes": True}))
    # ``no_writes`` still holds the case to the whole span: the move did write.
    assert not moved_data["passed"] and not moved_data["wrote"]
    after = run_case(
        harness, case(turns=[move, *INVOICE], expect={"state": [{"invoices": {"total": 1}}]})
    )
    assert not after["passed"] and after["wrote"]  # written by a message after the move


def test_setup_errors_and_unknown_kinds_fail_the_case_loudly(harness: Container) -> None:
    broken = run_case(
        harness, case(setup={"products": [{"name": "X", "sale_price": 1, "colour": "rouge"}]})
    )
    assert not broken["passed"] and "mise en place" in broken["error"]
    later = run_case(
        harness, case(turns=["bonjour"], expect={"state": [{"expenses": {"amount": 1}}]})
    )
    assert not later["passed"] and "expenses" in later["failures"][0]["found"]
    template = run_case(harness, case(turns=["facture {{nope.number}}"]))
    assert not template["passed"] and "nope" in template["error"]


def test_the_llm_tier_without_a_provider_is_refused(container: Container) -> None:
    with pytest.raises(NoProvider):
        make_container(RunConfig(container.settings, container.endpoints, "llm"))


def test_the_command_reports_and_gates(container: Container, tmp_path: Path) -> None:
    dataset = tmp_path / "cases.yaml"
    dataset.write_text(
        json.dumps(
            [
                {
                    "id": "ok",
                    "tags": ["finance"],
                    "tenant": {"country": "SN"},
                    "setup": RICE,
                    "turns": [{"user": t} for t in INVOICE],
                    "expect": {"state": [{"invoices": {"total": 53100}}]},
                },
                {
                    "id": "ko",
                    "tags": ["finance"],
                    "turns": [{"user": "bonjour"}],
                    "expect": {"reply": {"contains": ["introuvable-xyz"]}},
                },
            ]
        )
    )
    assert [c.id for c in load_cases([tmp_path])] == ["ok", "ko"]
    out, report, data = StringIO(), tmp_path / "r.html", tmp_path / "r.json"
    options = EvalOptions(
        paths=[dataset],
        json_file=data,
        report=report,
        workers=2,
        thresholds=Thresholds(overall=0.9),
    )
    settings = container.settings.model_copy(
        update={
            "database_url": container.endpoints.database_url,
            "redis_url": container.endpoints.redis_url,
        }
    )
    assert run_eval(options, out, settings) == 1
    assert "Seuil manqué : pass^1 global 0.500" in out.getvalue()
    figures = json.loads(data.read_text())
    assert figures["totals"]["overall"]["pass^1"] == 0.5
    assert [c["passed"] for c in figures["cases"]] == [True, False]
    page = report.read_text()
    assert "<table>" in page and "introuvable-xyz" in page
    options.thresholds = Thresholds(overall=0.5)
    assert run_eval(options, StringIO(), settings) == 0
    assert run_eval(EvalOptions(paths=[tmp_path / "missing.yaml"]), out, settings) == 2
    llm = EvalOptions(paths=[dataset], tier="llm", workers=1)
    assert run_eval(llm, out, settings) == 2 and "Aucun fournisseur LLM" in out.getvalue()
    assert container.redis.ping()  # the session's servers outlive the runs
