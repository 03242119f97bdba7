"""The notification centre over HTTP, member preferences and quiet hours, and deliveries
through a real SMTP server (aiosmtpd on a loopback port) and the channel registry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from automations import channels
from automations.tasks import run_due_now
from comptoir.bootstrap import Container
from domain.automations import notifications as centre
from domain.automations.models import DunningExclusion, NotificationDelivery
from domain.identity.models import User
from domain.kit.principal import Role
from domain.whatsapp.links import link_number
from domain.whatsapp.models import WhatsAppMessage
from tests.automations.conftest import Inbox
from tests.automations.helpers import at, mailing
from tests.factories import Account, login, make_member, make_tenant
from tests.finance_factories import make_customer

# 23:00 in Paris on a March evening (UTC+1).
EVENING = datetime(2026, 3, 23, 22, 0, tzinfo=UTC)


def tell(container: Container, account: Account, moment: datetime, **fields: Any) -> None:
    with container.db.unit_of_work(account.tenant_id) as s:
        centre.notify(
            s,
            account.principal(),
            moment,
            [account.user_id],
            kind=fields.pop("kind", "test"),
            title=fields.pop("title", "Titre"),
            body=fields.pop("body", "Corps"),
            **fields,
        )


def deliveries(container: Container, account: Account) -> list[NotificationDelivery]:
    with container.db.unit_of_work(account.tenant_id) as s:
        return list(s.scalars(select(NotificationDelivery)))


class TestCentre:
    def test_newest_first_with_read_and_unread(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container)
        other = make_member(container, admin, Role.SALES)
        now = datetime.now(UTC)
        tell(container, admin, now - timedelta(minutes=5), title="Ancienne")
        tell(container, admin, now, title="Récente")
        headers = {"Authorization": f"Bearer {login(http, admin)['access_token']}"}
        page = http.get("/api/v1/notifications", headers=headers).json()
        assert [n["title"] for n in page["items"]] == ["Récente", "Ancienne"]
        assert page["unread"] == 2
        first = page["items"][0]["id"]
        assert http.post(f"/api/v1/notifications/{first}/read", headers=headers).json() == {
            "marked": 1
        }
        page = http.get("/api/v1/notifications?unread=true", headers=headers).json()
        assert ([n["title"] for n in page["items"]], page["unread"]) == (["Ancienne"], 1)
        # Another member sees none of them and cannot mark them.
        theirs = {"Authorization": f"Bearer {login(http, other)['access_token']}"}
        assert http.get("/api/v1/notifications", headers=theirs).json()["items"] == []
        assert http.post(f"/api/v1/notifications/{first}/read", headers=theirs).status_code == 404
        assert http.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 1}

    def test_a_repeated_dedup_key_notifies_once(self, container: Container) -> None:
        account = make_tenant(container)
        for _ in range(2):
            tell(container, account, EVENING, dedup_key="digest:2026-03-23")
        with container.db.unit_of_work(account.tenant_id) as s:
            rows, unread = centre.list_notifications(s, account.principal())
        assert (len(rows), unread) == (1, 1)

    def test_preferences_over_http(self, container: Container, http: httpx.Client) -> None:
        account = make_tenant(container)
        headers = {"Authorization": f"Bearer {login(http, account)['access_token']}"}
        url = "/api/v1/notifications/preferences"
        assert http.get(url, headers=headers).json()["channels"] == ["in_app", "email"]
        put = http.put(
            url,
            headers=headers,
            json={"channels": ["whatsapp"], "quiet_start": "22:00", "quiet_end": "07:00"},
        )
        assert put.status_code == 200, put.text
        assert put.json() == {
            "channels": ["in_app", "whatsapp"],
            "quiet_start": "22:00:00",
            "quiet_end": "07:00:00",
        }
        half = http.put(url, headers=headers, json={"channels": [], "quiet_start": "22:00"})
        assert half.status_code == 422 and "heures calmes" in half.text


class TestDelivery:
    def test_email_through_smtp_once(self, container: Container, smtp: tuple[str, Inbox]) -> None:
        url, inbox = smtp
        account = make_tenant(container)
        tell(container, account, EVENING - timedelta(hours=12), title="Stock bas : riz")
        [delivery] = deliveries(container, account)
        assert (delivery.channel, delivery.address) == ("email", account.email)
        c = mailing(container, url, EVENING)
        assert channels.deliver(c, account.tenant_id, delivery.id) == "sent"
        assert channels.deliver(c, account.tenant_id, delivery.id) == "skipped"
        mine = [m for m in inbox.messages if m["To"] == account.email]
        assert [m["Subject"] for m in mine] == ["Stock bas : riz"]

    def test_quiet_hours_hold_the_email_until_they_end(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        account = make_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as s:
            centre.set_preferences(
                s,
                account.principal(),
                channels=["email"],
                quiet_start=time(22, 0),
                quiet_end=time(7, 0),
            )
        tell(container, account, EVENING, title="Pendant la nuit")  # 23:00 in Paris
        [delivery] = deliveries(container, account)
        morning = datetime(2026, 3, 24, 6, 0, tzinfo=UTC)  # 07:00 in Paris
        assert delivery.not_before == morning
        night = mailing(container, url, EVENING + timedelta(hours=2))
        assert run_due_now(night, account.tenant_id)["deliveries_sent"] == 0
        assert (
            run_due_now(mailing(container, url, morning), account.tenant_id)["deliveries_sent"] == 1
        )
        assert [m["Subject"] for m in inbox.messages if m["To"] == account.email] == [
            "Pendant la nuit"
        ]

    def test_whatsapp_goes_through_the_whatsapp_outbox_once(self, container: Container) -> None:
        account = make_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as s:
            centre.set_preferences(
                s, account.principal(), channels=["whatsapp"], quiet_start=None, quiet_end=None
            )
            user = s.get(User, account.user_id)
            assert user is not None
            user.phone = "+221770000001"
        tell(container, account, EVENING, title="Par WhatsApp")
        [delivery] = deliveries(container, account)
        c = at(container, EVENING)
        # no number linked yet: retried later, the French reason kept
        assert channels.deliver(c, account.tenant_id, delivery.id) == "pending"
        assert "Aucun numéro WhatsApp" in (deliveries(container, account)[0].error or "")
        with container.db.unit_of_work(account.tenant_id) as s:
            link_number(s, account.principal(), "109876543210")
        tell(container, account, EVENING, title="Stock bas", body="Riz : 3 sacs", dedup_key="b")
        [second] = [d for d in deliveries(container, account) if d.id != delivery.id]
        assert channels.deliver(c, account.tenant_id, second.id) == "sent"
        assert channels.deliver(c, account.tenant_id, second.id) == "skipped"
        with container.db.unit_of_work(account.tenant_id) as s:
            queued = list(s.scalars(select(WhatsAppMessage)))
        [message] = queued
        assert message.to_phone == "+221770000001"
        assert message.body["text"]["body"].startswith("Stock bas\nRiz : 3 sacs")
        with pytest.raises(LookupError, match="registered|expéditeur"):
            channels.send_message(c, "pigeon", channels.OutgoingMessage(
                account.tenant_id, account.user_id, "x", "s", "b", "k"
            ))  # fmt: skip


class TestAutomationsApi:
    def test_list_switch_and_tune(self, container: Container, http: httpx.Client) -> None:
        admin = make_tenant(container, country="SN")
        seller = make_member(container, admin, Role.SALES)
        headers = {"Authorization": f"Bearer {login(http, admin)['access_token']}"}
        listed = http.get("/api/v1/automations", headers=headers).json()
        assert [a["kind"] for a in listed][:3] == ["stock_alert", "morning_digest", "dunning"]
        assert all(a["enabled"] for a in listed)
        assert listed[0]["trigger"] == "event" and listed[1]["trigger"] == "schedule"
        tuned = http.patch(
            "/api/v1/automations/morning_digest",
            headers=headers,
            json={"rule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=45"},
        ).json()
        assert tuned["rule"] == "FREQ=DAILY;BYHOUR=6;BYMINUTE=45"
        assert tuned["next_run_at"].endswith("06:45:00Z")  # Dakar is UTC
        off = http.patch("/api/v1/automations/dunning", headers=headers, json={"enabled": False})
        assert off.json()["enabled"] is False
        bad = http.patch(
            "/api/v1/automations/dunning", headers=headers, json={"params": {"colour": 1}}
        )
        assert bad.status_code == 422 and "Paramètre inconnu" in bad.text
        theirs = {"Authorization": f"Bearer {login(http, seller)['access_token']}"}
        refused = http.patch("/api/v1/automations/dunning", headers=theirs, json={"enabled": True})
        assert refused.status_code == 403
        assert http.get("/api/v1/automations/runs", headers=headers).json() == []

    def test_customer_opt_out_over_http(self, container: Container, http: httpx.Client) -> None:
        admin = make_tenant(container)
        customer = make_customer(container, admin, "Client Silencieux")
        headers = {"Authorization": f"Bearer {login(http, admin)['access_token']}"}
        url = f"/api/v1/partners/{customer}/dunning-opt-out"
        assert http.put(url, headers=headers, json={"excluded": True}).json() == {"excluded": True}
        with container.db.unit_of_work(admin.tenant_id) as s:
            [row] = s.scalars(select(DunningExclusion)).all()
            assert (row.partner_id, row.reason) == (customer, "opt_out")
        assert http.put(url, headers=headers, json={"excluded": False}).status_code == 200
        with container.db.unit_of_work(admin.tenant_id) as s:
            assert s.scalars(select(DunningExclusion)).all() == []
