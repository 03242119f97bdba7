"""Benchmark ``stock``: stock queries and move throughput in a tenant holding 2 million moves.

Everything runs in a scratch database (created, migrated, given the application role,
always dropped) on the run's PostgreSQL server, with the run's Redis. The history: one
French tenant made by the identity and stock services, with ``warehouses`` warehouses
(the default one and the rest made by ``stock.create_warehouse``); then, bulk-written by
SQL as the owner in one transaction (``session_replication_role = replica``: no triggers,
no foreign-key checks): ``products`` stockable products, ``suppliers`` suppliers with a
preferred supplier per product, ``moves`` moves over the last 180 days (40 % receipts,
53 % sales, 4 % transfers, 3 % inventory adjustments, spread evenly over products and
warehouses), the ``stock_levels`` cache computed from those moves by one ``GROUP BY`` (so
consistent by construction, which ``verify_levels`` then confirms), the average costs from
the receipts, a min/max rule per product and warehouse (one in ten set above what is on
hand, so there is something to reorder) and ``open_orders`` sent purchase orders of 5
lines. ``VACUUM (ANALYZE)`` ends the load.

Figures (each as the application role, RLS on, one unit of work per call, ``repeat``
calls, best / median / p95):

``levels``
    ``stock.stock_level`` of one product in one warehouse and over all warehouses (a
    different product each call), one page of ``stock.stock_levels`` (1,000 rows at a random
    offset, what ``GET /stock/levels`` returns) and all of them at once for the whole tenant
    (``products × warehouses`` rows) — goal: median ≤ 100 ms for each. Alongside,
    ``stock.verify_levels``: every level summed again from the moves and compared with the
    cache (what the levels would cost without it).
``planning``
    ``reorder_suggestions`` for the whole tenant — goal: median ≤ 500 ms; ``low_stock`` and
    ``forecast_stockout`` (whole tenant) and ``stock.valuation`` alongside, without a goal.
``moves``
    ``stock.receive`` and ``stock.issue`` alternately, one move per unit of work (what one
    request or agent turn does), on one thread then on two; and ``batch_moves`` receipts in
    a single unit of work (a large delivery). Rows written per move are counted by
    PostgreSQL (``pg_stat_user_tables``), and the rows per second compared with ``comptoir
    bench db`` run for the same number of rows (``ratio_to_raw_copy``): the issue asks for
    the comparison, not a goal.

Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg
from sqlalchemy.orm import Session

from benchmarks.db import scratch_database
from benchmarks.kit import (
    Tally,
    drop_queued_relays,
    explain_statements,
    goal,
    latency,
    machine,
    raw_comparison,
    scratch_container,
    sizes_from_env,
    table_writes,
    timed_phase,
    writes_since,
)
from domain.kit.db import libpq_url
from domain.kit.principal import Channel, Principal, Role
from domain.kit.rls import TenantSigner

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

SEED = 20261121
SIREN = "732829320"  # passes the Luhn check
PASSWORD = "mot-de-passe-du-banc"
LEVEL_GOAL_MS = 100.0
REORDER_GOAL_MS = 500.0
MOVE_RATIO_GOAL = 0.5  # of the hand-written SQL baseline, same run
BLOCK = 25  # moves per alternating block, service then baseline
HISTORY_DAYS = 180
PAGE = 1000  # rows per page of GET /stock/levels (api.stock.LEVELS_PAGE_MAX)


@dataclass(frozen=True)
class Sizes:
    """What the benchmark creates; each field is read from ``COMPTOIR_BENCH_<FIELD>``."""

    products: int = 10_000
    warehouses: int = 5
    moves: int = 2_000_000
    suppliers: int = 50
    open_orders: int = 200
    repeat: int = 15
    service_moves: int = 1000
    batch_moves: int = 500

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


@dataclass(frozen=True)
class Depot:
    """The benchmark's tenant: who acts, its warehouses (default first) and products."""

    tenant_id: UUID
    user_id: UUID
    warehouses: list[UUID]
    products: list[UUID]

    @property
    def principal(self) -> Principal:
        return Principal(self.tenant_id, self.user_id, frozenset({Role.ADMIN}), Channel.API)


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, object]:
    """Build the history in a scratch database, measure everything; return the figures."""
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            figures = measure_all(scratch, sizes, phases)
        finally:
            scratch.close()
    moves = figures["moves"]
    timed_phase(phases, "raw_insert", compare_with_raw, container, moves)
    return {
        "benchmark": "stock",
        "goals": stock_goals(figures),
        "machine": figures.pop("server"),
        "sizes": asdict(sizes),
        **figures,
        "phase_seconds": {name: round(seconds, 1) for name, seconds in phases.items()},
    }


