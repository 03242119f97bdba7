"""WhatsApp test fixtures: the fake Graph API on loopback, the WhatsApp settings, a real
Celery worker, signed webhook bodies built from Meta's own payloads (meta_payloads.json),
and businesses with a linked number and members with phones."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from automations import maintenance
from automations.celery_app import app as celery_app
from automations.celery_app import configure
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph, serve
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate
from domain.kit.principal import Role
from domain.whatsapp.links import link_number
from tests.factories import PASSWORD, Account, make_tenant, unique

PAYLOADS = json.loads((Path(__file__).parent / "meta_payloads.json").read_text())
APP_SECRET = "test-app-secret-4f1c"
VERIFY_TOKEN = "test-verify-token-9a2e"
ACCESS_TOKEN = "test-access-token-77b0"
WEBHOOK = "/webhooks/whatsapp"


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    server, thread = serve(fake)
    yield fake
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def whatsapp_on(container: Container, fake_graph: FakeGraph) -> Iterator[Container]:
    """The container with WhatsApp configured against the fake Graph API."""
    s = container.settings
    before = (s.whatsapp_access_token, s.whatsapp_app_secret, s.whatsapp_verify_token)
    url_before = s.whatsapp_api_url
    s.whatsapp_access_token, s.whatsapp_app_secret = ACCESS_TOKEN, APP_SECRET
    s.whatsapp_verify_token, s.whatsapp_api_url = VERIFY_TOKEN, fake_graph.base_url
    yield container
    s.whatsapp_access_token, s.whatsapp_app_secret, s.whatsapp_verify_token = before
    s.whatsapp_api_url = url_before


@pytest.fixture(scope="module")
def worker(whatsapp_on: Container) -> Iterator[Celery]:
    """A real Celery worker on the embedded Redis, using the test container."""
    assert whatsapp_on.agent is not None  # built once, before the first turn
    configure(whatsapp_on.endpoints.redis_url)
    maintenance.use_container(whatsapp_on)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield celery_app
    finally:
        maintenance.use_container(None)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def new_wamid() -> str:
    return f"wamid.HBgM{secrets.token_hex(12).upper()}"


def new_phone() -> str:
    """A valid Senegalese mobile number nobody else in the run has."""
    return "+22177" + str(secrets.randbelow(9_000_000) + 1_000_000)


def meta_body(
    kind: str, *, number: str, sender: str, wamid: str | None = None, **fields: Any
) -> dict[str, Any]:
    """One of Meta's example bodies with this test's number, sender and ids."""
    body = copy.deepcopy(PAYLOADS[kind])
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = number
    for contact in value.get("contacts", []):
        contact["wa_id"] = sender.lstrip("+")
    for message in value.get("messages", []):
        message["from"] = sender.lstrip("+")
        message["id"] = wamid or new_wamid()
        message.update(fields)
    for status in value.get("statuses", []):
        status["recipient_id"] = sender.lstrip("+")
        status["id"] = wamid or new_wamid()
        status.update(fields)
    return dict(body)


def text_delivery(text: str, **kwargs: Any) -> dict[str, Any]:
    return meta_body("text", text={"body": text}, **kwargs)


def tap(button_id: str, *, kind: str = "button_reply", **kwargs: Any) -> dict[str, Any]:
    reply = {"id": button_id, "title": "…"}
    return meta_body(kind, interactive={"type": kind, kind: reply}, **kwargs)


def post(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    return http.post(
        WEBHOOK,
        content=raw,
        headers={"content-type": "application/json", "x-hub-signature-256": sign(raw)},
    )


@dataclass
class Line:
    """A business with a linked WhatsApp number and a member with a phone."""

    admin: Account
    number: str
    phone: str
    member: Account


def new_number() -> str:
    return str(10**14 + secrets.randbelow(9 * 10**14))


def add_member_with_phone(
    container: Container, admin: Account, phone: str, *roles: Role
) -> Account:
    email = f"{unique('wa')}@example.com"
    with container.db.unit_of_work(admin.tenant_id) as session:
        _, user = identity.add_member(
            session,
            admin.principal(),
            MemberCreate(
                email=email,
                name="Membre WhatsApp",
                password=PASSWORD,
                roles=list(roles or [Role.ADMIN]),
                phone=phone,
            ),
            container.passwords,
        )
    return Account(admin.tenant_id, admin.slug, user.id, email)


def link(container: Container, admin: Account, number: str) -> None:
    with container.db.unit_of_work(admin.tenant_id) as session:
        link_number(session, admin.principal(), number)


@pytest.fixture
def line(whatsapp_on: Container) -> Line:
    admin = make_tenant(whatsapp_on, country="SN", name="Quincaillerie Test")
    number, phone = new_number(), new_phone()
    link(whatsapp_on, admin, number)
    member = add_member_with_phone(whatsapp_on, admin, phone)
    return Line(admin, number, phone, member)


def wait_for(condition: Callable[[], Any], timeout: float = 90) -> Any:
    """Until ``condition`` holds: the work runs in the Celery worker, whose first turn on a
    loaded 2-core machine may take many seconds; this is a deadline, not a speed check."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
