"""The other record pages over real HTTP: Devis with the PDF, Achats with « Tout
réceptionner » that moves the stock, Équipe, Congés scoped as the HR services scope them,
Documents with the file, and each answering every member or refusing in French."""

from __future__ import annotations

from decimal import Decimal

import httpx
import lxml.html
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.web.support import signed_in
from tests.factories import login, make_member
from tests.finance_factories import make_shop
from tests.hr_factories import MONDAY, as_user, ask_leave, make_linked, make_staff, open_balance
from tests.purchasing_factories import line, make_buyer, make_goods, make_order
from tests.stock_factories import level


def first_cells(page: str) -> list[str]:
    doc = lxml.html.fromstring(page)
    return [row.xpath("./th|./td")[0].text_content().strip() for row in doc.xpath("//tbody/tr")]


class TestMorePages:
    def test_quotes_list_and_pdf(self, container: Container, http: httpx.Client) -> None:
        shop = make_shop(container)
        token = login(http, shop.account)["access_token"]
        body = {
            "partner_id": str(shop.customer_id),
            "lines": [{"product_id": str(shop.goods_id), "quantity": "2"}],
        }
        created = http.post(
            "/api/v1/quotes", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        signed_in(http, shop.account)
        page = http.get("/devis").text
        assert first_cells(page) == [created.json()["number"]] and "Diallo SARL" in page
        pdf = http.get(f"/devis/{created.json()['id']}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert first_cells(http.get("/devis", params={"statut": "accepted"}).text) == [
            "Aucun devis."
        ]

    def test_an_order_is_received_from_its_page(
        self, container: Container, http: httpx.Client
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Riz brisé 50 kg")
        order = make_order(container, buyer, line(rice, "8"), status="sent")
        token = signed_in(http, buyer.account)
        assert first_cells(http.get("/achats").text) == [order.number]
        page = http.get(f"/achats/{order.id}").text
        assert "Riz brisé 50 kg" in page and "Tout réceptionner" in page
        assert http.post(f"/achats/{order.id}/reception", data={}).status_code == 403
        done = http.post(f"/achats/{order.id}/reception", data={"csrf_token": token})
        assert done.status_code == 303
        assert "Livraison enregistrée" in http.get(done.headers["location"]).text
        assert level(container, buyer.account, rice).on_hand == Decimal(8)

    def test_team_and_leave_as_the_hr_services_scope_them(
        self, container: Container, http: httpx.Client
    ) -> None:
        staff = make_staff(container)
        awa, awa_employee = make_linked(container, staff, name="Awa Ndiaye")
        _, modou = make_linked(container, staff, Role.SALES, name="Modou Fall")
        for employee in (awa_employee, modou):
            open_balance(container, staff, employee.id, "10")
        ask_leave(container, as_user(awa), None, MONDAY, MONDAY)
        ask_leave(container, staff.admin, modou.id, MONDAY, MONDAY)
        signed_in(http, staff.account)
        assert set(first_cells(http.get("/equipe").text)) >= {"Awa Ndiaye", "Modou Fall"}
        assert sorted(first_cells(http.get("/conges").text)) == ["Awa Ndiaye", "Modou Fall"]
        http.cookies.clear()
        signed_in(http, awa)  # an employee sees their own requests only
        assert first_cells(http.get("/conges").text) == ["Awa Ndiaye"]
        approved = http.get("/conges", params={"statut": "approved"}).text
        assert first_cells(approved) == ["Aucune demande de congé."]

    def test_documents_list_search_and_file(self, container: Container, http: httpx.Client) -> None:
        shop = make_shop(container)
        token = signed_in(http, shop.account)
        sent = http.post(
            "/app/api/documents",
            files={
                "file": (
                    "tarifs.md",
                    b"# Tarifs 2027\n\nRiz : 15 000 FCFA le sac.",
                    "text/markdown",
                )
            },
            headers={"X-CSRF-Token": token},
        )
        assert sent.status_code == 201, sent.text
        listed = http.get("/documents", params={"q": "tarifs"}).text
        assert first_cells(listed) == [sent.json()["title"]]
        assert first_cells(http.get("/documents", params={"q": "zzz"}).text)[0].startswith("Aucun")
        file = http.get(f"/documents/{sent.json()['id']}/fichier")
        assert file.status_code == 200 and b"15 000 FCFA" in file.content
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        http.cookies.clear()
        signed_in(http, employee)
        for path in ("/devis", "/equipe", "/conges", "/documents", "/achats", "/stock"):
            answer = http.get(path)
            assert answer.status_code in (200, 403), path
            assert (
                "Accès refusé" in answer.text
                if answer.status_code == 403
                else "<table" in answer.text
            )
        with container.db.unit_of_work(shop.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM documents")) == 1