def stock_goals(figures: dict[str, Any]) -> list[dict[str, Any]]:
    versus = figures["moves"]["against_baseline"]
    reorder = figures["planning"]["reorder_suggestions"]
    return [
        goal(
            "service_move_vs_sql_baseline",
            versus["service_moves_per_second"],
            "moves/s",
            baseline=versus["baseline_moves_per_second"],
            at_least=MOVE_RATIO_GOAL,
        ),
        *(
            goal(f"level_{name}_median", f["median_ms"], "ms", at_most=LEVEL_GOAL_MS)
            for name, f in figures["levels"].items()
            if "meets_goal" in f
        ),
        goal("reorder_suggestions_median", reorder["median_ms"], "ms", at_most=REORDER_GOAL_MS),
    ]


def measure_all(scratch: Container, sizes: Sizes, phases: dict[str, float]) -> dict[str, Any]:
    started = time.perf_counter()
    scratch.prepare_database()
    depot = open_depot(scratch, sizes)
    phases["setup"] = time.perf_counter() - started
    try:
        dataset = timed_phase(phases, "load", load_history, scratch, depot, sizes)
        depot = with_products(scratch, depot)
        levels = timed_phase(phases, "levels", measure_levels, scratch, depot, sizes)
        planning = timed_phase(phases, "planning", measure_planning, scratch, depot, sizes)
        moves = timed_phase(phases, "moves", measure_moves, scratch, depot, sizes)
        server = machine(scratch.endpoints.database_url)
    finally:
        dataset_dropped = drop_queued_relays(scratch, depot.tenant_id)
    dataset["event_relays_dropped_from_queue"] = dataset_dropped
    return {
        "server": server,
        "dataset": dataset,
        "levels": levels,
        "planning": planning,
        "moves": moves,
    }


# --- the tenant and its history --------------------------------------------------------------


