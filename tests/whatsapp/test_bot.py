"""The WhatsApp bot end to end: webhook over real HTTP, a real Celery worker, the agent's
turn, and the replies sent to the fake Graph API — a Wave payment recorded through the
« Oui » button, one reply and one write however often the message is delivered, an
unknown number, a member of several businesses, voice notes, buttons that are not ours."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.kit.principal import Role
from tests.factories import make_tenant
from tests.finance_factories import make_shop, posted_invoice
from tests.whatsapp.conftest import (
    Line,
    add_member_with_phone,
    link,
    meta_body,
    new_number,
    new_phone,
    post,
    tap,
    text_delivery,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("worker")


def replies(fake: FakeGraph, phone: str, count: int = 1) -> list[dict[str, Any]]:
    """Wait for ``count`` messages to ``phone`` and return them all."""
    return wait_for(lambda: (sent := fake.sent_to(phone)) and len(sent) >= count and sent)  # type: ignore[no-any-return]


def body_text(message: dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def button_ids(message: dict[str, Any]) -> dict[str, str]:
    """Title → id of an interactive message's buttons or list rows."""
    interactive = message["interactive"]
    if interactive["type"] == "button":
        return {b["reply"]["title"]: b["reply"]["id"] for b in interactive["action"]["buttons"]}
    rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
    return {r["title"]: r["id"] for r in rows}


def count(container: Container, tenant_id: object, sql: str) -> int:
    with container.db.unit_of_work(tenant_id) as s:  # type: ignore[arg-type]
        return int(s.scalar(text(sql)))


@pytest.fixture
def shop_line(whatsapp_on: Container) -> Line:
    """A Senegalese shop with a customer owing a posted invoice, its WhatsApp number
    linked, and an admin member with a phone."""
    shop = make_shop(whatsapp_on, country="SN")
    posted_invoice(whatsapp_on, shop)
    number, phone = new_number(), new_phone()
    link(whatsapp_on, shop.account, number)
    member = add_member_with_phone(whatsapp_on, shop.account, phone, Role.ADMIN)
    return Line(shop.account, number, phone, member)


