"""Benchmark ``invoices``: invoicing in a tenant already holding a million invoice lines.

Everything runs in a scratch database (created, migrated, given the application role,
always dropped) on the run's PostgreSQL server, with the run's Redis. Three figures; the
goals are the top-level ``"goals"`` list (``benchmarks.goals``):

``service_layer``
    ``invoices.create_invoice`` + ``invoices.post_invoice`` of a 5-line invoice in one unit
    of work, as the application role (Row-Level Security on) through ``Container.db``:
    single-threaded, then the same count on 2 threads. The rows one create-and-post writes
    are counted by PostgreSQL, not guessed: ``pg_stat_user_tables`` inserted and updated
    tuples before and after (the engine is disposed first so every backend flushes its
    statistics). ``against_baseline``: the same count again, alternating blocks with
    ``benchmarks.baselines.create_and_post_invoice`` — hand-written SQL writing the same rows
    in one transaction per invoice — goal: the service at least 50 % of its rate. The
    comparison with ``comptoir bench db`` (rows per second against COPY) is kept for reading.
``api``
    One client alone first (``one_client``: the latency floor, without queueing), then
    ``api_clients`` concurrent clients in a closed loop (its pairs per second: the maximum
    throughput measured), then an open loop (``open_loop``): ``open_loop_pairs`` pairs
    arriving at a fixed rate of half that maximum, each create timed from its scheduled
    arrival — goal: p95 of each request ≤ 2× the one client's. A pair is
    ``POST /api/v1/invoices`` then ``POST /api/v1/invoices/{id}/post``. The server is
    started as ``make run`` starts it: ``uvicorn --factory api.app:create_app`` in a process
    of its own, with the worker count ``comptoir run`` leaves to uvicorn (``workers`` in
    the figures: ``WEB_CONCURRENCY``, else 1), sync routes in its thread pool, the engine's
    default pool of 5 + 10 connections. The clients run in another child process; server
    and clients share the machine's CPUs, which the figure includes.
``reports``
    ``reports.revenue`` (12 months by month), ``reports.aged_receivables`` and
    ``reports.kpis``, ``kpi_repeat`` runs each in its own unit of work, best and median —
    goal: median ≤ 300 ms. The ``EXPLAIN (ANALYZE, BUFFERS)`` of each statement the revenue
    and ageing reports send (as the application role, so with the RLS filter) is kept.

The history: one French tenant made by the identity and sales services, ``customers``
customers and ``products`` products, then ``invoice_lines`` lines in 5-line invoices issued
over the last 24 months (a few recent ones still drafts), with their payments and
allocations: most invoices paid, some partly paid, some overdue, the older the likelier
paid. They are bulk-loaded with binary ``COPY`` as the owner, in one transaction under
``session_replication_role = replica`` — which skips triggers (the posted-invoice guard
would refuse lines added to a posted invoice) and foreign-key checks. The rows are
consistent by construction: totals from ``domain.finance.calc``, numbers following the
tenant's pattern per year in date order, the ``sequences`` rows set so that postings
continue each series, ``amount_settled`` and ``version`` matching the allocations. No
journal entries are loaded for the history (``dataset.journal_entries_loaded``): the
reports measured read invoices and payments, not the ledger. The load ends with
``VACUUM (ANALYZE)``, as autovacuum would have left tables that old.

Domain events are handed to Celery on the run's Redis as in production (the publishing is
part of every figure); nothing consumes them during the run, and the relay tasks the run
queued are taken off the queue at the end.
Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import json
import os
import queue
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from functools import partial
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks import db as db_bench
from benchmarks.kit import (
    Tally,
    copy_rows,
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
from domain.finance.calc import TaxableLine, document_totals, line_net
from domain.kit.db import libpq_url
from domain.kit.ids import uuid7
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Channel, Principal, Role
from domain.kit.rls import TenantSigner

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

SEED = 20261121
LINES_PER_INVOICE = 5
HISTORY_DAYS = 730  # 24 months, ending yesterday
DRAFT_DAYS = 10  # a few invoices issued in the last days are still drafts
TERMS_DAYS = 30  # the FR default payment terms (fiscal settings)
CHUNK = 5000  # invoices generated and copied at a time (bounded memory)
EUR = Currency.EUR
SIREN = "732829320"  # passes the Luhn check
PASSWORD = "mot-de-passe-du-banc"
PAYMENT_PATTERN = "P-{year}-{seq:05d}"  # as domain.finance.payments numbers them
METHODS = ("bank_transfer", "card", "cheque", "cash")
METHOD_WEIGHTS = (60, 20, 10, 10)
API_RATIO_GOAL = 2.0  # p95 under load <= 2x one client's p95
OPEN_LOOP_SHARE = 0.5  # arrivals at half the closed loop's throughput (the maximum measured)
OPEN_LOOP_SENDERS = 16  # threads (each with its warmed connection) sending the arrivals
SERVICE_RATIO_GOAL = 0.5  # of the hand-written SQL baseline, same run
BLOCK = 25  # invoices per alternating block, service then baseline
REPORT_GOAL_MS = 300.0
QUANTITIES = [Decimal(n) for n in range(13)]
DISCOUNTS = (Decimal(0),) * 18 + (Decimal(5), Decimal(10))
ZERO = Decimal(0)

INVOICE_COLUMNS = (
    ("tenant_id", "uuid"), ("id", "uuid"), ("kind", "text"), ("number", "text"),
    ("status", "text"), ("partner_id", "uuid"), ("issue_date", "date"), ("due_date", "date"),
    ("payment_terms_days", "int2"), ("currency", "text"), ("net_total", "numeric"),
    ("tax_total", "numeric"), ("gross_total", "numeric"), ("amount_settled", "numeric"),
    ("posted_at", "timestamptz"), ("posted_by", "uuid"), ("created_by", "uuid"),
    ("version", "int4"), ("created_at", "timestamptz"), ("updated_at", "timestamptz"),
)  # fmt: skip
LINE_COLUMNS = (
    ("tenant_id", "uuid"), ("id", "uuid"), ("invoice_id", "uuid"), ("position", "int2"),
    ("product_id", "uuid"), ("description", "text"), ("quantity", "numeric"),
    ("unit", "text"), ("unit_price", "numeric"), ("discount_percent", "numeric"),
    ("vat_rate", "numeric"), ("vat_category", "text"), ("net_amount", "numeric"),
)  # fmt: skip
PAYMENT_COLUMNS = (
    ("tenant_id", "uuid"), ("id", "uuid"), ("partner_id", "uuid"), ("number", "text"),
    ("received_on", "date"), ("amount", "numeric"), ("currency", "text"), ("method", "text"),
    ("amount_allocated", "numeric"), ("created_by", "uuid"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
)  # fmt: skip
ALLOCATION_COLUMNS = (
    ("tenant_id", "uuid"), ("id", "uuid"), ("invoice_id", "uuid"), ("payment_id", "uuid"),
    ("amount", "numeric"), ("allocated_on", "date"),
)  # fmt: skip
LOADED_TABLES = ("invoices", "invoice_lines", "payments", "allocations", "sequences")


@dataclass(frozen=True)
class Sizes:
    """What the benchmark creates; each field is read from ``COMPTOIR_BENCH_<FIELD>``."""

    invoice_lines: int = 1_000_000
    customers: int = 300
    products: int = 50
    service_postings: int = 2000
    api_clients: int = 20
    api_iterations: int = 50
    open_loop_pairs: int = 200
    kpi_repeat: int = 5

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


@dataclass(frozen=True)
class Item:
    """A catalog product as the history's lines copy it."""

    id: UUID
    name: str
    unit: str
    price: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Shop:
    tenant_id: UUID
    user_id: UUID
    email: str
    invoice_pattern: str
    timezone: str
    customers: list[UUID]
    items: list[Item]

    @property
    def principal(self) -> Principal:
        return Principal(self.tenant_id, self.user_id, frozenset({Role.ADMIN}), Channel.API)

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    def ids(self) -> tuple[list[str], list[str]]:
        """Customer and product ids, as JSON carries them."""
        return [str(c) for c in self.customers], [str(item.id) for item in self.items]


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, object]:
    """Build the history in a scratch database, measure everything; return the figures."""
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    with db_bench.scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            figures = measure_all(scratch, sizes, phases)
        finally:
            scratch.close()
    service = figures["service_layer"]
    timed_phase(phases, "raw_insert", compare_with_raw, container, service)
    return {
        "benchmark": "invoices",
        "goals": invoice_goals(figures),
        "machine": figures.pop("server"),
        "sizes": asdict(sizes),
        **figures,
        "phase_seconds": {name: round(seconds, 1) for name, seconds in phases.items()},
    }


