"""Authentication over real HTTP: login, me, refresh rotation, reuse, logout; and the
attacks on identity — throttling, sign-up, invitations, membership, bad tokens."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.deps import ContextDep, declare_channel
from comptoir.bootstrap import Container
from domain.kit.principal import Channel, Role
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
        self, container: Container, live_url: str
    ) -> None:
        account = make_tenant(container)
        # Its own address: only the first refusal per address and minute is written.
        with from_address(live_url) as http:
            r = http.post("/api/v1/auth/login", json={"email": account.email, "password": "faux"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "bad_credentials"
        assert r.json()["error"]["message"] == "Adresse e-mail ou mot de passe incorrect."
        assert platform_attempts(container, account.email) == 1

    def test_unknown_account_gets_the_same_answer(
        self, container: Container, live_url: str
    ) -> None:
        email = f"{unique('nobody')}@example.com"
        with from_address(live_url) as http:
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


# --- Attacks on identity -------------------------------------------------------------------


def loopback_address() -> str:
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


def from_address(live_url: str, address: str | None = None) -> httpx.Client:
    """A client connecting from its own loopback address (127.0.0.0/8 is all local), so a
    test's throttling counters are its own."""
    address = address or loopback_address()
    return httpx.Client(
        base_url=live_url,
        timeout=60,
        transport=httpx.HTTPTransport(local_address=address),
    )


def token_of(link: str) -> str:
    return link.split("#", 1)[1]


def signup_body(email: str, *, password: str = "mot-de-passe-solide") -> dict[str, Any]:
    return {
        "tenant": {"name": "Entreprise Test", "slug": unique("s"), "country": "FR"},
        "admin": {"email": email, "name": "Quelqu'un", "password": password},
    }


def invite(http: httpx.Client, token: str, email: str, *roles: str) -> httpx.Response:
    return http.post(
        "/api/v1/members",
        headers=bearer(token),
        json={"email": email, "roles": list(roles or ["employee"])},
    )


def accept(http: httpx.Client, link: str, **body: Any) -> httpx.Response:
    return http.post("/api/v1/invitations/accept", json={"token": token_of(link), **body})


def try_login(http: httpx.Client, email: str, password: str, **extra: Any) -> httpx.Response:
    return http.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})


class TestLoginThrottling:
    def test_parallel_wrong_guesses_are_refused_before_being_checked(
        self, container: Container, live_url: str
    ) -> None:
        account = make_tenant(container)
        throttle = container.authentication.throttle
        with from_address(live_url) as attacker, ThreadPoolExecutor(30) as pool:
            started = time.monotonic()
            answers = list(
                pool.map(lambda i: try_login(attacker, account.email, f"essai-{i}"), range(30))
            )
            elapsed = time.monotonic() - started
            codes = Counter(r.status_code for r in answers)
            # Checked: the free attempts, then one per back-off step (1 s, 2 s, 4 s …) that
            # fits in the burst's duration — whatever the machine's speed.
            steps = 1 + math.floor(math.log2(elapsed / (throttle.base_delay_ms / 1000) + 1))
            assert codes[401] <= throttle.free_attempts + steps, (codes, elapsed)
            assert codes[401] + codes[429] == 30, codes
            assert codes[429] >= 30 - throttle.free_attempts - steps, (codes, elapsed)
            refused = next(r for r in answers if r.status_code == 429)
            assert "Trop de tentatives de connexion" in refused.json()["error"]["message"]
            # Even the right password waits, from the attacker's address.
            assert try_login(attacker, account.email, account.password).status_code == 429
        # The owner, from another address, is not locked out by a stranger.
        with from_address(live_url) as owner:
            assert try_login(owner, account.email, account.password).status_code == 200

    def test_failed_logins_per_address_are_capped_across_accounts(
        self, container: Container, live_url: str
    ) -> None:
        throttle = container.authentication.throttle
        default, throttle.ip_failures_per_minute = throttle.ip_failures_per_minute, 5
        account = make_tenant(container)
        try:
            with from_address(live_url) as stuffer:
                codes = [
                    try_login(stuffer, f"{unique('x')}@example.com", "mot-de-passe").status_code
                    for _ in range(5)
                ]
                assert codes == [401] * 5
                assert try_login(stuffer, account.email, account.password).status_code == 429
            with from_address(live_url) as elsewhere:
                assert try_login(elsewhere, account.email, account.password).status_code == 200
        finally:
            throttle.ip_failures_per_minute = default

    def test_back_off_grows_then_lets_the_owner_in(
        self, container: Container, live_url: str
    ) -> None:
        account = make_tenant(container)
        throttle = container.authentication.throttle
        with from_address(live_url) as client:
            for _ in range(throttle.free_attempts + 1):
                assert try_login(client, account.email, "mauvais").status_code == 401
            assert try_login(client, account.email, account.password).status_code == 429
            time.sleep(throttle.base_delay_ms / 1000 + 0.2)
            assert try_login(client, account.email, account.password).status_code == 200
            # A success forgets the failures of this (account, address).
            assert try_login(client, account.email, "mauvais").status_code == 401


