"""The VAT return worksheet of a period: VAT collected on sales by rate, minus VAT
deductible on purchases, laid out as the return the business files, with the documents and
ledger entries behind every figure.

- France, régime réel normal, monthly return n° 3310-CA3: line A1 (sales and services,
  taxable bases), E2 (other non-taxable operations: exempt sales), lines 08 (20 %), 9B
  (10 %), 09 (5,5 %) and T6 (2,1 %) with base and tax, 16 (gross VAT due), 19 (deductible
  VAT on fixed assets), 20 (on other goods and services), 23 (total deductible), 25 (VAT
  credit) and 28 (net VAT due).
- Senegal, monthly VAT return (Code général des impôts, art. 355 ff.): taxable turnover
  and VAT per rate (18 %, 10 %), exempt turnover, deductible VAT on fixed assets and on
  goods and services, VAT due or credit to carry forward.

Collected VAT per rate is computed per sales document like the documents themselves (base
of the rate × rate, rounded once); deductible VAT per rate likewise per supplier bill, split
between fixed assets (accounts 2x) and the rest. The ledger's balances of the collected and
deductible VAT accounts over the period are returned beside them: a difference (a manual
entry on a VAT account) is reported, never hidden.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from domain.finance.books import open_books
from domain.finance.charts import ChartName
from domain.finance.models import Invoice, InvoiceLine, JournalEntry
from domain.finance.payables.models import SupplierBill, SupplierBillLine
from domain.finance.reports import READERS, issued
from domain.finance.vat_summary import VAT_ACCOUNTS, _ledger_total
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency
from domain.kit.principal import Principal

ZERO = Decimal(0)
FR_RATE_LINES = {Decimal(20): "08", Decimal(10): "9B", Decimal("5.5"): "09", Decimal("2.1"): "T6"}


@dataclass(frozen=True, slots=True)
class Source:
    """One document behind a figure: its number, its ledger entry, its base and VAT."""

    document: str
    entry: str | None
    base: Decimal
    tax: Decimal


@dataclass
class Box:
    code: str
    label: str
    base: Decimal | None = None
    tax: Decimal = ZERO
    sources: list[Source] = field(default_factory=list)


@dataclass(frozen=True)
class VatReturn:
    country: str
    form: str
    start: date
    end: date
    currency: str
    boxes: list[Box]
    collected: Decimal
    deductible: Decimal
    ledger_collected: Decimal
    ledger_deductible: Decimal

    @property
    def due(self) -> Decimal:
        """Negative: a VAT credit."""
        return self.collected - self.deductible

    @property
    def differences(self) -> list[str]:
        found = []
        if self.collected != self.ledger_collected:
            found.append(
                f"TVA collectée : {self.collected} d'après les factures, "
                f"{self.ledger_collected} d'après le grand livre."
            )
        if self.deductible != self.ledger_deductible:
            found.append(
                f"TVA déductible : {self.deductible} d'après les factures fournisseurs, "
                f"{self.ledger_deductible} d'après le grand livre."
            )
        return found


@dataclass(frozen=True, slots=True)
class _Row:
    category: str
    rate: Decimal
    kind: str  # sales: "sale"; purchases: "asset" or "other"
    source: Source


def _entry_of(kind: str, tenant: Any, document: Any) -> ColumnElement[bool]:
    """The ledger entry a posted document wrote."""
    return and_(
        JournalEntry.tenant_id == tenant,
        JournalEntry.source_type == kind,
        JournalEntry.source_id == document,
    )


def _sales(
    session: Session, tenant_id: UUID, currency: Currency, start: date, end: date
) -> list[_Row]:
    sign = case((Invoice.kind == "credit_note", -1), else_=1)
    base = func.sum(InvoiceLine.net_amount)
    rows = session.execute(
        select(
            Invoice.number,
            JournalEntry.number,
            InvoiceLine.vat_category,
            InvoiceLine.vat_rate,
            sign * base,
            sign * func.round(base * InvoiceLine.vat_rate / 100, currency.minor_units),
        )
        .join(
            Invoice,
            (Invoice.tenant_id == InvoiceLine.tenant_id) & (Invoice.id == InvoiceLine.invoice_id),
        )
        .outerjoin(JournalEntry, _entry_of("invoice", Invoice.tenant_id, Invoice.id))
        .where(InvoiceLine.tenant_id == tenant_id, *issued(tenant_id, start, end))
        .group_by(
            Invoice.id,
            Invoice.number,
            Invoice.kind,
            JournalEntry.number,
            InvoiceLine.vat_category,
            InvoiceLine.vat_rate,
        )
        .order_by(Invoice.number)
    )
    return [
        _Row(cat, rate, "sale", Source(number or "", entry, Decimal(b), Decimal(t)))
        for number, entry, cat, rate, b, t in rows
    ]


def _purchases(
    session: Session, tenant_id: UUID, currency: Currency, start: date, end: date
) -> list[_Row]:
    sign = case((SupplierBill.kind == "credit_note", -1), else_=1)
    kind = case((SupplierBillLine.account.like("2%"), "asset"), else_="other")
    base = func.sum(SupplierBillLine.net_amount)
    rows = session.execute(
        select(
            SupplierBill.number,
            JournalEntry.number,
            SupplierBillLine.vat_category,
            SupplierBillLine.vat_rate,
            kind,
            sign * base,
            sign * func.round(base * SupplierBillLine.vat_rate / 100, currency.minor_units),
        )
        .join(
            SupplierBill,
            (SupplierBill.tenant_id == SupplierBillLine.tenant_id)
            & (SupplierBill.id == SupplierBillLine.bill_id),
        )
        .outerjoin(
            JournalEntry, _entry_of("supplier_bill", SupplierBill.tenant_id, SupplierBill.id)
        )
        .where(
            SupplierBillLine.tenant_id == tenant_id,
            SupplierBill.status.not_in(("draft", "cancelled")),
            SupplierBill.issue_date.between(start, end),
        )
        .group_by(
            SupplierBill.id,
            SupplierBill.number,
            SupplierBill.kind,
            JournalEntry.number,
            SupplierBillLine.vat_category,
            SupplierBillLine.vat_rate,
            kind,
        )
        .order_by(SupplierBill.number)
    )
    return [
        _Row(cat, rate, k, Source(number or "", entry, Decimal(b), Decimal(t)))
        for number, entry, cat, rate, k, b, t in rows
    ]


def _box(code: str, label: str, rows: list[_Row], *, with_base: bool = True) -> Box:
    return Box(
        code=code,
        label=label,
        base=sum((r.source.base for r in rows), ZERO) if with_base else None,
        tax=sum((r.source.tax for r in rows), ZERO),
        sources=[r.source for r in rows],
    )


def _by_rate(rows: list[_Row]) -> dict[Decimal, list[_Row]]:
    grouped: dict[Decimal, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.category == "S" and row.rate > 0:
            grouped[row.rate].append(row)
    return dict(sorted(grouped.items(), key=lambda kv: -kv[0]))


def _rate_label(rate: Decimal) -> str:
    return format(rate.normalize(), "f").replace(".", ",") + " %"


def _totals(boxes: list[Box], due_code: str, credit_code: str, gross: Box, deductible: Box) -> None:
    net = gross.tax - deductible.tax
    boxes.append(Box(due_code, "TVA nette due", tax=max(net, ZERO)))
    boxes.append(Box(credit_code, "Crédit de TVA", tax=max(-net, ZERO)))


def _fr_boxes(sales: list[_Row], purchases: list[_Row]) -> list[Box]:
    taxable = [r for r in sales if r.category == "S" and r.rate > 0]
    boxes = [
        _box("A1", "Ventes, prestations de services", taxable),
        _box("E2", "Autres opérations non imposables", [r for r in sales if r not in taxable]),
    ]
    for rate, rows in _by_rate(sales).items():
        code = FR_RATE_LINES.get(rate, "14")
        boxes.append(_box(code, f"Opérations imposables au taux de {_rate_label(rate)}", rows))
    gross = _box("16", "Total de la TVA brute due", taxable, with_base=False)
    assets = _box(
        "19",
        "TVA déductible sur immobilisations",
        [r for r in purchases if r.kind == "asset"],
        with_base=False,
    )
    others = _box(
        "20",
        "TVA déductible sur autres biens et services",
        [r for r in purchases if r.kind == "other"],
        with_base=False,
    )
    deductible = _box("23", "Total TVA déductible", purchases, with_base=False)
    boxes += [gross, assets, others, deductible]
    _totals(boxes, "28", "25", gross, deductible)
    return boxes


def _sn_boxes(sales: list[_Row], purchases: list[_Row]) -> list[Box]:
    taxable = [r for r in sales if r.category == "S" and r.rate > 0]
    boxes = [_box("CA-EXO", "Chiffre d'affaires exonéré", [r for r in sales if r not in taxable])]
    for rate, rows in _by_rate(sales).items():
        code = f"CA-{_rate_label(rate).replace(' %', '')}"
        boxes.append(_box(code, f"Chiffre d'affaires imposable et TVA à {_rate_label(rate)}", rows))
    gross = _box("TVA-COL", "TVA collectée", taxable, with_base=False)
    assets = _box(
        "DED-IMMO",
        "TVA déductible sur immobilisations",
        [r for r in purchases if r.kind == "asset"],
        with_base=False,
    )
    others = _box(
        "DED-BS",
        "TVA déductible sur biens et services",
        [r for r in purchases if r.kind == "other"],
        with_base=False,
    )
    deductible = _box("DED", "Total TVA déductible", purchases, with_base=False)
    boxes += [gross, assets, others, deductible]
    _totals(boxes, "TVA-DUE", "CREDIT", gross, deductible)
    return boxes


def vat_return(
    session: Session, principal: Principal, clock: Clock, *, start: date, end: date
) -> VatReturn:
    """The VAT return worksheet between ``start`` and ``end`` (usually a calendar month)."""
    principal.require(*READERS)
    if end < start:
        raise InvalidInput("La date de fin précède la date de début.")
    books = open_books(session, principal, clock)
    tenant_id = books.tenant.id
    chart = ChartName(books.settings.chart)
    sales = _sales(session, tenant_id, books.currency, start, end)
    purchases = _purchases(session, tenant_id, books.currency, start, end)
    france = chart is ChartName.PCG
    boxes = _fr_boxes(sales, purchases) if france else _sn_boxes(sales, purchases)
    collected_accounts, deductible_accounts = VAT_ACCOUNTS[chart]
    debit, credit, _ = _ledger_total(session, tenant_id, collected_accounts, start, end)
    d_debit, d_credit, _ = _ledger_total(session, tenant_id, deductible_accounts, start, end)
    return VatReturn(
        country=books.tenant.country,
        form="3310-CA3" if france else "Déclaration mensuelle de TVA (Sénégal)",
        start=start,
        end=end,
        currency=books.currency.value,
        boxes=boxes,
        collected=sum((r.source.tax for r in sales if r.category == "S"), ZERO),
        deductible=sum((r.source.tax for r in purchases), ZERO),
        ledger_collected=credit - debit,
        ledger_deductible=d_debit - d_credit,
    )