def invoice_goals(figures: dict[str, Any]) -> list[dict[str, Any]]:
    versus = figures["service_layer"]["against_baseline"]
    api, alone = figures["api"]["open_loop"], figures["api"]["one_client"]
    return [
        goal(
            "service_create_and_post_vs_sql_baseline",
            versus["service_invoices_per_second"],
            "invoices/s",
            baseline=versus["baseline_invoices_per_second"],
            at_least=SERVICE_RATIO_GOAL,
        ),
        *(
            goal(
                f"api_{request}_p95_open_loop_vs_one_client",
                api[request]["p95_ms"] if api["pairs"] else None,
                "ms",
                baseline=alone[request]["p95_ms"],
                at_most=API_RATIO_GOAL,
            )
            for request in ("create", "post")
        ),
        *(
            goal(f"report_{name}_median", report["median_ms"], "ms", at_most=REPORT_GOAL_MS)
            for name, report in figures["reports"].items()
        ),
    ]


def measure_all(scratch: Container, sizes: Sizes, phases: dict[str, float]) -> dict[str, Any]:
    started = time.perf_counter()
    scratch.prepare_database()
    shop = open_shop(scratch, sizes)
    phases["setup"] = time.perf_counter() - started
    try:
        dataset = load_history(scratch, shop, sizes)
        phases["load"] = dataset["load_seconds"]
        since = datetime.now(UTC)
        service, numbers = timed_phase(phases, "service", measure_service, scratch, shop, sizes)
        api, api_numbers = timed_phase(phases, "api", measure_api, scratch, shop, sizes)
        report_figures = timed_phase(phases, "reports", measure_reports, scratch, shop, sizes)
        expected = (
            4 * sizes.service_postings
            + min(BLOCK, sizes.service_postings)
            + (sizes.api_clients + 1) * sizes.api_iterations
            + sizes.open_loop_pairs
        )
        numbering = check_numbering(
            scratch, shop, dataset, since, [*numbers, *api_numbers], expected
        )
        server = machine(scratch.endpoints.database_url)
    finally:
        dropped = drop_queued_relays(scratch, shop.tenant_id)
    dataset["event_relays_dropped_from_queue"] = dropped
    return {
        "server": server,
        "dataset": dataset,
        "service_layer": service,
        "api": api,
        "reports": report_figures,
        "numbering": numbering,
    }


