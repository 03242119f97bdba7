"""Running eval cases: each in a fresh tenant built from its setup, with the clock frozen at
its ``today``, its turns sent to the real agent graph as its user through its channel,
then scored (``evals.scoring``).

A run gets a database of its own on the server (created, migrated, dropped at the end) and
spreads the cases over worker processes: cases never share a tenant, so they run in
parallel safely."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from multiprocessing import get_context
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select

from comptoir import dbadmin
from comptoir.bootstrap import Container
from comptoir.runtime import Endpoints, embedded_postgres, embedded_redis, stop_embedded_redis
from comptoir.settings import Settings
from domain.events.models import DomainEvent
from domain.kit.clock import ManualClock
from evals.cases import Case, ReplyExpect, TurnSpec
from evals.scoring import (
    Failure,
    check_no_writes,
    check_reply,
    check_state_line,
    check_tool_calls,
)
from evals.setup import Built, SetupError, build_tenant
from evals.state import UnknownKind, business_snapshot, records

Tier = Literal["local", "llm", "auto"]
_TEMPLATE = re.compile(r"\{\{\s*([\w-]+)\.(\w+)\s*\}\}")


class NoProvider(Exception):
    """``--tier llm`` without a configured LLM provider."""


@dataclass(frozen=True)
class RunConfig:
    """What every worker needs to build its own container on the run's database."""

    settings: Settings
    endpoints: Endpoints
    tier: Tier


def make_container(config: RunConfig) -> Container:
    container = Container(settings=config.settings, endpoints=config.endpoints, clock=ManualClock())
    agent = container.agent
    agent.mode = config.tier
    if config.tier == "llm" and agent.llm is None:
        raise NoProvider(
            "Aucun fournisseur LLM n'est configuré (COMPTOIR_LLM_PROVIDER, "
            "COMPTOIR_LLM_MODEL, COMPTOIR_LLM_API_KEY) : le tier llm ne peut pas tourner."
        )
    if config.tier == "local":
        agent.llm = None
    return container


def render(message: str, refs: dict[str, dict[str, Any]]) -> str:
    """``{{inv1.number}}`` → the number of the invoice the setup called inv1."""

    def value(m: re.Match[str]) -> str:
        ref, attribute = m.group(1), m.group(2)
        found = refs.get(ref, {}).get(attribute)
        if found is None:
            raise SetupError(f"référence inconnue : {m.group(0)}")
        return str(found)

    return _TEMPLATE.sub(value, message)


def render_all(value: Any, refs: dict[str, dict[str, Any]]) -> Any:
    """Templates resolved in every string of an expectation (state lines, reply checks), so
    a case can name the record its setup made: ``payments: {invoice: "{{inv1.number}}"}``."""
    if isinstance(value, str):
        return render(value, refs)
    if isinstance(value, list):
        return [render_all(v, refs) for v in value]
    if isinstance(value, dict):
        return {k: render_all(v, refs) for k, v in value.items()}
    return value


def _reply_expect(expect: ReplyExpect, refs: dict[str, dict[str, Any]]) -> ReplyExpect:
    return expect.model_copy(update=render_all(expect.model_dump(), refs))


