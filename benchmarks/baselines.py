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
from datetime import UTC, date, datetime, timedelta
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


def now() -> datetime:
    return datetime.now(UTC)
