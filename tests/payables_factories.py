"""Payables factories, through the sales, purchasing and payables services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.finance.models import Account as LedgerAccount
from domain.finance.models import JournalEntry, JournalLine
from domain.finance.payables import bills, payments
from domain.finance.payables.models import SupplierBill, SupplierPayment
from domain.finance.payables.schemas import BillCreate, BillLineIn, SupplierPaymentCreate
from domain.kit.clock import ManualClock
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.schemas import PartnerCreate
from tests.factories import Account, make_tenant, unique
from tests.finance_factories import SIREN, clock_at

TODAY = date(2026, 11, 20)


def today_clock() -> ManualClock:
    return clock_at(TODAY)


@dataclass(frozen=True)
class Payer:
    """A tenant with one supplier (45 days' terms)."""

    account: Account
    supplier_id: UUID

    @property
    def principal(self) -> Principal:
        return self.account.principal()

    @property
    def tenant_id(self) -> UUID:
        return self.account.tenant_id


def make_supplier(
    container: Container, account: Account, name: str | None = None, **fields: Any
) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        partner = sales.create_partner(
            session,
            account.principal(),
            PartnerCreate(name=name or unique("Fournisseur"), roles=["supplier"], **fields),
        )
        return partner.id


def make_payer(container: Container, *, country: str = "FR") -> Payer:
    legal = {"siren": SIREN, "vat_number": "FR44" + SIREN} if country == "FR" else {}
    account = make_tenant(container, country=country, **legal)
    supplier = make_supplier(container, account, "Grands Moulins", payment_terms_days=45)
    return Payer(account=account, supplier_id=supplier)


def free_line(price: str, vat: str, quantity: str = "1", **extra: Any) -> BillLineIn:
    return BillLineIn(
        description=extra.pop("description", "Farine T55"),
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        vat_rate=Decimal(vat),
        **extra,
    )


def draft_bill(
    container: Container, payer: Payer, *lines: BillLineIn, **extra: Any
) -> SupplierBill:
    with container.db.unit_of_work(payer.tenant_id) as session:
        return bills.create_bill(
            session,
            payer.principal,
            extra.pop("clock", today_clock()),
            BillCreate(
                supplier_id=extra.pop("supplier_id", payer.supplier_id),
                supplier_number=extra.pop("supplier_number", unique("FA")),
                lines=list(lines),
                **extra,
            ),
        )


def posted_bill(
    container: Container, payer: Payer, *lines: BillLineIn, **extra: Any
) -> SupplierBill:
    accept = extra.pop("accept_differences", False)
    draft = draft_bill(container, payer, *lines, **extra)
    with container.db.unit_of_work(payer.tenant_id) as session:
        return bills.post_bill(
            session, payer.principal, today_clock(), draft.id, accept_differences=accept
        )


def pay_supplier(container: Container, payer: Payer, amount: str, **fields: Any) -> SupplierPayment:
    fields.setdefault("method", "bank_transfer")
    with container.db.unit_of_work(payer.tenant_id) as session:
        return payments.record_supplier_payment(
            session,
            payer.principal,
            today_clock(),
            SupplierPaymentCreate(amount=Decimal(amount), **fields),
        )


def entry_lines(
    container: Container, tenant_id: UUID, source_id: UUID
) -> list[tuple[str, str, Decimal, Decimal]]:
    """(journal entry number, account, debit, credit) of the entry written for a source."""
    with container.db.unit_of_work(tenant_id) as session:
        rows = session.execute(
            select(JournalEntry.number, LedgerAccount.number, JournalLine.debit, JournalLine.credit)
            .join(
                JournalLine,
                (JournalLine.tenant_id == JournalEntry.tenant_id)
                & (JournalLine.entry_id == JournalEntry.id),
            )
            .join(
                LedgerAccount,
                (LedgerAccount.tenant_id == JournalLine.tenant_id)
                & (LedgerAccount.id == JournalLine.account_id),
            )
            .where(JournalEntry.tenant_id == tenant_id, JournalEntry.source_id == source_id)
            .order_by(JournalLine.position)
        )
        return [(e, a, d, c) for e, a, d, c in rows]
