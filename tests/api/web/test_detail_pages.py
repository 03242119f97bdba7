"""Detail pages over real HTTP: a quote's page and its moves (sent, accepted, invoiced),
an employee's page as the HR services scope it (the salary for HR and the person only),
a leave request refused from its page with a reason, drafts in « À valider » as each
role may see them, a draft purchase order sent from its page — each refusing a role in
French and hiding another business's records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import lxml.html
import pytest
from sqlalchemy import text

from api.web.deps import WebUser
from api.web.navigation import navigation
from comptoir.bootstrap import Container
from domain.finance import quotes
from domain.finance.models import Quote
from domain.finance.schemas import LineIn, QuoteCreate
from domain.hr import service as hr
from domain.hr.schemas import ContractCreate
from domain.kit.principal import Channel, Principal, Role
from tests.api.web.support import signed_in
from tests.factories import make_member
from tests.finance_factories import Shop, draft_invoice, make_shop
from tests.hr_factories import (
    MONDAY,
    Staff,
    as_user,
    ask_leave,
    make_linked,
    make_staff,
    open_balance,
)
from tests.purchasing_factories import line, make_buyer, make_goods, make_order


def make_quote(container: Container, shop: Shop, principal: Principal | None = None) -> Quote:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return quotes.create_quote(
            session,
            principal or shop.principal,
            container.clock,
            QuoteCreate(
                partner_id=shop.customer_id,
                lines=[LineIn(product_id=shop.goods_id, quantity=Decimal(4))],
            ),
        )


def column(container: Container, tenant_id: UUID, sql: str, row_id: UUID) -> object:
    with container.db.unit_of_work(tenant_id) as s:
        return s.scalar(text(sql), {"id": row_id})


def fields(page: str) -> dict[str, str]:
    """The page's « dt / dd » pairs."""
    doc = lxml.html.fromstring(page)
    terms = [t.text_content().strip() for t in doc.xpath("//dl/dt")]
    return dict(zip(terms, [d.text_content().strip() for d in doc.xpath("//dl/dd")], strict=True))


def add_contract(container: Container, staff: Staff, employee_id: UUID, salary: str) -> None:
    with container.db.unit_of_work(staff.tenant_id) as session:
        hr.create_contract(
            session,
            staff.hr,
            ContractCreate(
                employee_id=employee_id,
                kind="cdi",
                start_date=date(2025, 1, 6),
                salary=Decimal(salary),
            ),
        )


class TestQuotePage:
    def test_a_quote_is_sent_accepted_and_invoiced_from_its_page(
        self, container: Container, http: httpx.Client
    ) -> None:
        shop = make_shop(container)
        quote = make_quote(container, shop)
        token = signed_in(http, shop.account)
        assert f'href="/devis/{quote.id}"' in http.get("/devis").text
        assert f'href="/devis/{quote.id}"' in http.get(f"/clients/{shop.customer_id}").text
        page = http.get(f"/devis/{quote.id}").text
        shown = fields(page)
        assert shown["Client"] == "Diallo SARL" and shown["Statut"] == "En brouillon"
        assert shown["Total HT"].startswith("50,00") and shown["Total TTC"].startswith("60,00")
        assert f'href="/devis/{quote.id}/pdf"' in page and "Marquer comme envoyé" in page
        assert http.post(f"/devis/{quote.id}/envoyer", data={}).status_code == 403
        for move, status in (("envoyer", "sent"), ("accepter", "accepted")):
            done = http.post(f"/devis/{quote.id}/{move}", data={"csrf_token": token})
            assert done.status_code == 303, done.text
            sql = "SELECT status FROM quotes WHERE id = :id"
            assert column(container, shop.tenant_id, sql, quote.id) == status
        accepted = http.get(f"/devis/{quote.id}").text
        assert fields(accepted)["Statut"] == "Accepté" and "Créer la facture" in accepted
        invoiced = http.post(f"/devis/{quote.id}/facturer", data={"csrf_token": token})
        assert invoiced.status_code == 303
        invoice_id = UUID(invoiced.headers["location"].rsplit("/", 1)[1])
        sql = "SELECT quote_id FROM invoices WHERE id = :id AND status = 'draft'"
        assert column(container, shop.tenant_id, sql, invoice_id) == quote.id
        assert f'href="/factures/{invoice_id}"' in http.get(f"/devis/{quote.id}").text
        again = http.post(f"/devis/{quote.id}/facturer", data={"csrf_token": token})
        assert again.status_code == 409 and "déjà été facturé" in again.text

    def test_refused_to_an_employee_and_not_found_in_another_business(
        self, container: Container, http: httpx.Client
    ) -> None:
        shop = make_shop(container)
        quote = make_quote(container, shop)
        signed_in(http, make_member(container, shop.account, Role.EMPLOYEE))
        refused = http.get(f"/devis/{quote.id}")
        assert refused.status_code == 403 and "Accès refusé" in refused.text
        http.cookies.clear()
        signed_in(http, make_shop(container).account)
        missing = http.get(f"/devis/{quote.id}")
        assert missing.status_code == 404 and "Introuvable" in missing.text


