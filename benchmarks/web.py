"""Benchmark ``web``: the web app served by uvicorn on a loopback port, on the demo data.

A scratch database (created, migrated, always dropped) gets the demo businesses; the app
runs in this process on real HTTP, and Fatou (admin of Sahel Distribution) signs in
through « Connexion » as a browser would. Then:

``chat``
    ``requests`` everyday French requests (reads, and writes that stop at their preview),
    each in a new conversation, sent to the chat the page uses (``/app/api/chat``, server-
    sent events): time to the first ``reply`` event. The same requests as direct
    ``Agent.turn`` calls give the agent's own time. Goal: p50 and p95 ≤ 1.5 × the agent's.
``dashboard``
    ``dashboard`` loads of « Tableau de bord » after a warm-up: server time (loopback
    wall time of the whole response). Goal: p95 ≤ 150 ms.
``weight``
    Bytes on the wire (gzip, as the app sends them) of each main page: the first visit
    (HTML + its styles, scripts, manifest) and a later visit (HTML only; the rest is in the
    cache). Goals: ≤ 150 KB first, ≤ 20 KB later.

Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import uvicorn

from benchmarks.agent import REQUESTS
from benchmarks.db import scratch_database
from benchmarks.kit import goal, latency, machine, scratch_container, sizes_from_env, timed_phase
from comptoir.bootstrap import Container
from domain.kit.principal import Principal

GOAL_CHAT_RATIO = 1.5
GOAL_DASHBOARD_P95_MS = 150.0
GOAL_FIRST_VISIT_KB = 150.0
GOAL_LATER_VISIT_KB = 20.0
EMAIL = "fatou@sahel-distribution.sn"
PAGES = ("/", "/tableau-de-bord", "/factures", "/clients", "/produits", "/a-valider")
ASSET = re.compile(r'(?:src|href)="(/(?:static/[^"?]+|manifest\.webmanifest)[^"]*)"')


@dataclass(frozen=True)
class Sizes:
    requests: int = 100
    warmup: int = 10
    dashboard: int = 50

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            timed_phase(phases, "setup", scratch.prepare_database)
            principal = timed_phase(phases, "seed", seed, scratch)
            timed_phase(phases, "model", lambda: scratch.agent)
            with serving(scratch) as base, httpx.Client(base_url=base, timeout=60) as http:
                csrf = sign_in(http)
                chat = timed_phase(
                    phases, "chat", measure_chat, scratch, principal, http, csrf, sizes
                )
                board = timed_phase(phases, "dashboard", measure_dashboard, http, sizes)
                weight = timed_phase(phases, "weight", measure_weight, http)
            server = machine(url)
        finally:
            scratch.close()
    return {
        "benchmark": "web",
        "machine": server,
        "sizes": asdict(sizes),
        "chat": chat,
        "dashboard": board,
        "weight": weight,
        "goals": [
            *(
                goal(
                    f"chat_first_reply_{p}_vs_agent_turn",
                    chat["first_reply"][f"{p}_ms"],
                    "ms",
                    baseline=chat["agent_turn"][f"{p}_ms"],
                    at_most=GOAL_CHAT_RATIO,
                )
                for p in ("p50", "p95")
            ),
            goal("dashboard_p95", board["p95_ms"], "ms", at_most=GOAL_DASHBOARD_P95_MS),
            goal(
                "first_visit_weight",
                weight["first_visit_max_kb"],
                "KB",
                at_most=GOAL_FIRST_VISIT_KB,
            ),
            goal(
                "later_visit_weight",
                weight["later_visit_max_kb"],
                "KB",
                at_most=GOAL_LATER_VISIT_KB,
            ),
        ],  # fmt: skip
        "phase_seconds": {k: round(v, 1) for k, v in phases.items()},
    }


def seed(scratch: Container) -> Principal:
    from comptoir.chat import member_principal
    from comptoir.demo import seed_demo

    seed_demo(scratch)
    return member_principal(scratch, "sahel-distribution", EMAIL)


@contextmanager
def serving(scratch: Container) -> Iterator[str]:
    """The app on uvicorn in a thread of this process, on a free loopback port."""
    from api.app import create_app

    config = uvicorn.Config(create_app(scratch), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(http: httpx.Client) -> str:
    """Sign in through the form; the session's CSRF token, read from the chat page."""
    from comptoir.demo import DEMO_PASSWORD

    login = http.get("/connexion").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token is not None
    answer = http.post(
        "/connexion",
        data={"email": EMAIL, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', http.get("/").text)
    assert meta is not None
    return meta.group(1)


def first_reply_ms(http: httpx.Client, csrf: str, message: str) -> float:
    headers = {"Accept": "text/event-stream", "X-CSRF-Token": csrf}
    started = time.perf_counter()
    first: float | None = None
    with http.stream("POST", "/app/api/chat", json={"message": message}, headers=headers) as r:
        for line in r.iter_lines():
            if first is None and line == "event: reply":
                first = (time.perf_counter() - started) * 1000
    assert first is not None, f"no reply event for {message!r}"
    return first


def measure_chat(
    scratch: Container, principal: Principal, http: httpx.Client, csrf: str, sizes: Sizes
) -> dict[str, Any]:
    messages = [REQUESTS[i % len(REQUESTS)] for i in range(sizes.warmup + sizes.requests)]
    web_ms: list[float] = []
    turn_ms: list[float] = []
    for i, message in enumerate(messages):
        first = first_reply_ms(http, csrf, message)
        started = time.perf_counter()
        scratch.agent.reply(principal, message)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= sizes.warmup:
            web_ms.append(first)
            turn_ms.append(elapsed)
    web, turn = latency(web_ms), latency(turn_ms)
    return {
        "first_reply": web,
        "agent_turn": turn,
        "ratio_p50": round(web["p50_ms"] / turn["p50_ms"], 2),
        "ratio_p95": round(web["p95_ms"] / turn["p95_ms"], 2),
        "goal_ratio": GOAL_CHAT_RATIO,
    }


def measure_dashboard(http: httpx.Client, sizes: Sizes) -> dict[str, Any]:
    values = []
    for i in range(sizes.dashboard + 5):
        started = time.perf_counter()
        answer = http.get("/tableau-de-bord")
        elapsed = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200
        if i >= 5:
            values.append(elapsed)
    return {**latency(values), "goal_p95_ms": GOAL_DASHBOARD_P95_MS}


def wire_bytes(http: httpx.Client, path: str) -> tuple[int, str]:
    """Bytes received for ``path`` (compressed as sent) and its decoded text."""
    answer = http.get(path, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200, path
    return answer.num_bytes_downloaded, answer.text


def measure_weight(http: httpx.Client) -> dict[str, Any]:
    pages: dict[str, dict[str, float]] = {}
    for path in PAGES:
        html, text = wire_bytes(http, path)
        assets = sorted(set(ASSET.findall(text)))
        first = html + sum(wire_bytes(http, a)[0] for a in assets)
        pages[path] = {
            "first_visit_kb": round(first / 1024, 1),
            "later_visit_kb": round(html / 1024, 1),
        }
    return {
        "pages": pages,
        "first_visit_max_kb": max(p["first_visit_kb"] for p in pages.values()),
        "later_visit_max_kb": max(p["later_visit_kb"] for p in pages.values()),
        "goals_kb": {"first_visit": GOAL_FIRST_VISIT_KB, "later_visit": GOAL_LATER_VISIT_KB},
        "note": "gzip as the app sends it; icons excluded",
    }