def run_case(container: Container, case: Case, trial: int = 1) -> dict[str, Any]:
    """One trial of one case, scored; never raises (a crash is a failed case)."""
    clock = container.clock
    assert isinstance(clock, ManualClock)
    result: dict[str, Any] = {
        "id": case.id,
        "tags": case.tags,
        "trial": trial,
        "passed": False,
        "failures": [],
        "turns": [],
        "error": None,
        "tier": "local",
        "wrote": False,
    }
    started = time.perf_counter()
    try:
        built = build_tenant(container, clock, case)
        result["failures"] = [f.as_dict() for f in _converse(container, case, built, result)]
        result["passed"] = not result["failures"]
    except SetupError as e:
        result["error"] = f"mise en place : {e}"
    except Exception as e:  # a crash anywhere is this case's failure, with its trace
        result["error"] = f"{type(e).__name__}: {e}\n" + traceback.format_exc(limit=8)
    if result["error"]:
        result["failures"].append({"expectation": "le cas s'exécute", "found": result["error"]})
    tiers = {t["tier"] for t in result["turns"]}
    result["tier"] = "llm" if "llm" in tiers else "local"
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _converse(
    container: Container, case: Case, built: Built, result: dict[str, Any]
) -> list[Failure]:
    clock = container.clock
    assert isinstance(clock, ManualClock)
    tenant = built.tenant_id
    zone = ZoneInfo(built.timezone)
    with container.db.unit_of_work(tenant) as session:
        before = business_snapshot(session, tenant)
    # What the messages changed, apart from what the clock moving did on its own (the
    # built-in automations, the schedules falling due): ``wrote`` says the agent wrote.
    segment_start, agent_wrote = before, False
    failures: list[Failure] = []
    conversation: Any = None
    calls: list[dict[str, Any]] = []
    reply = ""
    moments = case.schedule()
    for number, (spec, moment) in enumerate(zip(case.turns, moments, strict=True), start=1):
        clock.set(moment.replace(tzinfo=zone).astimezone(UTC))
        if spec.advance_to is not None:
            with container.db.unit_of_work(tenant) as session:
                agent_wrote |= business_snapshot(session, tenant) != segment_start
            since = moments[number - 2] if number > 1 else case.today
            moved = _advance(
                container, tenant, moment.replace(tzinfo=zone), since.replace(tzinfo=zone)
            )
            result["turns"].append(moved)
            with container.db.unit_of_work(tenant) as session:
                segment_start = business_snapshot(session, tenant)
            continue
        turn = _message_turn(container, built, spec, conversation)
        turn["at"] = moment.isoformat()
        conversation = turn.pop("conversation")
        reply = turn["reply"]
        calls += turn["calls"]
        result["turns"].append(turn)
        if spec.expect_reply is not None:
            failures += check_reply(
                _reply_expect(spec.expect_reply, built.refs), reply, f"réponse au tour {number}"
            )
    expect = case.expect
    with container.db.unit_of_work(tenant) as session:
        failures += _state(
            session, tenant, moments[-1].date(), render_all(expect.state, built.refs)
        )
        after = business_snapshot(session, tenant)
    result["wrote"] = agent_wrote or after != segment_start
    if expect.no_writes:
        failures += [f for f in [check_no_writes(before, after)] if f]
    if expect.reply is not None:
        failures += check_reply(_reply_expect(expect.reply, built.refs), reply)
    if expect.tool_calls:
        failures += [f for f in [check_tool_calls(expect.tool_calls, calls)] if f]
    return failures


def _message_turn(
    container: Container, built: Built, spec: TurnSpec, conversation: Any
) -> dict[str, Any]:
    """One user message through the agent graph: what came back, and the conversation."""
    assert spec.user is not None
    message = render(spec.user, built.refs)
    t0 = time.perf_counter()
    events = list(container.agent.turn(built.principal, message, conversation_id=conversation))
    latency = round((time.perf_counter() - t0) * 1000, 1)
    replies = [e["text"] for e in events if e["type"] == "reply"]
    done = next((e for e in events if e["type"] == "done"), {})
    return {
        "conversation": next((e["id"] for e in events if e["type"] == "conversation"), None),
        "user": message,
        "reply": replies[-1] if replies else "",
        "tier": done.get("tier", "local"),
        "calls": [
            {k: c.get(k) for k in ("tool", "arguments", "status", "code")}
            for c in done.get("calls", [])
        ],
        "tokens": done.get("tokens", {"input": 0, "output": 0}),
        "latency_ms": latency,
        "confirmation": any(e["type"] == "confirmation" for e in events),
    }


def _advance(
    container: Container, tenant: UUID, moment: datetime, since: datetime
) -> dict[str, Any]:
    """An ``advance_to`` turn, the clock already moved: what production runs on its own
    in between happens now, synchronously and through the same code: the domain events
    waiting in the outbox reach their subscribers (the event-driven automations among
    them), then the business's schedules due by now run (``automations.tasks``, what
    beat's database scheduler hands to the workers), then the events those runs wrote.
    The built-in automations are installed as of ``since`` (the moment before the
    move), so what falls due in between is due now."""
    from automations import maintenance
    from automations.tasks import run_due_now

    clock = container.clock
    assert isinstance(clock, ManualClock)
    maintenance.use_container(container)
    try:
        # What the turns before wrote was relayed right after its commit in production.
        clock.set(since.astimezone(UTC))
        relayed = _relay_waiting(container, tenant)
        run_due_now(container, tenant)  # installs the built-ins, as of before the move
        clock.set(moment.astimezone(UTC))
        ran = run_due_now(container, tenant)
        relayed += _relay_waiting(container, tenant)
    finally:
        maintenance.use_container(None)
    return {
        "advance_to": moment.replace(tzinfo=None).isoformat(),
        "at": moment.replace(tzinfo=None).isoformat(),
        "user": None,
        "reply": "",
        "tier": "local",
        "calls": [],
        "tokens": {"input": 0, "output": 0},
        "events_relayed": relayed,
        "automation_runs": ran["runs"],
    }


