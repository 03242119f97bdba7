"""reports.kpis against real PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from comptoir.bootstrap import Container
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from tests.factories import make_tenant
from tests.finance_factories import clock_at, make_customer, make_product
from tests.tools.kit import call
from tools.finance import create_invoice, post_invoice, record_payment
from tools.finance.invoices import CreatedInvoice
from tools.reports import TOOLS, Kpis, kpis

NB = "\u202f"


def fcfa(text: str) -> str:
    return text.replace(" ", NB) + " FCFA"


def test_kpis_of_the_month_with_unpaid_and_overdue(container: Container) -> None:
    account = make_tenant(container, country="SN")
    make_product(container, account, price="15000", vat="18", name="Sac de riz 25 kg", unit="sac")
    make_customer(container, account, "Diallo SARL")
    clock = clock_at(date(2026, 3, 2))
    admin = account.principal()
    draft = call(
        container,
        create_invoice,
        admin,
        clock,
        {"customer": "Diallo", "lines": [{"product": "riz", "quantity": 3}]},
    )
    assert isinstance(draft, CreatedInvoice)
    call(container, post_invoice, admin, clock, {"invoice_id": draft.invoice_id})
    call(
        container,
        record_payment,
        admin,
        clock,
        {"customer": "Diallo", "amount": "20000", "method": "wave"},
    )
    clock.advance(timedelta(days=40))  # 11 April: the invoice is overdue
    result = call(
        container,
        kpis,
        account.principal(Role.ACCOUNTANT),
        clock,
        {"start": "2026-03-01", "end": "2026-03-31"},
    )
    assert isinstance(result, Kpis)
    assert (result.invoiced_net, result.collected, result.unpaid) == (
        Decimal(45000),
        Decimal(20000),
        Decimal(33100),
    )
    assert result.overdue_count == 1
    text = result.render()
    assert text.startswith("Chiffres clés de mars 2026 :")
    assert f"- Chiffre d'affaires HT : {fcfa('45 000')}" in text
    assert f"- En retard : {fcfa('33 100')} sur 1 facture" in text
    assert f"Meilleurs clients : Diallo SARL ({fcfa('45 000')})" in text
    default = call(container, kpis, admin, clock, {})
    assert isinstance(default, Kpis)
    assert (default.start, default.end) == (date(2026, 4, 1), date(2026, 4, 30))


def test_as_many_best_customers_as_asked(container: Container) -> None:
    account = make_tenant(container, country="SN")
    make_product(container, account, price="1000", vat="18", name="Savon", unit="piece")
    clock = clock_at(date(2026, 3, 2))
    admin = account.principal()
    for bought, name in enumerate(("Awa Store", "Bamba Shop", "Coumba Market", "Dior Mode"), 1):
        make_customer(container, account, name)
        lines = [{"product": "savon", "quantity": bought}]
        call(
            container,
            create_invoice,
            admin,
            clock,
            {"customer": name, "lines": lines, "post": True},
        )
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    default = call(container, kpis, admin, clock, period)
    assert isinstance(default, Kpis)
    assert [c.name for c in default.top_customers] == ["Dior Mode", "Coumba Market", "Bamba Shop"]
    two = call(container, kpis, admin, clock, {**period, "top": 2})
    assert isinstance(two, Kpis)
    assert f"Meilleurs clients : Dior Mode ({fcfa('4 000')}), Coumba Market" in two.render()
    assert "Bamba" not in two.render()


def test_roles_and_bad_input(container: Container) -> None:
    account = make_tenant(container, country="FR")
    clock = clock_at(date(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        call(container, kpis, account.principal(Role.SALES), clock, {})
    with pytest.raises(InvalidInput, match="start"):
        call(container, kpis, account.principal(), clock, {"start": "mars"})
    assert [t.name for t in TOOLS] == ["reports.kpis"]
