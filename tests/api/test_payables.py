"""Payables over real HTTP: a bill recorded, matched, posted and paid; aged payables, a
supplier's balance, French refusals, roles and tenant isolation."""

from __future__ import annotations

import httpx

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.api.test_purchasing import auth
from tests.domain.finance.test_einvoice_import import FILES
from tests.factories import login, make_member
from tests.finance_factories import make_shop
from tests.payables_factories import make_payer


class TestSupplierBillsApi:
    def test_record_post_pay_and_read_what_is_owed(
        self, container: Container, http: httpx.Client
    ) -> None:
        payer = make_payer(container, country="SN")
        h = auth(http, payer.account)
        body = {
            "supplier_id": str(payer.supplier_id),
            "supplier_number": "GM-2026-118",
            "lines": [{"description": "Farine", "quantity": "10", "unit_price": "63000"}],
        }
        created = http.post("/api/v1/supplier-bills", json=body, headers=h)
        assert created.status_code == 201, created.text
        bill = created.json()
        assert (bill["status"], bill["total_excl_tax"], bill["tax"], bill["total"]) == (
            "draft",
            "630000",
            "113400",
            "743400",
        )
        again = http.post("/api/v1/supplier-bills", json=body, headers=h)
        assert again.status_code == 409 and "déjà enregistrée" in again.json()["error"]["message"]
        url = f"/api/v1/supplier-bills/{bill['id']}"
        assert http.get(f"{url}/match", headers=h).json()["matches"] is True
        posted = http.post(f"{url}/post", headers=h)
        assert posted.status_code == 200, posted.text
        assert posted.json()["number"].startswith("FF-")
        pay = {"bill_id": bill["id"], "amount": "400000", "method": "orange_money"}
        paid = http.post("/api/v1/supplier-payments", json=pay, headers=h)
        assert paid.status_code == 201, paid.text
        assert http.get(url, headers=h).json()["status"] == "partially_paid"
        aged = http.get("/api/v1/payables/aged", headers=h).json()
        assert aged["total"] == "343400"
        balance = http.get(f"/api/v1/suppliers/{payer.supplier_id}/balance", headers=h).json()
        assert balance["balance"] == balance["ledger_balance"] == "343400"
        today = posted.json()["issue_date"]
        vat = http.get(f"/api/v1/vat/return?start={today}&end={today}", headers=h).json()
        assert (vat["deductible"], vat["ledger_deductible"], vat["due"]) == (
            "113400",
            "113400",
            "-113400",
        )
        credit = next(b for b in vat["boxes"] if b["code"] == "CREDIT")
        assert credit["tax"] == "113400"

    def test_a_sales_member_may_not_record_bills_and_others_see_nothing(
        self, container: Container, http: httpx.Client
    ) -> None:
        payer = make_payer(container)
        seller = make_member(container, payer.account, Role.SALES)
        h = bearer(login(http, seller)["access_token"])
        body = {
            "supplier_id": str(payer.supplier_id),
            "supplier_number": "X1",
            "lines": [{"description": "Encre", "unit_price": "10"}],
        }
        refused = http.post("/api/v1/supplier-bills", json=body, headers=h)
        assert refused.status_code == 403
        created = http.post("/api/v1/supplier-bills", json=body, headers=auth(http, payer.account))
        assert created.status_code == 201
        stranger = make_payer(container)
        seen = http.get(
            f"/api/v1/supplier-bills/{created.json()['id']}", headers=auth(http, stranger.account)
        )
        assert seen.status_code == 404 and seen.json()["error"]["message"] == (
            "Facture fournisseur introuvable."
        )


class TestImportApi:
    def test_upload_a_ubl_file_then_the_same_again(
        self, container: Container, http: httpx.Client
    ) -> None:
        shop = make_shop(container)
        h = auth(http, shop.account)
        data = (FILES / "ubl-invoice-minoterie.xml").read_bytes()
        files = {"file": ("mb.xml", data, "application/xml")}
        created = http.post("/api/v1/supplier-bills/import", files=files, headers=h)
        assert created.status_code == 201, created.text
        bill = created.json()
        assert (bill["status"], bill["total"], bill["supplier"]) == (
            "draft",
            "625.23",
            "Minoterie de Beauce",
        )
        assert bill["document_id"] is not None and bill["warnings"]
        again = http.post("/api/v1/supplier-bills/import", files=files, headers=h)
        assert again.status_code == 409
        bad = {"file": ("x.xml", b"<a/>", "application/xml")}
        refused = http.post("/api/v1/supplier-bills/import", files=bad, headers=h)
        assert refused.status_code == 422
        assert refused.json()["error"]["message"].startswith("Facture électronique refusée")
