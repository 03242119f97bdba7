"""Invitation and verification e-mails travel through the outbox to a real SMTP server
(aiosmtpd on loopback), and the link they carry is the only place the token exists."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any
from uuid import UUID

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from automations import events as relay
from automations import maintenance
from comptoir.bootstrap import Container
from domain.identity.mail import LogMailer, Mail, SmtpMailer, build_mailer
from tests.conftest import free_port
from tests.factories import login, make_tenant, unique


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def link_to(self, address: str) -> str:
        (mail,) = [m for m in self.messages if m["To"] == address]
        payload = mail.get_payload(decode=True)
        assert isinstance(payload, bytes)
        body = payload.decode()
        match = re.search(r"https?://\S+#(\S+)", body)
        assert match, body
        return match.group(1)


@pytest.fixture
def inbox(container: Container) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the relay's container sends through it."""
    box = Inbox()
    port = free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    container.__dict__["mailer"] = SmtpMailer(f"smtp://127.0.0.1:{port}", "Comptoir <n@t.fr>")
    maintenance.use_container(container)
    try:
        yield box
    finally:
        maintenance.use_container(None)
        container.__dict__.pop("mailer", None)
        server.stop()


def relay_pending(container: Container, tenant_id: UUID, name: str) -> int:
    """What the Celery relay does after commit, run here in-process."""
    with container.db.unit_of_work(tenant_id) as s:
        ids = s.scalars(
            text("SELECT id FROM domain_events WHERE name = :n AND dispatched_at IS NULL"),
            {"n": name},
        ).all()
    for event_id in ids:
        assert relay.relay_event(container, tenant_id, event_id)
    return len(ids)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestInvitationMail:
    def test_the_invitee_gets_the_link_and_nothing_stores_the_token(
        self, container: Container, http: httpx.Client, inbox: Inbox
    ) -> None:
        admin = make_tenant(container, name="Boulangerie Diallo")
        token = login(http, admin)["access_token"]
        email = f"{unique('awa')}@example.sn"
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={"email": email, "roles": ["hr"]},
        )
        assert r.status_code == 201 and r.json()["link"] is None
        assert relay_pending(container, admin.tenant_id, "invitation.created") == 1
        (mail,) = inbox.messages
        assert "Boulangerie Diallo" in mail["Subject"]
        link_token = inbox.link_to(email)
        with container.owner_engine.connect() as conn:
            stored = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM domain_events WHERE payload::text LIKE :t),"
                    " (SELECT count(*) FROM invitations WHERE token_hash = :raw)"
                ),
                {"t": f"%{link_token.split('.')[-1]}%", "raw": link_token},
            ).one()
        assert tuple(stored) == (0, 0)
        accepted = http.post(
            "/api/v1/invitations/accept",
            json={"token": link_token, "name": "Awa Ndiaye", "password": "mdp-de-awa-123"},
        )
        assert accepted.status_code == 200, accepted.text
        r = http.post("/api/v1/auth/login", json={"email": email, "password": "mdp-de-awa-123"})
        assert r.status_code == 200 and r.json()["tenant"] == admin.slug

    def test_a_revoked_invitation_is_not_mailed(
        self, container: Container, http: httpx.Client, inbox: Inbox
    ) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        r = http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={"email": f"{unique('x')}@example.com", "roles": ["employee"]},
        )
        http.delete(f"/api/v1/invitations/{r.json()['id']}", headers=bearer(token))
        relay_pending(container, admin.tenant_id, "invitation.created")
        assert inbox.messages == []


class TestVerificationMail:
    def test_sign_up_mails_a_link_that_activates_the_account(
        self, container: Container, http: httpx.Client, inbox: Inbox
    ) -> None:
        email = f"{unique('neuf')}@example.com"
        body = {
            "tenant": {"name": "Atelier Neuf", "slug": unique("s"), "country": "FR"},
            "admin": {"email": email, "name": "Jeanne", "password": "mdp-de-jeanne"},
        }
        r = http.post("/api/v1/tenants", json=body)
        assert r.status_code == 201 and r.json()["link"] is None
        tenant_id = UUID(r.json()["tenant"]["id"])
        login_body = {"email": email, "password": "mdp-de-jeanne"}
        assert http.post("/api/v1/auth/login", json=login_body).status_code == 403
        assert relay_pending(container, tenant_id, "identity.verification_requested") == 1
        verified = http.post(
            "/api/v1/auth/verify-email",
            json={"token": inbox.link_to(email), "password": "mdp-de-jeanne"},
        )
        assert verified.status_code == 200
        assert http.post("/api/v1/auth/login", json=login_body).status_code == 200


class TestMailers:
    def test_without_smtp_the_link_goes_to_the_log(self, caplog: pytest.LogCaptureFixture) -> None:
        mailer = build_mailer(None, "Comptoir <n@t.fr>")
        assert isinstance(mailer, LogMailer)
        with caplog.at_level(logging.WARNING, logger="comptoir.mail"):
            mailer.send(Mail("a@b.fr", "Sujet", "https://x/invitation#abc"))
        assert "https://x/invitation#abc" in caplog.text

    def test_a_bad_smtp_url_is_refused_at_start(self) -> None:
        with pytest.raises(ValueError, match="COMPTOIR_SMTP_URL"):
            SmtpMailer("http://mail.example.com", "x@y.fr")

    def test_an_unreachable_server_leaves_the_event_for_the_sweep(
        self, container: Container, http: httpx.Client, inbox: Inbox
    ) -> None:
        admin = make_tenant(container)
        token = login(http, admin)["access_token"]
        http.post(
            "/api/v1/members",
            headers=bearer(token),
            json={"email": f"{unique('x')}@example.com", "roles": ["employee"]},
        )
        container.__dict__["mailer"] = SmtpMailer(
            f"smtp://127.0.0.1:{free_port()}", "x@y.fr", timeout=2
        )
        with pytest.raises(ConnectionRefusedError):
            relay_pending(container, admin.tenant_id, "invitation.created")
        # Rolled back: still pending, so the periodic sweep relays it again.
        with container.db.unit_of_work(admin.tenant_id) as s:
            pending = s.scalar(
                text(
                    "SELECT count(*) FROM domain_events"
                    " WHERE name = 'invitation.created' AND dispatched_at IS NULL"
                )
            )
        assert pending == 1
