"""Sales over real HTTP: each route's round trip, money as strings, French errors,
permissions, and tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.test_auth import audit_actions, bearer
from tests.factories import Account, login, make_member
from tests.sales_factories import make_partner, make_product, make_sales_tenant, row_counts


def auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return bearer(login(http, account)["access_token"])


@pytest.fixture
def fr(container: Container) -> Account:
    return make_sales_tenant(container)


@pytest.fixture
def sn(container: Container) -> Account:
    return make_sales_tenant(container, country="SN")


class TestPartners:
    def test_round_trip(self, http: httpx.Client, fr: Account) -> None:
        h = auth(http, fr)
        body = {
            "name": "Diallo SARL",
            "roles": ["customer", "supplier"],
            "siret": "73282932000074",
            "phone": "01 23 45 67 89",
            "tags": ["Grossiste"],
            "address": {"line1": "3 rue de la Paix", "city": "Paris", "postcode": "75002"},
            "contacts": [{"name": "Awa Ndiaye", "email": "Awa@Diallo.fr"}],
        }
        r = http.post("/api/v1/partners", json=body, headers=h)
        assert r.status_code == 201, r.text
        created = r.json()
        assert (created["code"], created["roles"], created["siren"]) == (
            "C00001",
            ["customer", "supplier"],
            "732829320",
        )
        assert created["address"]["country"] == "FR" and created["phone"] == "+33123456789"
        assert created["contacts"][0]["email"] == "awa@diallo.fr"
        url = f"/api/v1/partners/{created['id']}"
        patched = http.patch(url, json={"payment_terms_days": 60, "tags": ["vip"]}, headers=h)
        assert patched.status_code == 200, patched.text
        assert (patched.json()["payment_terms_days"], patched.json()["tags"]) == (60, ["vip"])
        contact = http.post(f"{url}/contacts", json={"name": "Moussa"}, headers=h)
        assert contact.status_code == 201 and contact.json()["name"] == "Moussa"
        detail = http.get(url, headers=h).json()
        assert sorted(c["name"] for c in detail["contacts"]) == ["Awa Ndiaye", "Moussa"]
        listed = http.get("/api/v1/partners", params={"role": "supplier", "tag": "VIP"}, headers=h)
        assert listed.status_code == 200
        assert [p["name"] for p in listed.json()["items"]] == ["Diallo SARL"]
        assert listed.json()["total"] == 1

    def test_search_returns_scored_matches(
        self, container: Container, http: httpx.Client, sn: Account
    ) -> None:
        make_partner(container, sn, name="Diallo SARL", address={"city": "Dakar"})
        make_partner(container, sn, name="Quincaillerie Sow")
        r = http.get("/api/v1/partners", params={"q": "Dialo"}, headers=auth(http, sn))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["query"] == "Dialo"
        first = body["matches"][0]
        assert (first["name"], first["city"], first["code"]) == ("Diallo SARL", "Dakar", "C00001")
        assert 0.45 <= first["score"] <= 1

    @pytest.mark.parametrize(
        ("body", "status", "code", "message"),
        [
            ({"name": "X", "siren": "123456789"}, 422, "invalid_input", "SIREN invalide"),
            (
                {"name": "X", "siren": "732829320", "vat_number": "FR96552100554"},
                422,
                "invalid_input",
                "Le numéro de TVA ne correspond pas au SIREN.",
            ),
            ({"name": "X", "phone": "12"}, 422, "invalid_input", "Numéro de téléphone invalide"),
            ({"name": "X", "payment_terms_days": 400}, 422, "invalid_input", "0 à 365 jours"),
            ({"name": "X", "roles": []}, 422, "invalid_input", "roles : liste trop courte"),
            ({"name": "X", "email": "dup@ex.fr"}, 409, "duplicate_partner", "« Existant »"),
        ],
    )
    def test_bad_input(
        self,
        container: Container,
        http: httpx.Client,
        fr: Account,
        body: dict[str, Any],
        status: int,
        code: str,
        message: str,
    ) -> None:
        make_partner(container, fr, name="Existant", email="dup@ex.fr")
        h = auth(http, fr)  # logging in is audited: count after it
        before = row_counts(container, fr)
        r = http.post("/api/v1/partners", json=body, headers=h)
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code and message in r.json()["error"]["message"]
        assert row_counts(container, fr) == before

    def test_employees_read_but_cannot_write(
        self, container: Container, http: httpx.Client, fr: Account
    ) -> None:
        partner = make_partner(container, fr)
        h = auth(http, make_member(container, fr, Role.EMPLOYEE))
        assert http.get(f"/api/v1/partners/{partner.id}", headers=h).status_code == 200
        r = http.post("/api/v1/partners", json={"name": "Nouveau"}, headers=h)
        assert r.status_code == 403
        assert r.json()["error"]["message"] == "Vous n'avez pas les droits pour cette action."
        patch = http.patch(f"/api/v1/partners/{partner.id}", json={"name": "Y"}, headers=h)
        assert patch.status_code == 403

    def test_another_tenants_records_answer_404(
        self, container: Container, http: httpx.Client, fr: Account, sn: Account
    ) -> None:
        theirs = make_partner(container, sn, name="Secret SN")
        product = make_product(container, sn)
        h = auth(http, fr)
        for response in (
            http.get(f"/api/v1/partners/{theirs.id}", headers=h),
            http.patch(f"/api/v1/partners/{theirs.id}", json={"name": "Pirate"}, headers=h),
            http.post(f"/api/v1/partners/{theirs.id}/contacts", json={"name": "X"}, headers=h),
            http.get(f"/api/v1/products/{product.id}", headers=h),
        ):
            assert response.status_code == 404, response.text
            assert "Secret" not in response.text
        assert ("partner.read", "denied") in audit_actions(container, fr.tenant_id)
        search = http.get("/api/v1/partners", params={"q": "secret sn"}, headers=h).json()
        assert search["matches"] == []
        assert http.get("/api/v1/partners", headers=h).json()["total"] == 0


class TestProducts:
    def test_round_trip_with_money_as_strings(self, http: httpx.Client, fr: Account) -> None:
        h = auth(http, fr)
        body = {"name": "Heure de conseil", "kind": "service", "unit": "h",
                "sale_price": "80.5", "vat_rate": "20", "sku": "CONS-H"}  # fmt: skip
        r = http.post("/api/v1/products", json=body, headers=h)
        assert r.status_code == 201, r.text
        product = r.json()
        assert (product["sale_price"], product["currency"], product["vat_rate"]) == (
            "80.50",
            "EUR",
            "20",
        )
        assert (product["unit"], product["unit_code"]) == ("heure", "HUR")
        url = f"/api/v1/products/{product['id']}"
        patched = http.patch(url, json={"sale_price": "90", "vat_rate": "5.5"}, headers=h)
        assert patched.status_code == 200, patched.text
        assert (patched.json()["sale_price"], patched.json()["vat_rate"]) == ("90.00", "5.5")
        assert http.get(url, headers=h).json()["sale_price"] == "90.00"
        listed = http.get("/api/v1/products", params={"q": "cons-h"}, headers=h).json()
        assert [p["sku"] for p in listed["items"]] == ["CONS-H"]
        services = http.get("/api/v1/products", params={"kind": "goods"}, headers=h).json()
        assert services["total"] == 0

    def test_without_a_price_and_in_any_unit(self, http: httpx.Client, sn: Account) -> None:
        h = auth(http, sn)
        made = {}
        for unit in ("Bidons", "barquettes"):
            body = {"name": f"Produit en {unit}", "unit": unit}
            r = http.post("/api/v1/products", json=body, headers=h)
            assert r.status_code == 201, r.text
            made[unit] = r.json()
        assert [(p["unit"], p["unit_code"], p["sale_price"]) for p in made.values()] == [
            ("bidon", "XJC", None),
            ("barquette", "C62", None),
        ]
        url = f"/api/v1/products/{made['Bidons']['id']}"
        priced = http.patch(url, json={"sale_price": "6500"}, headers=h)
        assert priced.status_code == 200 and priced.json()["sale_price"] == "6500", priced.text
        cleared = http.patch(url, json={"sale_price": None}, headers=h)
        assert cleared.status_code == 200 and cleared.json()["sale_price"] is None, cleared.text

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"sale_price": "1500.5"}, "Le franc CFA n'a pas de centimes."),
            ({"sale_price": "-1"}, "Le prix ne peut pas être négatif."),
            ({"sale_price": "100", "unit": "sac de 50"}, "Unité invalide : « sac de 50 »"),
            ({"sale_price": "100", "unit": "sac/kg"}, "Unité invalide : « sac/kg »"),
            ({"sale_price": "100", "vat_rate": "7"}, "Taux de TVA inconnu : 7 %."),
        ],
    )
    def test_bad_input(
        self,
        container: Container,
        http: httpx.Client,
        sn: Account,
        body: dict[str, Any],
        message: str,
    ) -> None:
        h = auth(http, sn)
        before = row_counts(container, sn)
        r = http.post("/api/v1/products", json={"name": "Riz", **body}, headers=h)
        assert r.status_code == 422, r.text
        assert message in r.json()["error"]["message"]
        assert row_counts(container, sn) == before


class TestPipeline:
    def test_stages_opportunities_and_summary(
        self, container: Container, http: httpx.Client, sn: Account
    ) -> None:
        h = auth(http, sn)
        stages = http.get("/api/v1/pipeline/stages", headers=h).json()
        assert [s["name"] for s in stages][:2] == ["Nouveau", "Qualifié"]
        created = http.post(
            "/api/v1/pipeline/stages", json={"name": "Relance", "probability": 60}, headers=h
        )
        assert created.status_code == 201 and created.json()["position"] == 70
        ids = [s["id"] for s in stages] + [created.json()["id"]]
        reordered = http.post(
            "/api/v1/pipeline/stages/order", json={"stage_ids": ids[::-1]}, headers=h
        )
        assert reordered.status_code == 200 and reordered.json()[0]["name"] == "Relance"
        renamed = http.patch(
            f"/api/v1/pipeline/stages/{ids[-1]}", json={"name": "Relancé"}, headers=h
        )
        assert renamed.status_code == 200 and renamed.json()["name"] == "Relancé"

        partner = make_partner(container, sn)
        deal = http.post(
            "/api/v1/opportunities",
            json={"partner_id": str(partner.id), "title": "Riz 2027", "amount": "1500000",
                  "stage": "qualifié"},
            headers=h,
        )  # fmt: skip
        assert deal.status_code == 201, deal.text
        assert (deal.json()["amount"], deal.json()["probability"]) == ("1500000", 25)
        move_url = f"/api/v1/opportunities/{deal.json()['id']}/stage"
        lost = http.post(move_url, json={"stage": "Perdu"}, headers=h)
        assert lost.status_code == 422
        assert lost.json()["error"]["message"] == "Indiquez la raison de la perte de l'affaire."
        unknown = http.post(move_url, json={"stage": "Signé"}, headers=h)
        assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_stage"
        won = http.post(move_url, json={"stage": "Gagné"}, headers=h)
        assert won.status_code == 200 and won.json()["closed_on"] is not None
        listed = http.get("/api/v1/opportunities", params={"stage": "gagne"}, headers=h).json()
        assert [o["title"] for o in listed["items"]] == ["Riz 2027"]
        summary = http.get("/api/v1/pipeline/summary", headers=h).json()
        won_row = next(s for s in summary["stages"] if s["name"] == "Gagné")
        assert (won_row["count"], won_row["total_amount"], won_row["weighted_amount"]) == (
            1,
            "1500000",
            "1500000",
        )
        assert (summary["currency"], summary["open_amount"]) == ("XOF", "0")

    def test_sales_people_cannot_add_stages(
        self, container: Container, http: httpx.Client, fr: Account
    ) -> None:
        h = auth(http, make_member(container, fr, Role.SALES))
        r = http.post("/api/v1/pipeline/stages", json={"name": "X", "probability": 5}, headers=h)
        assert r.status_code == 403


class TestActivities:
    def test_log_list_and_complete(
        self, container: Container, http: httpx.Client, fr: Account
    ) -> None:
        h = auth(http, fr)
        colleague = make_member(container, fr, Role.SALES)
        partner = make_partner(container, fr)
        yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        r = http.post(
            "/api/v1/activities",
            json={"kind": "call", "subject": "Relancer le devis", "partner_id": str(partner.id),
                  "assignee_id": str(colleague.user_id), "due_at": yesterday},
            headers=h,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        assert r.json()["overdue"] is True and r.json()["done"] is False
        overdue = http.get("/api/v1/activities", params={"overdue": "true"}, headers=h).json()
        assert [a["subject"] for a in overdue["items"]] == ["Relancer le devis"]
        done = http.post(f"/api/v1/activities/{r.json()['id']}/done", headers=h)
        assert done.status_code == 200 and done.json()["done"] is True
        assert done.json()["overdue"] is False
        again = http.post(f"/api/v1/activities/{r.json()['id']}/done", headers=h)
        assert again.status_code == 409 and "déjà terminée" in again.json()["error"]["message"]
        mine = http.get(
            "/api/v1/activities", params={"assignee_id": str(colleague.user_id)}, headers=h
        ).json()
        assert mine["total"] == 1

    def test_assignee_must_be_a_member(
        self, container: Container, http: httpx.Client, fr: Account, sn: Account
    ) -> None:
        partner = make_partner(container, fr)
        h = auth(http, fr)
        before = row_counts(container, fr)
        r = http.post(
            "/api/v1/activities",
            json={"kind": "task", "subject": "X", "partner_id": str(partner.id),
                  "assignee_id": str(sn.user_id)},
            headers=h,
        )  # fmt: skip
        assert r.status_code == 422
        assert r.json()["error"]["message"] == "Cette personne n'est pas membre de l'entreprise."
        assert row_counts(container, fr) == before
