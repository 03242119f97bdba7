"""Benchmark ``automations``: the stock alert's latency, a daily dunning pass, and beat's
cost with many stored schedules.

Everything runs in a scratch database (created, migrated, given the application role,
always dropped) on the run's PostgreSQL server. The event publisher is switched off: the
outbox keeps its events, nothing is queued to the run's Redis for a database about to go.

``stock_alert``
    One business, one stockable product with a min/max rule. ``crossings`` times: stock is
    brought back above the minimum, then a sale takes it under (one committed unit of work,
    what a request does); the clock runs from that commit until the relay — the worker's
    code, run in-process — has recorded the managers' notification. The broker's hop (a
    few milliseconds on a local Redis) is not in the figure. Goal: p95 ≤ 5 s (the seed
    scenario's bound is 2 minutes).
``dunning``
    ``businesses`` businesses made by the identity service, each with 10 customers and
    ``invoices`` open invoices bulk-written by SQL (due dates spread over 60 days before
    and after today, so every stage is reached), then the daily dunning run dispatched and
    worked for each business, one after the other, as one worker would: a first pass (the
    whole backlog: every invoice's stage reached at once, as on the day the automation is
    switched on) and the next day's pass (what every day costs). Goal: the daily pass
    ≤ 60 s for 1,000 × 200 on this machine, projected from ``businesses`` (creating
    1,000 businesses through the identity service takes longer than the goal itself).
``beat``
    ``schedules`` stored automations (every built-in of ``schedules / 8`` businesses,
    bulk-written), then beat's poll — the database part of it: install missing built-ins,
    find due automations, runs to retry and deliveries — timed ``repeat`` times with
    nothing due, and once with the morning digest of 1 % of the businesses due (dispatched).
    Beat polls twice a minute: ``overhead_per_minute_ms`` is twice the median.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg

from benchmarks.db import scratch_database
from benchmarks.kit import goal, latency, machine, scratch_container, sizes_from_env
from domain.kit.db import libpq_url
from domain.kit.principal import Channel, Principal, Role

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

STOCK_ALERT_GOAL_MS = 5000.0
DUNNING_GOAL_S = 60.0
PASSWORD = "mot-de-passe-du-banc"


@dataclass(frozen=True)
class Sizes:
    crossings: int = 30
    businesses: int = 20
    invoices: int = 200
    schedules: int = 10_000
    repeat: int = 10


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or sizes_from_env(Sizes)
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        scratch.prepare_database()
        scratch.db.event_publisher = None
        try:
            alert = stock_alert(scratch, sizes)
            dunning = dunning_pass(scratch, sizes)
            beat = beat_overhead(scratch, sizes)
        finally:
            scratch.close()
    return {
        "benchmark": "automations",
        "sizes": asdict(sizes),
        "machine": machine(container.endpoints.database_url),
        "stock_alert": alert,
        "dunning": dunning,
        "beat": beat,
        "goals": [
            goal("stock_alert_p95", alert["latency"]["p95_ms"], "ms", at_most=STOCK_ALERT_GOAL_MS),
            goal(
                "daily_dunning_1000_businesses",
                dunning["daily_pass"]["projected_seconds_for_1000_businesses"],
                "s",
                at_most=DUNNING_GOAL_S,
            ),
        ],
    }


def _business(scratch: Container, slug: str) -> Principal:
    from domain.audit.service import RequestContext
    from domain.identity import service as identity
    from domain.identity.schemas import SignUp, TenantCreate, UserCreate

    data = SignUp(
        tenant=TenantCreate(name=f"Banc {slug}", slug=slug, country="SN"),
        admin=UserCreate(email=f"{slug}@banc.example", name="Admin Banc", password=PASSWORD),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, data, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
    return Principal(tenant.id, user.id, frozenset({Role.ADMIN}), Channel.API)


def _relay_all(scratch: Container, tenant_id: UUID) -> None:
    from sqlalchemy import select

    from automations.events import relay_event
    from domain.events.models import DomainEvent

    while True:
        with scratch.db.unit_of_work(tenant_id) as session:
            waiting = list(
                session.scalars(
                    select(DomainEvent.id)
                    .where(DomainEvent.dispatched_at.is_(None))
                    .order_by(DomainEvent.occurred_at)
                )
            )
        if not waiting:
            return
        for event_id in waiting:
            relay_event(scratch, tenant_id, event_id)


# --- stock alert --------------------------------------------------------------------


def _rice_under_its_minimum(scratch: Container, owner: Principal) -> UUID:
    """A stockable product with a 20–100 rule and 15 on hand: under the minimum from the
    start (the first alert, not timed)."""
    from domain.sales import service as sales
    from domain.sales.schemas import ProductCreate
    from domain.stock import service as stock
    from domain.stock.purchasing import service as purchasing
    from domain.stock.purchasing.schemas import ReorderRuleIn

    with scratch.db.unit_of_work(owner.tenant_id) as s:
        product = sales.create_product(
            s,
            owner,
            ProductCreate(
                name="Riz brisé",
                kind="goods",
                sale_price=Decimal(15000),
                vat_rate=Decimal(18),
                unit="sac",
                is_stockable=True,
            ),
        )
        rule = ReorderRuleIn(
            product_id=product.id, min_quantity=Decimal(20), max_quantity=Decimal(100)
        )
        purchasing.set_reorder_rule(s, owner, rule)
        stock.receive(s, owner, scratch.clock, product_id=product.id, quantity=Decimal(15))
        return product.id


def stock_alert(scratch: Container, sizes: Sizes) -> dict[str, Any]:
    """Each crossing goes 15 → 30 (the alert cleared) → 15 (alerted again, timed)."""
    from automations import maintenance, tasks  # noqa: F401 - registers the subscribers
    from domain.stock import service as stock

    owner = _business(scratch, "banc-stock")
    maintenance.use_container(scratch)
    try:
        rice = _rice_under_its_minimum(scratch, owner)
        _relay_all(scratch, owner.tenant_id)  # installs the built-ins, the first alert
        waits = []
        for _ in range(sizes.crossings):
            with scratch.db.unit_of_work(owner.tenant_id) as s:
                stock.receive(s, owner, scratch.clock, product_id=rice, quantity=Decimal(15))
            _relay_all(scratch, owner.tenant_id)
            with scratch.db.unit_of_work(owner.tenant_id) as s:
                stock.issue(
                    s, owner, scratch.clock, product_id=rice, quantity=Decimal(15), reason="Vente"
                )
            started = time.perf_counter()
            _relay_all(scratch, owner.tenant_id)
            waits.append((time.perf_counter() - started) * 1000)
    finally:
        maintenance.use_container(None)
    return {"latency": latency(waits), "notifications": _count(scratch, owner, "notifications")}


def _count(scratch: Container, principal: Principal, table: str) -> int:
    from sqlalchemy import text

    with scratch.db.unit_of_work(principal.tenant_id) as s:
        return int(s.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608


# --- dunning ------------------------------------------------------------------------

INVOICES_SQL = """
INSERT INTO invoices (tenant_id, id, kind, number, status, partner_id, issue_date, due_date,
    payment_terms_days, currency, net_total, tax_total, gross_total, amount_settled, version)
