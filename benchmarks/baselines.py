"""Hand-written SQL doing what a service does, as a yardstick measured in the same run.

Each baseline writes the same rows as the service it is compared with, in one transaction
per operation, as the application role with the tenant set (Row-Level Security on, every
constraint and trigger in force): what the simplest program doing the same work costs on
this machine today. It reads what it must to be correct (product prices, the stock level
under a row lock) and nothing it could know already (the accounts and locations of the
tenant are looked up inside the statements that use them, not remembered). It does not
publish events to Celery after commit (the service does): that is part of what the ratio
measures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from domain.finance.calc import TaxableLine, document_totals, line_net
from domain.finance.charts import ChartName, posting_accounts
from domain.kit.ids import uuid7
from domain.kit.money import Currency

EUR = Currency.EUR
ZERO = Decimal(0)

SEQUENCE_SQL = """
INSERT INTO sequences (tenant_id, id, name, period, next_value, created_at, updated_at)
VALUES (%s, %s, %s, %s, 2, now(), now())
ON CONFLICT (tenant_id, name, period)
DO UPDATE SET next_value = sequences.next_value + 1, updated_at = now()
RETURNING next_value - 1
"""
PRODUCTS_SQL = """
SELECT id, kind, name, unit, sale_price, vat_rate FROM products
WHERE tenant_id = %s AND id = ANY(%s)
"""
INVOICE_SQL = """
INSERT INTO invoices (tenant_id, id, kind, status, partner_id, issue_date, payment_terms_days,
  currency, net_total, tax_total, gross_total, amount_settled, created_by, version,
  created_at, updated_at)
VALUES (%s, %s, 'invoice', 'draft', %s, %s, %s, %s, %s, %s, %s, 0, %s, 1, now(), now())
"""
LINE_SQL = """
INSERT INTO invoice_lines (tenant_id, id, invoice_id, position, product_id, description,
  quantity, unit, unit_price, discount_percent, vat_rate, vat_category, net_amount)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, 'S', %s)
"""
POST_SQL = """
UPDATE invoices SET number = %s, status = 'posted', due_date = %s, posted_at = now(),
  posted_by = %s, version = version + 1, updated_at = now()
WHERE tenant_id = %s AND id = %s AND status = 'draft'
"""
ENTRY_SQL = """
INSERT INTO journal_entries (tenant_id, id, journal_id, number, entry_date, label, piece_ref,
  piece_date, source_type, source_id, validated_at)
SELECT %s, %s, j.id, %s, %s, %s, %s, %s, 'invoice', %s, now()
FROM journals j WHERE j.tenant_id = %s AND j.code = 'VT'
"""
JOURNAL_LINE_SQL = """
INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, partner_id, label,
  debit, credit)
SELECT %s, %s, %s, %s, a.id, %s, %s, %s, %s
FROM accounts a WHERE a.tenant_id = %s AND a.number = %s
"""
EVENT_SQL = """
INSERT INTO domain_events (tenant_id, id, name, payload, actor_id, channel, occurred_at)
VALUES (%s, %s, %s, %s, %s, 'api', now())
"""
AUDIT_SQL = """
INSERT INTO audit_log (tenant_id, id, occurred_at, actor_type, actor_id, channel, action,
  outcome, target_type, target_id, summary)
