"""Load and faults, bounded, on loopback: 200 clients log in and talk to Comptoir for 60 s
(reads, and customers created through previews confirmed by token) while the Celery
worker is SIGKILLed and started again, then PostgreSQL is stopped and started again.

One run (module fixture) feeds several tests: no 500 ever and nothing but successes once
recovered; every write the clients saw confirmed exists exactly once, nothing they did not
confirm exists; every outbox event relayed exactly once after the worker came back; the
login throttle answering 429 to a stream of wrong passwords throughout. The figures go
to the terminal and to ``load-report.json`` under the test home.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from celery import Celery

from comptoir.runtime import celery_broker_url
from tests.conftest import TEST_HOME
from tests.factories import PASSWORD, Account, make_tenant
from tests.load import DELIVERIES
from tests.load.figures import Run, Sample, figures
from tests.load.stack import Stack, start_stack
from tests.sales_factories import make_sales_tenant

CLIENTS = 200
BUSINESSES = 10
DURATION = 60.0
WORKER_KILLED_AT, WORKER_BACK_AT = 8.0, 13.0
POSTGRES_STOPPED_AT, POSTGRES_DOWN_FOR = 20.0, 5.0
# Requests may fail from the stop until this long after PostgreSQL is back (pools reconnect).
RECOVERY_GRACE = 10.0
ADDRESSES = 20  # the clients come from 127.0.1.1 … 127.0.1.20, ten per address
# Argon2 (64 MiB, t=3, p=4) costs about 0.65 s of CPU per check on a shared two-core box:
# 200 logins would take the whole run by themselves. So these clients log in before every
# action, the others keep the session their business opened before the run.
LOGIN_CLIENTS = 10
# People think between two messages; a few seconds before pressing « confirmer ».
THINK = (10.0, 30.0)
THINK_BEFORE_CONFIRM = (1.0, 3.0)
WRONG_PASSWORD_EVERY = 0.5
CONFIRM_ATTEMPTS = 6
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
READS = ["bonjour", "cherche le client Diallo", "cherche le client Maison"]


def letters(n: int = 10) -> str:
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


class Load:
    """The clients, the fault injector and the throttle prober sharing one clock."""

    def __init__(
        self, stack: Stack, accounts: list[Account], sessions: list[str], victim: Account
    ) -> None:
        self.stack, self.accounts, self.victim = stack, accounts, victim
        self.sessions = sessions  # an access token per business, opened before the run
        self.run = Run()
        self.t0 = 0.0

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def request(
        self, http: httpx.AsyncClient, kind: str, body: dict[str, Any], **kw: Any
    ) -> tuple[httpx.Response | None, list[dict[str, Any]] | None]:
        """POST ``body``; the response and, for a chat turn, its events (SSE or JSON)."""
        url = "/api/v1/auth/login" if kind == "login" else "/api/v1/chat"
        started, outcome = self.now(), "?"
        response: httpx.Response | None = None
        events: list[dict[str, Any]] | None = None
        stage = "sending"
        try:
            async with http.stream("POST", url, json=body, **kw) as response:
                stage = f"reading {response.status_code} {response.headers.get('content-type')}"
                events, outcome = await self._read(response, kind)
        except httpx.HTTPError as exc:
            outcome, response = type(exc).__name__, None
            self.run.client_errors.append(f"{started:.2f}s {kind} {stage}: {exc!r}")
        self.run.samples.append(Sample(kind, started, self.now() - started, outcome))
        return response, events

    @staticmethod
    async def _read(response: httpx.Response, kind: str) -> tuple[list[dict[str, Any]] | None, str]:
        if response.status_code != 200:
            await response.aread()
            try:
                code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "?"
            return None, f"{response.status_code}:{code}"
        if not response.headers["content-type"].startswith("text/event-stream"):
            await response.aread()
            data = response.json()
            return (data.get("events") if kind != "login" else [data]), "200"
        events: list[dict[str, Any]] = []
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line.removeprefix("data:")))
        errors = [e for e in events if e["type"] == "error"]
        # An error once the stream started: the turn did not commit.
        if errors:
            return None, f"stream-{errors[0]['status']}:{errors[0]['code']}"
        return events, "200"

    async def login(self, http: httpx.AsyncClient, account: Account) -> str | None:
        body = {"email": account.email, "password": PASSWORD}
        response, events = await self.request(http, "login", body)
        return str(events[0]["access_token"]) if response is not None and events else None

    async def client(self, i: int, http: httpx.AsyncClient) -> None:
        account = self.accounts[i % len(self.accounts)]
        accept = {"Accept": "text/event-stream"} if i % 3 == 0 else {}
        await asyncio.sleep(random.uniform(0, THINK[0]))  # people do not all start at once
        while self.now() < DURATION:
            token: str | None = self.sessions[i % len(self.accounts)]
            if i < LOGIN_CLIENTS:
                token = await self.login(http, account)
            if token is not None:
                headers = {"Authorization": f"Bearer {token}", **accept}
                if random.random() < 0.5:
                    body = {"message": random.choice(READS)}
                    await self.request(http, "turn", body, headers=headers)
                else:
                    await self.write(http, account, headers)
            await asyncio.sleep(min(random.uniform(*THINK), max(0.0, DURATION - self.now())))

    async def write(self, http: httpx.AsyncClient, account: Account, headers: Any) -> None:
        name = f"Maison {letters()}"
        body = {"message": f"crée le client {name}"}
        _, events = await self.request(http, "turn", body, headers=headers)
        token = next((e["token"] for e in events or [] if e["type"] == "confirmation"), None)
        if token is None:
            return
        ledger = self.run.ledger
        ledger[name] = "unconfirmed"
        self.run.business[name] = str(account.tenant_id)
        if random.random() < 0.1:
            await asyncio.sleep(random.uniform(*THINK_BEFORE_CONFIRM))
            _, events = await self.request(http, "cancel", {"cancel": token}, headers=headers)
            ledger[name] = "cancelled" if events else "unconfirmed"
            return
        ledger[name] = "uncertain"  # asked; until an answer comes back, it may or may not be
        await asyncio.sleep(random.uniform(*THINK_BEFORE_CONFIRM))
        for attempt in range(CONFIRM_ATTEMPTS):
            _, events = await self.request(http, "confirm", {"confirm": token}, headers=headers)
            done = [e for e in events or [] if e["type"] == "done"]
            if done:
                status = done[-1]["calls"][-1]["status"]
                # Refused on a retry: the earlier attempt committed, its answer was lost.
                ledger[name] = {"done": "confirmed"}.get(
                    status, "confirmed_on_retry" if attempt else "refused"
                )
                return
            await asyncio.sleep(1 + attempt)

    async def wrong_passwords(self) -> None:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
        async with httpx.AsyncClient(
            base_url=self.stack.api_url, transport=transport, timeout=TIMEOUT
        ) as http:
            while self.now() < DURATION:
                body = {"email": self.victim.email, "password": "pas-le-bon-mot-de-passe"}
                started = self.now()
                try:
                    outcome = str((await http.post("/api/v1/auth/login", json=body)).status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                self.run.throttle.append(Sample("login", started, self.now() - started, outcome))
                await asyncio.sleep(WRONG_PASSWORD_EVERY)

    async def faults(self) -> None:
        marks, stack = self.run.marks, self.stack
        await asyncio.sleep(WORKER_KILLED_AT - self.now())
        await asyncio.to_thread(stack.kill_worker)
        marks["worker_killed"] = self.now()
        await asyncio.sleep(WORKER_BACK_AT - self.now())
        stack.start_worker()
        marks["worker_started"] = self.now()
        await asyncio.sleep(POSTGRES_STOPPED_AT - self.now())
        marks["postgres_stopping"] = self.now()
        await asyncio.to_thread(stack.stop_postgres)
        marks["postgres_stopped"] = self.now()
        await asyncio.sleep(POSTGRES_DOWN_FOR)
        await asyncio.to_thread(stack.start_postgres)
        marks["postgres_started"] = self.now()

    async def main(self) -> None:
        clients = [
            httpx.AsyncClient(
                base_url=self.stack.api_url,
                timeout=TIMEOUT,
                # A connection per request: reusing a kept-alive one just as uvicorn closes
                # it (5 s idle) fails a POST on the client's side, which is not the server's
                # fault and would blur what these tests measure.
                transport=httpx.AsyncHTTPTransport(
                    local_address=f"127.0.1.{a + 1}",
                    limits=httpx.Limits(max_keepalive_connections=0),
                ),
            )
            for a in range(ADDRESSES)
        ]
        self.t0 = time.monotonic()
        try:
            await asyncio.gather(
                self.faults(),
                self.wrong_passwords(),
                *(self.client(i, clients[i % ADDRESSES]) for i in range(CLIENTS)),
            )
        finally:
            self.run.marks["end"] = self.now()
            for http in clients:
                await http.aclose()


def login_from_another_address(stack: Stack, victim: Account) -> list[str]:
    """The real owner, from another address, after the guessing stopped: what the throttle
    answers over up to 10 s (following Retry-After when it gives one)."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    answers: list[str] = []
    deadline = time.monotonic() + 10
    with httpx.Client(base_url=stack.api_url, transport=transport, timeout=30) as http:
        while True:
            r = http.post("/api/v1/auth/login", json={"email": victim.email, "password": PASSWORD})
            answers.append(str(r.status_code))
            wait = float(r.headers.get("retry-after", 2))
            if r.status_code != 429 or time.monotonic() + wait > deadline:
                return answers
            time.sleep(wait)


