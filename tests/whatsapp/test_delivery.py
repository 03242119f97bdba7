"""Sending the outbox to the fake Graph API over real HTTP: retries with back-off on 429
and 5xx, giving up with a French notice to the admins, the 24-hour window (131047),
statuses recorded in any order, and ``queue_text`` for other code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, text

from api.whatsapp_bot import note_inbound, process
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput
from domain.kit.principal import Role
from domain.whatsapp import delivery, inbox
from domain.whatsapp.graph import WINDOW_CLOSED, GraphAPI
from domain.whatsapp.models import WhatsAppLink, WhatsAppMessage
from domain.whatsapp.outbox import queue_text
from tests.factories import make_member
from tests.whatsapp.conftest import (
    ACCESS_TOKEN,
    Line,
    add_member_with_phone,
    meta_body,
    new_phone,
)


@pytest.fixture
def quiet(whatsapp_on: Container) -> Iterator[Container]:
    """No relay after commit: messages wait for the calls the test makes itself."""
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


def queued_text(c: Container, line: Line, text: str, *, window: bool = True) -> UUID:
    with c.db.unit_of_work(line.admin.tenant_id) as session:
        if window:
            note_inbound(session, line.admin.tenant_id, line.phone, c.clock.now())
        (message_id,) = queue_text(
            session, line.admin.tenant_id, line.member.user_id, text, dedup_key=f"test:{text}"
        )
    return message_id


def message(c: Container, line: Line, message_id: UUID) -> WhatsAppMessage:
    with c.db.unit_of_work(line.admin.tenant_id) as session:
        row = session.get(WhatsAppMessage, (line.admin.tenant_id, message_id))
        assert row is not None
        return row


class TestRetries:
    def test_a_send_that_fails_twice_then_succeeds(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        message_id = queued_text(quiet, line, "Rappel : facture F-2026-00012 échue")
        clock = ManualClock(quiet.clock.now())
        fake_graph.fail_next(429, 130429)
        fake_graph.fail_next(503)
        tenant = line.admin.tenant_id
        first = delivery.deliver(quiet.db, graph, clock, tenant, message_id)
        assert (first.status, first.retry_in) == ("retrying", timedelta(seconds=5))
        # Not due yet: nothing is sent.
        assert delivery.deliver(quiet.db, graph, clock, tenant, message_id).status == "skipped"
        clock.advance(timedelta(seconds=5))
        assert delivery.deliver(quiet.db, graph, clock, tenant, message_id).status == "retrying"
        clock.advance(timedelta(seconds=30))
        assert delivery.deliver(quiet.db, graph, clock, tenant, message_id).status == "sent"
        row = message(quiet, line, message_id)
        assert (row.attempts, row.status) == (3, "sent") and row.wamid
        assert len(fake_graph.sent_to(line.phone)) == 3
        # Sending it again does nothing.
        assert delivery.deliver(quiet.db, graph, clock, tenant, message_id).status == "skipped"
        assert len(fake_graph.sent_to(line.phone)) == 3

    def test_given_up_after_the_last_try_and_the_admins_told(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        other_admin = new_phone()
        add_member_with_phone(quiet, line.admin, other_admin, Role.ADMIN)
        message_id = queued_text(quiet, line, "Votre stock de ciment est bas")
        clock = ManualClock(quiet.clock.now())
        fake_graph.fail_next(500, times=delivery.MAX_ATTEMPTS)
        for _ in range(delivery.MAX_ATTEMPTS):
            delivery.deliver(quiet.db, graph, clock, line.admin.tenant_id, message_id)
            clock.advance(timedelta(hours=1))
        assert message(quiet, line, message_id).status == "given_up"
        with quiet.db.unit_of_work(line.admin.tenant_id) as session:
            notices = list(
                session.scalars(
                    select(WhatsAppMessage).where(WhatsAppMessage.dedup_key.like("notice:%"))
                )
            )
        assert [n.to_phone for n in notices] == [other_admin]
        assert "n'a pas pu être envoyé" in notices[0].body["text"]["body"]


class TestWindow:
    def test_after_24_hours_of_silence_only_templates_go_out(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        message_id = queued_text(quiet, line, "Bonjour", window=False)
        attempt = delivery.deliver(quiet.db, graph, quiet.clock, line.admin.tenant_id, message_id)
        row = message(quiet, line, message_id)
        assert (attempt.status, row.error_code) == ("failed", WINDOW_CLOSED)
        assert fake_graph.sent_to(line.phone) == []

    def test_meta_refusing_a_closed_window_is_not_retried(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        message_id = queued_text(quiet, line, "Bonjour encore")
        fake_graph.fail_next(400, WINDOW_CLOSED)
        attempt = delivery.deliver(quiet.db, graph, quiet.clock, line.admin.tenant_id, message_id)
        assert attempt.status == "failed" and attempt.retry_in is None
        assert message(quiet, line, message_id).error_code == WINDOW_CLOSED


class TestStatuses:
    def test_statuses_in_any_order_end_at_read(
        self, quiet: Container, graph: GraphAPI, line: Line
    ) -> None:
        message_id = queued_text(quiet, line, "Votre facture est prête")
        delivery.deliver(quiet.db, graph, quiet.clock, line.admin.tenant_id, message_id)
        wamid = message(quiet, line, message_id).wamid
        assert wamid is not None
        for kind in ("status_read", "status_sent", "status_delivered"):
            body = meta_body(kind, number=line.number, sender=line.phone, wamid=wamid)
            with quiet.db.unit_of_work() as session:
                created = inbox.record(session, inbox.items_of(body), quiet.clock.now())
            assert process(quiet, created[0]) == "read"
        row = message(quiet, line, message_id)
        assert row.status == "read" and row.delivered_at and row.read_at and row.sent_at

    def test_a_failure_reported_after_delivery_keeps_the_delivery(
        self, quiet: Container, graph: GraphAPI, line: Line
    ) -> None:
        message_id = queued_text(quiet, line, "Paiement reçu")
        delivery.deliver(quiet.db, graph, quiet.clock, line.admin.tenant_id, message_id)
        wamid = message(quiet, line, message_id).wamid
        for kind in ("status_failed", "status_delivered"):
            body = meta_body(kind, number=line.number, sender=line.phone, wamid=wamid)
            with quiet.db.unit_of_work() as session:
                created = inbox.record(session, inbox.items_of(body), quiet.clock.now())
            process(quiet, created[0])
        row = message(quiet, line, message_id)
        assert row.status == "failed" and row.error_code == 130472


class TestQueueText:
    def test_a_member_without_a_phone_is_refused_in_french(
        self, quiet: Container, line: Line
    ) -> None:
        nobody = make_member(quiet, line.admin, Role.EMPLOYEE)
        with (
            pytest.raises(InvalidInput, match="pas de numéro de téléphone"),
            quiet.db.unit_of_work(line.admin.tenant_id) as session,
        ):
            queue_text(session, line.admin.tenant_id, nobody.user_id, "x", dedup_key="k")

    def test_a_long_text_goes_as_several_messages_once(self, quiet: Container, line: Line) -> None:
        long = "\n".join(f"Ligne {n} : " + "x" * 90 for n in range(100))
        with quiet.db.unit_of_work(line.admin.tenant_id) as session:
            first = queue_text(
                session, line.admin.tenant_id, line.member.user_id, long, dedup_key="r1"
            )
            again = queue_text(
                session, line.admin.tenant_id, line.member.user_id, long, dedup_key="r1"
            )
        assert len(first) == 3 and again == []


class TestDocuments:
    def test_an_invoice_goes_as_a_pdf_document_uploaded_then_sent(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph
    ) -> None:
        from domain.whatsapp.outbox import queue_invoice_pdf
        from tests.finance_factories import make_shop, posted_invoice
        from tests.whatsapp.conftest import link, new_number

        shop = make_shop(quiet, country="SN")
        invoice = posted_invoice(quiet, shop)
        phone = new_phone()
        member = add_member_with_phone(quiet, shop.account, phone, Role.ACCOUNTANT)
        link(quiet, shop.account, new_number())
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            note_inbound(session, shop.tenant_id, phone, quiet.clock.now())
            message_id = queue_invoice_pdf(
                session, member.principal(Role.ACCOUNTANT), quiet.clock, invoice.id, dedup_key="f1"
            )
        assert message_id is not None
        attempt = delivery.deliver(quiet.db, graph, quiet.clock, shop.tenant_id, message_id)
        assert attempt.status == "sent"
        (sent,) = fake_graph.sent_to(phone)
        assert sent["type"] == "document"
        document = sent["document"]
        assert document["filename"] == f"{invoice.number}.pdf"
        data, mime = fake_graph.media[document["id"]]
        assert mime == "application/pdf" and data.startswith(b"%PDF-")


class TestTemplates:
    def test_an_invoice_sent_to_a_customer_by_template(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph
    ) -> None:
        from domain.whatsapp.templates import (
            TemplatesIn,
            queue_invoice_to_customer,
            sendings,
            set_templates,
        )
        from tests.finance_factories import make_customer, make_shop, posted_invoice
        from tests.whatsapp.conftest import link, new_number

        shop = make_shop(quiet, country="SN")
        customer_phone = new_phone()
        customer = make_customer(quiet, shop.account, "Kane & Fils", phone=customer_phone)
        invoice = posted_invoice(quiet, shop, partner_id=customer)
        number = new_number()
        link(quiet, shop.account, number)
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            link_id = session.scalars(select(WhatsAppLink.id)).one()
            names = TemplatesIn(invoice="facture_envoyee", language="fr")
            set_templates(session, shop.principal, link_id, names)
            message_id = queue_invoice_to_customer(
                session,
                shop.principal,
                quiet.clock,
                invoice.id,
                dedup_key=f"invoice:{invoice.id}:1",
            )
        assert message_id is not None
        # The customer never wrote: a template goes out all the same.
        assert (
            delivery.deliver(quiet.db, graph, quiet.clock, shop.tenant_id, message_id).status
            == "sent"
        )
        (sent,) = fake_graph.sent_to(customer_phone)
        template = sent["template"]
        assert template["name"] == "facture_envoyee" and template["language"] == {"code": "fr"}
        header, body = template["components"]
        media_id = header["parameters"][0]["document"]["id"]
        assert fake_graph.media[media_id][0].startswith(b"%PDF-")
        texts = [p["text"] for p in body["parameters"]]
        assert texts[:2] == ["Kane & Fils", invoice.number]
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            (recorded,) = sendings(session, shop.tenant_id, f"invoice:{invoice.id}:")
            assert (recorded.status, recorded.to_phone) == ("sent", customer_phone)

    def test_without_an_invoice_template_the_refusal_says_so(
        self, quiet: Container, line: Line
    ) -> None:
        from domain.whatsapp.templates import queue_invoice_to_customer
        from tests.finance_factories import Shop, make_shop, posted_invoice

        shop: Shop = make_shop(quiet, country="SN")
        invoice = posted_invoice(quiet, shop)
        with quiet.db.unit_of_work(shop.tenant_id) as session:
            session.execute(text("UPDATE partners SET phone = :p"), {"p": new_phone()})
            with pytest.raises(InvalidInput, match="modèle WhatsApp « facture »"):
                queue_invoice_to_customer(
                    session, shop.principal, quiet.clock, invoice.id, dedup_key="x"
                )

    def test_a_notification_after_24_hours_goes_as_the_notification_template(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        from domain.whatsapp.templates import TemplatesIn, set_templates

        with quiet.db.unit_of_work(line.admin.tenant_id) as session:
            link_id = session.scalars(select(WhatsAppLink.id)).one()
            set_templates(
                session, line.admin.principal(), link_id, TemplatesIn(notification="alerte")
            )
        tenant = line.admin.tenant_id
        silent = queued_text(quiet, line, "Stock bas :\nciment 3 sacs", window=False)
        assert delivery.deliver(quiet.db, graph, quiet.clock, tenant, silent).status == "sent"
        refused = queued_text(quiet, line, "Facture échue", window=True)
        fake_graph.fail_next(400, WINDOW_CLOSED)  # Meta's clock closed it before ours
        assert delivery.deliver(quiet.db, graph, quiet.clock, tenant, refused).status == "sent"
        sent = fake_graph.sent_to(line.phone)
        templates = [m for m in sent if m["type"] == "template"]
        assert [t["template"]["name"] for t in templates] == ["alerte", "alerte"]
        first = templates[0]["template"]["components"][0]["parameters"][0]["text"]
        assert first == "Stock bas : ciment 3 sacs"


class TestGivingUp:
    def test_a_message_failing_at_every_try_gets_an_apology_once(
        self, quiet: Container, line: Line, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import api.whatsapp_bot as bot
        from tests.whatsapp.conftest import text_delivery

        def broken(*args: object, **kwargs: object) -> str:
            raise RuntimeError("the turn fails every time")

        monkeypatch.setattr(bot, "converse", broken)
        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        with quiet.db.unit_of_work() as session:
            (inbound_id,) = inbox.record(session, inbox.items_of(body), quiet.clock.now())
        for _ in range(inbox.MAX_ATTEMPTS):
            with pytest.raises(RuntimeError):
                process(quiet, inbound_id)
        assert process(quiet, inbound_id) == "skipped"
        with quiet.db.unit_of_work(line.admin.tenant_id) as session:
            replies = list(session.scalars(select(WhatsAppMessage.body)))
        assert len(replies) == 1
        assert replies[0]["text"]["body"].startswith("Désolé, je n'ai pas pu traiter")


class TestEarlyStatus:
    def test_a_status_faster_than_our_commit_is_applied_by_the_send(
        self, quiet: Container, graph: GraphAPI, fake_graph: FakeGraph, line: Line
    ) -> None:
        from tests.whatsapp.conftest import new_wamid

        wamid = new_wamid()
        message_id = queued_text(quiet, line, "Commande livrée")
        body = meta_body("status_delivered", number=line.number, sender=line.phone, wamid=wamid)
        with quiet.db.unit_of_work() as session:
            (status_id,) = inbox.record(session, inbox.items_of(body), quiet.clock.now())
        # Meta reports « delivered » before the send's answer is committed: it waits…
        assert process(quiet, status_id) == "waiting"
        fake_graph.next_wamids.append(wamid)
        delivery.deliver(quiet.db, graph, quiet.clock, line.admin.tenant_id, message_id)
        # … and the send applies it when it records the message's id.
        row = message(quiet, line, message_id)
        assert (row.wamid, row.status) == (wamid, "delivered") and row.delivered_at
        assert process(quiet, status_id) == "skipped"