# --- the scratch database and the tenant ----------------------------------------------------


def open_shop(scratch: Container, sizes: Sizes) -> Shop:
    """One FR business, its customers and catalog, all through the services."""
    from domain.audit.service import RequestContext
    from domain.finance.models import FiscalSettings
    from domain.identity import service as identity
    from domain.identity.schemas import SignUp, TenantCreate, UserCreate

    slug = f"banc-{secrets.token_hex(4)}"
    email = f"{slug}@example.com"
    data = SignUp(
        tenant=TenantCreate(name="Banc d'essai SARL", slug=slug, country="FR", siren=SIREN),
        admin=UserCreate(email=email, name="Admin Banc", password=PASSWORD),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, data, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
        tenant_id, user_id, timezone = tenant.id, user.id, tenant.timezone
    shop = Shop(tenant_id, user_id, email, "", timezone, [], [])
    rng = random.Random(SEED)
    with scratch.db.unit_of_work(tenant_id) as session:
        pattern = session.scalars(
            select(FiscalSettings.invoice_pattern).where(FiscalSettings.tenant_id == tenant_id)
        ).one()
        customers = [add_customer(session, shop, i, rng) for i in range(sizes.customers)]
        items = [add_product(session, shop, i, rng) for i in range(sizes.products)]
    return Shop(tenant_id, user_id, email, pattern, timezone, customers, items)


def add_customer(session: Session, shop: Shop, i: int, rng: random.Random) -> UUID:
    from domain.sales import service as sales
    from domain.sales.schemas import PartnerCreate

    trade = rng.choice(("Boulangerie", "Garage", "Cabinet", "Épicerie", "Atelier", "Hôtel"))
    name = f"{trade} {rng.choice(('Martin', 'Diallo', 'Lefèvre', 'Ndiaye', 'Moreau'))} {i:04d}"
    return sales.create_partner(session, shop.principal, PartnerCreate(name=name)).id


def add_product(session: Session, shop: Shop, i: int, rng: random.Random) -> Item:
    from domain.sales import service as sales
    from domain.sales.schemas import ProductCreate

    goods = rng.random() < 0.7
    product = sales.create_product(
        session,
        shop.principal,
        ProductCreate(
            kind="goods" if goods else "service",
            name=f"{'Article' if goods else 'Prestation'} {i:03d}",
            unit=rng.choice(("pièce", "carton", "kg", "lot") if goods else ("heure", "jour")),
            sale_price=Decimal(rng.randrange(250, 150_000)).scaleb(-2),
            vat_rate=rng.choice((Decimal(20), Decimal(20), Decimal(10), Decimal("5.5")))
            if goods
            else Decimal(20),
        ),
    )
    assert product.sale_price is not None  # every benchmark product is priced
    return Item(product.id, product.name, product.unit, product.sale_price, product.vat_rate)


# --- the history ----------------------------------------------------------------------------


@dataclass
class History:
    """Generates the invoices in date order, numbering them per year as posting would."""

    shop: Shop
    today: date
    count: int
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    last_number: dict[int, int] = field(default_factory=dict)
    last_payment: dict[int, int] = field(default_factory=dict)
    payments: list[tuple[date, UUID, Decimal, UUID]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A few customers buy most (roughly Zipf): the ageing has big and small debtors.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.shop.customers))]
        self.cum_weights = list(_cumulative(weights))

    def chunk(self, first: int, size: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        heads: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        for i in range(first, first + size):
            head, its_lines = self.invoice(i)
            heads.append(head)
            lines.extend(its_lines)
        return heads, lines

    def invoice(self, i: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        shop, rng = self.shop, self.rng
        issued = self.today - timedelta(days=HISTORY_DAYS - i * HISTORY_DAYS // self.count)
        partner = rng.choices(shop.customers, cum_weights=self.cum_weights)[0]
        invoice_id = uuid7()
        lines = [self.line(invoice_id, position) for position in range(1, LINES_PER_INVOICE + 1)]
        totals = document_totals((TaxableLine(ln[12], ln[10], "S") for ln in lines), EUR)
        stamp = datetime.combine(issued, clock_time(9), tzinfo=UTC) + timedelta(seconds=i % 30_000)
        if (self.today - issued).days <= DRAFT_DAYS and rng.random() < 0.05:
            status, number, due, settled, posted_at = "draft", None, None, ZERO, None
        else:
            year = issued.year
            self.last_number[year] = seq = self.last_number.get(year, 0) + 1
            number = shop.invoice_pattern.format(year=year, seq=seq)
            due, posted_at = issued + timedelta(days=TERMS_DAYS), stamp
            status, settled, paid_on = self.settlement(totals.gross, issued, due)
            if paid_on is not None:
                self.payments.append((paid_on, partner, settled, invoice_id))
        self.statuses[status] = self.statuses.get(status, 0) + 1
        version = 2 if settled else 1
        head = (
            shop.tenant_id, invoice_id, "invoice", number, status, partner, issued, due,
            TERMS_DAYS, EUR.value, totals.net, totals.tax, totals.gross, settled, posted_at,
            shop.user_id if posted_at else None, shop.user_id, version, stamp, stamp,
        )  # fmt: skip
        return head, lines

    def line(self, invoice_id: UUID, position: int) -> tuple[Any, ...]:
        item = self.shop.items[self.rng.randrange(len(self.shop.items))]
        quantity = QUANTITIES[self.rng.randint(1, 12)]
        discount = self.rng.choice(DISCOUNTS)
        net = line_net(quantity, item.price, discount, EUR)
        return (
            self.shop.tenant_id, uuid7(), invoice_id, position, item.id, item.name, quantity,
            item.unit, item.price, discount, item.vat_rate, "S", net,
        )  # fmt: skip

    def settlement(
        self, gross: Decimal, issued: date, due: date
    ) -> tuple[str, Decimal, date | None]:
        """(status, amount settled, payment date): the older, the likelier paid."""
        late = (self.today - due).days
        unpaid, partly = (0.02, 0.01) if late > 60 else (0.15, 0.08) if late > 0 else (0.5, 0.1)
        draw = self.rng.random()
        if draw < unpaid:
            return "posted", ZERO, None
        yesterday = self.today - timedelta(days=1)
        paid_on = min(issued + timedelta(days=self.rng.randint(0, TERMS_DAYS + 20)), yesterday)
        if draw < unpaid + partly:
            share = round_to_currency(gross * Decimal(self.rng.randint(30, 70)) / 100, EUR)
            return "partially_paid", share, paid_on
        return "paid", gross, paid_on

    def payment_rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Payments numbered per year in the order they were received, and allocations."""
        shop, rng = self.shop, self.rng
        self.payments.sort(key=lambda p: p[0])  # stable: invoice order within a day
        payments: list[tuple[Any, ...]] = []
        allocations: list[tuple[Any, ...]] = []
        for received_on, partner, amount, invoice_id in self.payments:
            year = received_on.year
            self.last_payment[year] = seq = self.last_payment.get(year, 0) + 1
            payment_id = uuid7()
            stamp = datetime.combine(received_on, clock_time(11), tzinfo=UTC)
            method = rng.choices(METHODS, weights=METHOD_WEIGHTS)[0]
            payments.append(
                (
                    shop.tenant_id, payment_id, partner, PAYMENT_PATTERN.format(year=year, seq=seq),
                    received_on, amount, EUR.value, method, amount, shop.user_id, stamp, stamp,
                )
            )  # fmt: skip
            allocations.append(
                (shop.tenant_id, uuid7(), invoice_id, payment_id, amount, received_on)
            )
        return payments, allocations

    def sequence_rows(self) -> list[tuple[Any, ...]]:
        """The counters after the history: the next posting continues each series."""
        counters = [("invoice", self.last_number), ("payment", self.last_payment)]
        return [
            (self.shop.tenant_id, uuid7(), name, str(year), last + 1)
            for name, last_by_year in counters
            for year, last in sorted(last_by_year.items())
        ]


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def load_history(scratch: Container, shop: Shop, sizes: Sizes) -> dict[str, Any]:
    """COPY the history as the owner, bypassing triggers and FK checks (see the docstring)."""
    invoices = sizes.invoice_lines // LINES_PER_INVOICE
    history = History(shop, shop.today(), invoices)
    url = libpq_url(scratch.endpoints.database_url)
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        for first in range(0, invoices, CHUNK):
            heads, lines = history.chunk(first, min(CHUNK, invoices - first))
            copy_rows(conn, "invoices", INVOICE_COLUMNS, heads)
            copy_rows(conn, "invoice_lines", LINE_COLUMNS, lines)
        payments, allocations = history.payment_rows()
        copy_rows(conn, "payments", PAYMENT_COLUMNS, payments)
        copy_rows(conn, "allocations", ALLOCATION_COLUMNS, allocations)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sequences (tenant_id, id, name, period, next_value) "
                "VALUES (%s, %s, %s, %s, %s)",
                history.sequence_rows(),
            )
        conn.commit()
    copied = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        for table in (*LOADED_TABLES, "partners", "products"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        counts = dataset_counts(conn, shop.tenant_id)
    year = shop.today().year
    loaded_last = history.last_number.get(year, 0)
    rows = invoices * (1 + LINES_PER_INVOICE) + 2 * len(payments)
    return {
        **counts,
        "months": HISTORY_DAYS * 12 // 365,
        "journal_entries_loaded": False,
        "loaded_invoice_statuses": dict(sorted(history.statuses.items())),
        "loaded_last_number": shop.invoice_pattern.format(year=year, seq=loaded_last),
        "loaded_last_seq": loaded_last,
        "load_seconds": round(copied, 1),
        "load_rows_per_second": round(rows / copied),
        "vacuum_analyze_seconds": round(time.perf_counter() - started - copied, 1),
    }


def dataset_counts(conn: psycopg.Connection[Any], tenant_id: UUID) -> dict[str, Any]:
    def count(table: str) -> int:
        found = conn.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [tenant_id])
        return int(found.fetchone()[0])  # type: ignore[index]

    tables = ("invoices", "invoice_lines", "payments", "allocations", "partners", "products")
    return {table: count(table) for table in tables}


# --- service layer --------------------------------------------------------------------------


def invoice_body(customers: Sequence[str], products: Sequence[str], rng: random.Random) -> Any:
    """A 5-line invoice as the API takes it (the service takes its ``InvoiceCreate``)."""
    return {
        "partner_id": rng.choice(customers),
        "lines": [
            {"product_id": rng.choice(products), "quantity": str(rng.randint(1, 12))}
            for _ in range(LINES_PER_INVOICE)
        ],
    }


def create_and_post(scratch: Container, shop: Shop, body: Any) -> str:
    from domain.finance import invoices

    with scratch.db.unit_of_work(shop.tenant_id) as session:
        draft = invoices.create_invoice(session, shop.principal, scratch.clock, body)
        posted = invoices.post_invoice(session, shop.principal, scratch.clock, draft.id)
        return str(posted.number)


def measure_service(
    scratch: Container, shop: Shop, sizes: Sizes
) -> tuple[dict[str, Any], list[str]]:
    single, numbers = timed_postings(scratch, shop, sizes.service_postings, threads=1)
    double, more = timed_postings(scratch, shop, sizes.service_postings, threads=2)
    versus, compared = against_baseline(scratch, shop, sizes.service_postings)
    figures = {"single_thread": single, "two_threads": double, "against_baseline": versus}
    return figures, numbers + more + compared


def against_baseline(
    scratch: Container, shop: Shop, count: int
) -> tuple[dict[str, Any], list[str]]:
    """The service and the hand-written SQL of ``benchmarks.baselines``, single-threaded, in
    alternating blocks of ``BLOCK`` invoices: a load spike on the shared machine hits both
    alike. The rows each writes per invoice are counted by PostgreSQL, for the record."""
    from domain.finance.schemas import InvoiceCreate

    rng = random.Random(SEED + 7)
    customers, products = shop.ids()
    bodies = [invoice_body(customers, products, rng) for _ in range(2 * count)]
    baseline = InvoiceBaseline(scratch, shop)
    tally = Tally("service", "baseline")
    numbers: list[str] = []
    try:
        baseline_rows = baseline.rows_per_invoice(bodies[count : count + BLOCK])
        numbers += baseline.numbers
        service_bodies = [InvoiceCreate.model_validate(b) for b in bodies[:count]]
        for first in range(0, count, BLOCK):
            with tally.timing("service"):
                for b in service_bodies[first : first + BLOCK]:
                    numbers.append(create_and_post(scratch, shop, b))
            with tally.timing("baseline"):
                numbers += baseline.post_all(bodies[count + first : count + first + BLOCK])
    finally:
        baseline.close()
    done = len(service_bodies)
    rates = {name: round(done / s, 1) for name, s in tally.wall.items()}
    return {
        "invoices_each": done,
        "block": BLOCK,
        "service_invoices_per_second": rates["service"],
        "baseline_invoices_per_second": rates["baseline"],
        "ratio": round(rates["service"] / rates["baseline"], 3),
        "service_cpu_ms_per_invoice": tally.cpu_ms_per("service", done),
        "baseline_cpu_ms_per_invoice": tally.cpu_ms_per("baseline", done),
        "baseline_rows_per_invoice": baseline_rows,
        "baseline": "benchmarks.baselines.create_and_post_invoice (psycopg, app role, RLS)",
    }, numbers


class InvoiceBaseline:
    """The baseline's connection (the application role) and what it needs of the tenant."""

    def __init__(self, scratch: Container, shop: Shop) -> None:
        self.scratch, self.shop = scratch, shop
        self.conn = psycopg.connect(libpq_url(scratch.app_database_url))
        with psycopg.connect(libpq_url(scratch.endpoints.database_url)) as owner:
            row = owner.execute(
                "SELECT chart FROM fiscal_settings WHERE tenant_id = %s", [shop.tenant_id]
            ).fetchone()
        assert row is not None
        self.chart = str(row[0])
        signer = TenantSigner(scratch.settings.resolved_secret_key())
        self.signed_tenant = signer.sign(shop.tenant_id)
        self.numbers: list[str] = []

    def post_all(self, bodies: Sequence[Any]) -> list[str]:
        from benchmarks import baselines

        shop, today = self.shop, self.shop.today()
        return [
            baselines.create_and_post_invoice(
                self.conn,
                tenant_id=shop.tenant_id,
                signed_tenant=self.signed_tenant,
                user_id=shop.user_id,
                chart=self.chart,
                pattern=shop.invoice_pattern,
                today=today,
                partner_id=UUID(body["partner_id"]),
                wanted=[(UUID(ln["product_id"]), Decimal(ln["quantity"])) for ln in body["lines"]],
            )
            for body in bodies
        ]

    def rows_per_invoice(self, bodies: Sequence[Any]) -> dict[str, dict[str, float]]:
        """Post ``bodies`` alone and count the rows PostgreSQL saw written."""
        before = table_writes(self.scratch)
        self.numbers = self.post_all(bodies)
        writes = writes_since(self.scratch, before, table="invoices", inserted=len(bodies))
        return {
            table: {"inserted": round(ins / len(bodies), 2), "updated": round(upd / len(bodies), 2)}
            for table, (ins, upd) in sorted(writes.items())
        }

    def close(self) -> None:
        self.conn.close()


def timed_postings(
    scratch: Container, shop: Shop, count: int, *, threads: int
) -> tuple[dict[str, Any], list[str]]:
    from domain.finance.schemas import InvoiceCreate

    rng = random.Random(SEED + threads)
    customers, products = shop.ids()
    bodies = [
        InvoiceCreate.model_validate(invoice_body(customers, products, rng)) for _ in range(count)
    ]
    before = table_writes(scratch)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        numbers = list(pool.map(lambda body: create_and_post(scratch, shop, body), bodies))
    seconds = time.perf_counter() - started
    writes = writes_since(scratch, before, table="invoices", inserted=count)
    rows = sum(inserted + updated for inserted, updated in writes.values())
    return {
        "threads": threads,
        "invoices": count,
        "seconds": round(seconds, 2),
        "invoices_per_second": round(count / seconds, 1),
        "rows_written": rows,
        "rows_per_second": round(rows / seconds),
        "rows_per_create_and_post": {
            table: {"inserted": round(ins / count, 2), "updated": round(upd / count, 2)}
            for table, (ins, upd) in sorted(writes.items())
        },
    }, numbers


def compare_with_raw(container: Container, service: dict[str, Any]) -> None:
    """``comptoir bench db`` for as many rows as the single-threaded run wrote."""
    rows = int(service["single_thread"]["rows_written"])
    best = max(
        service["single_thread"]["rows_per_second"], service["two_threads"]["rows_per_second"]
    )
    service.update(raw_comparison(container, rows, best))  # for reading, not a goal


# --- HTTP API -------------------------------------------------------------------------------


def api_workers() -> int:
    """The uvicorn processes ``make run`` serves the API with: ``comptoir run`` starts
    ``uvicorn --factory api.app:create_app`` without ``--workers``, so uvicorn's own default
    applies — ``WEB_CONCURRENCY`` when set, else one process, whatever the cores."""
    return int(os.environ.get("WEB_CONCURRENCY", "1"))


def api_command(port: int) -> list[str]:
    """``comptoir run``'s API command line, on a loopback port of its own."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@contextmanager
def serve(scratch: Container) -> Iterator[str]:
    """The API over real HTTP, served as ``make run`` serves it: uvicorn in processes of
    their own (``api_workers()`` of them), on the scratch database and the run's Redis."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "DATABASE_URL": scratch.endpoints.database_url,
        "APP_DATABASE_URL": scratch.app_database_url,
        "REDIS_URL": scratch.endpoints.redis_url,
        "COMPTOIR_HOME": str(scratch.settings.home.resolve()),
        "COMPTOIR_SECRET_KEY": scratch.settings.resolved_secret_key(),
    }
    log = tempfile.TemporaryFile()  # a pipe nobody reads could fill and block the server
    server = subprocess.Popen(api_command(port), env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(server, url, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_until_serving(server: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            log.seek(0)
            error = log.read().decode(errors="replace")
            raise RuntimeError(f"uvicorn did not start:\n{error[-4000:]}")
        try:
            httpx.get(f"{url}/openapi.json", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 60 s") from None
            time.sleep(0.1)


def measure_api(scratch: Container, shop: Shop, sizes: Sizes) -> tuple[dict[str, Any], list[str]]:
    """One client alone first (the latency floor), then ``api_clients`` at once."""
    with serve(scratch) as base_url:
        login = httpx.post(
            f"{base_url}/api/v1/auth/login",
            json={"email": shop.email, "password": PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        customers, products = shop.ids()
        job = {
            "base_url": base_url,
            "token": str(login.json()["access_token"]),
            "customers": customers,
            "products": products,
            "iterations": sizes.api_iterations,
        }
        alone = drive_api_in_child(job | {"clients": 1})
        loaded = drive_api_in_child(job | {"clients": sizes.api_clients})
        rate = OPEN_LOOP_SHARE * len(loaded["pair"]) / loaded["seconds"]
        count = sizes.open_loop_pairs
        opened = drive_api_in_child(
            {k: v for k, v in job.items() if k != "iterations"} | {"rate": rate, "count": count}
        )
    return {
        "clients": sizes.api_clients,
        "iterations_per_client": sizes.api_iterations,
        # The closed loop: its pairs per second are the maximum throughput measured.
        **api_figures(loaded),
        "one_client": api_figures(alone),
        "open_loop": {
            "arrivals_per_second": round(rate, 2),
            "share_of_max_throughput": OPEN_LOOP_SHARE,
            **api_figures(opened),
        },
        "server": "uvicorn --factory api.app:create_app in its own process(es), as make run "
        "starts it; the clients run in a child process",
        "workers": api_workers(),
        "cpus_shared_with_load_generator": True,
    }, alone["numbers"] + loaded["numbers"] + opened["numbers"]


def api_figures(done: dict[str, Any]) -> dict[str, Any]:
    pairs, seconds = len(done["pair"]), done["seconds"]
    return {
        "pairs": pairs,
        "errors": len(done["errors"]),
        "error_samples": done["errors"][:5],
        "seconds": round(seconds, 2),
        "pairs_per_second": round(pairs / seconds, 1) if seconds else 0,
        "requests_per_second": round(2 * pairs / seconds, 1) if seconds else 0,
        "create": latency(done["create"]),
        "post": latency(done["post"]),
        "pair": latency(done["pair"]),
    }


def drive_api_in_child(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``drive_api`` (or ``drive_open_loop`` when ``job`` has a rate) in a fresh
    interpreter (``python -m benchmarks.invoices``): the load generator must not share the
    server's GIL. Each call is one fresh child."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.invoices"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the API load generator failed:\n{child.stderr[-4000:]}")
    return json.loads(child.stdout)  # type: ignore[no-any-return]


def drive_api(
    base_url: str,
    token: str,
    customers: list[str],
    products: list[str],
    clients: int,
    iterations: int,
) -> dict[str, Any]:
    """``clients`` threads hitting the API at once; their latencies and the numbers posted."""
    barrier = threading.Barrier(clients + 1)
    results: list[dict[str, list[Any]]] = [
        {"create": [], "post": [], "pair": [], "numbers": [], "errors": []} for _ in range(clients)
    ]
    client = partial(api_client, base_url, token, customers, products, iterations, barrier)
    threads = [threading.Thread(target=client, args=(results[k], k)) for k in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    merged: dict[str, Any] = {key: [v for r in results for v in r[key]] for key in results[0]}
    return merged | {"seconds": seconds}


def api_client(
    base_url: str,
    token: str,
    customers: list[str],
    products: list[str],
    iterations: int,
    barrier: threading.Barrier,
    out: dict[str, list[Any]],
    k: int,
) -> None:
    rng = random.Random(SEED + 100 + k)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        try:
            http.get("/api/v1/invoices", params={"limit": 1})  # connection and auth, untimed
        finally:
            barrier.wait()
        for _ in range(iterations):
            api_pair(http, invoice_body(customers, products, rng), out, time.perf_counter())


def api_pair(http: httpx.Client, body: Any, out: dict[str, list[Any]], t0: float) -> None:
    """Create then post one invoice; times from ``t0`` (its arrival) to each response."""
    created = http.post("/api/v1/invoices", json=body)
    t1 = time.perf_counter()
    if created.status_code != 201:
        out["errors"].append(f"create {created.status_code}: {created.text[:200]}")
        return
    posted = http.post(f"/api/v1/invoices/{created.json()['id']}/post")
    t2 = time.perf_counter()
    if posted.status_code != 200:
        out["errors"].append(f"post {posted.status_code}: {posted.text[:200]}")
        return
    out["create"].append((t1 - t0) * 1000)
    out["post"].append((t2 - t1) * 1000)
    out["pair"].append((t2 - t0) * 1000)
    out["numbers"].append(posted.json()["number"])


def drive_open_loop(
    base_url: str,
    token: str,
    customers: list[str],
    products: list[str],
    rate: float,
    count: int,
) -> dict[str, Any]:
    """``count`` pairs arriving at a fixed ``rate`` per second, whatever the responses do
    (an open loop: a slow server gets a queue, not fewer requests). A pair's create is
    timed from its scheduled arrival, so time spent waiting for a free sender counts."""
    rng = random.Random(SEED + 300)
    bodies = [invoice_body(customers, products, rng) for _ in range(count)]
    out: dict[str, list[Any]] = {"create": [], "post": [], "pair": [], "numbers": [], "errors": []}
    idle: queue.SimpleQueue[httpx.Client] = queue.SimpleQueue()
    clients = [
        httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        for _ in range(OPEN_LOOP_SENDERS)
    ]
    for http in clients:  # connection and auth, untimed, as the closed loop's clients do
        http.get("/api/v1/invoices", params={"limit": 1})
        idle.put(http)

    def send(body: Any, arrival: float) -> None:
        http = idle.get()  # a free connection (the pool has as many threads as connections)
        try:
            api_pair(http, body, out, arrival)
        finally:
            idle.put(http)

    started = time.perf_counter()
    with ThreadPoolExecutor(OPEN_LOOP_SENDERS) as pool:
        for k, body in enumerate(bodies):
            arrival = started + k / rate
            time.sleep(max(0.0, arrival - time.perf_counter()))
            pool.submit(send, body, arrival)
    seconds = time.perf_counter() - started
    for http in clients:
        http.close()
    return out | {"seconds": seconds}


# --- reports --------------------------------------------------------------------------------

Report = Callable[[Session], object]


def measure_reports(scratch: Container, shop: Shop, sizes: Sizes) -> dict[str, dict[str, Any]]:
    from domain.finance import reports

    today, principal, clock = shop.today(), shop.principal, scratch.clock
    months_back = today.year * 12 + today.month - 1 - 11
    year_ago = date(months_back // 12, months_back % 12 + 1, 1)
    queries: dict[str, Report] = {
        "revenue": lambda s: reports.revenue(
            s, principal, start=year_ago, end=today, grouping="month"
        ),
        "aged_receivables": lambda s: reports.aged_receivables(s, principal, clock),
        "kpis": lambda s: reports.kpis(
            s, principal, clock, start=date(today.year, 1, 1), end=today
        ),
    }
    figures: dict[str, dict[str, Any]] = {}
    for name, query in queries.items():
        runs = [timed_report(scratch, shop, query) for _ in range(sizes.kpi_repeat)]
        figures[name] = {
            "best_ms": round(min(runs), 1),
            "median_ms": round(statistics.median(runs), 1),
            "runs_ms": [round(ms, 1) for ms in runs],
            "goal": f"median <= {REPORT_GOAL_MS:g} ms",
            "meets_goal": statistics.median(runs) <= REPORT_GOAL_MS,
        }
        if name != "kpis":
            figures[name]["explain"] = explain(scratch, shop, query)
    figures["revenue"]["period"] = f"{year_ago} .. {today}, by month"
    figures["kpis"]["period"] = f"{date(today.year, 1, 1)} .. {today}"
    return figures


def timed_report(scratch: Container, shop: Shop, query: Report) -> float:
    """Milliseconds for one report in its own unit of work, as a request runs it."""
    started = time.perf_counter()
    with scratch.db.unit_of_work(shop.tenant_id) as session:
        query(session)
    return (time.perf_counter() - started) * 1000


def explain(scratch: Container, shop: Shop, query: Report) -> list[dict[str, Any]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the statements ``query`` sends on invoices/payments."""

    def keep(statement: str) -> str | None:
        if "FROM invoices" in statement:
            return "invoices"
        return "payments" if "FROM payments" in statement else None

    return explain_statements(scratch, shop.tenant_id, query, keep)


# --- checks and server ----------------------------------------------------------------------


def check_numbering(
    scratch: Container,
    shop: Shop,
    dataset: dict[str, Any],
    since: datetime,
    reported: list[str],
    expected: int,
) -> dict[str, Any]:
    """The invoices posted during the run continue the loaded series without a gap."""
    with psycopg.connect(libpq_url(scratch.endpoints.database_url)) as conn:
        found = conn.execute(
            "SELECT number FROM invoices WHERE tenant_id = %s AND posted_at >= %s",
            [shop.tenant_id, since],
        ).fetchall()
    numbers = sorted(str(n) for (n,) in found)
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    first = dataset["loaded_last_seq"] + 1
    return {
        "expected_postings": expected,
        "posted": len(seqs),
        "first_posted_seq": seqs[0] if seqs else None,
        "last_posted_seq": seqs[-1] if seqs else None,
        "first_posted_number": min(numbers, key=_seq) if numbers else None,
        "last_posted_number": max(numbers, key=_seq) if numbers else None,
        "contiguous": seqs == list(range(first, first + expected)),
        "matches_responses": sorted(reported) == numbers,
    }


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


if __name__ == "__main__":  # the API load generator's process (see drive_api_in_child)
    job = json.load(sys.stdin)
    print(json.dumps(drive_open_loop(**job) if "rate" in job else drive_api(**job)))  # noqa: T201
