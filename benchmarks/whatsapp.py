"""Benchmark ``whatsapp``: webhook acknowledgement and webhook-to-reply latency.

A scratch database gets one business with its WhatsApp number linked and ``senders``
members with phones. The API (uvicorn), a Celery worker (``worker_threads`` threads) and
the fake Graph API (comptoir/whatsapp_fake.py) run on loopback. Every delivery is signed
like Meta's and asks « combien il reste de riz ? » (a read answered by the local tier).

The load model (docs/whatsapp.md, "Benchmark"): ``senders`` concurrent conversations,
each person sending ``messages`` messages, the next one a human think-time after the
previous reply arrived (uniform between ``think_min_ms`` and ``think_max_ms``, seeded),
the first ones spread over one think-time. That is an open arrival rate of about
``senders / (mean think + reply)`` messages a second, well under what the worker serves:
people chatting, which is what the goals are about. The ``burst`` figures — every sender
writing at the same instant, once — are reported beside them as information: they
measure queueing behind ``senders`` simultaneous turns on the machine's cores.

``ack``
    The webhook's answer time, as the sender sees it (goal: p95 ≤ 50 ms).
``reply``
    From the webhook call to the reply reaching the Graph API, through Redis, the worker,
    the agent's turn and the outbox (goal: p95 ≤ 1.5 × the turn's p95 + 100 ms).
``turn``
    The same request as a bare ``Agent.turn`` in the same process, for that goal.

Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from benchmarks.db import scratch_database
from benchmarks.kit import latency, machine, scratch_container, sizes_from_env, timed_phase
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph, free_port, serve

REQUEST = "combien il reste de riz ?"
GOAL_ACK_P95_MS = 50.0


@dataclass(frozen=True)
class Sizes:
    senders: int = 20
    messages: int = 5
    # The worker as ``make run`` starts it: a separate ``celery worker`` process, prefork,
    # this many processes (one per core). 0: an in-process worker with ``worker_threads``
    # threads (sharing one interpreter lock with the API and the senders).
    worker_processes: int = 2
    worker_threads: int = 4
    warmup: int = 5
    think_min_ms: int = 2000
    think_max_ms: int = 5000
    seed: int = 18

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


@dataclass(frozen=True)
class Line:
    tenant_id: Any
    number: str
    phones: list[str]


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    fake = FakeGraph()
    graph_server, graph_thread = serve(fake)
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        _configure(scratch, fake)
        try:
            timed_phase(phases, "setup", scratch.prepare_database)
            line = timed_phase(phases, "seed", seed, scratch, sizes)
            turn = timed_phase(phases, "turns", measure_turn, scratch, line, sizes)
            measured = timed_phase(phases, "webhook", measure_webhook, scratch, fake, line, sizes)
            server = machine(url)
        finally:
            scratch.close()
            graph_server.should_exit = True
            graph_thread.join(timeout=10)
    goal_reply = 1.5 * turn["p95_ms"] + 100
    think_s = (sizes.think_min_ms + sizes.think_max_ms) / 2000
    return {
        "benchmark": "whatsapp",
        "machine": server,
        "sizes": asdict(sizes),
        "load": (
            f"{sizes.senders} conversations, next message {sizes.think_min_ms}–"
            f"{sizes.think_max_ms} ms after the reply: ~{sizes.senders / think_s:.1f} msg/s"
        ),
        **measured,
        "turn": turn,
        "goals": {
            "ack_p95_le_50ms": measured["ack"]["p95_ms"] <= GOAL_ACK_P95_MS,
            "reply_p95_le_1.5_turn_plus_100ms": measured["reply"]["p95_ms"] <= goal_reply,
            "reply_goal_ms": round(goal_reply, 1),
        },
        "phase_seconds": {k: round(v, 1) for k, v in phases.items()},
    }


def _configure(scratch: Container, fake: FakeGraph) -> None:
    s = scratch.settings
    s.whatsapp_access_token = "bench-" + secrets.token_hex(8)
    s.whatsapp_app_secret = "bench-" + secrets.token_hex(8)
    s.whatsapp_verify_token = "bench-" + secrets.token_hex(8)
    s.whatsapp_api_url = fake.base_url


def seed(scratch: Container, sizes: Sizes) -> Line:
    from domain.audit.service import RequestContext
    from domain.identity import service as identity
    from domain.identity.schemas import MemberCreate, SignUp, TenantCreate, UserCreate
    from domain.kit.principal import Channel, Principal, Role
    from domain.whatsapp.links import link_number

    password = "mot-de-passe-" + secrets.token_hex(8)
    signup = SignUp(
        tenant=TenantCreate(name="Banc WhatsApp", slug="banc-whatsapp", country="SN"),
        admin=UserCreate(email="admin@banc.example", name="Admin", password=password),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, signup, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
    admin = Principal(tenant.id, user.id, frozenset({Role.ADMIN}), channel=Channel.CLI)
    number = "1065403522" + str(secrets.randbelow(10**5)).zfill(5)
    phones = [f"+2217710{n:05d}" for n in range(sizes.senders)]
    with scratch.db.unit_of_work(tenant.id) as session:
        link_number(session, admin, number)
        for n, phone in enumerate(phones):
            member = MemberCreate(
                email=f"vendeur{n}@banc.example",
                name=f"Vendeur {n}",
                password=password,
                roles=[Role.SALES],
                phone=phone,
            )
            identity.add_member(session, admin, member, scratch.passwords)
    return Line(tenant.id, number, phones)


def measure_turn(scratch: Container, line: Line, sizes: Sizes) -> dict[str, float]:
    """The bare agent turn for the same request, as a member."""
    from comptoir.chat import member_principal

    principal = member_principal(scratch, "banc-whatsapp", "vendeur0@banc.example")
    timings = []
    for n in range(sizes.warmup + max(sizes.senders, 20)):
        started = time.perf_counter()
        scratch.agent.reply(principal, REQUEST)
        if n >= sizes.warmup:
            timings.append((time.perf_counter() - started) * 1000)
    return latency(timings)


def measure_webhook(
    scratch: Container, fake: FakeGraph, line: Line, sizes: Sizes
) -> dict[str, Any]:
    from automations import maintenance
    from automations.celery_app import configure

    configure(scratch.endpoints.redis_url)
    maintenance.use_container(scratch)
    try:
        with _api(scratch) as base, _worker(scratch, sizes):
            secret = scratch.settings.whatsapp_app_secret or ""
            # Warm-up: one message per sender (the conversation is then open).
            _all_senders(base, secret, fake, line, 1, None)
            acks, replies = _all_senders(base, secret, fake, line, sizes.messages, sizes)
            burst_acks, burst_replies = _all_senders(base, secret, fake, line, 1, None)
    finally:
        maintenance.use_container(None)
    return {
        "ack": latency(acks),
        "reply": latency(replies),
        "burst": {"ack": latency(burst_acks), "reply": latency(burst_replies)},
    }


@contextmanager
def _worker(scratch: Container, sizes: Sizes) -> Iterator[None]:
    """The Celery worker that runs the turns: a process of its own as in ``make run``, or
    threads in this process when ``worker_processes`` is 0."""
    if sizes.worker_processes <= 0:
        from celery.contrib.testing.worker import start_worker

        from automations.celery_app import app as celery_app

        with start_worker(
            celery_app,
            pool="threads",
            concurrency=sizes.worker_threads,
            perform_ping_check=False,
            shutdown_timeout=30,
        ):
            yield
        return
    command = [
        sys.executable,
        *("-m", "celery", "-A", "automations.celery_app", "worker", "--loglevel", "WARNING"),
        *("--pool", "prefork", "--concurrency", str(sizes.worker_processes)),
    ]
    with _process(command, _environment(scratch)):
        yield


def _environment(scratch: Container) -> dict[str, str]:
    """The scratch business's settings for a process of its own."""
    s = scratch.settings
    return {
        **os.environ,
        "DATABASE_URL": scratch.endpoints.database_url,
        "APP_DATABASE_URL": scratch.app_database_url,
        "REDIS_URL": scratch.endpoints.redis_url,
        "COMPTOIR_SECRET_KEY": s.resolved_secret_key(),
        "COMPTOIR_WHATSAPP_ACCESS_TOKEN": s.whatsapp_access_token or "",
        "COMPTOIR_WHATSAPP_APP_SECRET": s.whatsapp_app_secret or "",
        "COMPTOIR_WHATSAPP_VERIFY_TOKEN": s.whatsapp_verify_token or "",
        "COMPTOIR_WHATSAPP_API_URL": s.whatsapp_api_url,
    }


