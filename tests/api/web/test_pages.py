"""The web app's pages over real HTTP: the dashboard's figures equal the REST reports, each
chart is a figure with a caption and a table, a role refused a page gets the French 403
page, another business's records are out of sight, and the PWA files are served."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import lxml.html
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.finance.books import open_books
from domain.finance.documents.labels import money
from domain.kit.money import Currency
from domain.kit.principal import Role
from tests.api.web.support import signed_in
from tests.factories import Account, login, make_member
from tests.finance_factories import (
    Shop,
    draft_invoice,
    make_product,
    make_shop,
    pay,
    posted_invoice,
)
from tests.hr_factories import MONDAY, as_user, ask_leave, make_linked, make_staff, open_balance
from tests.stock_factories import stocked


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


def business_today(container: Container, account: Account) -> date:
    """The business's own date, as its pages and reports reckon it."""
    with container.db.unit_of_work(account.tenant_id) as session:
        return open_books(session, account.principal(Role.ADMIN), container.clock).today()


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
        today = business_today(container, shop.account)  # Paris, not UTC, near midnight
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


class TestRecords:
    def test_invoices_list_filter_detail_and_pdf(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        draft = draft_invoice(container, shop)
        signed_in(http, shop.account)
        listed = lxml.html.fromstring(http.get("/factures").text)
        assert len(listed.xpath("//tbody/tr")) == 3
        paid = lxml.html.fromstring(http.get("/factures", params={"statut": "paid"}).text)
        assert [r.text_content().count("Payée") for r in paid.xpath("//tbody/tr")] == [1]
        nobody = http.get("/factures", params={"client": "Zzyzx Introuvable"}).text
        assert "Aucun client ne correspond" in nobody
        found = lxml.html.fromstring(http.get("/factures", params={"client": "Diallo"}).text)
        assert len(found.xpath("//tbody/tr")) == 3
        detail = http.get(f"/factures/{draft.id}").text
        assert "Diallo SARL" in detail and "Valider la facture" in detail
        pdf = http.get(f"/factures/{draft.id}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    def test_a_draft_is_posted_from_its_page_with_the_token_only(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        draft = draft_invoice(container, shop)
        token = signed_in(http, shop.account)
        assert http.post(f"/factures/{draft.id}/valider", data={}).status_code == 403
        assert status_of(container, shop, draft.id) == "draft"
        done = http.post(f"/factures/{draft.id}/valider", data={"csrf_token": token})
        assert done.status_code == 303
        assert status_of(container, shop, draft.id) == "posted"

    def test_a_payment_is_recorded_from_the_invoice_page(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        invoice = posted_invoice(container, shop)
        token = signed_in(http, shop.account)
        page = http.get(f"/factures/{invoice.id}").text
        assert "Enregistrer le paiement" in page
        form = {"montant": "45,00", "moyen": "wave"}
        assert http.post(f"/factures/{invoice.id}/paiement", data=form).status_code == 403
        bad = http.post(
            f"/factures/{invoice.id}/paiement", data={**form, "montant": "x", "csrf_token": token}
        )
        assert bad.status_code == 422 and "Montant invalide" in bad.text
        done = http.post(f"/factures/{invoice.id}/paiement", data={**form, "csrf_token": token})
        assert done.status_code == 303
        assert "Paiement enregistré." in http.get(done.headers["location"]).text
        assert status_of(container, shop, invoice.id) == "paid"

    def test_customers_and_products_search_and_pages(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        for n in range(21):
            make_product(container, shop.account, price="1", vat="20", name=f"Article {n:02d}")
        signed_in(http, shop.account)
        customers = http.get("/clients", params={"q": "diallo"}).text
        assert "Diallo SARL" in customers
        first = lxml.html.fromstring(http.get("/produits").text)
        assert len(first.xpath("//tbody/tr")) == 20
        assert first.xpath('//a[@rel="next"]/@href') == ["?page=2"]
        second = lxml.html.fromstring(http.get("/produits?page=2").text)
        assert len(second.xpath("//tbody/tr")) == 3  # 21 articles and the shop's two
        one = lxml.html.fromstring(http.get("/produits", params={"q": "Article 07"}).text)
        assert one.xpath("//tbody/tr[1]/th")[0].text_content().strip() == "Article 07"

    def test_stock_levels_with_search_for_every_member(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        stocked(container, shop.account, quantity="7", name="Huile de palme 5 L")
        stocked(container, shop.account, quantity="3", name="Savon noir")
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        signed_in(http, employee)
        doc = lxml.html.fromstring(http.get("/stock", params={"q": "huile"}).text)
        rows = [
            [c.text_content().strip() for c in r.xpath("./th|./td")]
            for r in doc.xpath("//tbody/tr")
        ]
        assert [(r[0], r[2], r[4]) for r in rows] == [("Huile de palme 5 L", "7", "7")]
        assert "Savon noir" in http.get("/stock").text
        bad = http.get("/stock", params={"page": "abc"})
        assert bad.status_code == 422 and "Données invalides" in bad.text

    def test_a_role_refused_a_page_gets_the_french_403_page(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        signed_in(http, employee)
        refused = http.get("/factures")
        assert refused.status_code == 403
        assert "Accès refusé" in refused.text and "text/html" in refused.headers["content-type"]

    def test_another_business_records_are_not_found(
        self, container: Container, http: httpx.Client, shop: Shop
    ) -> None:
        theirs = draft_invoice(container, shop)
        other = make_shop(container)
        signed_in(http, other.account)
        assert http.get(f"/factures/{theirs.id}").status_code == 404
        assert http.get(f"/factures/{theirs.id}/pdf").status_code == 404
        assert http.get(f"/clients/{shop.customer_id}").status_code == 404
        assert "Diallo SARL" not in http.get("/factures?client=Diallo").text.split("<main")[0]


class TestWaiting:
    def test_a_leave_request_is_approved_from_a_valider(
        self, container: Container, http: httpx.Client
    ) -> None:
        staff = make_staff(container)
        account, employee = make_linked(container, staff, name="Awa Ndiaye")
        open_balance(container, staff, employee.id, "10")
        request = ask_leave(container, as_user(account), None, MONDAY, MONDAY + timedelta(days=1))
        token = signed_in(http, staff.account)
        page = http.get("/a-valider").text
        assert "Awa Ndiaye" in page and "Approuver" in page
        refused = http.post(f"/a-valider/conges/{request.id}/refuser", data={"csrf_token": token})
        assert refused.status_code == 422 and "motif" in refused.text
        done = http.post(f"/a-valider/conges/{request.id}/approuver", data={"csrf_token": token})
        assert done.status_code == 303
        assert "approuvée" in http.get(done.headers["location"]).text
        with container.db.unit_of_work(staff.tenant_id) as s:
            status = s.scalar(
                text("SELECT status FROM leave_requests WHERE id = :id"), {"id": request.id}
            )
        assert status == "approved"
        assert "Awa Ndiaye" not in http.get("/a-valider").text


def status_of(container: Container, shop: Shop, invoice_id: UUID) -> str:
    with container.db.unit_of_work(shop.tenant_id) as s:
        return str(s.scalar(text("SELECT status FROM invoices WHERE id = :id"), {"id": invoice_id}))


class TestPwa:
    def test_manifest_service_worker_and_offline_page(self, http: httpx.Client) -> None:
        manifest = http.get("/manifest.webmanifest")
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        body = manifest.json()
        assert body["lang"] == "fr" and body["start_url"] == "/"
        assert body["display"] == "standalone"
        for icon in body["icons"]:
            png = http.get(icon["src"])
            assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        worker = http.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        assert worker.headers["cache-control"] == "no-cache"
        assert '"/hors-ligne"' in worker.text and "const VERSION" in worker.text
        for url in re.findall(r'"(/static/[^"]+)"', worker.text):
            assert http.get(url).status_code == 200, url
        offline = http.get("/hors-ligne")
        assert offline.status_code == 200 and "Hors ligne" in offline.text


class TestPager:
    def test_page_links_keep_the_filters_encoded(self) -> None:
        from api.web.records import Pager

        link = Pager(1, True, {"client": "Diallo & Fils", "statut": ""}).link(2)
        assert link == "?client=Diallo+%26+Fils&page=2"
