"""The eval state's ``messages_sent`` holds invoices and quotes sent by e-mail (to the
customer's name, kind « document »), and a WhatsApp sending once (as its message)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.finance import quotes
from domain.finance.schemas import LineIn, QuoteCreate
from domain.whatsapp import invoice_sends
from domain.whatsapp.models import WhatsAppLink
from domain.whatsapp.templates import TemplatesIn, set_templates
from evals.state import records
from tests.finance_factories import Shop, make_customer, make_shop, posted_invoice
from tests.whatsapp.conftest import link, new_number, new_phone


def messages(container: Container, tenant_id: UUID) -> list[dict[str, object]]:
    with container.db.unit_of_work(tenant_id) as session:
        return records(session, tenant_id, "messages_sent")


def quote_for(container: Container, shop: Shop, partner_id: UUID) -> UUID:
    with container.db.unit_of_work(shop.tenant_id) as session:
        lines = [LineIn(product_id=shop.goods_id, quantity=Decimal(2))]
        data = QuoteCreate(partner_id=partner_id, lines=lines)
        return quotes.create_quote(session, shop.principal, container.clock, data).id


class TestDocumentsSent:
    def test_an_invoice_and_a_quote_by_email_are_read_as_documents(
        self, container: Container
    ) -> None:
        shop = make_shop(container, country="FR")
        customer = make_customer(container, shop.account, "Atelier Roux", email="a@roux.fr")
        invoice = posted_invoice(container, shop, partner_id=customer)
        quote_id = quote_for(container, shop, customer)
        with container.db.unit_of_work(shop.tenant_id) as session:
            p, clock = shop.principal, container.clock
            invoice_sends.send_invoice(session, p, clock, invoice.id, channel="email")
            invoice_sends.send_quote(session, p, clock, quote_id, channel="email")
        sent = messages(container, shop.tenant_id)
        assert [(m["to"], m["channel"], m["kind"]) for m in sent] == [
            ("Atelier Roux", "email", "document"),
            ("Atelier Roux", "email", "document"),
        ]
        assert str(sent[0]["text"]).startswith(f"Facture {invoice.number}")
        assert str(sent[1]["text"]).startswith("Devis D-")

    def test_a_whatsapp_sending_is_counted_once(self, container: Container) -> None:
        shop = make_shop(container, country="SN")
        phone = new_phone()
        customer = make_customer(container, shop.account, "Kane Frères", phone=phone)
        invoice = posted_invoice(container, shop, partner_id=customer)
        link(container, shop.account, new_number())
        with container.db.unit_of_work(shop.tenant_id) as session:
            link_id = session.scalars(select(WhatsAppLink.id)).one()
            set_templates(session, shop.principal, link_id, TemplatesIn(invoice="facture"))
            invoice_sends.send_invoice(
                session, shop.principal, container.clock, invoice.id, channel="whatsapp"
            )
        sent = messages(container, shop.tenant_id)
        assert [(m["to"], m["channel"]) for m in sent] == [("Kane Frères", "whatsapp")]
