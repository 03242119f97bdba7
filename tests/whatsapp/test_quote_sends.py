"""``finance.send_quote``: a quote's PDF to its customer by e-mail (a real local SMTP
server) or WhatsApp (the business's quote template, through the fake Graph API), recorded
on the quote through the same path as invoices; a draft quote sent becomes sent. Or the
quote only marked sent, when the user sent it himself: nothing leaves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.finance import quotes
from domain.finance.models import Quote
from domain.finance.schemas import LineIn, QuoteCreate
from domain.kit.errors import InvalidInput
from domain.whatsapp import delivery
from domain.whatsapp.graph import GraphAPI
from domain.whatsapp.invoice_sends import deliver_email
from domain.whatsapp.models import InvoiceSend, WhatsAppLink
from domain.whatsapp.templates import TemplatesIn, set_templates
from tests.finance_factories import Shop, make_customer, make_shop
from tests.whatsapp.conftest import link, new_number, new_phone
from tests.whatsapp.test_invoice_sends import Inbox, graph, quiet, smtp
from tools.base import ToolContext
from tools.finance import send_quote
from tools.finance.sending import SentQuote

__all__ = ["graph", "quiet", "smtp"]  # fixtures shared with the invoice sendings


def draft_quote(c: Container, shop: Shop, partner_id: UUID) -> Quote:
    with c.db.unit_of_work(shop.tenant_id) as session:
        lines = [LineIn(product_id=shop.goods_id, quantity=Decimal(4))]
        return quotes.create_quote(
            session, shop.principal, c.clock, QuoteCreate(partner_id=partner_id, lines=lines)
        )


def run(c: Container, shop: Shop, **arguments: Any) -> SentQuote:
    with c.db.unit_of_work(shop.tenant_id) as session:
        result = send_quote.run(ToolContext(session, shop.principal, c.clock), arguments)
    assert isinstance(result, SentQuote)
    return result


def status_of(c: Container, shop: Shop, quote: Quote) -> str:
    with c.db.unit_of_work(shop.tenant_id) as session:
        found = session.get(Quote, (shop.tenant_id, quote.id))
        assert found is not None
        return found.status


def sends_of_quote(c: Container, shop: Shop, quote: Quote) -> list[InvoiceSend]:
    with c.db.unit_of_work(shop.tenant_id) as session:
        return list(session.scalars(select(InvoiceSend).where(InvoiceSend.quote_id == quote.id)))


class TestByEmail:
    def test_a_draft_quote_goes_attached_and_becomes_sent(
        self, quiet: Container, smtp: tuple[str, Inbox]
    ) -> None:
        url, inbox = smtp
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Mairie de Cholet", email="achats@cholet.fr")
        quote = draft_quote(quiet, shop, customer)
        sent = run(quiet, shop, quote=quote.number, channel="email", mode="send")
        assert sent.preview().startswith(f"Envoyer le devis {quote.number} (")
        assert "à Mairie de Cholet par e-mail à achats@cholet.fr ?" in sent.preview()
        assert "Il passera à « envoyé »." in sent.preview()
        assert (sent.status, sent.mode) == ("sent", "send")
        assert status_of(quiet, shop, quote) == "sent"
        (recorded,) = sends_of_quote(quiet, shop, quote)
        assert (recorded.invoice_id, recorded.channel) == (None, "email")
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            status = deliver_email(
                session,
                shop.tenant_id,
                recorded.id,
                smtp_url=url,
                sender="Comptoir <devis@comptoir.test>",
                now=quiet.clock.now(),
            )
        assert status == "sent"
        mail = next(m for m in inbox.messages if m["To"] == "achats@cholet.fr")
        assert mail["Subject"].startswith(f"Devis {quote.number}")
        text = mail.get_body()
        assert text is not None and "ci-joint notre devis" in text.get_content()
        (pdf,) = list(mail.iter_attachments())
        assert pdf.get_filename() == f"{quote.number}.pdf"
        assert pdf.get_content().startswith(b"%PDF-")

    def test_a_customer_without_an_email_is_refused_and_the_quote_stays_a_draft(
        self, quiet: Container
    ) -> None:
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Sans Mail", phone=new_phone())
        quote = draft_quote(quiet, shop, customer)
        with pytest.raises(InvalidInput, match="n'a pas d'adresse e-mail enregistrée"):
            run(quiet, shop, quote=quote.number, channel="email")
        assert status_of(quiet, shop, quote) == "draft"
        assert sends_of_quote(quiet, shop, quote) == []


class TestByWhatsApp:
    def test_the_quote_template_carries_the_pdf(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph
    ) -> None:
        shop = make_shop(quiet, country="SN")
        phone = new_phone()
        customer = make_customer(quiet, shop.account, "Garage Thiam", phone=phone)
        quote = draft_quote(quiet, shop, customer)
        link(quiet, shop.account, new_number())
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            link_id = session.scalars(select(WhatsAppLink.id)).one()
            names = TemplatesIn(invoice="facture_envoyee", quote="devis_envoye")
            set_templates(session, shop.principal, link_id, names)
        sent = run(quiet, shop, quote=quote.number, mode="send")  # phone + template: WhatsApp
        assert sent.sending is not None and sent.sending.channel == "whatsapp"
        assert f"à Garage Thiam par WhatsApp au {phone} ?" in sent.preview()
        (recorded,) = sends_of_quote(quiet, shop, quote)
        assert recorded.whatsapp_message_id is not None
        attempt = delivery.deliver(
            quiet.db, graph, quiet.clock, shop.tenant_id, recorded.whatsapp_message_id
        )
        assert attempt.status == "sent"
        (out,) = fake_graph.sent_to(phone)
        assert out["type"] == "template" and out["template"]["name"] == "devis_envoye"
        (header, body) = out["template"]["components"]
        assert header["parameters"][0]["document"]["filename"] == f"{quote.number}.pdf"
        assert body["parameters"][1]["text"] == quote.number

    def test_without_a_quote_template_it_is_refused(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="SN")
        customer = make_customer(quiet, shop.account, "Keur Sokhna", phone=new_phone())
        quote = draft_quote(quiet, shop, customer)
        link(quiet, shop.account, new_number())
        with pytest.raises(InvalidInput, match="Aucun modèle WhatsApp « devis »"):
            run(quiet, shop, quote=quote.number, channel="whatsapp")
        assert status_of(quiet, shop, quote) == "draft"


class TestMarkedOnly:
    def test_a_quote_the_user_sent_is_marked_and_nothing_leaves(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Boisseau", email="b@boisseau.fr")
        quote = draft_quote(quiet, shop, customer)
        marked = run(quiet, shop, quote=quote.number, mode="mark_sent")
        assert marked.preview().startswith(f"Marquer le devis {quote.number} de Boisseau")
        assert "Comptoir n'envoie rien" in marked.preview()
        assert marked.render().startswith(f"Devis {quote.number} de Boisseau marqué comme")
        assert status_of(quiet, shop, quote) == "sent"
        assert sends_of_quote(quiet, shop, quote) == []

    def test_without_a_mode_or_a_channel_it_is_a_marking(self, quiet: Container) -> None:
        shop = make_shop(quiet, country="FR")
        customer = make_customer(quiet, shop.account, "Lemoine", email="l@lemoine.fr")
        quote = draft_quote(quiet, shop, customer)
        assert run(quiet, shop, quote=quote.number).mode == "mark_sent"
        assert sends_of_quote(quiet, shop, quote) == []