VALUES (%s, %s, now(), 'user', %s, 'api', %s, 'success', %s, %s, %s)
"""


@dataclass(frozen=True)
class Priced:
    product_id: UUID
    kind: str
    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    vat_rate: Decimal
    net: Decimal


def begin(conn: psycopg.Connection[Any], signed_tenant: str) -> None:
    """The transaction's tenant, signed, as ``Database.unit_of_work`` sets it (RLS checks
    the signature on every row)."""
    conn.execute("SELECT set_config('app.tenant', %s, true)", [signed_tenant])


def take_next(conn: psycopg.Connection[Any], tenant_id: UUID, name: str, period: str) -> int:
    row = conn.execute(SEQUENCE_SQL, [tenant_id, uuid7(), name, period]).fetchone()
    assert row is not None
    return int(row[0])


def price(
    conn: psycopg.Connection[Any], tenant_id: UUID, wanted: Sequence[tuple[UUID, Decimal]]
) -> list[Priced]:
    """The lines priced from the catalog: one read for all the invoice's products."""
    ids = list({product for product, _ in wanted})
    found = {row[0]: row for row in conn.execute(PRODUCTS_SQL, [tenant_id, ids])}
    lines = []
    for product, quantity in wanted:
        _, kind, name, unit, sale_price, vat_rate = found[product]
        net = line_net(quantity, sale_price, ZERO, EUR)
        lines.append(Priced(product, kind, name, quantity, unit, sale_price, vat_rate, net))
    return lines


def create_and_post_invoice(
    conn: psycopg.Connection[Any],
    *,
    tenant_id: UUID,
    signed_tenant: str,
    user_id: UUID,
    chart: str,
    pattern: str,
    today: date,
    partner_id: UUID,
    wanted: Sequence[tuple[UUID, Decimal]],
    terms_days: int = 30,
) -> str:
    """A 5-line invoice created as a draft then posted: number, ledger entry, events, audit.
    One transaction; returns the number."""
    with conn.transaction():
        begin(conn, signed_tenant)
        lines = price(conn, tenant_id, wanted)
        totals = document_totals((TaxableLine(p.net, p.vat_rate, "S") for p in lines), EUR)
        invoice_id = uuid7()
        conn.execute(
            INVOICE_SQL,
            [tenant_id, invoice_id, partner_id, today, terms_days, EUR.value]
            + [totals.net, totals.tax, totals.gross, user_id],
        )
        with conn.cursor() as cur:
            cur.executemany(
                LINE_SQL,
                [
                    (tenant_id, uuid7(), invoice_id, i, p.product_id, p.name, p.quantity)
                    + (p.unit, p.price, p.vat_rate, p.net)
                    for i, p in enumerate(lines, start=1)
                ],
            )
        event(conn, tenant_id, user_id, "invoice.created", {"invoice_id": str(invoice_id)})
        audit(conn, tenant_id, user_id, "invoice.create", invoice_id, totals.gross)
        number = pattern.format(
            year=today.year, seq=take_next(conn, tenant_id, "invoice", str(today.year))
        )
        due = today + timedelta(days=terms_days)
        conn.execute(POST_SQL, [number, due, user_id, tenant_id, invoice_id])
        entry_id = write_entry(conn, tenant_id, today, number, invoice_id)
        movements = invoice_movements(chart, partner_id, lines, totals.gross, totals.by_rate)
        write_lines(conn, tenant_id, entry_id, f"Facture {number}", movements)
        event(conn, tenant_id, user_id, "invoice.posted", {"invoice_id": str(invoice_id)})
        audit(conn, tenant_id, user_id, "invoice.post", invoice_id, totals.gross)
    return number


Movement = tuple[str, UUID | None, Decimal]  # account number, partner, signed amount


def invoice_movements(
    chart: str, partner_id: UUID, lines: Sequence[Priced], gross: Decimal, by_rate: Any
) -> list[Movement]:
    """Receivable debited, revenue (goods, services) and VAT per rate credited; merged by
    account as the ledger merges them."""
    accounts = posting_accounts(ChartName(chart))
    credits: dict[str, Decimal] = {}
    for p in lines:
        account = accounts.sales_goods if p.kind == "goods" else accounts.sales_services
        credits[account] = credits.get(account, ZERO) + p.net
    for rate in by_rate:
        credits[accounts.vat_collected] = credits.get(accounts.vat_collected, ZERO) + rate.tax
    moves: list[Movement] = [(accounts.receivable, partner_id, gross)]
    moves += [(account, None, -amount) for account, amount in sorted(credits.items()) if amount]
    return moves