SELECT %(tenant)s, gen_random_uuid(), 'invoice', 'BANC-' || n, 'posted',
    (%(partners)s::uuid[])[1 + n %% array_length(%(partners)s::uuid[], 1)],
    %(today)s::date - 30 + (n %% 120) - 60, %(today)s::date + (n %% 120) - 60, 30, 'XOF',
    100000, 18000, 118000, 0, 1
FROM generate_series(1, %(count)s) AS n
"""


def dunning_pass(scratch: Container, sizes: Sizes) -> dict[str, Any]:
    from automations import engine
    from domain.sales import service as sales
    from domain.sales.schemas import PartnerCreate

    owners = []
    today = scratch.clock.now().date()
    with psycopg.connect(libpq_url(scratch.endpoints.database_url), autocommit=True) as conn:
        for number in range(sizes.businesses):
            owner = _business(scratch, f"banc-relance-{number}")
            with scratch.db.unit_of_work(owner.tenant_id) as s:
                partners = [
                    sales.create_partner(
                        s,
                        owner,
                        PartnerCreate(name=f"Client {i}", email=f"client{i}@banc.example"),
                    ).id
                    for i in range(10)
                ]
                engine.install_builtins(s, _tenant(s, owner), scratch.clock.now())
            conn.execute(
                INVOICES_SQL,
                {
                    "tenant": owner.tenant_id,
                    "partners": partners,
                    "today": today,
                    "count": sizes.invoices,
                },
            )
            owners.append(owner)
        # Only dunning is measured: the other built-ins of these businesses stay off.
        conn.execute(
            "UPDATE automations SET enabled = false WHERE kind <> 'dunning' AND tenant_id = "
            "ANY(%(tenants)s)",
            {"tenants": [o.tenant_id for o in owners]},
        )
        conn.execute("VACUUM (ANALYZE) invoices")
    first = _dunning_round(scratch, owners)
    # The next day, as every day after: only the invoices reaching a stage that day.
    daily = _dunning_round(_later(scratch, timedelta(days=1)), owners)
    return {
        "open_invoices": sizes.businesses * sizes.invoices,
        "first_pass": first,
        "daily_pass": daily,
        "reminders_recorded": sum(_count(scratch, o, "dunning_reminders") for o in owners),
    }


def _later(scratch: Container, delta: timedelta) -> Container:
    from comptoir.bootstrap import Container
    from domain.kit.clock import ManualClock

    moved = Container(
        settings=scratch.settings,
        endpoints=scratch.endpoints,
        clock=ManualClock(scratch.clock.now() + delta),
    )
    moved.__dict__["db"] = scratch.db
    return moved


def _dunning_round(scratch: Container, owners: list[Principal]) -> dict[str, Any]:
    """The daily dunning run of every business, one after the other (one worker)."""
    from automations import engine

    per_business = []
    started = time.perf_counter()
    for owner in owners:
        t0 = time.perf_counter()
        _make_due(scratch, owner, "dunning")
        for tenant_id, run_id in engine.dispatch_due(scratch, tenant_id=owner.tenant_id):
            engine.run_automation(scratch, tenant_id, run_id)
        per_business.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "per_business": latency(per_business),
        "projected_seconds_for_1000_businesses": round(seconds / len(owners) * 1000, 1),
    }


def _tenant(session: Any, principal: Principal) -> Any:
    from domain.identity.models import Tenant

    return session.get(Tenant, principal.tenant_id)


def _make_due(scratch: Container, principal: Principal, kind: str) -> None:
    from sqlalchemy import update

    from domain.automations.models import Automation

    with scratch.db.unit_of_work(principal.tenant_id) as s:
        s.execute(
            update(Automation)
            .where(Automation.tenant_id == principal.tenant_id, Automation.kind == kind)
            .values(next_run_at=scratch.clock.now() - timedelta(minutes=1))
        )


# --- beat ---------------------------------------------------------------------------

TENANTS_SQL = """
INSERT INTO tenants (id, name, slug, country, currency, locale, timezone, is_active)
SELECT gen_random_uuid(), 'Planning ' || n, 'banc-planning-' || n, 'SN', 'XOF', 'fr-SN',
    'Africa/Dakar', true