def open_depot(scratch: Container, sizes: Sizes) -> Depot:
    """One FR business and its warehouses, through the identity and stock services."""
    from domain.audit.service import RequestContext
    from domain.identity import service as identity
    from domain.identity.schemas import SignUp, TenantCreate, UserCreate
    from domain.stock import service as stock

    slug = f"banc-stock-{secrets.token_hex(4)}"
    data = SignUp(
        tenant=TenantCreate(name="Dépôt d'essai SARL", slug=slug, country="FR", siren=SIREN),
        admin=UserCreate(email=f"{slug}@example.com", name="Admin Banc", password=PASSWORD),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, data, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
        tenant_id, user_id = tenant.id, user.id
    principal = Principal(tenant_id, user_id, frozenset({Role.ADMIN}), Channel.API)
    with scratch.db.unit_of_work(tenant_id) as session:
        warehouses = [stock.default_warehouse(session, principal).id]
        for n in range(2, sizes.warehouses + 1):
            made = stock.create_warehouse(session, principal, code=f"D{n}", name=f"Dépôt {n}")
            warehouses.append(made.id)
    return Depot(tenant_id, user_id, warehouses, [])


def with_products(scratch: Container, depot: Depot) -> Depot:
    with psycopg.connect(libpq_url(scratch.endpoints.database_url)) as conn:
        rows = conn.execute(
            "SELECT id FROM products WHERE tenant_id = %s ORDER BY sku", [depot.tenant_id]
        ).fetchall()
    return Depot(depot.tenant_id, depot.user_id, depot.warehouses, [r[0] for r in rows])


# Each statement runs with :tenant, :user and the sizes bound; bp / bw / bs are temporary
# tables numbering the products, warehouses (main location) and suppliers from 0.
LOAD_STATEMENTS = (
    "SET LOCAL session_replication_role = replica",
    "SET LOCAL max_parallel_workers_per_gather = 0",  # setseed: one process, one sequence
    "SELECT setseed(0.20261121)",
    """INSERT INTO products (tenant_id, id, kind, name, sku, unit, sale_price, vat_rate,
           category, is_active, is_stockable, purchase_price, tracks_lots, average_cost)
       SELECT :tenant, gen_random_uuid(), 'goods', 'Article ' || lpad(i::text, 5, '0'),
              'SKU' || lpad(i::text, 5, '0'), 'pièce', round((2 + random() * 98)::numeric, 2),
              20, 'Catégorie ' || (i % 40), true, true, 0, false, 0
         FROM generate_series(0, :products - 1) i""",
    """CREATE TEMP TABLE bp ON COMMIT DROP AS
       SELECT id, (row_number() OVER (ORDER BY sku) - 1)::int AS n, sale_price
         FROM products WHERE tenant_id = :tenant""",
    """CREATE TEMP TABLE bw ON COMMIT DROP AS
       SELECT l.id AS location_id, l.warehouse_id,
              (row_number() OVER (ORDER BY w.code <> 'PRINC', w.code) - 1)::int AS n
         FROM stock_locations l JOIN warehouses w ON w.tenant_id = l.tenant_id
          AND w.id = l.warehouse_id
        WHERE l.tenant_id = :tenant AND l.is_main""",
    """INSERT INTO partners (tenant_id, id, kind, is_customer, is_supplier, code, name,
           country, tags, is_active, lead_time_days)
       SELECT :tenant, gen_random_uuid(), 'company', false, true,
              'F' || lpad((i + 1)::text, 5, '0'), 'Fournisseur ' || lpad(i::text, 3, '0'),
              'FR', '{}', true, 2 + (i % 12)
         FROM generate_series(0, :suppliers - 1) i""",
    """CREATE TEMP TABLE bs ON COMMIT DROP AS
       SELECT id, (row_number() OVER (ORDER BY code) - 1)::int AS n
         FROM partners WHERE tenant_id = :tenant AND is_supplier""",
    """INSERT INTO product_suppliers (tenant_id, id, product_id, supplier_id, price,
           min_order_quantity, is_preferred)
       SELECT :tenant, gen_random_uuid(), bp.id, bs.id, round(bp.sale_price * 0.6, 2),
              (ARRAY[1, 6, 12])[1 + bp.n % 3], true
         FROM bp JOIN bs ON bs.n = bp.n % :suppliers""",
    # The moves: g picks the product and warehouse evenly; the kind, quantity and day at
    # random. Sources and destinations follow the kind; transfers go to the next warehouse.
    """INSERT INTO stock_moves (tenant_id, id, product_id, quantity, from_location_id,
           to_location_id, kind, unit_cost, origin_type, moved_at, created_by)
       SELECT :tenant, gen_random_uuid(), bp.id, m.qty,
              CASE m.kind WHEN 'in' THEN st.supplier_location_id
                          WHEN 'adjustment' THEN CASE WHEN m.r < 0.985
                               THEN st.inventory_location_id ELSE bw.location_id END
                          ELSE bw.location_id END,
              CASE m.kind WHEN 'out' THEN st.customer_location_id
                          WHEN 'transfer' THEN nw.location_id
                          WHEN 'adjustment' THEN CASE WHEN m.r < 0.985
                               THEN bw.location_id ELSE st.inventory_location_id END
                          ELSE bw.location_id END,
              m.kind,
              CASE WHEN m.kind = 'in' THEN round(bp.sale_price * (0.5 + m.r::numeric / 5), 2) END,
              'manual', now() - (:days * (1 - g::float8 / :moves)) * interval '1 day',
              :user
         FROM generate_series(0, :moves - 1) g
         CROSS JOIN LATERAL (SELECT random() + 0 * g AS r) rnd
         CROSS JOIN LATERAL (
              SELECT rnd.r,
                     CASE WHEN rnd.r < 0.40 THEN 'in' WHEN rnd.r < 0.93 THEN 'out'
                          WHEN rnd.r < 0.97 THEN 'transfer' ELSE 'adjustment' END AS kind,
                     CASE WHEN rnd.r < 0.40 THEN 10 + floor(random() * 50)
                          WHEN rnd.r < 0.93 THEN 1 + floor(random() * 10)
                          ELSE 1 + floor(random() * 4) END::numeric AS qty) m
         JOIN bp ON bp.n = g % :products
         JOIN bw ON bw.n = (g / :products) % :warehouses
         JOIN bw nw ON nw.n = ((g / :products) + 1) % :warehouses
         CROSS JOIN (SELECT * FROM stock_settings WHERE tenant_id = :tenant) st""",
    """INSERT INTO stock_levels (tenant_id, id, product_id, location_id, on_hand, reserved)
       SELECT :tenant, gen_random_uuid(), f.product_id, f.location_id, sum(f.qty), 0
         FROM (SELECT product_id, to_location_id AS location_id, quantity AS qty
                 FROM stock_moves WHERE tenant_id = :tenant
               UNION ALL
               SELECT product_id, from_location_id, -quantity
                 FROM stock_moves WHERE tenant_id = :tenant) f
         JOIN bw ON bw.location_id = f.location_id
        GROUP BY f.product_id, f.location_id""",
    # Chance can leave a few levels at or below zero; an inventory adjustment (a move, like a
    # count would write) brings each to 10, so the cache stays the moves' sum.
    """INSERT INTO stock_moves (tenant_id, id, product_id, quantity, from_location_id,
           to_location_id, kind, origin_type, moved_at, created_by)
       SELECT :tenant, gen_random_uuid(), l.product_id, 10 - l.on_hand,
              st.inventory_location_id, l.location_id, 'adjustment', 'inventory_count',
              now() - interval '1 hour', :user
         FROM stock_levels l
        CROSS JOIN (SELECT * FROM stock_settings WHERE tenant_id = :tenant) st
        WHERE l.tenant_id = :tenant AND l.on_hand <= 0""",
    "UPDATE stock_levels SET on_hand = 10 WHERE tenant_id = :tenant AND on_hand <= 0",
    """UPDATE products p SET average_cost = c.cost, purchase_price = c.cost
         FROM (SELECT product_id, round(sum(quantity * unit_cost) / sum(quantity), 4) AS cost
                 FROM stock_moves WHERE tenant_id = :tenant AND kind = 'in'
                GROUP BY product_id) c
        WHERE p.tenant_id = :tenant AND p.id = c.product_id""",
    # One rule in ten above what is on hand: those products need reordering.
    """INSERT INTO reorder_rules (tenant_id, id, product_id, warehouse_id, min_quantity,
           max_quantity)
       SELECT :tenant, gen_random_uuid(), l.product_id, bw.warehouse_id, m.low, m.low + 100
         FROM stock_levels l JOIN bw ON bw.location_id = l.location_id
         JOIN bp ON bp.id = l.product_id
        CROSS JOIN LATERAL (SELECT CASE WHEN (bp.n + bw.n) % 10 = 0
                THEN greatest(l.on_hand, 0) + 20 ELSE greatest(l.on_hand - 150, 0) END AS low) m
        WHERE l.tenant_id = :tenant""",
    """INSERT INTO purchase_orders (tenant_id, id, number, supplier_id, warehouse_id, status,
           order_date, expected_date, currency, net_total, tax_total, gross_total, sent_at,
           created_by, version)
       SELECT :tenant, gen_random_uuid(), 'BC-BANC-' || lpad(i::text, 5, '0'), bs.id,
              bw.warehouse_id, 'sent', current_date - 3, current_date + 4, 'EUR', 0, 0, 0,
              now() - interval '3 days', :user, 1
         FROM generate_series(0, :orders - 1) i
         JOIN bs ON bs.n = i % :suppliers JOIN bw ON bw.n = i % :warehouses""",
    """INSERT INTO purchase_order_lines (tenant_id, id, order_id, position, product_id,
           description, quantity, unit, unit_price, vat_rate, vat_category, net_amount,
           received_quantity)
       SELECT :tenant, gen_random_uuid(), po.id, k, bp.id, 'Article', 24, 'pièce',
              round(bp.sale_price * 0.6, 2), 20, 'S', round(24 * round(bp.sale_price * 0.6, 2), 2),
              0
         FROM (SELECT id, (row_number() OVER (ORDER BY number) - 1)::int AS n
                 FROM purchase_orders WHERE tenant_id = :tenant) po
         CROSS JOIN generate_series(1, 5) k
         JOIN bp ON bp.n = (po.n * 5 + k) % :products""",
    """UPDATE purchase_orders po SET net_total = t.net,
              tax_total = round(t.net * 0.2, 2), gross_total = t.net + round(t.net * 0.2, 2)
         FROM (SELECT order_id, sum(net_amount) AS net FROM purchase_order_lines
                WHERE tenant_id = :tenant GROUP BY order_id) t
        WHERE po.tenant_id = :tenant AND po.id = t.order_id""",
)


def load_history(scratch: Container, depot: Depot, sizes: Sizes) -> dict[str, Any]:
    params = {
        "tenant": depot.tenant_id,
        "user": depot.user_id,
        "products": sizes.products,
        "warehouses": sizes.warehouses,
        "suppliers": sizes.suppliers,
        "moves": sizes.moves,
        "orders": sizes.open_orders,
        "days": HISTORY_DAYS,
    }
    started = time.perf_counter()
    statement_seconds = []
    with psycopg.connect(libpq_url(scratch.endpoints.database_url)) as conn:
        for statement in LOAD_STATEMENTS:
            began = time.perf_counter()
            conn.execute(_named(statement), params)
            statement_seconds.append(round(time.perf_counter() - began, 1))
        conn.commit()
        loaded = time.perf_counter() - started
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        counts = dataset_counts(conn, depot.tenant_id)
    return {
        **counts,
        "load_seconds": round(loaded, 1),
        "load_statement_seconds": statement_seconds,
        "vacuum_analyze_seconds": round(time.perf_counter() - started - loaded, 1),
    }


def _named(statement: str) -> str:
    """``:name`` placeholders (readable SQL above) as psycopg's ``%(name)s``."""
    import re

    escaped = statement.replace("%", "%%")
    return re.sub(r"(?<!:):([a-z]+)\b", r"%(\1)s", escaped)


def dataset_counts(conn: psycopg.Connection[Any], tenant_id: UUID) -> dict[str, Any]:
    def count(table: str, where: str = "") -> int:
        found = conn.execute(
            f"SELECT count(*) FROM {table} WHERE tenant_id = %s {where}", [tenant_id]
        ).fetchone()
        return int(found[0])  # type: ignore[index]

    tables = ("products", "warehouses", "stock_moves", "stock_levels", "reorder_rules")
    return {
        **{table: count(table) for table in tables},
        "suppliers": count("partners", "AND is_supplier"),
        "open_purchase_orders": count("purchase_orders", "AND status = 'sent'"),
        "negative_levels": count("stock_levels", "AND on_hand < 0"),
    }


# --- levels ----------------------------------------------------------------------------------

Query = Callable[[Session], object]


def timed_calls(scratch: Container, depot: Depot, queries: Sequence[Query]) -> dict[str, Any]:
    """Each query in its own unit of work (as a request would), timed; with the goal."""
    times = []
    result: object = None
    for query in queries:
        started = time.perf_counter()
        with scratch.db.unit_of_work(depot.tenant_id) as session:
            result = query(session)
        times.append((time.perf_counter() - started) * 1000)
    figures = {**latency(times), "best_ms": round(min(times), 1)}
    figures["median_ms"] = round(statistics.median(times), 1)
    if isinstance(result, list):
        figures["rows_returned"] = len(result)
    return figures


def with_goal(figures: dict[str, Any], goal_ms: float) -> dict[str, Any]:
    figures["goal"] = f"median <= {goal_ms:.0f} ms"
    figures["meets_goal"] = figures["median_ms"] <= goal_ms
    return figures


def measure_levels(scratch: Container, depot: Depot, sizes: Sizes) -> dict[str, Any]:
    from domain.stock import service as stock

    rng = random.Random(SEED)
    principal = depot.principal
    picks = [rng.choice(depot.products) for _ in range(sizes.repeat)]
    warehouse = depot.warehouses[-1]

    def one(product: UUID, where: UUID | None) -> Query:
        return lambda s: stock.stock_level(s, principal, product, where)

    def page(offset: int) -> Query:
        return lambda s: stock.stock_levels(s, principal, limit=PAGE, offset=offset)

    whole: Query = lambda s: stock.stock_levels(s, principal)  # noqa: E731
    offsets = [rng.randrange(0, max(1, len(depot.products) * sizes.warehouses - PAGE))
               for _ in picks]  # fmt: skip
    figures = {
        "one_product_one_warehouse": timed_calls(
            scratch, depot, [one(p, warehouse) for p in picks]
        ),
        "one_product_all_warehouses": timed_calls(scratch, depot, [one(p, None) for p in picks]),
        "one_page": timed_calls(scratch, depot, [page(o) for o in offsets]),
        "whole_tenant": timed_calls(scratch, depot, [whole] * max(3, sizes.repeat // 3)),
    }
    figures = {name: with_goal(f, LEVEL_GOAL_MS) for name, f in figures.items()}
    figures["whole_tenant"]["explain"] = explain_statements(
        scratch, depot.tenant_id, whole, lambda s: "stock_levels" if "stock_levels" in s else None
    )
    return figures


def measure_cache_check(scratch: Container, depot: Depot) -> dict[str, Any]:
    """Without the cache: levels summed from every move; and the cache checked against it."""
    from domain.stock import service as stock

    principal = depot.principal
    started = time.perf_counter()
    with scratch.db.unit_of_work(depot.tenant_id) as session:
        differences = stock.verify_levels(session, principal)
    return {
        "verify_levels_ms": round((time.perf_counter() - started) * 1000, 1),
        "differences_found": len(differences),
    }


# --- planning --------------------------------------------------------------------------------


def measure_planning(scratch: Container, depot: Depot, sizes: Sizes) -> dict[str, Any]:
    from domain.stock import service as stock
    from domain.stock.purchasing import service as purchasing

    principal, clock = depot.principal, scratch.clock
    times = max(3, sizes.repeat // 3)
    suggest: Query = lambda s: purchasing.reorder_suggestions(s, principal, clock)  # noqa: E731
    queries: dict[str, Query] = {
        "reorder_suggestions": suggest,
        "low_stock": lambda s: purchasing.low_stock(s, principal),
        "forecast_stockout": lambda s: purchasing.forecast_stockout(s, principal, clock),
        "valuation": lambda s: stock.valuation(s, principal),
    }
    figures = {name: timed_calls(scratch, depot, [q] * times) for name, q in queries.items()}
    with_goal(figures["reorder_suggestions"], REORDER_GOAL_MS)
    with scratch.db.unit_of_work(depot.tenant_id) as session:
        groups = purchasing.reorder_suggestions(session, principal, clock)
    figures["reorder_suggestions"]["supplier_groups"] = len(groups)
    figures["reorder_suggestions"]["lines"] = sum(len(g.lines) for g in groups)
    figures["cache_check"] = measure_cache_check(scratch, depot)
    return figures


# --- move throughput -------------------------------------------------------------------------


def one_move(scratch: Container, depot: Depot, i: int, product: UUID, warehouse: UUID) -> None:
    from domain.stock import service as stock

    principal, clock = depot.principal, scratch.clock
    with scratch.db.unit_of_work(depot.tenant_id) as session:
        if i % 2 == 0:
            stock.receive(
                session,
                principal,
                clock,
                product_id=product,
                quantity=Decimal(6),
                warehouse_id=warehouse,
                unit_cost=Decimal("3.50"),
                reference=f"BL-{i}",
            )
        else:
            stock.issue(
                session,
                principal,
                clock,
                product_id=product,
                quantity=Decimal(1),
                warehouse_id=warehouse,
                reason="Vente comptoir",
            )


def run_moves(scratch: Container, depot: Depot, count: int, threads: int, seed: int) -> float:
    rng = random.Random(seed)
    work = [(i, rng.choice(depot.products), rng.choice(depot.warehouses)) for i in range(count)]
    started = time.perf_counter()
    if threads == 1:
        for i, product, warehouse in work:
            one_move(scratch, depot, i, product, warehouse)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda w: one_move(scratch, depot, *w), work))
    return time.perf_counter() - started


def batch_receipt(scratch: Container, depot: Depot, count: int) -> float:
    from domain.stock import service as stock

    principal, clock = depot.principal, scratch.clock
    started = time.perf_counter()
    with scratch.db.unit_of_work(depot.tenant_id) as session:
        for i in range(count):
            stock.receive(
                session,
                principal,
                clock,
                product_id=depot.products[i % len(depot.products)],
                quantity=Decimal(12),
                unit_cost=Decimal("4.20"),
                reference="BL-GROS",
            )
    return time.perf_counter() - started


def measure_moves(scratch: Container, depot: Depot, sizes: Sizes) -> dict[str, Any]:
    count = sizes.service_moves
    before = table_writes(scratch)
    seconds = run_moves(scratch, depot, count, 1, SEED)
    writes = writes_since(scratch, before, table="stock_moves", inserted=count)
    rows = sum(ins + upd for ins, upd in writes.values())
    two = run_moves(scratch, depot, count, 2, SEED + 1)
    batch = batch_receipt(scratch, depot, sizes.batch_moves)
    versus = against_baseline(scratch, depot, count)
    return {
        "against_baseline": versus,
        "single_thread": {
            "moves": count,
            "seconds": round(seconds, 2),
            "moves_per_second": round(count / seconds, 1),
            "rows_written": rows,
            "rows_written_per_move": round(rows / count, 1),
            "rows_per_second": round(rows / seconds),
            "writes_by_table": dict(sorted(writes.items())),
        },
        "two_threads": {
            "moves": count,
            "seconds": round(two, 2),
            "moves_per_second": round(count / two, 1),
            "rows_per_second": round(rows / two),
        },
        "one_unit_of_work": {
            "moves": sizes.batch_moves,
            "seconds": round(batch, 2),
            "moves_per_second": round(sizes.batch_moves / batch, 1),
        },
    }


def against_baseline(scratch: Container, depot: Depot, count: int) -> dict[str, Any]:
    """``one_move`` and the hand-written SQL of ``benchmarks.baselines`` (the same receipts
    and issues, alternately), single-threaded, in alternating blocks of ``BLOCK`` moves so
    that a load spike on the shared machine hits both alike. The rows each writes per move
    are counted by PostgreSQL, for the record."""
    from benchmarks import baselines

    rng = random.Random(SEED + 7)
    work = [(i, rng.choice(depot.products), rng.choice(depot.warehouses)) for i in range(count)]
    signed = TenantSigner(scratch.settings.resolved_secret_key()).sign(depot.tenant_id)
    tally = Tally("service", "baseline")

    def sql_move(i: int, product: UUID, warehouse: UUID) -> None:
        if i % 2 == 0:
            move = baselines.Move(product, warehouse, Decimal(6), Decimal("3.50"), f"BL-{i}")
            baselines.receive(conn, signed, depot.tenant_id, depot.user_id, move)
        else:
            move = baselines.Move(product, warehouse, Decimal(1), None, "Vente comptoir")
            baselines.issue(conn, signed, depot.tenant_id, depot.user_id, move)

    with psycopg.connect(libpq_url(scratch.app_database_url)) as conn:
        before = table_writes(scratch)
        for w in work[:BLOCK]:
            sql_move(*w)
        first = min(BLOCK, count)
        writes = writes_since(scratch, before, table="stock_moves", inserted=first)
        for start in range(0, count, BLOCK):
            block = work[start : start + BLOCK]
            with tally.timing("service"):
                for w in block:
                    one_move(scratch, depot, *w)
            with tally.timing("baseline"):
                for w in block:
                    sql_move(*w)
    rates = {name: round(count / s, 1) for name, s in tally.wall.items()}
    return {
        "moves_each": count,
        "block": BLOCK,
        "service_moves_per_second": rates["service"],
        "baseline_moves_per_second": rates["baseline"],
        "ratio": round(rates["service"] / rates["baseline"], 3),
        "service_cpu_ms_per_move": tally.cpu_ms_per("service", count),
        "baseline_cpu_ms_per_move": tally.cpu_ms_per("baseline", count),
        "baseline_writes_per_move": {
            table: {"inserted": round(ins / first, 2), "updated": round(upd / first, 2)}
            for table, (ins, upd) in sorted(writes.items())
        },
        "baseline": "benchmarks.baselines.receive / issue (psycopg, app role, RLS)",
    }


def compare_with_raw(container: Container, moves: dict[str, Any]) -> None:
    """``comptoir bench db`` for as many rows as the single-threaded moves wrote."""
    rows = int(moves["single_thread"]["rows_written"])
    best = max(moves["single_thread"]["rows_per_second"], moves["two_threads"]["rows_per_second"])
    moves.update(raw_comparison(container, rows, best))
