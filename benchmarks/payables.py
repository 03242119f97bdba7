"""Benchmark ``payables``: taking in received e-invoices, and the VAT return and aged
payables on a year of supplier bills.

Everything runs in a scratch database (created, migrated, always dropped).

``import``
    ``imports`` Factur-X PDFs (EN 16931), each Comptoir's own export of a sales invoice with
    its own number re-embedded by the ``factur-x`` library (preparation, not timed), taken
    in one by one by ``import_einvoice`` in a committed unit of work each, as the CLI and
    the API do: PDF extraction, XSD validation, totals, supplier, document, draft bill.
    Goal: ≥ 20 files/s.
``reports``
    ``bills`` posted supplier bills over the last 365 days (one line each, rates 20 % and
    5,5 %, 20 suppliers, some paid), bulk-written by SQL with their purchases-journal
    entries (401 / 607 / 44566), then last month's VAT return (what is filed: about 4,000 of
    those bills) and aged payables, each timed ``repeat`` times. Goal: each ≤ 300 ms. The
    whole year's VAT return, every bill listed behind its box, is timed too, for reading.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from benchmarks.db import scratch_database
from benchmarks.kit import goal, machine, scratch_container, sizes_from_env
from domain.kit.principal import Channel, Principal, Role

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

IMPORT_GOAL = 20.0  # files per second
REPORT_GOAL_MS = 300.0
PASSWORD = "mot-de-passe-du-banc"


@dataclass(frozen=True)
class Sizes:
    imports: int = 200
    bills: int = 50_000
    repeat: int = 5


def _business(scratch: Container, slug: str, siren: str) -> Principal:
    from domain.audit.service import RequestContext
    from domain.identity import service as identity
    from domain.identity.schemas import SignUp, TenantCreate, UserCreate

    data = SignUp(
        tenant=TenantCreate(
            name=f"Banc {slug}",
            slug=slug,
            country="FR",
            siren=siren,
            vat_number=f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}",
        ),
        admin=UserCreate(email=f"{slug}@banc.example", name="Admin Banc", password=PASSWORD),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, data, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
    return Principal(tenant.id, user.id, frozenset({Role.ADMIN}), Channel.API)


def _factur_x_files(scratch: Container, count: int) -> list[bytes]:
    """``count`` Factur-X PDFs with distinct numbers, from one sales invoice's export."""
    import facturx

    from domain.finance import invoices, printing
    from domain.finance.documents.facturx import facturx_pdf
    from domain.finance.schemas import InvoiceCreate, LineIn
    from domain.sales import service as sales
    from domain.sales.schemas import PartnerCreate

    seller = _business(scratch, "banc-vendeur", "732829320")
    with scratch.db.unit_of_work(seller.tenant_id) as session:
        customer = sales.create_partner(session, seller, PartnerCreate(name="Client Banc"))
        line = LineIn(
            description="Farine",
            quantity=Decimal(3),
            unit_price=Decimal("12.50"),
            vat_rate=Decimal(20),
        )
        draft = invoices.create_invoice(
            session, seller, scratch.clock, InvoiceCreate(partner_id=customer.id, lines=[line])
        )
        posted = invoices.post_invoice(session, seller, scratch.clock, draft.id)
        pdf = facturx_pdf(printing.invoice_document(session, seller, scratch.clock, posted.id))
    _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    number = (posted.number or "").encode()
    return [
        facturx.generate_from_binary(
            pdf, xml.replace(number, f"BANC-{i:06d}".encode()), check_xsd=False
        )
        for i in range(count)
    ]


def measure_import(scratch: Container, sizes: Sizes) -> dict[str, Any]:
    from domain.finance.payables.importing import import_einvoice

    files = _factur_x_files(scratch, sizes.imports)
    buyer = _business(scratch, "banc-acheteur", "443061841")
    started = time.perf_counter()
    for i, data in enumerate(files):
        with scratch.db.unit_of_work(buyer.tenant_id) as session:
            import_einvoice(session, buyer, scratch.clock, data, filename=f"f{i}.pdf")
    seconds = time.perf_counter() - started
    rate = len(files) / seconds
    return {
        "files": len(files),
        "seconds": round(seconds, 2),
        "files_per_second": round(rate, 1),
        "goal_files_per_second": IMPORT_GOAL,
        "meets_goal": rate >= IMPORT_GOAL,
    }


