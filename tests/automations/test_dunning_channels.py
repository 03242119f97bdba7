"""Dunning to the customer on their channel: the firm reminder's PDF attached to the
e-mail (real SMTP), and WhatsApp through the business's outbox to the fake Graph API —
the notification template outside the 24-hour window, the invoice template carrying the
PDF — for a customer with a phone and no e-mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from automations import whatsapp  # noqa: F401 - its relay sends the outbox, as in the worker
from automations.dunning import reminders_of
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.whatsapp.models import WhatsAppLink
from domain.whatsapp.templates import TemplatesIn, set_templates
from tests.automations.conftest import Inbox
from tests.automations.helpers import at, relay_all, run_kind
from tests.automations.test_dunning import at_local, dun, invoice_for
from tests.finance_factories import make_customer, make_shop, posted_invoice
from tests.whatsapp.conftest import fake_graph, link, new_number, new_phone, whatsapp_on

__all__ = ["fake_graph", "whatsapp_on"]  # fixtures used here


class TestEmail:
    def test_the_firm_reminder_carries_the_invoice_pdf(
        self, container: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(container)
        invoice = invoice_for(container, shop, "ferme@client.example")
        assert invoice.due_date is not None
        dun(container, url, shop, invoice.due_date + timedelta(days=8))
        dun(container, url, shop, invoice.due_date + timedelta(days=31))
        mails = [m for m in inbox.messages if m["To"] == "ferme@client.example"]
        assert [str(m["Subject"]).split(" :")[0] for m in mails] == ["Relance", "Dernière relance"]
        assert [p.get_filename() for p in mails[0].walk() if p.get_filename()] == []
        [pdf] = [p for p in mails[1].walk() if p.get_filename()]
        assert pdf.get_filename() == f"{invoice.number}.pdf"
        assert bytes(pdf.get_payload(decode=True))[:5] == b"%PDF-"
        [text] = [p for p in mails[1].walk() if p.get_content_type() == "text/plain"]
        assert "ci-jointe" in bytes(text.get_payload(decode=True)).decode()


class TestWhatsApp:
    def test_a_customer_without_email_is_reminded_on_whatsapp_with_templates(
        self, whatsapp_on: Container, fake_graph: FakeGraph
    ) -> None:
        shop = make_shop(whatsapp_on, country="SN")
        link(whatsapp_on, shop.account, new_number())
        with whatsapp_on.db.unit_of_work(shop.tenant_id) as s:
            link_id = s.scalars(select(WhatsAppLink.id)).one()
            names = TemplatesIn(notification="relance_client", invoice="facture_envoyee")
            set_templates(s, shop.principal, link_id, names)
        phone = new_phone()
        customer = make_customer(whatsapp_on, shop.account, "Kane & Fils", phone=phone)
        invoice = posted_invoice(whatsapp_on, shop, partner_id=customer)
        assert invoice.due_date is not None
        moment = at(whatsapp_on, at_local(invoice.due_date + timedelta(days=40)))
        run_kind(moment, shop.account, "dunning")
        relay_all(moment, shop.account)
        with whatsapp_on.db.unit_of_work(shop.tenant_id) as s:
            [reminder] = reminders_of(s, shop.tenant_id, invoice.id)
            assert (reminder.stage, reminder.channel, reminder.recipient) == (
                "overdue_30",
                "whatsapp",
                phone,
            )
        sent = fake_graph.sent_to(phone)
        names_sent = [m["template"]["name"] for m in sent if m["type"] == "template"]
        assert sorted(names_sent) == ["facture_envoyee", "relance_client"]
        text = next(m for m in sent if m["template"]["name"] == "relance_client")
        said = text["template"]["components"][0]["parameters"][0]["text"]
        assert said.startswith(f"Dernière relance : facture {invoice.number}")
        pdf = next(m for m in sent if m["template"]["name"] == "facture_envoyee")
        header = pdf["template"]["components"][0]["parameters"][0]["document"]
        assert header["filename"] == f"{invoice.number}.pdf"
        assert fake_graph.media[header["id"]][0][:5] == b"%PDF-"
        # The next day's run sends nothing again.
        later = at(whatsapp_on, at_local(invoice.due_date + timedelta(days=41)))
        run_kind(later, shop.account, "dunning")
        relay_all(later, shop.account)
        assert len(fake_graph.sent_to(phone)) == 2


class TestChannelChoice:
    def test_the_first_channel_the_customer_has_an_address_on(self) -> None:
        from automations.dunning import _address

        both = ("a@b.example", "+221771234567")
        assert _address(["email", "whatsapp"], *both) == ("email", "a@b.example")
        assert _address(["whatsapp", "email"], *both) == ("whatsapp", "+221771234567")
        assert _address(["email", "whatsapp"], None, "+221771234567")[0] == "whatsapp"  # type: ignore[index]
        assert _address(["email"], None, "+221771234567") is None  # no number linked
