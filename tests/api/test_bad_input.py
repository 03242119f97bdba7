"""Bad input: a clear 4xx in French, nothing written, the attempt audited."""

from __future__ import annotations

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.errors import InvalidInput
from domain.kit.inputs import InputModel
from domain.kit.principal import Role
from tests.api.test_auth import audit_actions, bearer, token_of
from tests.factories import Account, login, make_member, make_tenant, unique
from tests.finance_factories import Shop, make_shop
from tools.registry import default_registry


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
    def test_creates_tenant_and_admin(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
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
        credentials = {"email": body["admin"]["email"], "password": body["admin"]["password"]}
        refused = http.post("/api/v1/auth/login", json=credentials)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == (
            "email_not_verified"
        )
        verified = http.post(
            "/api/v1/auth/verify-email",
            json={"token": token_of(r.json()["link"]), "password": body["admin"]["password"]},
        )
        assert verified.status_code == 200, verified.text
        assert http.post("/api/v1/auth/login", json=credentials).status_code == 200

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

    def test_taken_slug_conflicts(self, container: Container, http: httpx.Client) -> None:
        first = signup_body()
        assert http.post("/api/v1/tenants", json=first).status_code == 201
        same_slug = signup_body(slug=first["tenant"]["slug"])
        r = http.post("/api/v1/tenants", json=same_slug)
        assert r.status_code == 409 and r.json()["error"]["code"] == "slug_taken"

    def test_a_known_email_is_not_revealed(self, container: Container, http: httpx.Client) -> None:
        first = signup_body()
        known = http.post("/api/v1/tenants", json=first)
        same_email = signup_body()
        same_email["admin"]["email"] = first["admin"]["email"]
        r = http.post("/api/v1/tenants", json=same_email)
        assert (r.status_code, sorted(r.json())) == (known.status_code, sorted(known.json()))
        with container.owner_engine.connect() as conn:
            accounts = conn.scalar(
                text("SELECT count(*) FROM users WHERE lower(email) = lower(:e)"),
                {"e": first["admin"]["email"]},
            )
        assert accounts == 1

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

    def test_another_business_customer_credit_is_not_found(
        self, container: Container, http: httpx.Client
    ) -> None:
        mine, theirs = make_shop(container), make_shop(container)
        token = login(http, mine.account)["access_token"]
        r = http.get(f"/api/v1/partners/{theirs.customer_id}/credit", headers=bearer(token))
        assert r.status_code == 404 and r.json()["error"]["message"] == "Client introuvable."
        own = http.get(f"/api/v1/partners/{mine.customer_id}/credit", headers=bearer(token))
        assert own.status_code == 200 and own.json()["credit"] == "0.00"


class TestMembers:
    def test_an_invited_member_accepts_then_logs_in(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        admin = make_tenant(container, country="SN")
        token = login(http, admin)["access_token"]
        email = f"{unique('awa')}@example.sn"
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={"email": email, "roles": ["hr", "employee"]},
        )
        assert r.status_code == 201, r.text
        accepted = http.post(
            "/api/v1/invitations/accept",
            json={
                "token": token_of(r.json()["link"]),
                "name": "Awa Ndiaye",
                "password": "mot-de-passe-awa",
                "phone": "77 123 45 67",
            },
        )
        assert accepted.status_code == 200, accepted.text
        listed = http.get("/api/v1/members", headers=bearer(token)).json()
        assert {m["email"] for m in listed} == {admin.email, email}
        assert {m["phone"] for m in listed if m["email"] == email} == {"+221771234567"}
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

    def test_bad_phone_is_refused(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        email = f"{unique('p')}@example.com"
        r = http.post(
            "/api/v1/members", headers=bearer(token), json={"email": email, "roles": ["employee"]}
        )
        assert r.status_code == 201, r.text
        accepted = http.post(
            "/api/v1/invitations/accept",
            json={
                "token": token_of(r.json()["link"]),
                "name": "P",
                "password": "mot-de-passe-p",
                "phone": "12",
            },
        )
        assert accepted.status_code == 422 and "Numéro de téléphone invalide" in accepted.text
        with container.db.unit_of_work() as s:
            found = s.execute(text("SELECT * FROM comptoir_auth_find_user(:e)"), {"e": email})
            assert found.first() is None


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


BUSINESS_TABLES = (
    "partners",
    "products",
    "invoices",
    "payments",
    "stock_moves",
    "documents",
    "domain_events",
)


def business_rows(container: Container, account: Account) -> dict[str, int]:
    """Rows the business owns, per table: "nothing written" means these do not move."""
    with container.db.unit_of_work(account.tenant_id) as s:
        return {t: int(s.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in BUSINESS_TABLES}


@pytest.fixture
def shop(container: Container) -> Shop:
    return make_shop(container)


@pytest.fixture
def auth(http: httpx.Client, shop: Shop) -> dict[str, str]:
    return bearer(login(http, shop.account)["access_token"])


def assert_refused(r: httpx.Response, *words: str) -> None:
    """A 422 with a French message naming what is wrong (never a 500)."""
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("Données invalides"), error
    for word in words:
        assert word in error["message"], error


class TestNulCharacters:
    """PostgreSQL refuses NUL in text: each place a client can put one answers 422."""

    def test_customer_name(
        self, container: Container, http: httpx.Client, shop: Shop, auth: dict[str, str]
    ) -> None:
        before = business_rows(container, shop.account)
        r = http.post("/api/v1/partners", headers=auth, json={"name": "Diallo\x00 SARL"})
        assert_refused(r, "name", "caractère nul")
        nested = {"name": "Diallo SARL", "contacts": [{"name": "Awa\x00"}]}
        assert_refused(http.post("/api/v1/partners", headers=auth, json=nested), "contacts")
        assert business_rows(container, shop.account) == before

    def test_search_and_path(self, http: httpx.Client, auth: dict[str, str]) -> None:
        assert_refused(http.get("/api/v1/partners?q=Dia%00llo", headers=auth), "caractère nul")
        assert_refused(http.get("/api/v1/products", params={"q": "riz\x00"}, headers=auth))
        assert_refused(http.get("/api/v1/hr/employees?q=%00", headers=auth))
        # Before any route: even an unknown path with a NUL is a 422, not a 404 or a 500.
        assert_refused(http.get("/api/v1/partners/%00", headers=auth), "adresse")

    def test_login_and_signup(self, container: Container, http: httpx.Client) -> None:
        r = http.post("/api/v1/auth/login", json={"email": "a\x00@b.fr", "password": "x"})
        assert_refused(r, "caractère nul")
        body = signup_body(name="Épicerie\x00")
        assert_refused(http.post("/api/v1/tenants", json=body), "tenant")
        assert not tenant_exists(container, body["tenant"]["slug"])

    def test_multipart_field(
        self, container: Container, http: httpx.Client, shop: Shop, auth: dict[str, str]
    ) -> None:
        before = business_rows(container, shop.account)
        r = http.post(
            "/api/v1/documents",
            headers=auth,
            files={"file": ("note.txt", b"Horaires : 8h-18h.", "text/plain")},
            data={"title": "Note\x00interne"},
        )
        assert_refused(r, "caractère nul")
        assert business_rows(container, shop.account) == before


class TestNumbersBeyondTheColumns:
    """Money and quantities are Numeric(18, 4): what does not fit is refused at the edge."""

    @pytest.mark.parametrize(
        ("quantity", "words"),
        [
            ("1e30", ("quantity", "trop grand")),
            ("1e-30", ("quantity",)),
            ("NaN", ("quantity", "nombre fini")),
            ("Infinity", ("quantity", "nombre fini")),
            ("100000000000000", ("quantity", "14 chiffres")),
        ],
    )
    def test_invoice_quantity(
        self,
        container: Container,
        http: httpx.Client,
        shop: Shop,
        auth: dict[str, str],
        quantity: str,
        words: tuple[str, ...],
    ) -> None:
        before = business_rows(container, shop.account)
        line = {"product_id": str(shop.goods_id), "quantity": quantity}
        body = {"partner_id": str(shop.customer_id), "lines": [line]}
        assert_refused(http.post("/api/v1/invoices", headers=auth, json=body), *words)
        assert business_rows(container, shop.account) == before

    def test_price_with_twelve_decimals(
        self, container: Container, http: httpx.Client, shop: Shop, auth: dict[str, str]
    ) -> None:
        before = business_rows(container, shop.account)
        precise = {"name": "Riz", "sale_price": "12.123456789012", "vat_rate": "20"}
        assert_refused(http.post("/api/v1/products", headers=auth, json=precise), "4 au plus")
        huge: dict[str, object] = {"name": "Riz", "sale_price": 1e30, "vat_rate": "20"}
        assert_refused(http.post("/api/v1/products", headers=auth, json=huge), "sale_price")
        assert business_rows(container, shop.account) == before

    def test_payment_nan_and_stock_receipt(
        self, container: Container, http: httpx.Client, shop: Shop, auth: dict[str, str]
    ) -> None:
        before = business_rows(container, shop.account)
        pay = {"partner_id": str(shop.customer_id), "amount": "NaN", "method": "cash"}
        assert_refused(http.post("/api/v1/payments", headers=auth, json=pay), "amount")
        receipt = {"product_id": str(shop.goods_id), "quantity": "1e30"}
        assert_refused(http.post("/api/v1/stock/receipts", headers=auth, json=receipt))
        assert business_rows(container, shop.account) == before

    def test_integers_beyond_postgres(self, http: httpx.Client, auth: dict[str, str]) -> None:
        for path in ("/api/v1/invoices", "/api/v1/partners", "/api/v1/hr/employees"):
            r = http.get(path, params={"offset": str(10**20)}, headers=auth)
            assert_refused(r, "offset")
        r = http.get("/api/v1/exports/fec", params={"year": "99999"}, headers=auth)
        assert_refused(r, "year")


class TestEveryInputIsChecked:
    """The rule holds by construction: every JSON body of the API is an ``InputModel`` and
    every tool argument goes through ``Tool.validate``; a new body model that is not fails
    here."""

    def test_every_json_body_is_an_input_model(self, http: httpx.Client) -> None:
        paths = http.get("/openapi.json").json()["paths"]
        refs = {
            content["schema"].get("$ref") or content["schema"]["anyOf"][0]["$ref"]
            for item in paths.values()
            for op in item.values()
            for kind, content in op.get("requestBody", {}).get("content", {}).items()
            if kind == "application/json"
        }
        names = {ref.rsplit("/", 1)[1] for ref in refs}
        models = {
            m.__name__: m
            for m in _subclasses(BaseModel)
            if m.__module__.startswith(("api.", "domain.")) and m.__name__ in names
        }
        assert len(names) > 50 and set(models) == names
        plain = sorted(n for n, m in models.items() if not issubclass(m, InputModel))
        assert plain == []

    def test_tools_refuse_nul(self, container: Container) -> None:
        registry = default_registry()
        checked = 0
        for t in registry:
            with pytest.raises(InvalidInput, match="caractère nul"):
                t.validate({"name": "Diallo\x00", "query": "x\x00"})
            checked += 1
        assert checked > 30


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subs: list[type] = type.__subclasses__(cls)
    for sub in subs:
        found += [sub, *_subclasses(sub)]
    return found