FROM generate_series(1, %(count)s) AS n
"""

# Every built-in of every such business, next due at a random moment of the coming day.
SCHEDULES_SQL = """
INSERT INTO automations (tenant_id, id, kind, enabled, rule, params, next_run_at)
SELECT t.id, gen_random_uuid(), k.kind, true, k.rule, '{}'::jsonb,
    CASE WHEN k.rule IS NULL THEN NULL ELSE now() + interval '1 day' * random() END
FROM tenants t CROSS JOIN unnest(%(kinds)s::text[], %(rules)s::text[]) AS k(kind, rule)
WHERE t.slug LIKE 'banc-planning-%%'
"""


def _poll_database(scratch: Container) -> dict[str, int]:
    """``automations.tasks.poll`` without queueing anything to Celery."""
    from automations import channels, engine

    return {
        "installed": engine.install_missing(scratch),
        "dispatched": len(engine.dispatch_due(scratch)),
        "retried": len(engine.retry_due(scratch)),
        "deliveries": len(channels.due_deliveries(scratch)),
    }


def beat_overhead(scratch: Container, sizes: Sizes) -> dict[str, Any]:
    from automations.kinds import KINDS

    kinds = [k for k in KINDS.values() if k.builtin]
    businesses = max(1, sizes.schedules // len(kinds))
    with psycopg.connect(libpq_url(scratch.endpoints.database_url), autocommit=True) as conn:
        conn.execute(TENANTS_SQL, {"count": businesses})
        conn.execute(
            SCHEDULES_SQL, {"kinds": [k.name for k in kinds], "rules": [k.rule for k in kinds]}
        )
        conn.execute("VACUUM (ANALYZE) automations")
        conn.execute("VACUUM (ANALYZE) tenants")
        stored = conn.execute("SELECT count(*) FROM automations").fetchone()
    idle = []
    for _ in range(sizes.repeat):
        t0 = time.perf_counter()
        _poll_database(scratch)
        idle.append((time.perf_counter() - t0) * 1000)
    with psycopg.connect(libpq_url(scratch.endpoints.database_url), autocommit=True) as conn:
        conn.execute(
            "UPDATE automations SET next_run_at = now() - interval '1 minute' "
            "WHERE id IN (SELECT id FROM automations WHERE kind = 'morning_digest' "
            "ORDER BY id LIMIT %(n)s)",
            {"n": max(1, businesses // 100)},
        )
    t0 = time.perf_counter()
    busy = _poll_database(scratch)
    busy_ms = (time.perf_counter() - t0) * 1000
    median = statistics.median(idle)
    return {
        "stored_automations": int(stored[0]) if stored else 0,
        "businesses": businesses,
        "idle_poll": latency(idle),
        "overhead_per_minute_ms": round(2 * median, 1),
        "poll_with_one_percent_due": {"ms": round(busy_ms, 1), **busy},
    }
