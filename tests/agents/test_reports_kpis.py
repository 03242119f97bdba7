"""``reports.kpis`` beyond the finance figures: products under their reorder minimum and
who is away, for a period that includes today (the week's absences for a period of a week
at most, today's otherwise), on real PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.kit.principal import Role
from tests.finance_factories import clock_at
from tests.hr_factories import Staff, ask_leave, make_employee, open_balance
from tests.purchasing_factories import Buyer, make_buyer, make_goods, set_rule
from tests.stock_factories import stocked
from tests.tools.kit import call
from tools.reports import Kpis, kpis

MONDAY = date(2026, 3, 16)


@pytest.fixture(scope="module")
def shop(container: Container) -> Buyer:
    """A Senegalese shop with soap under its minimum and Khady away Tuesday to Thursday."""
    buyer = make_buyer(container)
    soap = make_goods(container, buyer.account, name="Savon de ménage", unit="carton")
    stocked(container, buyer.account, quantity="3", product_id=soap, clock=clock_at(MONDAY))
    set_rule(container, buyer, soap, "10", "40")
    oil = make_goods(container, buyer.account, name="Huile de palme", unit="unité")
    stocked(container, buyer.account, quantity="50", product_id=oil, clock=clock_at(MONDAY))
    set_rule(container, buyer, oil, "10", "60")
    staff = Staff(buyer.account)
    khady = make_employee(container, staff, "Khady Faye")
    open_balance(container, staff, khady.id, "15")
    request = ask_leave(container, staff.admin, khady.id, date(2026, 3, 17), date(2026, 3, 19))
    with container.db.unit_of_work(buyer.tenant_id) as session:
        hr.approve_leave(session, staff.admin, clock_at(MONDAY), request.id)
    return buyer


def key_figures(container: Container, shop: Buyer, role: Role, **period: str) -> Kpis:
    result = call(container, kpis, shop.account.principal(role), clock_at(MONDAY), period)
    assert isinstance(result, Kpis)
    return result


class TestStockAndAbsences:
    def test_this_month(self, container: Container, shop: Buyer) -> None:
        result = key_figures(container, shop, Role.MANAGER)
        assert [a.product for a in result.stock_alerts or []] == ["Savon de ménage"]
        text = result.render()
        assert (
            "- Stock en alerte (1 produit sous le minimum) : Savon de ménage "
            "(3 cartons pour un minimum de 10 cartons)"
        ) in text
        assert "- Absents aujourd'hui : personne" in text  # Khady leaves tomorrow
        assert "Huile" not in text

    def test_this_week_lists_the_week_absences(self, container: Container, shop: Buyer) -> None:
        week = {"start": "2026-03-16", "end": "2026-03-22"}
        text = key_figures(container, shop, Role.MANAGER, **week).render()
        assert "- Absents du 16/03 au 22/03 : Khady Faye (" in text
        assert "du 17/03 au 19/03)" in text
        assert "Savon de ménage" in text
        # absences follow hr.who_is_absent: an accountant sees only their own
        accountant = key_figures(container, shop, Role.ACCOUNTANT, **week).render()
        assert "- Absents du 16/03 au 22/03 : personne" in accountant
        assert "Savon de ménage" in accountant

    def test_a_past_period_shows_neither(self, container: Container, shop: Buyer) -> None:
        result = key_figures(container, shop, Role.MANAGER, start="2026-02-01", end="2026-02-28")
        assert result.stock_alerts is None and result.absences is None
        text = result.render()
        assert "Stock" not in text and "Absents" not in text