class TestEmployeePage:
    def test_identity_contract_balances_and_requests_as_hr_scopes_them(
        self, container: Container, http: httpx.Client
    ) -> None:
        staff = make_staff(container)
        boss, boss_employee = make_linked(container, staff, Role.MANAGER, name="Fatou Sarr")
        awa, employee = make_linked(
            container, staff, name="Awa Ndiaye", manager_id=boss_employee.id, job_title="Caissière"
        )
        modou, _ = make_linked(container, staff, name="Modou Fall")
        add_contract(container, staff, employee.id, "2150.00")
        open_balance(container, staff, employee.id, "10")
        asked = ask_leave(container, as_user(awa), None, MONDAY, MONDAY + timedelta(days=1))
        signed_in(http, staff.account)  # the admin: everything, salary included
        assert f'href="/equipe/{employee.id}"' in http.get("/equipe").text
        page = http.get(f"/equipe/{employee.id}").text
        shown = fields(page)
        assert shown["Poste"] == "Caissière" and shown["Responsable"] == "Fatou Sarr"
        assert "2\u202f150,00\u00a0€" in page and "CDI" in page
        assert f'href="/conges/{asked.id}"' in page and "Congés payés" in page
        for account, salary_seen in ((boss, False), (awa, True)):
            http.cookies.clear()
            signed_in(http, account)
            seen = http.get(f"/equipe/{employee.id}")
            assert seen.status_code == 200
            assert ("2\u202f150,00" in seen.text) is salary_seen, account
        http.cookies.clear()
        signed_in(http, modou)  # a colleague: not their record
        refused = http.get(f"/equipe/{employee.id}")
        assert refused.status_code == 403 and "Accès refusé" in refused.text
        http.cookies.clear()
        signed_in(http, make_staff(container).account)
        assert http.get(f"/equipe/{employee.id}").status_code == 404
        assert http.get(f"/conges/{asked.id}").status_code == 404