def write_entry(
    conn: psycopg.Connection[Any], tenant_id: UUID, day: date, number: str, source_id: UUID
) -> UUID:
    seq = take_next(conn, tenant_id, "entry:VT", str(day.year))
    entry_id = uuid7()
    conn.execute(
        ENTRY_SQL,
        [tenant_id, entry_id, f"VT-{day.year}-{seq:06d}", day, f"Facture {number}", number]
        + [day, source_id, tenant_id],
    )
    return entry_id


def write_lines(
    conn: psycopg.Connection[Any],
    tenant_id: UUID,
    entry_id: UUID,
    label: str,
    movements: Sequence[Movement],
) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            JOURNAL_LINE_SQL,
            [
                (tenant_id, uuid7(), entry_id, i, partner, label)
                + (max(amount, ZERO), max(-amount, ZERO), tenant_id, account)
                for i, (account, partner, amount) in enumerate(movements, start=1)
            ],
        )


def event(
    conn: psycopg.Connection[Any], tenant_id: UUID, user_id: UUID, name: str, payload: Any
) -> None:
    conn.execute(EVENT_SQL, [tenant_id, uuid7(), name, json.dumps(payload), user_id])


def audit(
    conn: psycopg.Connection[Any],
    tenant_id: UUID,
    user_id: UUID,
    action: str,
    target: UUID,
    gross: Decimal,
) -> None:
    summary = json.dumps({"before": None, "after": {"gross_total": str(gross)}})
    conn.execute(AUDIT_SQL, [tenant_id, uuid7(), user_id, action, "invoice", str(target), summary])


# --- stock moves ------------------------------------------------------------------------------

RECEIVE_READ_SQL = """
SELECT p.average_cost, l.id, s.supplier_location_id,
  (SELECT coalesce(sum(v.on_hand), 0) FROM stock_levels v
   WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id)
FROM products p
JOIN stock_settings s ON s.tenant_id = p.tenant_id
JOIN warehouses w ON w.tenant_id = p.tenant_id AND w.id = %s AND w.is_active
JOIN stock_locations l ON l.tenant_id = w.tenant_id AND l.warehouse_id = w.id AND l.is_main
WHERE p.tenant_id = %s AND p.id = %s AND p.is_stockable AND NOT p.tracks_lots
FOR NO KEY UPDATE OF p
"""
ISSUE_READ_SQL = """
SELECT p.average_cost, l.id, s.customer_location_id, s.allow_negative_stock
FROM products p
JOIN stock_settings s ON s.tenant_id = p.tenant_id
JOIN warehouses w ON w.tenant_id = p.tenant_id AND w.id = %s AND w.is_active
JOIN stock_locations l ON l.tenant_id = w.tenant_id AND l.warehouse_id = w.id AND l.is_main
WHERE p.tenant_id = %s AND p.id = %s AND p.is_stockable AND NOT p.tracks_lots
"""
LOCK_LEVEL_SQL = """
SELECT on_hand FROM stock_levels
WHERE tenant_id = %s AND product_id = %s AND location_id = %s AND lot_id IS NULL
FOR UPDATE
"""
AVERAGE_SQL = """
UPDATE products SET average_cost = %s, updated_at = now() WHERE tenant_id = %s AND id = %s
"""
MOVE_SQL = """
INSERT INTO stock_moves (tenant_id, id, product_id, quantity, from_location_id,
  to_location_id, kind, unit_cost, reference, reason, origin_type, moved_at, created_by,
  created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'manual', now(), %s, now())
"""
LEVEL_SQL = """
INSERT INTO stock_levels (tenant_id, id, product_id, location_id, on_hand, reserved,
  created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, 0, now(), now())
ON CONFLICT (tenant_id, product_id, location_id, lot_id)
DO UPDATE SET on_hand = stock_levels.on_hand + excluded.on_hand, updated_at = now()
RETURNING on_hand
"""
QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class Move:
    """One move as the benchmark asks for it: ``quantity`` of ``product_id`` into (receipt,
    with ``unit_cost``) or out of (issue) ``warehouse_id``'s main location."""

    product_id: UUID
    warehouse_id: UUID
    quantity: Decimal
    unit_cost: Decimal | None = None
    text: str = ""  # the receipt's reference, the issue's reason