class TestSignUp:
    def test_known_and_unknown_addresses_get_the_same_answer(
        self, container: Container, live_url: str
    ) -> None:
        existing = make_tenant(container)
        fresh = f"{unique('neuf')}@example.com"
        with from_address(live_url) as client:
            known = client.post("/api/v1/tenants", json=signup_body(existing.email))
            unknown = client.post("/api/v1/tenants", json=signup_body(fresh))
        assert known.status_code == unknown.status_code == 201
        k, u = known.json(), unknown.json()
        assert set(k) == set(u) == {"tenant", "message", "link"}
        assert k["link"] is None and u["link"] is None  # not in production mode
        assert k["message"].replace(existing.email, "@") == u["message"].replace(fresh, "@")
        assert set(k["tenant"]) == set(u["tenant"])
        # No duplicate account, and the owner's login is untouched (still one business).
        with from_address(live_url) as owner:
            assert try_login(owner, existing.email, existing.password).status_code == 200

    def test_unverified_admin_cannot_log_in_until_the_link_is_opened(
        self, container: Container, live_url: str, dev_links: None
    ) -> None:
        email = f"{unique('neuf')}@example.com"
        with from_address(live_url) as client:
            r = client.post("/api/v1/tenants", json=signup_body(email, password="mot-de-passe-1"))
            assert r.status_code == 201
            refused = try_login(client, email, "mot-de-passe-1")
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "email_not_verified"
            assert "Adresse e-mail non confirmée" in refused.json()["error"]["message"]
            # A wrong password says nothing about verification.
            assert try_login(client, email, "mauvais-mot").json()["error"]["code"] == (
                "bad_credentials"
            )
            bad = client.post(
                "/api/v1/auth/verify-email", json={"token": "x" * 40, "password": "mot-de-passe-1"}
            )
            assert bad.status_code == 400 and bad.json()["error"]["code"] == "link_invalid"
            verified = client.post(
                "/api/v1/auth/verify-email",
                json={"token": token_of(r.json()["link"]), "password": "mot-de-passe-1"},
            )
            assert verified.status_code == 200
            assert verified.json() == {"tenant": r.json()["tenant"]["slug"], "email": email}
            assert try_login(client, email, "mot-de-passe-1").status_code == 200

    def test_clicking_an_unsolicited_link_does_not_hand_the_account_over(
        self, container: Container, live_url: str, dev_links: None
    ) -> None:
        victim = f"{unique('victime')}@example.com"
        with from_address(live_url) as attacker:
            claim = attacker.post(
                "/api/v1/tenants", json=signup_body(victim, password="mdp-attaquant")
            )
        link = claim.json()["link"]
        with from_address(live_url) as mailbox:
            # The victim receives « confirmez votre adresse » and clicks: without the
            # password chosen at sign-up, nothing is verified.
            for password, status in (("", 422), ("je-ne-sais-pas", 401)):
                r = mailbox.post(
                    "/api/v1/auth/verify-email",
                    json={"token": token_of(link), "password": password},
                )
                assert r.status_code == status, r.text
                assert "tenant" not in r.json()
            assert r.json()["error"]["code"] == "bad_credentials"
            missing = mailbox.post("/api/v1/auth/verify-email", json={"token": token_of(link)})
            assert missing.status_code == 422
        with from_address(live_url) as attacker:
            refused = try_login(attacker, victim, "mdp-attaquant")
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "email_not_verified"
        # A later real invitation to that address: the attacker cannot log in to accept it;
        # the mailbox's owner takes the account over by choosing a password.
        host = make_tenant(container)
        with from_address(live_url) as client:
            link = invite(client, login(client, host)["access_token"], victim, "sales").json()
            taken = accept(client, link["link"], name="Vraie Personne", password="mdp-victime")
            assert taken.status_code == 200, taken.text
            assert try_login(client, victim, "mdp-attaquant").status_code == 401

    def test_existing_owner_takes_the_new_business_by_logging_in(
        self, container: Container, live_url: str, dev_links: None
    ) -> None:
        existing = make_tenant(container)
        with from_address(live_url) as client:
            r = client.post(
                "/api/v1/tenants", json=signup_body(existing.email, password="autre-mdp-123")
            )
            link, slug = r.json()["link"], r.json()["tenant"]["slug"]
            # The password typed at sign-up is discarded: the account keeps its own.
            assert try_login(client, existing.email, "autre-mdp-123").status_code == 401
            assert accept(client, link, name="X", password="autre-mdp-123").status_code == 409
            token = login(client, existing)["access_token"]
            took = client.post(
                "/api/v1/invitations/accept",
                headers=bearer(token),
                json={"token": token_of(link)},
            )
            assert took.status_code == 200 and took.json()["roles"] == ["admin"]
            assert login(client, existing, tenant=slug)["tenant"] == slug

    def test_sign_ups_per_address_are_capped(self, container: Container, live_url: str) -> None:
        throttle = container.authentication.throttle
        cap, throttle.signups_per_hour = throttle.signups_per_hour, 2
        try:
            with from_address(live_url) as client:
                for _ in range(2):
                    body = signup_body(f"{unique('s')}@example.com")
                    assert client.post("/api/v1/tenants", json=body).status_code == 201
                r = client.post("/api/v1/tenants", json=signup_body(f"{unique('s')}@example.com"))
                assert r.status_code == 429 and "Trop de créations" in r.json()["error"]["message"]
        finally:
            throttle.signups_per_hour = cap

    def test_a_counter_left_without_expiry_does_not_refuse_sign_ups_forever(
        self, container: Container, live_url: str
    ) -> None:
        throttle = container.authentication.throttle
        address = loopback_address()
        key = f"comptoir:signup:ip:{address}"
        # What a crash between counting and setting the expiry used to leave behind.
        container.redis.set(key, throttle.signups_per_hour)
        with from_address(live_url, address) as client:
            r = client.post("/api/v1/tenants", json=signup_body(f"{unique('s')}@example.com"))
        assert r.status_code == 429
        assert 0 < int(container.redis.ttl(key)) <= 3600  # the window ends again

    def test_passwords_are_hashed_without_holding_a_connection(
        self, container: Container, http: httpx.Client, dev_links: None, monkeypatch: Any
    ) -> None:
        """Argon2 costs ~0.5 s of CPU: a burst of sign-ups or acceptances hashing while
        holding pooled connections would starve every other request of one."""
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        link = invite(http, token, f"{unique('n')}@example.com").json()["link"]
        pool = container.db.engine.pool
        held: list[int] = []
        hash_password = container.passwords.hash

        def spy(password: str) -> str:
            held.append(pool.checkedout())  # type: ignore[attr-defined]
            return hash_password(password)

        monkeypatch.setattr(container.passwords, "hash", spy)
        body = signup_body(f"{unique('s')}@example.com")
        assert http.post("/api/v1/tenants", json=body).status_code == 201
        assert accept(http, link, name="N", password="mdp-de-n-123").status_code == 200
        assert held == [0, 0]