@contextmanager
def _process(command: list[str], env: dict[str, str]) -> Iterator[None]:
    """Run ``command`` for the block; its output is shown if it did not stop cleanly."""
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
            if child.returncode not in (0, -signal.SIGTERM):
                log.seek(0)
                print(log.read().decode(errors="replace")[-4000:], file=sys.stderr)  # noqa: T201


def _all_senders(
    base: str, secret: str, fake: FakeGraph, line: Line, messages: int, sizes: Sizes | None
) -> tuple[list[float], list[float]]:
    """Every sender talks at once. With ``sizes``, each waits a seeded human think-time
    before each message (the first spread over one think-time); without, they all write
    at the same instant (a burst)."""
    acks: list[float] = []
    replies: list[float] = []
    lock = threading.Lock()

    def think(rng: random.Random) -> None:
        if sizes is not None:
            time.sleep(rng.uniform(sizes.think_min_ms, sizes.think_max_ms) / 1000)

    def talk(n: int, phone: str) -> None:
        rng = random.Random(sizes.seed * 1000 + n if sizes else n)
        if sizes is not None:
            time.sleep(rng.uniform(0, sizes.think_max_ms) / 1000)
        with httpx.Client(base_url=base, timeout=60) as client:
            for m in range(messages):
                if m:
                    think(rng)
                ack, reply = _one(client, secret, fake, line.number, phone)
                with lock:
                    acks.append(ack)
                    replies.append(reply)

    with ThreadPoolExecutor(max_workers=len(line.phones)) as pool:
        list(pool.map(talk, range(len(line.phones)), line.phones))
    return acks, replies


