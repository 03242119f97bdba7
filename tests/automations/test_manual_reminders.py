"""``finance.send_reminder``: a customer reminded now, on a real business and a real SMTP
server — recorded as a ``manual`` dunning stage, sent by the dunning sender, seen by the
daily run (which holds back for a few days) — and refused in French when there is nothing
to remind or no address for the channel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from comptoir.bootstrap import Container
from domain.finance.models import Invoice
from domain.kit.errors import InvalidInput
from tests.automations.conftest import Inbox
from tests.automations.helpers import mailing, relay_all
from tests.automations.test_dunning import ISSUED, at_local, dun, mails_to, stages
from tests.finance_factories import Shop, clock_at, make_customer, make_shop, pay, posted_invoice
from tools.base import ToolContext
from tools.finance import send_reminder
from tools.finance.reminders import SentReminder


def named_invoice(
    container: Container, shop: Shop, name: str, email: str | None, **fields: Any
) -> Invoice:
    customer = make_customer(container, shop.account, name, email=email, **fields)
    return posted_invoice(container, shop, clock=clock_at(ISSUED), partner_id=customer)


def remind(container: Container, url: str, shop: Shop, day: date, **args: Any) -> SentReminder:
    c = mailing(container, url, at_local(day))
    with c.db.unit_of_work(shop.tenant_id) as session:
        result = send_reminder.run(ToolContext(session, shop.principal, c.clock), args)
    relay_all(c, shop.account)
    assert isinstance(result, SentReminder)
    return result


class TestRemindingNow:
    def test_an_overdue_invoice_is_reminded_by_mail_and_the_daily_run_holds_back(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(container)
        invoice = named_invoice(container, shop, "Épicerie Manuel", "manuel@client.example")
        assert invoice.due_date is not None
        due = invoice.due_date
        sent = remind(container, url, shop, due + timedelta(days=5), invoice=invoice.number)
        assert sent.preview().startswith("Relancer maintenant ")
        assert f"par e-mail à manuel@client.example pour sa facture {invoice.number}" in (
            sent.preview()
        )
        assert "échue le" in sent.preview()
        assert stages(container, shop, invoice) == ["manual"]
        [subject] = mails_to(inbox, "manuel@client.example")
        assert subject.startswith(f"Relance : facture {invoice.number} échue le")
        dun(container, url, shop, due + timedelta(days=8))  # 3 days after: held back
        assert stages(container, shop, invoice) == ["manual"]
        dun(container, url, shop, due + timedelta(days=11))
        assert stages(container, shop, invoice) == ["manual", "overdue_7"]
        remind(container, url, shop, due + timedelta(days=20), customer="Épicerie Manuel")
        assert stages(container, shop, invoice) == ["manual", "overdue_7", "manual"]
        assert len(mails_to(inbox, "manuel@client.example")) == 3

    def test_the_customers_overdue_invoices_are_the_ones_reminded(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, _ = smtp
        shop = make_shop(container)
        old = named_invoice(container, shop, "Quincaillerie Deux", "deux@client.example")
        assert old.due_date is not None
        recent = posted_invoice(
            container, shop, clock=clock_at(old.due_date), partner_id=old.partner_id
        )
        day = old.due_date + timedelta(days=2)
        sent = remind(container, url, shop, day, customer="Quincaillerie Deux")
        assert [i.number for i in sent.invoices] == [old.number]
        assert stages(container, shop, recent) == []


class TestRefusals:
    def test_nothing_unpaid_is_said_and_nothing_recorded(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, _ = smtp
        shop = make_shop(container)
        invoice = named_invoice(container, shop, "Garage Payé", "paye@client.example")
        pay(
            container,
            shop,
            str(invoice.gross_total),
            partner_id=invoice.partner_id,
            invoice_id=invoice.id,
        )
        with pytest.raises(InvalidInput, match="n'a aucune facture impayée"):
            remind(container, url, shop, date(2026, 5, 1), customer="Garage Payé")
        assert stages(container, shop, invoice) == []

    def test_no_address_for_the_channel_is_said(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, _ = smtp
        shop = make_shop(container)
        invoice = named_invoice(container, shop, "Seul Mail", "seul-mail@client.example")
        day = date(2026, 5, 1)
        with pytest.raises(InvalidInput, match="n'a pas de numéro de téléphone enregistré"):
            remind(container, url, shop, day, invoice=invoice.number, channel="whatsapp")
        named_invoice(container, shop, "Sans Contact", None)
        with pytest.raises(InvalidInput, match="ni numéro de téléphone ni adresse e-mail"):
            remind(container, url, shop, date(2026, 5, 1), customer="Sans Contact")
        assert stages(container, shop, invoice) == []
