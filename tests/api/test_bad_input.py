"""Bad input: a clear 4xx in French, nothing written, the attempt audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.test_auth import audit_actions, bearer
from tests.factories import login, make_member, make_tenant, unique


def signup_body(**tenant: object) -> dict:  # type: ignore[type-arg]
    slug = unique("s")
    return {
        "tenant": {"name": "Épicerie Test", "slug": slug, "country": "FR", **tenant},
        "admin": {
            "email": f"{slug}@example.com",
            "name": "Awa",
            "password": "un-long-mot-de-passe",
        },
    }


def tenant_exists(container: Container, slug: str) -> bool:
    with container.owner_engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM tenants WHERE slug = :s"), {"s": slug}))


class TestMalformed:
    def test_malformed_json(self, http: httpx.Client) -> None:
        r = http.post(
            "/api/v1/auth/login",
            content=b"{email: oops",
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 400
        error = r.json()["error"]
        assert error["code"] == "malformed_json" and "JSON" in error["message"]
        assert error["request_id"] == r.headers["X-Request-ID"]

    def test_missing_fields_are_named(self, http: httpx.Client) -> None:
        r = http.post("/api/v1/auth/login", json={"email": "a@b.fr"})
        assert r.status_code == 422
        assert r.json()["error"]["message"] == "Données invalides — password : champ obligatoire."

    def test_unknown_route_is_french(self, http: httpx.Client) -> None:
        r = http.get("/api/v1/nulle-part")
        assert r.status_code == 404 and r.json()["error"]["message"] == "Ressource introuvable."


class TestSignUp:
    def test_creates_tenant_and_admin(self, container: Container, http: httpx.Client) -> None:
        body = signup_body(siret="732 829 320 00074", vat_number="FR 44 732829320")
        r = http.post("/api/v1/tenants", json=body)
        assert r.status_code == 201, r.text
        tenant = r.json()["tenant"]
        assert (tenant["currency"], tenant["timezone"], tenant["siren"]) == (
            "EUR",
            "Europe/Paris",
            "732829320",
        )
        assert tenant["vat_number"] == "FR44732829320"
        pair = http.post(
            "/api/v1/auth/login",
            json={"email": body["admin"]["email"], "password": body["admin"]["password"]},
        )
        assert pair.status_code == 200

    def test_senegal_defaults_to_xof(self, http: httpx.Client) -> None:
        r = http.post("/api/v1/tenants", json=signup_body(country="SN", ninea="306 7221"))
        assert r.status_code == 201, r.text
        assert r.json()["tenant"]["currency"] == "XOF"
        assert r.json()["tenant"]["timezone"] == "Africa/Dakar"

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"siret": "73282932000075"}, "SIRET invalide"),
            ({"siren": "732829320", "vat_number": "FR00123456789"}, "Numéro de TVA invalide"),
            ({"country": "SN", "ninea": "12"}, "NINEA invalide"),
            ({"currency": "XOF"}, "La devise d'une entreprise FR est EUR"),
            ({"timezone": "Mars/Olympus"}, "Fuseau horaire inconnu"),
            ({"slug": "Pas Bon!"}, "Identifiant d'entreprise invalide"),
        ],
    )
    def test_invalid_legal_data_writes_nothing(
        self, container: Container, http: httpx.Client, fields: dict, message: str
    ) -> None:  # type: ignore[type-arg]
        body = signup_body(**fields)
        r = http.post("/api/v1/tenants", json=body)
        assert r.status_code == 422, r.text
        assert message in r.json()["error"]["message"]
        assert not tenant_exists(container, body["tenant"]["slug"])

    def test_taken_slug_and_email_conflict(self, container: Container, http: httpx.Client) -> None:
        first = signup_body()
        assert http.post("/api/v1/tenants", json=first).status_code == 201
        same_slug = signup_body(slug=first["tenant"]["slug"])
        r = http.post("/api/v1/tenants", json=same_slug)
        assert r.status_code == 409 and r.json()["error"]["code"] == "slug_taken"
        same_email = signup_body()
        same_email["admin"]["email"] = first["admin"]["email"]
        r = http.post("/api/v1/tenants", json=same_email)
        assert r.status_code == 409 and r.json()["error"]["code"] == "email_taken"
        assert not tenant_exists(container, same_email["tenant"]["slug"])

    def test_short_password_is_refused(self, http: httpx.Client) -> None:
        body = signup_body()
        body["admin"]["password"] = "court"
        r = http.post("/api/v1/tenants", json=body)
        assert r.status_code == 422 and "au moins 10 caractères" in r.json()["error"]["message"]


class TestCrossTenant:
    def test_reading_another_tenant_is_not_found_and_audited(
        self, container: Container, http: httpx.Client
    ) -> None:
        a = make_tenant(container)
        b = make_tenant(container)
        token = login(http, a)["access_token"]
        own = http.get(f"/api/v1/tenants/{a.tenant_id}", headers=bearer(token))
        assert own.status_code == 200 and own.json()["slug"] == a.slug
        other = http.get(f"/api/v1/tenants/{b.tenant_id}", headers=bearer(token))
        assert other.status_code == 404
        assert other.json()["error"]["message"] == "Entreprise introuvable."
        assert ("tenant.read", "denied") in audit_actions(container, a.tenant_id)


class TestMembers:
    def test_admin_adds_a_member_who_can_log_in(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container, country="SN")
        token = login(http, admin)["access_token"]
        email = f"{unique('awa')}@example.sn"
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={
                "email": email,
                "name": "Awa Ndiaye",
                "password": "mot-de-passe-awa",
                "phone": "77 123 45 67",
                "roles": ["hr", "employee"],
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["phone"] == "+221771234567"
        listed = http.get("/api/v1/members", headers=bearer(token)).json()
        assert {m["email"] for m in listed} == {admin.email, email}
        assert (
            http.post(
                "/api/v1/auth/login", json={"email": email, "password": "mot-de-passe-awa"}
            ).status_code
            == 200
        )

    def test_non_admin_cannot_add_members_and_nothing_is_written(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container)
        seller = make_member(container, admin, Role.SALES)
        token = login(http, seller)["access_token"]
        email = f"{unique('x')}@example.com"
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={"email": email, "name": "X", "password": "mot-de-passe-x", "roles": ["admin"]},
        )
        assert r.status_code == 403
        assert r.json()["error"]["message"] == "Vous n'avez pas les droits pour cette action."
        with container.db.unit_of_work() as s:
            assert (
                s.execute(text("SELECT * FROM comptoir_auth_find_user(:e)"), {"e": email}).first()
                is None
            )

    def test_bad_phone_is_refused(self, container: Container, http: httpx.Client) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={
                "email": f"{unique('p')}@example.com",
                "name": "P",
                "password": "mot-de-passe-p",
                "phone": "12",
                "roles": ["employee"],
            },
        )
        assert r.status_code == 422 and "Numéro de téléphone invalide" in r.text


class TestOps:
    def test_health(self, http: httpx.Client) -> None:
        r = http.get("/health")
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "database": "ok", "redis": "ok"}

    def test_openapi_lists_auth_endpoints(self, http: httpx.Client) -> None:
        paths = http.get("/openapi.json").json()["paths"]
        for path in (
            "/api/v1/auth/login",
            "/api/v1/auth/refresh",
            "/api/v1/auth/logout",
            "/api/v1/auth/me",
        ):
            assert path in paths
        assert http.get("/docs").status_code == 200
