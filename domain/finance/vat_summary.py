"""VAT over a period: collected per rate, deductible, and what is due.

The figures come from the books: what the ledger holds on the chart's collected-VAT and
deductible-VAT accounts over the period. The split per rate comes from the posted sales
documents of the period (invoices, deposit invoices and credit notes, deducted), computed
like the documents themselves: per document and per rate, the base times the rate rounded
to the currency's minor unit — so the rates add up to the ledger's collected VAT unless a
manual entry touched those accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.finance.books import open_books
from domain.finance.charts import ChartName
from domain.finance.models import Account, Invoice, InvoiceLine, JournalEntry, JournalLine
from domain.finance.reports import READERS, issued, on_entries_and_accounts
from domain.kit.clock import Clock
from domain.kit.money import Currency
from domain.kit.principal import Principal

ZERO = Decimal(0)

# The accounts a VAT return reads, per chart: collected VAT (PCG 44571; SYSCOHADA 4431
# goods, 4432 services, 4433 works) and deductible VAT (PCG 44562 on fixed assets, 44566
# on other purchases; SYSCOHADA 4451 to 4454). Credit carried forward (44567) and
# invoices not yet received (44586, 4455) are not this period's deductible VAT.
VAT_ACCOUNTS: dict[ChartName, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ChartName.PCG: (("44571",), ("44562", "44566")),
    ChartName.SYSCOHADA: (("4431", "4432", "4433"), ("4451", "4452", "4453", "4454")),
}


@dataclass(frozen=True, slots=True)
class VatRateRow:
    category: str  # UNTDID 5305: S standard, E exempt, Z zero
    rate: Decimal
    base: Decimal  # excl. VAT, credit notes deducted
    tax: Decimal


@dataclass(frozen=True, slots=True)
class VatSummary:
    start: date
    end: date
    currency: str
    by_rate: list[VatRateRow]
    collected: Decimal  # the ledger's collected-VAT accounts, credit − debit
    deductible: Decimal  # the ledger's deductible-VAT accounts, debit − credit
    deductible_entries: int  # ledger lines behind ``deductible`` (0: no purchase booked)

    @property
    def due(self) -> Decimal:
        """Negative: a VAT credit."""
        return self.collected - self.deductible


def _ledger_total(
    session: Session, tenant_id: UUID, accounts: tuple[str, ...], start: date, end: date
) -> tuple[Decimal, Decimal, int]:
    """Debit, credit and number of lines on ``accounts`` over the period."""
    debit, credit, count = session.execute(
        on_entries_and_accounts(
            select(
                func.coalesce(func.sum(JournalLine.debit), 0),
                func.coalesce(func.sum(JournalLine.credit), 0),
                func.count(JournalLine.id),
            )
        ).where(
            JournalLine.tenant_id == tenant_id,
            JournalEntry.entry_date.between(start, end),
            Account.number.in_(accounts),
        )
    ).one()
    return Decimal(debit), Decimal(credit), int(count)


def _by_rate(
    session: Session, tenant_id: UUID, currency: Currency, start: date, end: date
) -> list[VatRateRow]:
    sign = case((Invoice.kind == "credit_note", -1), else_=1)
    base = func.sum(InvoiceLine.net_amount)
    per_document = (
        select(
            InvoiceLine.vat_category.label("category"),
            InvoiceLine.vat_rate.label("rate"),
            (sign * base).label("base"),
            (sign * func.round(base * InvoiceLine.vat_rate / 100, currency.minor_units)).label(
                "tax"
            ),
        )
        .join(
            Invoice,
            (Invoice.tenant_id == InvoiceLine.tenant_id) & (Invoice.id == InvoiceLine.invoice_id),
        )
        .where(InvoiceLine.tenant_id == tenant_id, *issued(tenant_id, start, end))
        .group_by(Invoice.id, Invoice.kind, InvoiceLine.vat_category, InvoiceLine.vat_rate)
        .subquery()
    )
    rows = session.execute(
        select(
            per_document.c.category,
            per_document.c.rate,
            func.sum(per_document.c.base),
            func.sum(per_document.c.tax),
        )
        .group_by(per_document.c.category, per_document.c.rate)
        .order_by(per_document.c.rate.desc(), per_document.c.category)
    )
    return [VatRateRow(category, rate, Decimal(b), Decimal(t)) for category, rate, b, t in rows]


def vat_summary(
    session: Session, principal: Principal, clock: Clock, *, start: date, end: date
) -> VatSummary:
    """VAT collected (per rate), deductible and due between ``start`` and ``end``."""
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    collected_accounts, deductible_accounts = VAT_ACCOUNTS[ChartName(books.settings.chart)]
    tenant_id = principal.tenant_id
    debit, credit, _ = _ledger_total(session, tenant_id, collected_accounts, start, end)
    paid_debit, paid_credit, paid_lines = _ledger_total(
        session, tenant_id, deductible_accounts, start, end
    )
    return VatSummary(
        start=start,
        end=end,
        currency=books.currency.value,
        by_rate=_by_rate(session, tenant_id, books.currency, start, end),
        collected=credit - debit,
        deductible=paid_debit - paid_credit,
        deductible_entries=paid_lines,
    )