class TestLeavePage:
    def test_refused_from_its_page_with_a_reason(
        self, container: Container, http: httpx.Client
    ) -> None:
        staff = make_staff(container)
        awa, employee = make_linked(container, staff, name="Awa Ndiaye")
        open_balance(container, staff, employee.id, "10")
        asked = ask_leave(container, as_user(awa), None, MONDAY, MONDAY + timedelta(days=1))
        signed_in(http, awa)  # her own request: she sees it, she does not decide it
        own = http.get(f"/conges/{asked.id}").text
        assert fields(own)["Jours ouvrés"] == "2 j" and "Approuver" not in own
        assert http.post(f"/conges/{asked.id}/approuver", data={}).status_code == 403
        http.cookies.clear()
        token = signed_in(http, staff.account)
        assert f'href="/conges/{asked.id}"' in http.get("/conges").text
        page = http.get(f"/conges/{asked.id}").text
        assert fields(page)["Statut"] == "En attente" and "Approuver" in page
        empty = http.post(f"/conges/{asked.id}/refuser", data={"csrf_token": token})
        assert empty.status_code == 422 and "motif" in empty.text
        done = http.post(
            f"/conges/{asked.id}/refuser",
            data={"csrf_token": token, "motif": "Inventaire cette semaine"},
        )
        assert done.status_code == 303
        shown = fields(http.get(done.headers["location"]).text)
        assert shown["Statut"] == "Refusée"
        assert shown["Motif du refus"] == "Inventaire cette semaine"
        sql = "SELECT status FROM leave_requests WHERE id = :id"
        assert column(container, staff.tenant_id, sql, asked.id) == "rejected"


class TestDrafts:
    def test_drafts_wait_for_those_who_may_post_and_for_their_author(
        self, container: Container, http: httpx.Client
    ) -> None:
        shop = make_shop(container)
        seller = make_member(container, shop.account, Role.SALES)
        theirs = make_quote(container, shop, seller.principal(Role.SALES))
        ours = make_quote(container, shop)
        invoice = draft_invoice(container, shop)
        signed_in(http, shop.account)
        page = http.get("/a-valider").text
        for href in (f"/devis/{theirs.id}", f"/devis/{ours.id}", f"/factures/{invoice.id}"):
            assert f'href="{href}"' in page, href
        assert "Devis en brouillon" in page and "Factures en brouillon" in page
        http.cookies.clear()
        signed_in(http, seller)  # a seller: the drafts they made
        page = http.get("/a-valider").text
        assert "Vos devis en brouillon" in page and f'href="/devis/{theirs.id}"' in page
        assert f'href="/devis/{ours.id}"' not in page and "Factures en brouillon" not in page
        http.cookies.clear()
        signed_in(http, make_member(container, shop.account, Role.EMPLOYEE))
        assert "Rien n'attend votre décision." in http.get("/a-valider").text

    def test_a_draft_purchase_order_is_sent_from_its_page(
        self, container: Container, http: httpx.Client
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Riz brisé 50 kg")
        order = make_order(container, buyer, line(rice, "8"))
        token = signed_in(http, buyer.account)
        assert f'href="/achats/{order.id}"' in http.get("/a-valider").text
        assert "Envoyer la commande" in http.get(f"/achats/{order.id}").text
        done = http.post(f"/achats/{order.id}/envoi", data={"csrf_token": token})
        assert done.status_code == 303
        assert "Commande envoyée" in http.get(done.headers["location"]).text
        sql = "SELECT status FROM purchase_orders WHERE id = :id"
        assert column(container, buyer.account.tenant_id, sql, order.id) == "sent"


class TestNavigation:
    @pytest.mark.parametrize(
        ("role", "fourth"),
        [(Role.ACCOUNTANT, "/factures"), (Role.HR, "/equipe"), (Role.EMPLOYEE, "/conges")],
    )
    def test_the_phone_bar_holds_four_links_after_the_role(self, role: Role, fourth: str) -> None:
        principal = Principal(
            tenant_id=uuid4(), user_id=uuid4(), roles=frozenset({role}), channel=Channel.WEB
        )
        user = WebUser(principal, "Awa", "awa@example.com", "Boutique", "b", "EUR", "jeton")
        bar = navigation(user, "/conges/" + str(uuid4()))
        assert [link.href for link in bar.links if link.at_hand] == [
            "/",
            "/tableau-de-bord",
            "/a-valider",
            fourth,
        ]
        assert len(bar.more) == 8 and len(bar.links) == 12
        assert [link.href for link in bar.links if link.current] == ["/conges"]
        assert bar.more_current is (fourth != "/conges")
