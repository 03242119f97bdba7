"""Dunning on a real business and a real SMTP server: J-3, J+7, J+30, once per stage,
recorded on the invoice, stopped by payment, dispute or the customer's opt-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from automations.dunning import DEFAULTS, reminders_of, set_exclusion, stage_for
from comptoir.bootstrap import Container
from domain.finance.models import Invoice
from tests.automations.conftest import Inbox
from tests.automations.helpers import mailing, relay_all, run_kind
from tests.factories import login
from tests.finance_factories import Shop, clock_at, make_customer, make_shop, pay, posted_invoice

ISSUED = date(2026, 3, 2)


def at_local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def invoice_for(container: Container, shop: Shop, email: str | None) -> Invoice:
    customer = make_customer(container, shop.account, email=email)
    return posted_invoice(container, shop, clock=clock_at(ISSUED), partner_id=customer)


def dun(container: Container, url: str, shop: Shop, day: date) -> None:
    c = mailing(container, url, at_local(day))
    run_kind(c, shop.account, "dunning")
    relay_all(c, shop.account)


def stages(container: Container, shop: Shop, invoice: Invoice) -> list[str]:
    with container.db.unit_of_work(shop.tenant_id) as s:
        return [r.stage for r in reminders_of(s, shop.tenant_id, invoice.id)]


def mails_to(inbox: Inbox, email: str) -> list[str]:
    return [m["Subject"] for m in inbox.messages if m["To"] == email]


class TestStages:
    def test_the_stage_a_due_date_has_reached(self) -> None:
        assert [stage_for(d, DEFAULTS) for d in (-4, -3, -1, 0, 6, 7, 29, 30, 90)] == [
            None,
            "before_due",
            "before_due",
            None,
            None,
            "overdue_7",
            "overdue_7",
            "overdue_30",
            "overdue_30",
        ]


class TestDunning:
    def test_reminders_once_per_stage_until_paid(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(container)
        invoice = invoice_for(container, shop, "compta@diallo.example")
        assert invoice.due_date is not None
        due = invoice.due_date
        dun(container, url, shop, due - timedelta(days=3))
        dun(container, url, shop, due - timedelta(days=2))  # same stage: nothing new
        dun(container, url, shop, due + timedelta(days=8))
        assert stages(container, shop, invoice) == ["before_due", "overdue_7"]
        subjects = mails_to(inbox, "compta@diallo.example")
        assert len(subjects) == 2
        assert subjects[0].startswith("Rappel : facture " + str(invoice.number))
        assert subjects[1].startswith("Relance : facture")
        pay(
            container,
            shop,
            str(invoice.gross_total),
            clock=clock_at(due + timedelta(days=9)),
            partner_id=invoice.partner_id,
            invoice_id=invoice.id,
        )
        dun(container, url, shop, due + timedelta(days=31))
        assert stages(container, shop, invoice) == ["before_due", "overdue_7"]
        assert len(mails_to(inbox, "compta@diallo.example")) == 2

    def test_a_long_outage_sends_the_stage_reached_only(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(container)
        invoice = invoice_for(container, shop, "retard@client.example")
        assert invoice.due_date is not None
        dun(container, url, shop, invoice.due_date + timedelta(days=45))
        assert stages(container, shop, invoice) == ["overdue_30"]
        [subject] = mails_to(inbox, "retard@client.example")
        assert subject.startswith("Dernière relance")

    def test_disputed_invoices_and_opted_out_customers_are_left_alone(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(container)
        disputed = invoice_for(container, shop, "litige@client.example")
        opted = invoice_for(container, shop, "non@client.example")
        with container.db.unit_of_work(shop.tenant_id) as s:
            set_exclusion(s, shop.principal, excluded=True, invoice_id=disputed.id)
            set_exclusion(s, shop.principal, excluded=True, partner_id=opted.partner_id)
        assert disputed.due_date is not None
        dun(container, url, shop, disputed.due_date + timedelta(days=8))
        assert stages(container, shop, disputed) == stages(container, shop, opted) == []
        assert mails_to(inbox, "litige@client.example") == mails_to(inbox, "non@client.example")
        assert mails_to(inbox, "non@client.example") == []


class TestOverHttp:
    def test_dispute_and_the_reminders_of_an_invoice(
        self, container: Container, smtp: tuple[str, Inbox], http: httpx.Client
    ) -> None:
        url, _ = smtp
        shop = make_shop(container)
        invoice = invoice_for(container, shop, "http@client.example")
        assert invoice.due_date is not None
        dun(container, url, shop, invoice.due_date - timedelta(days=3))
        headers = {"Authorization": f"Bearer {login(http, shop.account)['access_token']}"}
        listed = http.get(f"/api/v1/invoices/{invoice.id}/reminders", headers=headers).json()
        assert [(r["stage"], r["recipient"]) for r in listed] == [
            ("before_due", "http@client.example")
        ]
        disputed = http.put(
            f"/api/v1/invoices/{invoice.id}/dispute", headers=headers, json={"excluded": True}
        )
        assert disputed.json() == {"excluded": True}
        dun(container, url, shop, invoice.due_date + timedelta(days=8))
        assert stages(container, shop, invoice) == ["before_due"]  # disputed: no J+7