def receive(
    conn: psycopg.Connection[Any], signed_tenant: str, tenant_id: UUID, user_id: UUID, m: Move
) -> None:
    """A receipt: product locked, weighted average updated, the move, the level, the
    ``stock.received`` and ``stock.moved`` events and the audit entry."""
    assert m.unit_cost is not None
    with conn.transaction():
        begin(conn, signed_tenant)
        row = conn.execute(RECEIVE_READ_SQL, [m.warehouse_id, tenant_id, m.product_id]).fetchone()
        if row is None:
            raise LookupError("product, warehouse or stock settings not found")
        average, location, supplier, before = row
        base = max(Decimal(before), ZERO)
        average = ((base * average + m.quantity * m.unit_cost) / (base + m.quantity)).quantize(
            QUANTUM
        )
        conn.execute(AVERAGE_SQL, [average, tenant_id, m.product_id])
        move_id = uuid7()
        conn.execute(
            MOVE_SQL,
            [tenant_id, move_id, m.product_id, m.quantity, supplier, location, "in"]
            + [m.unit_cost, m.text or None, None, user_id],
        )
        conn.execute(LEVEL_SQL, [tenant_id, uuid7(), m.product_id, location, m.quantity])
        summary = move_summary(move_id, m, average)
        stock_record(conn, tenant_id, user_id, "stock.received", "stock.receive", summary)


def issue(
    conn: psycopg.Connection[Any], signed_tenant: str, tenant_id: UUID, user_id: UUID, m: Move
) -> None:
    """An issue: the level locked and checked, the move valued at the average, the level,
    the ``stock.issued`` and ``stock.moved`` events and the audit entry."""
    with conn.transaction():
        begin(conn, signed_tenant)
        row = conn.execute(ISSUE_READ_SQL, [m.warehouse_id, tenant_id, m.product_id]).fetchone()
        if row is None:
            raise LookupError("product, warehouse or stock settings not found")
        average, location, customer, allow_negative = row
        level = conn.execute(LOCK_LEVEL_SQL, [tenant_id, m.product_id, location]).fetchone()
        if not allow_negative and (level[0] if level else ZERO) < m.quantity:
            raise ValueError("insufficient stock")
        move_id = uuid7()
        conn.execute(
            MOVE_SQL,
            [tenant_id, move_id, m.product_id, m.quantity, location, customer, "out"]
            + [average, None, m.text, user_id],
        )
        conn.execute(LEVEL_SQL, [tenant_id, uuid7(), m.product_id, location, -m.quantity])
        summary = move_summary(move_id, m, average)
        stock_record(conn, tenant_id, user_id, "stock.issued", "stock.issue", summary)


def move_summary(move_id: UUID, m: Move, average: Decimal) -> dict[str, str]:
    return {
        "stock_move_id": str(move_id),
        "product_id": str(m.product_id),
        "quantity": str(m.quantity),
        "warehouse_id": str(m.warehouse_id),
        "average_cost": str(average),
    }


def stock_record(
    conn: psycopg.Connection[Any],
    tenant_id: UUID,
    user_id: UUID,
    name: str,
    action: str,
    summary: dict[str, str],
) -> None:
    """The move's event, the transaction's ``stock.moved`` and the audit entry."""
    payload = json.dumps(summary)
    with conn.cursor() as cur:
        cur.executemany(
            EVENT_SQL,
            [
                (tenant_id, uuid7(), name, payload, user_id),
                (tenant_id, uuid7(), "stock.moved", "{}", user_id),
            ],
        )
    conn.execute(
        AUDIT_SQL,
        [tenant_id, uuid7(), user_id, action, "stock_move", summary["stock_move_id"]]
        + [json.dumps({"before": None, "after": summary})],
    )
