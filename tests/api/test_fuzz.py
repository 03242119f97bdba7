"""The whole API fuzzed from its own OpenAPI schema (Schemathesis, property-based), served by
uvicorn on real PostgreSQL.

Every operation gets generated requests (valid and invalid data) as a role drawn among the
six, path parameters filled at random, with a real id of the business, or with a real id of
a second business. Three checks on every response:

- no 5xx (``not_a_server_error``);
- a response conforms to the schema the API publishes for it (``response_schema_conformance``);
- no 2xx when a path parameter names another business's record.

The budget is bounded for the normal run (``COMPTOIR_FUZZ_EXAMPLES`` per operation, 8 by
default) and raised by ``make fuzz``; generation is derandomized so CI is reproducible. The
run's figures (operations, cases, failures) are printed and written to
``var/test/fuzz-report.json``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.fuzz_support import ROLES, Business, TokenBook, make_business
from tests.conftest import TEST_HOME

Case = schemathesis.Case[Any]

EXAMPLES = int(os.environ.get("COMPTOIR_FUZZ_EXAMPLES", "8"))
# Operations that end the caller's own session: they get a throwaway token each time.
SESSION_ENDING = {("POST", "/api/v1/auth/logout")}
# Where a path parameter's value comes from: generated, a real id of the business the
# caller belongs to, or a real id of the other business (the cross-tenant probe).
ID_SOURCES = ("random", "mine", "theirs")


@dataclass
class Finding:
    operation: str
    kind: str
    status: int
    detail: str
    curl: str


@dataclass
class Run:
    operations: int = 0
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        unique = {(f.operation, f.kind, f.detail[:120]) for f in self.findings}
        return {
            "operations": self.operations,
            "cases": sum(self.cases.values()),
            "examples_per_operation": EXAMPLES,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "failures": len(self.findings),
            "distinct_failures": len(unique),
            "skipped": self.skipped,
            "findings": [f.__dict__ for f in self.findings[:200]],
        }


@dataclass
class Fuzzer:
    base_url: str
    mine: Business
    theirs: Business
    tokens: TokenBook
    session: requests.Session
    run: Run

    def headers(self, method: str, path: str, role: Role) -> dict[str, str]:
        if (method, path) in SESSION_ENDING:
            token = self.tokens.fresh(self.mine.members[Role.EMPLOYEE])
            return {"Authorization": f"Bearer {token}"}
        return self.tokens.headers(role)

    def place_ids(self, case: Case, source: str, pick: int) -> bool:
        """Fill the path parameters from ``source``; True if another business's ids."""
        if source == "random" or not case.path_parameters:
            return False
        business = self.mine if source == "mine" else self.theirs
        placed = False
        for name in list(case.path_parameters):
            pool = business.ids.get(name)
            if pool:
                case.path_parameters[name] = str(pool[pick % len(pool)])
                placed = True
        return placed and source == "theirs"

    def exercise(self, case: Case, role: Role, source: str, pick: int) -> None:
        op = case.operation
        label = f"{op.method.upper()} {op.path}"
        foreign = self.place_ids(case, source, pick)
        headers = self.headers(op.method.upper(), op.path, role)
        # The generator may put its own Authorization header: the role's token wins.
        case.headers = CaseInsensitiveDict({**dict(case.headers or {}), **headers})
        try:
            response = case.call(
                base_url=self.base_url, headers=headers, session=self.session, timeout=60
            )
        except requests.RequestException as exc:
            self.run.findings.append(Finding(label, "transport", 0, repr(exc)[:500], ""))
            return
        self.run.cases[label] += 1
        self.run.statuses[response.status_code] += 1
        curl = case.as_curl_command(headers={"Authorization": "Bearer …"})
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except (AssertionError, BaseExceptionGroup) as exc:
            detail = f"{exc}\n{response.text[:300]}"
            self.run.findings.append(
                Finding(label, "check", response.status_code, detail[:1500], curl)
            )
        if foreign and 200 <= response.status_code < 300:
            detail = f"another business's id answered {response.status_code}: {response.text}"
            self.run.findings.append(
                Finding(label, "cross_tenant", response.status_code, detail[:800], curl)
            )

    def fuzz(self, operation: Any) -> None:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=strategy,
            role=st.sampled_from(ROLES),
            source=st.sampled_from(ID_SOURCES),
            pick=st.integers(0, 1000),
        )
        def exercise(case: Case, role: Role, source: str, pick: int) -> None:
            self.exercise(case, role, source, pick)

        exercise()


@pytest.fixture(scope="module")
def fuzz_run(container: Container, live_url: str) -> Run:
    with httpx.Client(base_url=live_url, timeout=60) as http:
        mine = make_business(container, http)
        theirs = make_business(container, http)
    failures = mine.seed_failures + theirs.seed_failures
    assert failures == [], "\n".join(failures)
    schema = schemathesis.openapi.from_url(f"{live_url}/openapi.json")
    run = Run()
    with requests.Session() as session:
        fuzzer = Fuzzer(live_url, mine, theirs, TokenBook(container, mine), session, run)
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # an Err raises: that is the point
            run.operations += 1
            try:
                fuzzer.fuzz(operation)
            except Exception as exc:  # noqa: BLE001 - a schema the generator cannot use
                run.skipped.append(f"{operation.method.upper()} {operation.path}: {exc!r}"[:300])
    report = run.report()
    TEST_HOME.mkdir(parents=True, exist_ok=True)
    (TEST_HOME / "fuzz-report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(  # noqa: T201 - the figures are the point of the run
        f"\nfuzz: {report['operations']} operations, {report['cases']} cases, "
        f"{report['failures']} failures ({report['distinct_failures']} distinct), "
        f"statuses {report['statuses']}"
    )
    return run


class TestFuzzApi:
    def test_every_operation_was_exercised(self, fuzz_run: Run) -> None:
        assert fuzz_run.operations > 100
        assert fuzz_run.skipped == []
        assert len(fuzz_run.cases) == fuzz_run.operations
        assert sum(fuzz_run.cases.values()) >= fuzz_run.operations * min(EXAMPLES, 3)
        # Not all refusals: the seeded ids let the fuzzer reach real records.
        assert sum(n for s, n in fuzz_run.statuses.items() if s < 300) > fuzz_run.operations // 2

    def test_no_server_error_nor_schema_violation(self, fuzz_run: Run) -> None:
        found = [f for f in fuzz_run.findings if f.kind != "cross_tenant"]
        assert found == [], _summary(found)

    def test_no_success_with_another_business_ids(self, fuzz_run: Run) -> None:
        found = [f for f in fuzz_run.findings if f.kind == "cross_tenant"]
        assert found == [], _summary(found)


def _summary(findings: list[Finding]) -> str:
    lines = []
    for f in findings[:20]:
        lines.append(f"{f.operation} [{f.kind} {f.status}] {f.detail[:400]}\n  {f.curl[:400]}")
    return f"{len(findings)} findings:\n" + "\n".join(lines)