def _relay_waiting(container: Container, tenant: UUID) -> int:
    """Relay every event waiting in the tenant's outbox, until none is left (a subscriber
    may write more). Every one is due: it happened before this moment (its
    ``occurred_at`` is wall-clock time, not the case's, so it cannot be compared)."""
    from automations.events import relay_event

    relayed = 0
    for _ in range(10):  # bounded: a subscriber chain never loops the harness forever
        with container.db.unit_of_work(tenant) as session:
            waiting = session.scalars(
                select(DomainEvent.id)
                .where(DomainEvent.tenant_id == tenant, DomainEvent.dispatched_at.is_(None))
                .order_by(DomainEvent.occurred_at)
            ).all()
        if not waiting:
            break
        relayed += sum(1 for e in waiting if relay_event(container, tenant, e))
    return relayed


def _state(session: Any, tenant: Any, today: date, lines: list[dict[str, Any]]) -> list[Failure]:
    cache: dict[str, list[dict[str, Any]]] = {}

    def kind_records(kind: str) -> list[dict[str, Any]]:
        if kind not in cache:
            cache[kind] = records(session, tenant, kind, today=today)
        return cache[kind]

    failures: list[Failure] = []
    for line in lines:
        try:
            failure = check_state_line(line, kind_records)
        except UnknownKind as e:
            failure = Failure(str(line), str(e))
        if failure:
            failures.append(failure)
    return failures


# --- a whole run -------------------------------------------------------------------

_WORKER: Container | None = None


def _init_worker(config: RunConfig) -> None:
    global _WORKER
    _WORKER = make_container(config)


def _run_in_worker(case: Case, trial: int) -> dict[str, Any]:
    assert _WORKER is not None
    return run_case(_WORKER, case, trial)


@contextmanager
def run_database(settings: Settings, tier: Tier, *, keep: bool = False) -> Iterator[RunConfig]:
    """A fresh database for the run on the configured server (DATABASE_URL) or on an
    embedded one under ``<home>/eval``; migrated, and dropped afterwards unless ``keep``."""
    home = settings.home.resolve() / "eval"
    server = settings.database_url or embedded_postgres(home / "pg")
    name = f"comptoir_eval_{secrets.token_hex(4)}"
    database_url = dbadmin.create_database(server, name)
    # A Redis of the run's own: concurrent runs must not stop each other's server.
    redis_dir = home / "redis" / name
    redis_url = settings.redis_url or embedded_redis(redis_dir)
    run_settings = settings.model_copy(
        update={
            "home": home,
            "database_url": database_url,
            "redis_url": redis_url,
            "app_database_url": None,
            "secret_key": settings.secret_key or "eval-" + secrets.token_hex(16),
        }
    )
    config = RunConfig(run_settings, Endpoints(database_url, redis_url), tier)
    owner = Container(settings=run_settings, endpoints=config.endpoints, clock=ManualClock())
    try:
        owner.prepare_database()
        owner.close()
        yield config
    finally:
        owner.close()
        if not keep:
            dbadmin.drop_database(server, name)
            if not settings.redis_url:
                stop_embedded_redis(redis_dir)
                shutil.rmtree(redis_dir, ignore_errors=True)


def run_cases(
    config: RunConfig,
    cases: list[Case],
    *,
    trials: int = 1,
    workers: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Every case ``trials`` times; results in case order then trial order."""
    jobs = [(case, trial) for case in cases for trial in range(1, trials + 1)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results: list[dict[str, Any]] = []
    if workers == 1:
        container = make_container(config)
        try:
            for case, trial in jobs:
                results.append(run_case(container, case, trial))
                if progress:
                    progress(results[-1])
        finally:
            container.close()
    else:
        make_container(config).close()  # fails fast (no provider) and warms the caches
        with ProcessPoolExecutor(
            workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(config,)
        ) as pool:
            futures = [pool.submit(_run_in_worker, case, trial) for case, trial in jobs]
            for future in as_completed(futures):
                results.append(future.result())
                if progress:
                    progress(results[-1])
    order = {(case.id, trial): i for i, (case, trial) in enumerate(jobs)}
    return sorted(results, key=lambda r: order[(r["id"], r["trial"])])
