"""Authentication over real HTTP: login, me, refresh rotation, reuse, logout, throttling."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from comptoir.bootstrap import Container
from tests.factories import login, make_member, make_tenant, unique


def audit_actions(container: Container, tenant_id: object) -> list[tuple[str, str]]:
    with container.db.unit_of_work(tenant_id) as s:  # type: ignore[arg-type]
        rows = s.execute(text("SELECT action, outcome FROM audit_log ORDER BY occurred_at"))
        return [(r.action, r.outcome) for r in rows]


def platform_attempts(container: Container, email: str) -> int:
    with container.owner_engine.connect() as conn:
        return int(
            conn.scalar(
                text("SELECT count(*) FROM platform_audit_log WHERE summary->>'email' = :e"),
                {"e": email},
            )
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestLogin:
    def test_login_then_me(self, container: Container, http: httpx.Client) -> None:
        account = make_tenant(container, name="Boulangerie Diallo")
        tokens = login(http, account)
        assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
        me = http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 200
        body = me.json()
        assert body["email"] == account.email and body["roles"] == ["admin"]
        assert body["tenant"]["name"] == "Boulangerie Diallo"
        assert ("auth.login", "success") in audit_actions(container, account.tenant_id)

    def test_wrong_password_is_refused_in_french_and_audited(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        r = http.post("/api/v1/auth/login", json={"email": account.email, "password": "faux"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "bad_credentials"
        assert r.json()["error"]["message"] == "Adresse e-mail ou mot de passe incorrect."
        assert platform_attempts(container, account.email) == 1

    def test_unknown_account_gets_the_same_answer(
        self, container: Container, http: httpx.Client
    ) -> None:
        email = f"{unique('nobody')}@example.com"
        r = http.post("/api/v1/auth/login", json={"email": email, "password": "whatever-123"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
        assert platform_attempts(container, email) == 1

    def test_naming_another_tenant_is_refused(
        self, container: Container, http: httpx.Client
    ) -> None:
        a = make_tenant(container)
        b = make_tenant(container)
        for slug in (b.slug, "entreprise-inconnue"):
            r = http.post(
                "/api/v1/auth/login",
                json={"email": a.email, "password": a.password, "tenant": slug},
            )
            assert r.status_code == 403
            assert r.json()["error"]["message"] == "Entreprise inconnue ou accès refusé."
        assert platform_attempts(container, a.email) == 2
        assert ("auth.login", "success") not in audit_actions(container, b.tenant_id)

    def test_member_of_two_tenants_must_choose(
        self, container: Container, http: httpx.Client
    ) -> None:
        a = make_tenant(container)
        b = make_tenant(container)
        make_member(container, b, email=a.email)
        r = http.post("/api/v1/auth/login", json={"email": a.email, "password": a.password})
        assert r.status_code == 400 and r.json()["error"]["code"] == "tenant_required"
        assert a.slug in r.json()["error"]["message"] and b.slug in r.json()["error"]["message"]
        tokens = login(http, a, tenant=b.slug)
        me = http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).json()
        assert me["tenant"]["slug"] == b.slug and me["roles"] == ["employee"]

    def test_repeated_failures_lock_the_account(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        limit = container.settings.login_max_failures
        for _ in range(limit):
            r = http.post("/api/v1/auth/login", json={"email": account.email, "password": "x"})
            assert r.status_code == 401
        # Even the right password is refused while locked.
        r = http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
        assert r.status_code == 429
        assert "Trop de tentatives" in r.json()["error"]["message"]
        assert platform_attempts(container, account.email) == limit + 1


class TestTokens:
    def test_refresh_rotates_and_reuse_revokes_the_session(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        first = login(http, account)
        second = http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        pair = second.json()
        assert pair["refresh_token"] != first["refresh_token"]
        assert http.get("/api/v1/auth/me", headers=bearer(pair["access_token"])).status_code == 200
        # The spent token comes back: it leaked. The session ends for everyone holding it.
        reuse = http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "refresh_token_reused"
        again = http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert again.status_code == 401 and again.json()["error"]["code"] == "session_revoked"
        me = http.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
        assert me.status_code == 401
        actions = audit_actions(container, account.tenant_id)
        assert ("auth.refresh", "denied") in actions and ("auth.refresh", "success") in actions

    def test_logout_revokes_access_and_refresh(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        tokens = login(http, account)
        assert (
            http.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code
            == 204
        )
        me = http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 401 and me.json()["error"]["code"] == "session_revoked"
        r = http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert r.status_code == 401
        assert ("auth.logout", "success") in audit_actions(container, account.tenant_id)

    def test_tampered_or_wrong_type_tokens_are_refused(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        tokens = login(http, account)
        for bad in (tokens["access_token"][:-3] + "abc", tokens["refresh_token"], "nimporte"):
            r = http.get("/api/v1/auth/me", headers=bearer(bad))
            assert r.status_code == 401 and r.json()["error"]["code"] == "token_invalid"
        r = http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
        assert r.status_code == 401
        assert http.get("/api/v1/auth/me").json()["error"]["code"] == "unauthenticated"