def _one(
    client: httpx.Client, secret: str, fake: FakeGraph, number: str, phone: str
) -> tuple[float, float]:
    """One signed delivery; (acknowledgement, reply) in milliseconds."""
    already = len(fake.send_times(phone))
    raw = json.dumps(_body(number, phone)).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    started = time.monotonic()
    response = client.post(
        "/webhooks/whatsapp", content=raw, headers={"x-hub-signature-256": signature}
    )
    ack = (time.monotonic() - started) * 1000
    response.raise_for_status()
    deadline = started + 300  # the first turns of a new worker load the models
    while len(times := fake.send_times(phone)) <= already:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no reply to {phone} within 300 s")
        # The reply's time is the fake Graph API's record, not this poll's.
        time.sleep(0.02)
    return ack, (times[already] - started) * 1000


def _body(number: str, phone: str) -> dict[str, Any]:
    sender = phone.lstrip("+")
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "221330000000", "phone_number_id": number},
        "contacts": [{"profile": {"name": "Banc"}, "wa_id": sender}],
        "messages": [
            {
                "from": sender,
                "id": f"wamid.BENCH{secrets.token_hex(12)}",
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": REQUEST},
            }
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "changes": [{"value": value, "field": "messages"}]}],
    }


@contextmanager
def _api(scratch: Container) -> Iterator[str]:
    """The API as ``make run`` serves it: uvicorn in a process of its own, so the
    acknowledgement is not measured behind this process's senders."""
    port = free_port()
    command = [
        sys.executable,
        *("-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1"),
        *("--port", str(port), "--no-access-log", "--log-level", "warning"),
    ]
    with _process(command, _environment(scratch)):
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)
        yield base