def open_session(stack: Stack, account: Account) -> str:
    body = {"email": account.email, "password": PASSWORD}
    r = httpx.post(f"{stack.api_url}/api/v1/auth/login", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def leftovers(stack: Stack, businesses: list[str]) -> dict[str, int]:
    """Undispatched events by name (the run's end: what the sweep has to do)."""
    rows = stack.owner_sql(
        "SELECT name, count(*) FROM domain_events"
        " WHERE dispatched_at IS NULL AND tenant_id::text = ANY(:ids) GROUP BY name",
        ids=businesses,
    )
    return {name: int(n) for name, n in rows}


def relay_leftovers(stack: Stack, businesses: list[str]) -> float:
    """Ask the worker to sweep (beat's job, every minute in production) until every event
    of the run is dispatched; how long that took."""
    started = time.monotonic()
    sender = Celery(broker=celery_broker_url(stack.redis_url))
    swept = 0.0
    try:
        while time.monotonic() - started < 60:
            left = stack.owner_sql(
                "SELECT count(*) FROM domain_events"
                " WHERE dispatched_at IS NULL AND tenant_id::text = ANY(:ids)",
                ids=businesses,
            )[0][0]
            if left == 0:
                break
            if time.monotonic() - swept > 10:  # each sweep queues every leftover again
                sender.send_task("automations.events.sweep")
                swept = time.monotonic()
            time.sleep(1)
    finally:
        sender.close()
    return time.monotonic() - started


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    s = start_stack()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def run(stack: Stack, request: pytest.FixtureRequest) -> Run:
    accounts = [make_sales_tenant(stack.container) for _ in range(BUSINESSES)]
    victim = make_tenant(stack.container)
    stack.start_worker()
    stack.start_api()
    sessions = [open_session(stack, a) for a in accounts]
    chat = httpx.post(
        f"{stack.api_url}/api/v1/chat",
        json={"message": "bonjour"},
        headers={"Authorization": f"Bearer {sessions[0]}"},
        timeout=180,  # loads the embedding model
    )
    assert chat.status_code == 200, chat.text
    load = Load(stack, accounts, sessions, victim)
    asyncio.run(load.main())
    result = load.run
    result.other_address_login = login_from_another_address(stack, victim)
    businesses = [str(a.tenant_id) for a in [*accounts, victim]]
    result.left_for_sweep = leftovers(stack, businesses)
    result.marks["sweep_seconds"] = relay_leftovers(stack, businesses)
    result.businesses = businesses
    report = figures(result)
    (TEST_HOME / "load-report.json").write_text(json.dumps(report, indent=2))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for line in json.dumps(report, indent=2).splitlines():
        (reporter.write_line if reporter else print)(f"load › {line}")  # noqa: T201
    return result


def partners(stack: Stack, run: Run) -> dict[str, int]:
    rows = stack.owner_sql(
        "SELECT name, count(*) FROM partners"
        " WHERE name LIKE 'Maison %' AND tenant_id::text = ANY(:ids) GROUP BY name",
        ids=run.businesses,
    )
    return {name: int(n) for name, n in rows}


class TestUnderLoadAndFaults:
    def test_the_faults_happened_and_the_load_was_real(self, run: Run) -> None:
        marks = run.marks
        assert {"worker_killed", "worker_started", "postgres_stopped", "postgres_started"} <= set(
            marks
        )
        outage = [s for s in run.samples if run.during_outage(s, RECOVERY_GRACE)]
        assert any(s.outcome != "200" for s in outage), "the outage went unnoticed"
        confirmed = [n for n, state in run.ledger.items() if state == "confirmed"]
        assert len(run.samples) >= 300 and len(confirmed) >= 20
        assert len([s for s in run.samples if s.kind == "login" and s.outcome == "200"]) >= 10

    def test_no_500_and_all_good_once_recovered(self, run: Run) -> None:
        assert [s for s in run.samples if "500" in s.outcome] == []
        after = [s for s in run.samples if not run.during_outage(s, RECOVERY_GRACE)]
        # Outside the outage: answered, or shed with « très sollicité » when every pooled
        # connection stayed busy (load, not a fault) — never « base indisponible ».
        bad = [s for s in after if s.outcome not in ("200", "503:busy", "stream-503:busy")]
        assert bad == [], (bad[:20], run.client_errors)

    def test_outage_answers_are_503_or_a_lost_connection(self, run: Run) -> None:
        lost = {"RemoteProtocolError", "ReadError", "ConnectError"}
        outcomes = {s.outcome for s in run.samples if run.during_outage(s, RECOVERY_GRACE)}
        assert {o for o in outcomes if o not in lost and o != "200"} <= {
            f"{prefix}503:{code}"
            for prefix in ("", "stream-")
            for code in ("service_unavailable", "busy")
        }

    def test_no_write_lost_or_duplicated(self, stack: Stack, run: Run) -> None:
        found = partners(stack, run)
        assert {n: c for n, c in found.items() if c > 1} == {}, "a write happened twice"
        assert set(found) <= set(run.ledger), "a customer nobody confirmed exists"
        for name, state in run.ledger.items():
            expected = {"confirmed": {1}, "confirmed_on_retry": {1}, "uncertain": {0, 1}}
            assert found.get(name, 0) in expected.get(state, {0}), (name, state)

    def test_every_event_relayed_exactly_once(self, stack: Stack, run: Run) -> None:
        rows = stack.owner_sql(
            f"SELECT e.id, e.dispatched_at IS NOT NULL, count(d.event_id) FROM domain_events e"
            f" LEFT JOIN {DELIVERIES} d ON d.event_id = e.id"
            f" WHERE e.tenant_id::text = ANY(:ids) GROUP BY e.id, e.dispatched_at",
            ids=run.businesses,
        )
        assert len(rows) > len(run.businesses)
        assert [r for r in rows if not r[1] or r[2] != 1] == []
        strays = stack.owner_sql(
            f"SELECT count(*) FROM {DELIVERIES} d"
            f" WHERE NOT EXISTS (SELECT 1 FROM domain_events e WHERE e.id = d.event_id)"
        )
        assert strays[0][0] == 0
        # Relayed right after their commit, not by the sweep: only those whose relay died
        # with the worker or the database are left for it.
        written = len([s for s in run.ledger.values() if s.startswith("confirmed")])
        assert run.left_for_sweep.get("partner.created", 0) < written / 2, run.left_for_sweep

    def test_wrong_passwords_keep_getting_429(self, stack: Stack, run: Run) -> None:
        answers = [s.outcome for s in run.throttle]
        # While the database is down a refusal cannot be recorded: 503, still no check.
        answered = [
            s
            for s in run.throttle
            if s.outcome != "503" or not run.during_outage(s, RECOVERY_GRACE)
        ]
        assert "200" not in answers
        assert {s.outcome for s in answered} <= {"401", "429"}, answers
        throttle = stack.container.authentication.throttle
        first_429 = next(s for s in answered if s.outcome == "429")
        assert all(s.outcome == "401" for s in answered if s.started < first_429.started)
        # Past the free attempts a password is checked at most once per back-off step
        # (1 s, 2 s, 4 s … after the previous check), however fast the guesses come.
        elapsed = max(s.started + s.latency for s in run.throttle) - first_429.started
        steps = 1 + math.floor(math.log2(elapsed / (throttle.base_delay_ms / 1000) + 1))
        checked = sum(s.outcome == "401" for s in answered)
        assert checked <= throttle.free_attempts + steps, (checked, elapsed, answers)
        assert sum(s.outcome == "429" for s in answered) > 3 * checked, answers
        # Still refused once PostgreSQL is back: the lock outlived the outage.
        recovered = run.outage(RECOVERY_GRACE)[1]
        assert [s for s in run.throttle if s.started > recovered and s.outcome == "429"], answers

    def test_the_owner_still_logs_in_from_another_address(self, run: Run) -> None:
        assert run.other_address_login[-1] == "200", run.other_address_login