class TestConversation:
    def test_a_wave_payment_recorded_through_the_yes_button(
        self,
        http: httpx.Client,
        whatsapp_on: Container,
        fake_graph: FakeGraph,
        shop_line: Line,
    ) -> None:
        number, admin, phone = shop_line.number, shop_line.admin, shop_line.phone
        payments = count(whatsapp_on, admin.tenant_id, "SELECT count(*) FROM payments")
        message = "Diallo SARL a payé 10 000 FCFA par Wave"
        assert post(http, text_delivery(message, number=number, sender=phone)).status_code == 200
        preview = replies(fake_graph, phone)[-1]
        assert preview["type"] == "interactive" and "Confirmez-vous ?" in body_text(preview)
        buttons = button_ids(preview)
        assert set(buttons) == {"Oui", "Non"}
        # The buttons carry opaque references, never the confirmation token.
        assert all(ref.startswith("w:") and "." not in ref for ref in buttons.values())
        assert count(whatsapp_on, admin.tenant_id, "SELECT count(*) FROM payments") == payments
        tapped = tap(buttons["Oui"], number=number, sender=phone)
        assert post(http, tapped).status_code == 200
        done = replies(fake_graph, phone, 2)[-1]
        assert body_text(done).startswith("Paiement")
        assert count(whatsapp_on, admin.tenant_id, "SELECT count(*) FROM payments") == payments + 1
        # Meta redelivers the tap: nothing more is written or sent.
        assert post(http, tapped).status_code == 200
        assert len(fake_graph.sent_to(phone)) == 2
        assert count(whatsapp_on, admin.tenant_id, "SELECT count(*) FROM payments") == payments + 1
        # The person taps « Oui » again (a new message): told so, nothing written.
        post(http, tap(buttons["Oui"], number=number, sender=phone))
        again = body_text(replies(fake_graph, phone, 3)[-1])
        assert "déjà été confirmée" in again, again
        assert count(whatsapp_on, admin.tenant_id, "SELECT count(*) FROM payments") == payments + 1

    def test_no_cancels_and_writes_nothing(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        post(
            http, text_delivery("crée le client Maison Kane", number=line.number, sender=line.phone)
        )
        preview = replies(fake_graph, line.phone)[-1]
        post(http, tap(button_ids(preview)["Non"], number=line.number, sender=line.phone))
        answer = replies(fake_graph, line.phone, 2)[-1]
        assert body_text(answer) == "D'accord, j'annule. Rien n'a été fait."
        sql = "SELECT count(*) FROM partners WHERE name = 'Maison Kane'"
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 0

    def test_one_conversation_per_member_and_business(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        for n, message in enumerate(("bonjour", "merci")):
            post(http, text_delivery(message, number=line.number, sender=line.phone))
            replies(fake_graph, line.phone, n + 1)
        sql = "SELECT count(*) FROM conversations WHERE channel = 'whatsapp'"
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 1
        sql = "SELECT count(*) FROM conversation_messages"
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 4


class TestOnce:
    def test_twenty_concurrent_copies_give_one_reply_and_one_write(
        self, live_url: str, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        # The admin's own business allows no exemption: the write goes through the button.
        body = text_delivery("crée le client Maison Sow", number=line.number, sender=line.phone)

        def send(_: int) -> int:
            with httpx.Client(base_url=live_url, timeout=30) as client:
                return post(client, body).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            assert list(pool.map(send, range(20))) == [200] * 20
        preview = replies(fake_graph, line.phone)[-1]
        tapped = tap(button_ids(preview)["Oui"], number=line.number, sender=line.phone)
        with ThreadPoolExecutor(max_workers=20) as pool:
            assert list(pool.map(lambda _: send_tap(live_url, tapped), range(20))) == [200] * 20
        replies(fake_graph, line.phone, 2)
        sql = "SELECT count(*) FROM partners WHERE name = 'Maison Sow'"
        wait_for(lambda: count(whatsapp_on, line.admin.tenant_id, sql) == 1)
        assert len(fake_graph.sent_to(line.phone)) == 2
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 1


def send_tap(live_url: str, body: dict[str, Any]) -> int:
    with httpx.Client(base_url=live_url, timeout=30) as client:
        return post(client, body).status_code


class TestWhoIsTalking:
    def test_an_unknown_number_gets_one_polite_reply(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        stranger = new_phone()
        body = text_delivery(
            "bonjour, c'est combien le ciment ?", number=line.number, sender=stranger
        )
        post(http, body)
        post(http, body)
        answer = replies(fake_graph, stranger)
        assert len(answer) == 1 and "n'y est pas enregistré" in body_text(answer[0])
        sql = "SELECT count(*) FROM conversations"
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 0

    def test_a_member_of_two_businesses_on_one_number_is_asked_which(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        other = make_tenant(whatsapp_on, country="SN", name="Boulangerie Test")
        link(whatsapp_on, other, line.number)
        add_member_with_phone(whatsapp_on, other, line.phone, Role.ADMIN)
        post(http, text_delivery("bonjour", number=line.number, sender=line.phone))
        question = replies(fake_graph, line.phone)[-1]
        assert "plusieurs entreprises" in body_text(question)
        choices = button_ids(question)
        assert set(choices) == {"Quincaillerie Test", "Boulangerie Test"}
        post(http, tap(choices["Boulangerie Test"], number=line.number, sender=line.phone))
        replies(fake_graph, line.phone, 2)
        sql = "SELECT count(*) FROM conversations WHERE channel = 'whatsapp'"
        assert count(whatsapp_on, other.tenant_id, sql) == 1
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 0
        # The next message goes to the business chosen, without asking again.
        post(http, text_delivery("merci", number=line.number, sender=line.phone))
        assert body_text(replies(fake_graph, line.phone, 3)[-1]) != body_text(question)
        messages = "SELECT count(*) FROM conversation_messages"
        assert count(whatsapp_on, other.tenant_id, messages) == 4
        # The other button, later: nothing waits; the person now talks to that business.
        post(http, tap(choices["Quincaillerie Test"], number=line.number, sender=line.phone))
        chosen = body_text(replies(fake_graph, line.phone, 4)[-1])
        assert (
            chosen == "C'est noté : vous parlez à Quincaillerie Test. Que puis-je faire pour vous ?"
        )
        post(http, text_delivery("merci", number=line.number, sender=line.phone))
        replies(fake_graph, line.phone, 5)
        assert count(whatsapp_on, line.admin.tenant_id, messages) == 2

    def test_a_voice_note_is_answered_plainly(
        self, http: httpx.Client, fake_graph: FakeGraph, line: Line
    ) -> None:
        post(http, meta_body("audio", number=line.number, sender=line.phone))
        answer = replies(fake_graph, line.phone)
        assert body_text(answer[-1]).startswith(
            "Les messages vocaux ne sont pas encore pris en charge"
        )

    def test_a_button_that_is_not_ours_is_refused_politely(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        post(http, tap("callback_data", number=line.number, sender=line.phone))
        assert "plus valable" in body_text(replies(fake_graph, line.phone)[-1])


class TestSweep:
    def test_a_reply_committed_but_never_sent_goes_out_once(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        from api.whatsapp_bot import process
        from automations.whatsapp import sweep_now
        from domain.whatsapp import inbox

        # The worker committed the turn and its reply, then died before sending: no relay.
        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        publisher, whatsapp_on.db.event_publisher = whatsapp_on.db.event_publisher, None
        try:
            with whatsapp_on.db.unit_of_work() as session:
                (inbound_id,) = inbox.record(session, inbox.items_of(body), whatsapp_on.clock.now())
            assert process(whatsapp_on, inbound_id) == "turn"
        finally:
            whatsapp_on.db.event_publisher = publisher
        assert fake_graph.sent_to(line.phone) == []
        assert sweep_now(whatsapp_on)[1] >= 1
        replies(fake_graph, line.phone)
        sweep_now(whatsapp_on)
        assert process(whatsapp_on, inbound_id) == "skipped"
        assert len(fake_graph.sent_to(line.phone)) == 1

    def test_a_delivery_recorded_while_the_broker_was_down_is_processed(
        self, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        from datetime import timedelta

        from automations.whatsapp import sweep_now
        from domain.whatsapp import inbox

        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        with whatsapp_on.db.unit_of_work() as session:
            earlier = whatsapp_on.clock.now() - timedelta(minutes=1)
            inbox.record(session, inbox.items_of(body), earlier)
        assert sweep_now(whatsapp_on)[0] >= 1
        assert len(replies(fake_graph, line.phone)) == 1


class TestOptions:
    def test_a_question_back_offers_its_options_as_buttons(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, shop_line: Line
    ) -> None:
        from tests.finance_factories import make_customer

        line = shop_line
        make_customer(whatsapp_on, line.admin, "Diallo & Fils")
        post(
            http,
            text_delivery(
                "Diallo a payé 10 000 FCFA par Wave", number=line.number, sender=line.phone
            ),
        )
        question = replies(fake_graph, line.phone)[-1]
        assert question["type"] == "interactive", question
        options = button_ids(question)
        assert set(options) == {"Diallo SARL", "Diallo & Fils"}
        post(http, tap(options["Diallo SARL"], number=line.number, sender=line.phone))
        preview = replies(fake_graph, line.phone, 2)[-1]
        assert "Diallo SARL" in body_text(preview) and set(button_ids(preview)) == {"Oui", "Non"}


def contract_pdf() -> bytes:
    """A one-page PDF with a text layer, as a phone would send a contract."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "Contrat de bail commercial")
    page.drawString(72, 740, "Le loyer mensuel du local de Pikine est de 350 000 FCFA.")
    page.drawString(72, 720, "Le preavis de resiliation est de trois mois.")
    page.save()
    return out.getvalue()


class TestDocuments:
    def test_a_document_received_is_stored_and_searchable(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        from rag.retrieval import search

        media_id = new_number()
        fake_graph.add_medium(media_id, contract_pdf(), "application/pdf")
        document = {
            "id": media_id,
            "filename": "bail-pikine.pdf",
            "mime_type": "application/pdf",
            "caption": "Bail Pikine",
            "sha256": "x",
        }
        post(http, meta_body("document", number=line.number, sender=line.phone, document=document))
        answer = body_text(replies(fake_graph, line.phone)[-1])
        assert answer.startswith("Document « Bail Pikine » enregistré"), answer
        with whatsapp_on.db.unit_of_work(line.admin.tenant_id) as session:
            uploader = session.scalar(text("SELECT uploaded_by FROM documents"))
            passages = search(session, line.member.principal(), "loyer mensuel Pikine")
        assert uploader == line.member.user_id
        assert passages and "350 000" in passages[0].text

    def test_a_photo_the_documents_service_refuses_is_answered_in_french(
        self, http: httpx.Client, fake_graph: FakeGraph, line: Line
    ) -> None:
        media_id = new_number()
        fake_graph.add_medium(media_id, b"\xff\xd8\xff\xe0fake-jpeg", "image/jpeg")
        image = {"id": media_id, "mime_type": "image/jpeg", "sha256": "x"}
        post(http, meta_body("image", number=line.number, sender=line.phone, image=image))
        answer = body_text(replies(fake_graph, line.phone)[-1])
        assert answer.startswith("Format de fichier non pris en charge"), answer


class TestButtonsAreBound:
    def test_another_members_yes_button_confirms_nothing(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        post(
            http,
            text_delivery("crée le client Maison Diouf", number=line.number, sender=line.phone),
        )
        yes = button_ids(replies(fake_graph, line.phone)[-1])["Oui"]
        intruder = new_phone()
        add_member_with_phone(whatsapp_on, line.admin, intruder, Role.ADMIN)
        post(http, tap(yes, number=line.number, sender=intruder))
        assert "plus valable" in body_text(replies(fake_graph, intruder)[-1])
        sql = "SELECT count(*) FROM partners WHERE name = 'Maison Diouf'"
        assert count(whatsapp_on, line.admin.tenant_id, sql) == 0

    def test_a_message_text_leaves_the_platform_inbox_once_routed(
        self, http: httpx.Client, whatsapp_on: Container, fake_graph: FakeGraph, line: Line
    ) -> None:
        body = text_delivery("bonjour", number=line.number, sender=line.phone)
        wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        post(http, body)
        replies(fake_graph, line.phone)
        with whatsapp_on.db.unit_of_work() as session:
            row = session.execute(
                text("SELECT payload, outcome FROM whatsapp_inbound WHERE wamid = :w"),
                {"w": wamid},
            ).one()
        assert (row.payload, row.outcome) == (None, "turn")
