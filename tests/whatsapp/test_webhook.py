"""The webhook over real HTTP: Meta's handshake, the signature of the raw body (a bad or
missing one changes nothing but the platform audit), each item recorded once however
often and however concurrently Meta delivers it, and 503 until WhatsApp is configured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from tests.whatsapp.conftest import (
    VERIFY_TOKEN,
    WEBHOOK,
    Line,
    meta_body,
    new_wamid,
    post,
    sign,
    text_delivery,
)


@pytest.fixture(scope="module", autouse=True)
def no_tasks_left(whatsapp_on: Container) -> Iterator[None]:
    """No worker runs here: the processing tasks these deliveries queued are dropped at
    the end, so that they do not wait for the next module's worker."""
    yield
    from automations.celery_app import app as celery_app
    from automations.celery_app import configure

    configure(whatsapp_on.endpoints.redis_url)
    celery_app.control.purge()


def inbox_rows(container: Container, wamid: str) -> int:
    with container.db.unit_of_work() as s:
        return int(
            s.scalar(text("SELECT count(*) FROM whatsapp_inbound WHERE wamid = :w"), {"w": wamid})
        )


def refusals(container: Container) -> int:
    with container.owner_engine.connect() as conn:
        return int(
            conn.scalar(
                text(
                    "SELECT count(*) FROM platform_audit_log "
                    "WHERE action = 'whatsapp.webhook' AND outcome = 'refused'"
                )
            )
        )


class TestHandshake:
    def test_the_verify_token_gets_the_challenge_back(
        self, http: httpx.Client, whatsapp_on: Container
    ) -> None:
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        }
        r = http.get(WEBHOOK, params=params)
        assert (r.status_code, r.text) == (200, "1158201444")

    def test_anything_else_is_403(self, http: httpx.Client, whatsapp_on: Container) -> None:
        for params in (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
            {},
        ):
            assert http.get(WEBHOOK, params=params).status_code == 403

    def test_unconfigured_answers_503_and_records_nothing(
        self, http: httpx.Client, whatsapp_on: Container, line: Line
    ) -> None:
        secret, whatsapp_on.settings.whatsapp_app_secret = (
            whatsapp_on.settings.whatsapp_app_secret,
            None,
        )
        try:
            wamid = new_wamid()
            r = post(
                http, text_delivery("bonjour", number=line.number, sender=line.phone, wamid=wamid)
            )
            assert r.status_code == 503
            assert "COMPTOIR_WHATSAPP_APP_SECRET" in r.json()["error"]["message"]
            assert http.get(WEBHOOK, params={"hub.mode": "subscribe"}).status_code == 503
        finally:
            whatsapp_on.settings.whatsapp_app_secret = secret
        assert inbox_rows(whatsapp_on, wamid) == 0


class TestSignature:
    def test_missing_or_wrong_signature_writes_only_a_platform_audit_entry(
        self, http: httpx.Client, whatsapp_on: Container, line: Line
    ) -> None:
        wamid = new_wamid()
        raw = json.dumps(
            text_delivery("bonjour", number=line.number, sender=line.phone, wamid=wamid)
        ).encode()
        before = refusals(whatsapp_on)
        missing = http.post(WEBHOOK, content=raw)
        wrong = http.post(WEBHOOK, content=raw, headers={"x-hub-signature-256": sign(raw, "autre")})
        # A valid signature of another body: the raw bytes are what is signed.
        other = http.post(WEBHOOK, content=raw + b" ", headers={"x-hub-signature-256": sign(raw)})
        assert (missing.status_code, wrong.status_code, other.status_code) == (401, 403, 403)
        assert inbox_rows(whatsapp_on, wamid) == 0
        assert refusals(whatsapp_on) == before + 3

    def test_a_signed_delivery_is_recorded_and_acknowledged(
        self, http: httpx.Client, whatsapp_on: Container, line: Line
    ) -> None:
        wamid = new_wamid()
        r = post(http, text_delivery("bonjour", number=line.number, sender=line.phone, wamid=wamid))
        assert r.status_code == 200
        assert inbox_rows(whatsapp_on, wamid) == 1


class TestOnce:
    def test_the_same_delivery_twice_is_recorded_once(
        self, http: httpx.Client, whatsapp_on: Container, line: Line
    ) -> None:
        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        assert [post(http, body).status_code for _ in range(2)] == [200, 200]
        assert inbox_rows(whatsapp_on, wamid) == 1

    def test_twenty_concurrent_copies_are_recorded_once(
        self, live_url: str, whatsapp_on: Container, line: Line
    ) -> None:
        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]

        def send(_: int) -> int:
            with httpx.Client(base_url=live_url, timeout=30) as client:
                return post(client, body).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(send, range(20)))
        assert statuses == [200] * 20
        assert inbox_rows(whatsapp_on, wamid) == 1

    def test_statuses_are_recorded_each_under_their_own_key(
        self, http: httpx.Client, whatsapp_on: Container, line: Line
    ) -> None:
        wamid = new_wamid()
        for kind in ("status_read", "status_delivered", "status_read", "status_sent"):
            assert (
                post(
                    http, meta_body(kind, number=line.number, sender=line.phone, wamid=wamid)
                ).status_code
                == 200
            )
        assert inbox_rows(whatsapp_on, wamid) == 3


class TestPurge:
    def test_processed_keys_go_after_30_days_and_unprocessed_ones_stay(
        self, whatsapp_on: Container, line: Line
    ) -> None:
        from datetime import timedelta

        from domain.whatsapp import inbox

        old = whatsapp_on.clock.now() - timedelta(days=31)
        done, waiting = new_wamid(), new_wamid()
        with whatsapp_on.db.unit_of_work() as session:
            for wamid in (done, waiting):
                body = text_delivery("bonjour", number=line.number, sender=line.phone, wamid=wamid)
                inbox.record(session, inbox.items_of(body), old)
            session.execute(
                text("UPDATE whatsapp_inbound SET processed_at = now() WHERE wamid = :w"),
                {"w": done},
            )
        with whatsapp_on.db.unit_of_work() as session:
            assert inbox.purge(session, whatsapp_on.clock.now()) >= 1
        assert (inbox_rows(whatsapp_on, done), inbox_rows(whatsapp_on, waiting)) == (0, 1)
