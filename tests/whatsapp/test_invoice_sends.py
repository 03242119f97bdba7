"""``finance.send_invoice`` as a tool: an invoice's PDF to its customer by WhatsApp (the
invoice template, through the fake Graph API) or by e-mail (a real local SMTP server,
aiosmtpd), recorded on the invoice with the status Meta or the SMTP server gave."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any
from uuid import UUID

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from api.whatsapp_bot import note_inbound
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.kit.errors import InvalidInput
from domain.kit.principal import Channel, Role
from domain.whatsapp import delivery
from domain.whatsapp.graph import GraphAPI
from domain.whatsapp.invoice_sends import deliver_email, follow, sends_of
from domain.whatsapp.models import InvoiceSend, WhatsAppLink, WhatsAppMessage
from domain.whatsapp.templates import TemplatesIn, set_templates
from tests.api.test_auth import bearer
from tests.conftest import free_port
from tests.factories import login
from tests.finance_factories import Shop, draft_invoice, make_customer, make_shop, posted_invoice
from tests.whatsapp.conftest import (
    ACCESS_TOKEN,
    add_member_with_phone,
    link,
    new_number,
    new_phone,
    post,
    tap,
    text_delivery,
    wait_for,
)
from tools.base import ToolContext
from tools.finance import send_invoice
from tools.finance.sending import SentInvoice


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            message_from_bytes(envelope.content, _class=EmailMessage, policy=default)
        )
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


@pytest.fixture
def quiet(whatsapp_on: Container) -> Iterator[Container]:
    """No relay after commit: what is queued waits for the calls the test makes."""
    publisher, whatsapp_on.db.event_publisher = whatsapp_on.db.event_publisher, None
    try:
        yield whatsapp_on
    finally:
        whatsapp_on.db.event_publisher = publisher


@pytest.fixture
def graph(fake_graph: FakeGraph) -> Iterator[GraphAPI]:
    client = GraphAPI(fake_graph.base_url, ACCESS_TOKEN)
    yield client
    client.close()


def run(c: Container, shop: Shop, **arguments: Any) -> SentInvoice:
    with c.db.unit_of_work(shop.tenant_id) as session:
        result = send_invoice.run(ToolContext(session, shop.principal, c.clock), arguments)
    assert isinstance(result, SentInvoice)
    return result


def with_invoice_template(c: Container, shop: Shop) -> None:
    link(c, shop.account, new_number())
    with c.db.unit_of_work(shop.tenant_id) as session:
        link_id = session.scalars(select(WhatsAppLink.id)).one()
        set_templates(session, shop.principal, link_id, TemplatesIn(invoice="facture_envoyee"))


class TestByWhatsApp:
    def test_a_posted_invoice_goes_by_template_and_its_statuses_follow(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph
    ) -> None:
        shop = make_shop(quiet, country="SN")
        phone = new_phone()
        customer = make_customer(quiet, shop.account, "Kane & Fils", phone=phone)
        invoice = posted_invoice(quiet, shop, partner_id=customer)
        with_invoice_template(quiet, shop)
        sent = run(quiet, shop, invoice=invoice.number)
        assert (sent.channel, sent.recipient) == ("whatsapp", phone)
        assert sent.preview().startswith(f"Envoyer la facture {invoice.number} (")
        assert f"à Kane & Fils par WhatsApp au {phone} ?" in sent.preview()
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            send = session.get(InvoiceSend, (shop.tenant_id, sent.send_id))
            assert send is not None and send.whatsapp_message_id is not None
            message_id = send.whatsapp_message_id
        attempt = delivery.deliver(quiet.db, graph, quiet.clock, shop.tenant_id, message_id)
        assert attempt.status == "sent"
        (out,) = fake_graph.sent_to(phone)
        assert out["type"] == "template" and out["template"]["name"] == "facture_envoyee"
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            message = session.get(WhatsAppMessage, (shop.tenant_id, message_id))
            assert message is not None
            delivery.apply_status(message, {"status": "delivered", "timestamp": "1767225600"})
            follow(message)
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            (recorded,) = sends_of(session, shop.principal, quiet.clock, invoice.id)
            assert (recorded.status, recorded.channel) == ("delivered", "whatsapp")
            assert recorded.sent_at is not None and recorded.delivered_at is not None

    def test_a_draft_is_refused_and_nothing_is_recorded(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="SN")
        customer = make_customer(quiet, shop.account, "Diop Frères", phone=new_phone())
        draft = draft_invoice(quiet, shop, partner_id=customer)
        with pytest.raises(InvalidInput, match="brouillon"):
            run(quiet, shop, invoice_id=str(draft.id))
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            assert session.scalars(select(InvoiceSend)).all() == []


class TestToOneself:
    def test_asked_on_whatsapp_the_pdf_comes_back_as_a_document(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph
    ) -> None:
        shop = make_shop(quiet, country="SN")
        invoice = posted_invoice(quiet, shop)
        phone = new_phone()
        member = add_member_with_phone(quiet, shop.account, phone, Role.ACCOUNTANT)
        link(quiet, shop.account, new_number())
        principal = replace(member.principal(Role.ACCOUNTANT), channel=Channel.WHATSAPP)
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            note_inbound(session, shop.tenant_id, phone, quiet.clock.now())
            context = ToolContext(session, principal, quiet.clock)
            sent = send_invoice.run(context, {"invoice": invoice.number, "to_me": True})
        assert isinstance(sent, SentInvoice)
        assert sent.preview().startswith(f"Vous envoyer la facture {invoice.number}")
        assert (sent.channel, sent.recipient) == ("whatsapp", phone)
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            send = session.get(InvoiceSend, (shop.tenant_id, UUID(sent.send_id)))
            assert send is not None and send.to_member == member.user_id
            message_id = send.whatsapp_message_id
        assert message_id is not None
        delivery.deliver(quiet.db, graph, quiet.clock, shop.tenant_id, message_id)
        (out,) = fake_graph.sent_to(phone)
        assert out["type"] == "document"
        assert out["document"]["filename"] == f"{invoice.number}.pdf"


class TestByEmail:
    def test_the_pdf_goes_attached_with_a_french_subject(
        self, quiet: Container, smtp: tuple[str, Inbox], http: httpx.Client
    ) -> None:
        url, inbox = smtp
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Atelier Dubois", email="compta@dubois.fr")
        invoice = posted_invoice(quiet, shop, partner_id=customer)
        sent = run(quiet, shop, invoice=invoice.number, channel="email")
        assert "par e-mail à compta@dubois.fr ?" in sent.preview()
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            status = deliver_email(
                session,
                shop.tenant_id,
                UUID(sent.send_id),
                smtp_url=url,
                sender="Comptoir <factures@comptoir.test>",
                now=quiet.clock.now(),
            )
        assert status == "sent"
        mail = next(m for m in inbox.messages if m["To"] == "compta@dubois.fr")
        assert mail["Subject"].startswith(f"Facture {invoice.number}")
        text = mail.get_body()
        assert text is not None and "Veuillez trouver ci-joint la facture" in text.get_content()
        (pdf,) = list(mail.iter_attachments())
        assert pdf.get_filename() == f"{invoice.number}.pdf"
        assert pdf.get_content().startswith(b"%PDF-")
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            (recorded,) = sends_of(session, shop.principal, quiet.clock, invoice.id)
            assert (recorded.status, recorded.attachment) == ("sent", None)
        token = login(http, shop.account)["access_token"]
        listed = http.get(f"/api/v1/invoices/{invoice.id}/sends", headers=bearer(token))
        assert listed.status_code == 200, listed.text
        (shown,) = listed.json()
        assert (shown["channel"], shown["recipient"], shown["status"]) == (
            "email",
            "compta@dubois.fr",
            "sent",
        )

    def test_an_unreachable_server_is_recorded_as_failed(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Garage Roux", email="roux@garage.fr")
        invoice = posted_invoice(quiet, shop, partner_id=customer)
        sent = run(quiet, shop, invoice=invoice.number)
        assert sent.channel == "email"  # no phone: e-mail without being told
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            status = deliver_email(
                session,
                shop.tenant_id,
                UUID(sent.send_id),
                smtp_url=f"smtp://127.0.0.1:{free_port()}",
                sender="x@comptoir.test",
                now=quiet.clock.now(),
            )
            assert status == "failed"
            (recorded,) = sends_of(session, shop.principal, quiet.clock, invoice.id)
            assert recorded.error is not None and recorded.error.startswith("envoi refusé")

    def test_a_customer_with_neither_phone_nor_email_is_refused(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Sans Adresse")
        invoice = posted_invoice(quiet, shop, partner_id=customer)
        with pytest.raises(InvalidInput, match="ni numéro de téléphone ni adresse e-mail"):
            run(quiet, shop, invoice=invoice.number)


@pytest.mark.usefixtures("worker")
class TestOnWhatsApp:
    def test_send_me_the_invoice_comes_back_as_a_pdf_after_the_yes_button(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph
    ) -> None:
        shop = make_shop(whatsapp_on, country="SN")
        invoice = posted_invoice(whatsapp_on, shop)
        number, phone = new_number(), new_phone()
        link(whatsapp_on, shop.account, number)
        add_member_with_phone(whatsapp_on, shop.account, phone, Role.ACCOUNTANT)
        asked = text_delivery(
            f"envoie-moi la facture {invoice.number}", number=number, sender=phone
        )
        assert post(http, asked).status_code == 200
        preview = wait_for(lambda: fake_graph.sent_to(phone))[-1]
        assert preview["type"] == "interactive"
        text = preview["interactive"]["body"]["text"]
        assert f"Vous envoyer la facture {invoice.number}" in text and phone in text
        buttons = {
            b["reply"]["title"]: b["reply"]["id"]
            for b in preview["interactive"]["action"]["buttons"]
        }
        assert post(http, tap(buttons["Oui"], number=number, sender=phone)).status_code == 200
        sent = wait_for(lambda: (m := fake_graph.sent_to(phone)) and len(m) >= 3 and m)
        (document,) = [m for m in sent if m["type"] == "document"]
        assert document["document"]["filename"] == f"{invoice.number}.pdf"
        with whatsapp_on.db.unit_of_work(shop.tenant_id) as session:
            recorded = wait_for(
                lambda: [
                    s
                    for s in sends_of(session, shop.principal, whatsapp_on.clock, invoice.id)
                    if s.status == "sent"
                ]
            )
            assert recorded[0].channel == "whatsapp" and recorded[0].recipient == phone
