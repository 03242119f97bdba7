"""The demo businesses' payables: supplier bills (some from received orders), payments by
transfer, cheque or mobile money, and last month's VAT return equal to the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from comptoir.demo import seed_demo
from comptoir.exports import operator
from domain.finance import vat_return
from domain.finance.payables import reports
from domain.finance.payables.models import SupplierBill, SupplierPayment


@pytest.fixture(scope="module")
def demo(container: Container) -> Container:
    seed_demo(container)
    return container


@pytest.mark.parametrize("slug", ["boutique-lumiere", "sahel-distribution"])
def test_bills_payments_and_last_months_vat_return(demo: Container, slug: str) -> None:
    principal = operator(demo, slug)
    today = demo.clock.now().date()
    end = today.replace(day=1) - timedelta(days=1)
    with demo.db.unit_of_work(principal.tenant_id) as session:
        count = session.scalar(select(func.count()).select_from(SupplierBill))
        statuses = set(session.scalars(select(SupplierBill.status)))
        methods = set(session.scalars(select(SupplierPayment.method)))
        from_orders = session.scalar(
            select(func.count()).where(SupplierBill.purchase_order_id.is_not(None))
        )
        aged = reports.aged_payables(session, principal, demo.clock)
        vat = vat_return.vat_return(
            session, principal, demo.clock, start=end.replace(day=1), end=end
        )
    assert (count or 0) >= 9 and (from_orders or 0) >= 1
    assert {"paid", "partially_paid", "posted"} <= statuses
    assert len(methods) == 2 and aged.total > 0
    assert vat.deductible > 0 and vat.differences == []
