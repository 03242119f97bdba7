"""What the load run saw, and the figures reported from it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import quantiles
from typing import Any


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str  # login, turn, confirm, cancel
    started: float  # seconds since the run began
    latency: float
    outcome: str  # HTTP status, "stream-<status>", or the client error's name


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    # customer name -> confirmed | confirmed_on_retry | uncertain | unconfirmed | cancelled
    # | refused, as the clients understood it
    ledger: dict[str, str] = field(default_factory=dict)
    business: dict[str, str] = field(default_factory=dict)
    throttle: list[Sample] = field(default_factory=list)
    client_errors: list[str] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)
    other_address_login: list[str] = field(default_factory=list)
    businesses: list[str] = field(default_factory=list)
    left_for_sweep: dict[str, int] = field(default_factory=dict)

    def outage(self, grace: float) -> tuple[float, float]:
        return self.marks["postgres_stopping"], self.marks["postgres_started"] + grace

    def during_outage(self, sample: Sample, grace: float) -> bool:
        start, end = self.outage(grace)
        return sample.started <= end and sample.started + sample.latency >= start


def _percentiles(latencies: list[float]) -> dict[str, float]:
    if len(latencies) < 2:
        return {
            "p50": latencies[0] if latencies else 0.0,
            "p95": latencies[0] if latencies else 0.0,
        }
    cuts = quantiles(latencies, n=100)
    return {"p50": round(cuts[49], 3), "p95": round(cuts[94], 3)}


def _recovery(run: Run) -> dict[str, Any]:
    back = run.marks["postgres_started"]
    stop = run.marks["postgres_stopping"]
    ok_after = [
        s.started + s.latency for s in run.samples if s.started >= back and s.outcome == "200"
    ]
    failed = [s.started for s in run.samples if s.outcome != "200"]
    turns_ok = [
        s.started + s.latency
        for s in run.samples
        if s.kind == "turn" and s.started >= back and s.outcome == "200"
    ]
    return {
        "postgres_down_seconds": round(back - stop, 2),
        "first_success_after_restart_s": round(min(ok_after) - back, 2) if ok_after else None,
        "first_turn_after_restart_s": round(min(turns_ok) - back, 2) if turns_ok else None,
        "last_failed_request_sent_after_restart_s": (
            round(max(failed) - back, 2) if failed else None
        ),
    }


def figures(run: Run) -> dict[str, Any]:
    by_kind: dict[str, Any] = {}
    for kind in sorted({s.kind for s in run.samples}):
        samples = [s for s in run.samples if s.kind == kind]
        ok = [s.latency for s in samples if s.outcome == "200"]
        by_kind[kind] = {
            "requests": len(samples),
            "successes": len(ok),
            "outcomes": dict(Counter(s.outcome for s in samples)),
            "latency_s": _percentiles(ok),
        }
    everything = [s.latency for s in run.samples if s.outcome == "200"]
    return {
        "requests": len(run.samples),
        "successes": len(everything),
        "errors": dict(Counter(s.outcome for s in run.samples if s.outcome != "200")),
        "latency_s": _percentiles(everything),
        "by_kind": by_kind,
        "writes": dict(Counter(run.ledger.values())),
        "wrong_passwords": dict(Counter(s.outcome for s in run.throttle)),
        "client_errors": run.client_errors[:20],
        "other_address_login": run.other_address_login,
        "events_left_for_the_sweep": run.left_for_sweep,
        "marks_s": {k: round(v, 2) for k, v in run.marks.items()},
        "recovery": _recovery(run),
    }
