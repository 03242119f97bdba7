"""Demo payables: each demo business's suppliers send bills over the last three months
(goods, services, and the smallest received purchase order), some paid (bank transfer and
cheque in France, Wave and Orange Money in Senegal), one partly paid, one overdue, so aged
payables, supplier balances and last month's VAT return have something to show.

Payments are made on the seed's day: the bank and cash journals already hold the books'
seed entries validated up to today, and an entry validated earlier but numbered later would
break the FEC's numbering order (the bills have a journal of their own, written in date
order)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.finance.payables import bills, payments
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.schemas import BillCreate, BillLineIn, SupplierPaymentCreate
from domain.kit.clock import ManualClock
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Principal
from domain.sales.models import Partner
from domain.stock.purchasing.models import PurchaseOrder

# (description, amount excl. VAT, VAT rate, account) per country: goods, then a service.
LINES = {
    "FR": (
        ("Emballages et fournitures", Decimal("160.00"), Decimal(20), "6022"),
        ("Honoraires de l'expert-comptable", Decimal("150.00"), Decimal(20), "6226"),
    ),
    "SN": (
        ("Sacs et emballages", Decimal(45000), Decimal(18), "608"),
        ("Honoraires du cabinet comptable", Decimal(40000), Decimal(18), "6324"),
    ),
}
METHODS = {"FR": ("bank_transfer", "cheque"), "SN": ("wave", "orange_money")}


def _clock(day: date) -> ManualClock:
    return ManualClock(datetime.combine(day, time(11), tzinfo=UTC))


def _suppliers(container: Container, principal: Principal) -> list[UUID]:
    with container.db.unit_of_work(principal.tenant_id) as session:
        return list(
            session.scalars(
                select(Partner.id)
                .where(Partner.tenant_id == principal.tenant_id, Partner.is_supplier)
                .order_by(Partner.code)
                .limit(3)
            )
        )


def _bill(container: Container, principal: Principal, day: date, data: BillCreate) -> SupplierBill:
    with container.db.unit_of_work(principal.tenant_id) as session:
        draft = bills.create_bill(session, principal, _clock(day), data)
        return bills.post_bill(session, principal, _clock(day), draft.id, accept_differences=True)


def _pay(
    container: Container,
    principal: Principal,
    day: date,
    bill: SupplierBill,
    amount: Decimal,
    method: str,
) -> None:
    with container.db.unit_of_work(principal.tenant_id) as session:
        payments.record_supplier_payment(
            session,
            principal,
            _clock(day),
            SupplierPaymentCreate(bill_id=bill.id, amount=amount, method=method),  # type: ignore[arg-type]
        )


def _monthly_bills(container: Container, principal: Principal, country: str, today: date) -> None:
    suppliers = _suppliers(container, principal)
    methods = METHODS[country]
    for months_ago in (3, 2, 1):
        day = today.replace(day=1) - timedelta(days=30 * (months_ago - 1) + 20)
        for i, supplier in enumerate(suppliers):
            description, amount, rate, account = LINES[country][i % 2]
            bill = _bill(
                container,
                principal,
                day + timedelta(days=i),
                BillCreate(
                    supplier_id=supplier,
                    supplier_number=f"{day:%y%m}-{i + 1:03d}",
                    lines=[
                        BillLineIn(
                            description=description,
                            unit_price=amount,
                            vat_rate=rate,
                            account=account,
                        )
                    ],
                ),
            )
            if months_ago == 3 or (months_ago == 2 and i == 0):
                _pay(container, principal, today, bill, bill.gross_total, methods[i % 2])
            elif months_ago == 2 and i == 1:
                half = round_to_currency(bill.gross_total / 2, Currency(bill.currency))
                _pay(container, principal, today, bill, half, methods[0])


def _order_bills(container: Container, principal: Principal, today: date) -> None:
    with container.db.unit_of_work(principal.tenant_id) as session:
        orders = list(
            session.execute(
                select(PurchaseOrder.id, PurchaseOrder.supplier_id, PurchaseOrder.number)
                .where(
                    PurchaseOrder.tenant_id == principal.tenant_id,
                    PurchaseOrder.status == "received",
                )
                # The smallest received order: the demo's VAT stays payable, not a credit.
                .order_by(PurchaseOrder.gross_total)
                .limit(1)
            )
        )
    for order_id, supplier_id, number in orders:
        _bill(
            container,
            principal,
            today - timedelta(days=3),
            BillCreate(
                supplier_id=supplier_id, supplier_number=f"F-{number}", purchase_order_id=order_id
            ),
        )


def seed_payables(container: Container, principal: Principal, country: str) -> None:
    """Idempotent: does nothing once the business has a supplier bill."""
    with container.db.unit_of_work(principal.tenant_id) as session:
        if session.scalar(select(SupplierBill.id).limit(1)) is not None:
            return
    today = container.clock.now().date()
    _monthly_bills(container, principal, country, today)
    _order_bills(container, principal, today)