BULK_SQL = [
    """
    INSERT INTO supplier_bills (tenant_id, id, kind, status, number, supplier_id,
        supplier_number, issue_date, due_date, currency, net_total, tax_total, gross_total,
        amount_settled, source, warnings, version, created_at, updated_at)
    SELECT :t, md5('b' || i)::uuid, 'bill', 'draft',
        'FB-' || i, (:suppliers)[1 + i % 20], 'S-' || i, current_date - (i % 365),
        current_date - (i % 365) + 30, 'EUR', net, tax, net + tax,
        0, 'manual', '{}', 1, now(), now()
    FROM (SELECT i, (100 + i % 900)::numeric AS net,
                 round((100 + i % 900) * CASE WHEN i % 3 = 1 THEN 5.5 ELSE 20 END / 100, 2) AS tax
          FROM generate_series(1, :n) AS i) AS g
    """,
    """
    INSERT INTO supplier_bill_lines (tenant_id, id, bill_id, position, description, quantity,
        unit_price, vat_rate, vat_category, net_amount, account)
    SELECT :t, md5('l' || i)::uuid, md5('b' || i)::uuid, 1, 'Achats', 1, 100 + i % 900,
        CASE WHEN i % 3 = 1 THEN 5.5 ELSE 20 END, 'S', 100 + i % 900, '607'
    FROM generate_series(1, :n) AS i
    """,
    # Lines go in while the bills are drafts (posted bills' lines are immutable), then post.
    """
    UPDATE supplier_bills
       SET status = CASE WHEN right(number, 1)::int % 3 = 0 THEN 'paid' ELSE 'posted' END,
           amount_settled = CASE WHEN right(number, 1)::int % 3 = 0 THEN gross_total ELSE 0 END
     WHERE tenant_id = :t
    """,
    """
    INSERT INTO journal_entries (tenant_id, id, journal_id, number, entry_date, label,
        piece_ref, piece_date, source_type, source_id, validated_at)
    SELECT :t, md5('e' || i)::uuid, :journal, 'AC-B-' || i, current_date - (i % 365),
        'Facture banc', 'FB-' || i, current_date - (i % 365), 'supplier_bill',
        md5('b' || i)::uuid, now()
    FROM generate_series(1, :n) AS i
    """,
    """
    INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, partner_id,
        label, debit, credit)
    SELECT :t, md5('j' || i || '-' || k)::uuid, md5('e' || i)::uuid, k,
        CASE k WHEN 1 THEN :a607 WHEN 2 THEN :a44566 ELSE :a401 END,
        CASE k WHEN 3 THEN (:suppliers)[1 + i % 20] END, 'Facture banc',
        CASE k WHEN 1 THEN net WHEN 2 THEN tax ELSE 0 END,
        CASE k WHEN 3 THEN net + tax ELSE 0 END
    FROM (SELECT i, (100 + i % 900)::numeric AS net,
                 round((100 + i % 900) * CASE WHEN i % 3 = 1 THEN 5.5 ELSE 20 END / 100, 2) AS tax
          FROM generate_series(1, :n) AS i) AS g, generate_series(1, 3) AS k
    """,
]


def _bulk_bills(scratch: Container, principal: Principal, count: int) -> None:
    from sqlalchemy import bindparam, select, text
    from sqlalchemy.dialects.postgresql import ARRAY, UUID

    from domain.finance.models import Account, Journal
    from domain.sales import service as sales
    from domain.sales.schemas import PartnerCreate

    with scratch.db.unit_of_work(principal.tenant_id) as session:
        suppliers = [
            sales.create_partner(
                session, principal, PartnerCreate(name=f"Fournisseur {i}", roles=["supplier"])
            ).id
            for i in range(20)
        ]
        accounts = dict(session.execute(select(Account.number, Account.id)).all())
        journal = session.scalar(select(Journal.id).where(Journal.code == "AC"))
    params = {
        "t": principal.tenant_id,
        "n": count,
        "suppliers": suppliers,
        "journal": journal,
        "a607": accounts["607"],
        "a44566": accounts["44566"],
        "a401": accounts["401"],
    }
    with scratch.owner_engine.begin() as conn:
        for sql in BULK_SQL:
            statement = text(sql)
            if ":suppliers" in sql:
                statement = statement.bindparams(bindparam("suppliers", type_=ARRAY(UUID())))
            conn.execute(statement, {k: v for k, v in params.items() if f":{k}" in sql})
        conn.execute(
            text("ANALYZE supplier_bills, supplier_bill_lines, journal_entries, journal_lines")
        )


def _timed(repeat: int, action: Any) -> dict[str, Any]:
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        values.append((time.perf_counter() - started) * 1000)
    median = statistics.median(values)
    return {
        "median_ms": round(median, 1),
        "max_ms": round(max(values), 1),
        "goal_ms": REPORT_GOAL_MS,
        "meets_goal": median <= REPORT_GOAL_MS,
    }


def measure_reports(scratch: Container, sizes: Sizes) -> dict[str, Any]:
    from domain.finance import vat_return
    from domain.finance.payables import reports

    principal = _business(scratch, "banc-rapports", "542065479")
    _bulk_bills(scratch, principal, sizes.bills)
    today = scratch.clock.now().date()

    month_end = today.replace(day=1) - timedelta(days=1)

    def vat_month() -> None:
        with scratch.db.unit_of_work(principal.tenant_id) as session:
            vat_return.vat_return(
                session, principal, scratch.clock, start=month_end.replace(day=1), end=month_end
            )

    def vat_year() -> None:
        with scratch.db.unit_of_work(principal.tenant_id) as session:
            vat_return.vat_return(
                session, principal, scratch.clock, start=today - timedelta(days=365), end=today
            )

    def aged() -> None:
        with scratch.db.unit_of_work(principal.tenant_id) as session:
            reports.aged_payables(session, principal, scratch.clock)

    return {
        "vat_return_month": _timed(sizes.repeat, vat_month),
        "aged_payables": _timed(sizes.repeat, aged),
        # Every document of the year listed behind its box: for reading, not a goal.
        "vat_return_year": {**_timed(sizes.repeat, vat_year), "goal_ms": None, "meets_goal": True},
    }


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, object]:
    sizes = sizes or sizes_from_env(Sizes)
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            scratch.prepare_database()
            imported = measure_import(scratch, sizes)
            timed = measure_reports(scratch, sizes)
        finally:
            scratch.close()
    return {
        "benchmark": "payables",
        "machine": machine(container.endpoints.database_url),
        "sizes": asdict(sizes),
        "import": imported,
        "reports": timed,
        "goals": [
            goal("import_rate", imported["files_per_second"], "files/s", at_least=IMPORT_GOAL),
            *(
                goal(f"report_{name}_median", r["median_ms"], "ms", at_most=REPORT_GOAL_MS)
                for name, r in timed.items()
                if r["goal_ms"] is not None
            ),
        ],
    }
