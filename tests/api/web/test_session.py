"""The web app's session and CSRF over real HTTP: the cookie's flags, CSRF refused without
the token or from another origin, the choice and switch of business, logout that kills the
cookie, and the security headers."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from api.web.security import CSP, SESSION_COOKIE
from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.web.support import form_token, sign_in, signed_in
from tests.factories import Account, make_member, make_tenant


@pytest.fixture(scope="module", autouse=True)
def agent_ready(container: Container) -> None:
    """Build the agent before the first chat call (embedding the exemplars may take long)."""
    assert container.agent is not None


@pytest.fixture
def shop(container: Container) -> Account:
    return make_tenant(container, name="Boutique Essai")


def set_cookie_header(response: httpx.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0].lower()


class TestLogin:
    def test_the_session_cookie_is_httponly_and_samesite(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        answer = sign_in(http, shop)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        cookie = set_cookie_header(answer, SESSION_COOKIE)
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        assert "secure" not in cookie  # plain http on loopback: the browser would drop it
        page = http.get("/")
        assert page.status_code == 200 and "Votre message" in page.text
        assert "Boutique Essai" in page.text
        # The page holds its CSRF token, never the session itself or any other secret.
        assert http.cookies[SESSION_COOKIE] not in page.text
        assert "access_token" not in page.text
        assert container.settings.resolved_secret_key() not in page.text

    def test_a_wrong_password_shows_the_form_again_in_french(
        self, http: httpx.Client, shop: Account
    ) -> None:
        answer = sign_in(http, shop, password="pas-le-bon")
        assert answer.status_code == 401
        assert "Adresse e-mail ou mot de passe incorrect." in answer.text
        assert SESSION_COOKIE not in http.cookies
        assert http.get("/").status_code == 303

    def test_pages_without_a_session_lead_to_connexion(self, http: httpx.Client) -> None:
        answer = http.get("/")
        assert answer.status_code == 303 and answer.headers["location"] == "/connexion"
        page = http.get("/connexion").text
        for label in ("E-mail", "Mot de passe", "Se connecter"):
            assert label in page

    def test_a_forged_cookie_is_not_a_session(self, http: httpx.Client) -> None:
        http.cookies.set(SESSION_COOKIE, "eyJhbGciOiJIUzI1NiJ9.e30.forged")
        assert http.get("/").status_code == 303


class TestCsrf:
    def test_login_without_the_token_is_refused(self, http: httpx.Client, shop: Account) -> None:
        http.get("/connexion")
        answer = http.post("/connexion", data={"email": shop.email, "password": shop.password})
        assert answer.status_code == 403 and "Jeton de sécurité" in answer.text
        assert SESSION_COOKIE not in http.cookies

    def test_a_chat_call_without_the_header_is_refused(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        token = signed_in(http, shop)
        refused = http.post("/app/api/chat", json={"message": "bonjour"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_refused"
        wrong = http.post(
            "/app/api/chat", json={"message": "bonjour"}, headers={"X-CSRF-Token": "0" * 64}
        )
        assert wrong.status_code == 403
        with container.db.unit_of_work(shop.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM conversations")) == 0
        ok = http.post(
            "/app/api/chat", json={"message": "bonjour"}, headers={"X-CSRF-Token": token}
        )
        assert ok.status_code == 200 and ok.json()["conversation_id"]

    def test_another_origin_is_refused_even_with_the_token(
        self, http: httpx.Client, shop: Account
    ) -> None:
        token = signed_in(http, shop)
        answer = http.post(
            "/deconnexion",
            data={"csrf_token": token},
            headers={"Origin": "http://evil.example"},
        )
        assert answer.status_code == 403
        assert http.get("/").status_code == 200  # still signed in

    def test_logout_needs_the_token_then_kills_the_session(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        token = signed_in(http, shop)
        stolen = http.cookies[SESSION_COOKIE]
        assert http.post("/deconnexion", data={}).status_code == 403
        answer = http.post("/deconnexion", data={"csrf_token": token})
        assert answer.status_code == 303 and answer.headers["location"] == "/connexion"
        assert http.get("/").status_code == 303
        # The copied cookie died with the session: logout revoked it in the database.
        http.cookies.set(SESSION_COOKIE, stolen)
        assert http.get("/").status_code == 303
        with container.db.unit_of_work(shop.tenant_id) as s:
            reason = s.scalar(text("SELECT revoked_reason FROM auth_sessions WHERE channel='web'"))
        assert reason == "logout"


class TestBusinesses:
    def test_a_person_in_two_businesses_chooses_then_switches(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        other = make_tenant(container, name="Atelier Second")
        make_member(container, other, Role.SALES, email=shop.email)
        answer = sign_in(http, shop)
        assert answer.headers["location"] == "/connexion/entreprise"
        assert http.get("/").status_code == 303  # no session before the choice
        page = http.get("/connexion/entreprise").text
        assert "Boutique Essai" in page and "Atelier Second" in page
        chosen = http.post(
            "/connexion/entreprise", data={"business": other.slug, "csrf_token": form_token(page)}
        )
        assert chosen.status_code == 303
        assert "Atelier Second" in http.get("/").text
        switch_page = http.get("/entreprise").text
        switched = http.post(
            "/entreprise", data={"business": shop.slug, "csrf_token": form_token(switch_page)}
        )
        assert switched.status_code == 303
        home = http.get("/").text
        assert "Boutique Essai" in home and "Atelier Second" not in home
        with container.db.unit_of_work(other.tenant_id) as s:
            left = s.scalar(text("SELECT revoked_reason FROM auth_sessions WHERE channel='web'"))
        assert left == "switch"

    def test_a_business_one_is_not_a_member_of_is_refused(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        stranger = make_tenant(container, name="Ailleurs SARL")
        signed_in(http, shop)
        page = http.get("/entreprise").text
        assert "Ailleurs SARL" not in page
        answer = http.post(
            "/entreprise", data={"business": stranger.slug, "csrf_token": form_token(page)}
        )
        assert answer.status_code == 403 and "Accès refusé" in answer.text


class TestHeaders:
    def test_pages_carry_a_csp_without_inline_scripts(
        self, http: httpx.Client, shop: Account
    ) -> None:
        signed_in(http, shop)
        for path in ("/connexion", "/", "/manifest.webmanifest", "/sw.js"):
            headers = http.get(path).headers
            assert headers["content-security-policy"] == CSP, path
            assert headers["x-frame-options"] == "DENY"
        assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP
        assert "unsafe-eval" not in CSP