class TestInvitations:
    def test_pre_claimed_address_gives_the_attacker_nothing(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        victim = make_tenant(container, name="Boutique Lumière")
        address = f"paie-{unique('v')}@boutique-lumiere.fr"
        # The attacker signs up first with the victim's payroll address (never verified).
        with from_address(str(http.base_url)) as attacker:
            claim = attacker.post(
                "/api/v1/tenants", json=signup_body(address, password="mdp-attaquant")
            )
            assert claim.status_code == 201
        admin_token = login(http, victim)["access_token"]
        invited = invite(http, admin_token, address, "accountant")
        assert invited.status_code == 201, invited.text
        assert set(invited.json()) == {"id", "email", "roles", "expires_at", "created_at", "link"}
        # The attacker's password opens nothing, in no business.
        for extra in ({}, {"tenant": victim.slug}):
            r = try_login(http, address, "mdp-attaquant", **extra)
            assert r.status_code in (401, 403) and "access_token" not in r.text
        # The real person opens the link from the mailbox and chooses a password.
        accepted = accept(http, invited.json()["link"], name="Awa Paie", password="mdp-de-awa-1")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["tenant"] == victim.slug
        assert try_login(http, address, "mdp-attaquant").status_code == 401
        # One business only: the attacker's own was detached from the taken-over account.
        tokens = try_login(http, address, "mdp-de-awa-1")
        assert tokens.status_code == 200 and tokens.json()["tenant"] == victim.slug
        me = http.get("/api/v1/auth/me", headers=bearer(tokens.json()["access_token"])).json()
        assert me["roles"] == ["accountant"] and me["name"] == "Awa Paie"
        # The attacker's verification link, sent before the takeover, no longer works.
        verify = http.post(
            "/api/v1/auth/verify-email",
            json={"token": token_of(claim.json()["link"]), "password": "mdp-attaquant"},
        )
        assert verify.status_code == 400

    def test_adding_an_existing_user_reveals_nothing_and_breaks_nothing(
        self, container: Container, http: httpx.Client
    ) -> None:
        user = make_tenant(container, name="Vraie Entreprise")
        attacker = make_tenant(container, name="Entreprise Pirate")
        token = login(http, attacker)["access_token"]
        known = invite(http, token, user.email, "employee")
        unknown = invite(http, token, f"{unique('personne')}@example.com", "employee")
        assert known.status_code == unknown.status_code == 201
        assert set(known.json()) == set(unknown.json())
        assert known.json()["link"] is None  # the link goes to the mailbox only
        assert "Admin Test" not in known.text and user.user_id.hex not in known.text
        members = http.get("/api/v1/members", headers=bearer(token)).json()
        assert [m["email"] for m in members] == [attacker.email]
        # The user's normal login is untouched: no « choose a business ».
        assert try_login(http, user.email, user.password).status_code == 200

    def test_a_link_is_single_use_expires_and_can_be_revoked(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        first = invite(http, token, f"{unique('a')}@example.com").json()
        assert accept(http, first["link"], name="A", password="mdp-de-a-123").status_code == 200
        replay = accept(http, first["link"], name="B", password="mdp-de-b-123")
        assert replay.status_code == 410
        assert replay.json()["error"]["code"] == "invitation_unusable"

        late = invite(http, token, f"{unique('b')}@example.com").json()
        with container.owner_engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = :i"
                ),
                {"i": late["id"]},
            )
        assert accept(http, late["link"], name="B", password="mdp-de-b-123").status_code == 410

        revoked = invite(http, token, f"{unique('c')}@example.com").json()
        pending = http.get("/api/v1/invitations", headers=bearer(token)).json()
        assert [p["id"] for p in pending] == [revoked["id"]]
        gone = http.delete(f"/api/v1/invitations/{revoked['id']}", headers=bearer(token))
        assert gone.status_code == 204
        assert accept(http, revoked["link"], name="C", password="mdp-de-c-123").status_code == 410
        assert http.get("/api/v1/invitations", headers=bearer(token)).json() == []

        forged = revoked["link"][:-4] + "AAAA"
        r = accept(http, forged, name="D", password="mdp-de-d-123")
        assert r.status_code == 400 and r.json()["error"]["code"] == "link_invalid"

    def test_a_verified_account_accepts_only_logged_in_and_only_its_own(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        person = make_tenant(container)
        other = make_tenant(container)
        host = make_tenant(container)
        token = login(http, host)["access_token"]
        link = invite(http, token, person.email, "sales").json()["link"]
        # Holding the link does not let anyone reset a verified account's password.
        r = accept(http, link, name="Pirate", password="mdp-pirate-123")
        assert r.status_code == 409 and r.json()["error"]["code"] == "login_required"
        assert try_login(http, person.email, person.password).status_code == 200
        # Another logged-in account cannot use it either.
        other_token = login(http, other)["access_token"]
        r = http.post(
            "/api/v1/invitations/accept",
            headers=bearer(other_token),
            json={"token": token_of(link)},
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "invitation_other_account"
        own_token = login(http, person)["access_token"]
        r = http.post(
            "/api/v1/invitations/accept", headers=bearer(own_token), json={"token": token_of(link)}
        )
        assert r.status_code == 200 and r.json()["roles"] == ["sales"]
        assert login(http, person, tenant=host.slug)["tenant"] == host.slug


class TestMembership:
    def test_a_member_leaves_and_their_session_ends(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container)
        member = make_member(container, admin, Role.SALES)
        token = login(http, member)["access_token"]
        left = http.delete(f"/api/v1/members/{member.user_id}", headers=bearer(token))
        assert left.status_code == 204
        assert http.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401
        assert try_login(http, member.email, member.password).status_code == 403
        assert ("member.leave", "success") in audit_actions(container, admin.tenant_id)

    def test_the_last_admin_cannot_leave(self, container: Container, http: httpx.Client) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        r = http.delete(f"/api/v1/members/{admin.user_id}", headers=bearer(token))
        assert r.status_code == 409 and r.json()["error"]["code"] == "last_admin"
        assert http.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200

    def test_an_admin_removes_a_member_and_only_an_admin_may(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container)
        seller = make_member(container, admin, Role.SALES)
        clerk = make_member(container, admin, Role.EMPLOYEE)
        seller_token = login(http, seller)["access_token"]
        r = http.delete(f"/api/v1/members/{clerk.user_id}", headers=bearer(seller_token))
        assert r.status_code == 403
        clerk_token = login(http, clerk)["access_token"]
        admin_token = login(http, admin)["access_token"]
        r = http.delete(f"/api/v1/members/{clerk.user_id}", headers=bearer(admin_token))
        assert r.status_code == 204
        assert http.get("/api/v1/auth/me", headers=bearer(clerk_token)).status_code == 401
        emails = {
            m["email"] for m in http.get("/api/v1/members", headers=bearer(admin_token)).json()
        }
        assert emails == {admin.email, seller.email}

    def test_removal_in_one_business_leaves_the_others_alone(
        self, container: Container, http: httpx.Client
    ) -> None:
        home = make_tenant(container)
        elsewhere = make_tenant(container)
        make_member(container, elsewhere, Role.EMPLOYEE, email=home.email)
        admin_token = login(http, elsewhere)["access_token"]
        r = http.delete(f"/api/v1/members/{home.user_id}", headers=bearer(admin_token))
        assert r.status_code == 204
        assert try_login(http, home.email, home.password).json()["tenant"] == home.slug

    def test_a_removed_admins_invitations_no_longer_open_the_business(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        owner = make_tenant(container)
        rogue = make_member(container, owner, Role.ADMIN)
        rogue_token = login(http, rogue)["access_token"]
        # Before being removed, the rogue admin invites a second address of theirs.
        spare = invite(http, rogue_token, f"{unique('spare')}@example.com", "admin").json()
        owner_token = login(http, owner)["access_token"]
        removed = http.delete(f"/api/v1/members/{rogue.user_id}", headers=bearer(owner_token))
        assert removed.status_code == 204
        assert http.get("/api/v1/invitations", headers=bearer(owner_token)).json() == []
        r = accept(http, spare["link"], name="Revenant", password="mdp-du-revenant")
        assert r.status_code == 410 and r.json()["error"]["code"] == "invitation_unusable"
        # Even an invitation still pending (e.g. revoked by nobody) is refused once its
        # issuer is no longer an admin here.
        with container.owner_engine.begin() as conn:
            conn.execute(
                text("UPDATE invitations SET revoked_at = NULL WHERE id = :i"),
                {"i": spare["id"]},
            )
        r = accept(http, spare["link"], name="Revenant", password="mdp-du-revenant")
        assert r.status_code == 410
        emails = {
            m["email"] for m in http.get("/api/v1/members", headers=bearer(owner_token)).json()
        }
        assert emails == {owner.email}

    def test_a_departed_admins_invitations_end_with_them(
        self, container: Container, http: httpx.Client, dev_links: None
    ) -> None:
        owner = make_tenant(container)
        leaver = make_member(container, owner, Role.ADMIN)
        leaver_token = login(http, leaver)["access_token"]
        spare = invite(http, leaver_token, f"{unique('spare')}@example.com", "admin").json()
        kept = invite(
            http, login(http, owner)["access_token"], f"{unique('ok')}@example.com"
        ).json()
        left = http.delete(f"/api/v1/members/{leaver.user_id}", headers=bearer(leaver_token))
        assert left.status_code == 204
        r = accept(http, spare["link"], name="Revenant", password="mdp-du-revenant")
        assert r.status_code == 410
        # The invitations of the admins who stay are untouched.
        assert (
            accept(http, kept["link"], name="Nouveau", password="mdp-du-nouveau").status_code == 200
        )


class TestBadTokensAndChannel:
    def test_two_hundred_bad_tokens_write_at_most_one_row_per_minute(
        self, container: Container, live_url: str
    ) -> None:
        address = loopback_address()
        with from_address(live_url, address) as client:
            for i in range(200):
                r = client.get("/api/v1/auth/me", headers=bearer(f"faux-jeton-{i}"))
                assert r.status_code == 401
        with container.owner_engine.connect() as conn:
            rows = conn.scalar(
                text(
                    "SELECT count(*) FROM platform_audit_log "
                    "WHERE action = 'auth.access' AND ip = :ip"
                ),
                {"ip": address},
            )
        assert 1 <= int(rows or 0) <= 2  # 2 only if the run straddled a minute

    def test_a_hundred_failed_logins_write_at_most_a_couple_of_rows(
        self, container: Container, live_url: str
    ) -> None:
        account = make_tenant(container)
        address = loopback_address()
        with from_address(live_url, address) as client:
            codes = Counter(
                try_login(client, account.email, f"essai-{i}").status_code for i in range(100)
            )
        assert codes[401] + codes[429] == 100 and codes[429] > 0, codes
        with container.owner_engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT summary FROM platform_audit_log "
                    "WHERE action = 'auth.login' AND ip = :ip"
                ),
                {"ip": address},
            ).all()
        assert 1 <= len(rows) <= 2, rows  # 2 only if the run straddled a minute
        assert rows[0].summary["aggregated"] is True and "previous_minute" in rows[0].summary

    def test_the_channel_header_is_ignored(self, container: Container, http: httpx.Client) -> None:
        account = make_tenant(container)
        r = http.post(
            "/api/v1/auth/login",
            json={"email": account.email, "password": account.password},
            headers={"X-Comptoir-Channel": "whatsapp"},
        )
        token = r.json()["access_token"]
        entries = http.get(
            "/api/v1/audit", headers={**bearer(token), "X-Comptoir-Channel": "web"}
        ).json()
        logins = [e for e in entries if e["action"] == "auth.login"]
        assert logins and {e["channel"] for e in logins} == {"api"}
        with container.db.unit_of_work(account.tenant_id) as s:
            channel = s.scalar(text("SELECT channel FROM auth_sessions LIMIT 1"))
        assert channel == "api"

    def test_a_router_declares_its_channel(self) -> None:
        app = FastAPI()

        @app.middleware("http")
        async def request_id(request: Request, call_next: Any) -> Any:
            request.state.request_id = "r"
            return await call_next(request)

        chat = APIRouter(dependencies=[declare_channel(Channel.WEB)])

        @chat.get("/chat")
        def chat_route(ctx: ContextDep) -> str:
            return ctx.channel.value

        @app.get("/rest")
        def rest_route(ctx: ContextDep) -> str:
            return ctx.channel.value

        app.include_router(chat)
        with TestClient(app) as client:
            assert client.get("/chat", headers={"X-Comptoir-Channel": "cli"}).json() == "web"
            assert client.get("/rest", headers={"X-Comptoir-Channel": "web"}).json() == "api"
