"""E-invoicing through a plateforme agréée, over real HTTP against the local fake platform:
an invoice submitted, Déposée then Mise à disposition and the buyer's answer; a rejection
with its reason; a received invoice polled into one draft bill however often it is seen;
a bill approved or disputed; a payment that settles an invoice told « Encaissée » once;
the directory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from comptoir.einvoicing_fake import FakePlatform, serve
from domain.automations.models import Automation
from domain.finance import printing
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.einvoicing import service, sync
from domain.finance.einvoicing.errors import AlreadySubmitted
from domain.finance.einvoicing.models import EInvoiceFlow
from domain.finance.einvoicing.platform import PlatformRefused, PlatformUnavailable
from domain.finance.models import Invoice
from domain.finance.payables.models import SupplierBill
from domain.kit.errors import InvalidInput
from tests.automations.helpers import relay_all, run_kind, runs
from tests.factories import unique
from tests.finance_factories import SIREN, Shop, make_shop, pay, posted_invoice
from tests.payables_factories import today_clock


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform()
    server, thread = serve(platform)
    yield platform
    server.should_exit = True
    thread.join(timeout=10)


def connect(container: Container, shop: Shop, fake: FakePlatform) -> str:
    """Configure the shop's platform account on the fake; returns its client id."""
    client = unique("client")
    fake.secrets[client] = "s3cret"
    settings = service.PlatformSettings(
        flow_url=fake.flow_url,
        directory_url=fake.directory_url,
        token_url=fake.token_url,
        client_id=client,
        client_secret="s3cret",
    )
    with container.db.unit_of_work(shop.tenant_id) as session:
        service.configure(session, shop.principal, today_clock(), settings)
    return client


def submit(container: Container, shop: Shop, invoice_id: UUID) -> EInvoiceFlow:
    with container.db.unit_of_work(shop.tenant_id) as session:
        platform = service.platform_of(session, shop.tenant_id)
        return service.submit_invoice(session, shop.principal, today_clock(), platform, invoice_id)


def synchronise(container: Container, shop: Shop) -> dict[str, Any]:
    with container.db.unit_of_work(shop.tenant_id) as session:
        account = service.account_of(session, shop.tenant_id)
        assert account is not None
        platform = service.afnor_platform(account)
        return sync.synchronise(session, shop.principal, today_clock(), platform, account)


def lifecycle(container: Container, shop: Shop, kind: str, doc: UUID) -> list[tuple[str, Any]]:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return [
            (s.status, s.reason) for s in service.statuses_of(session, shop.principal, kind, doc)
        ]


def factur_x(container: Container, seller: Shop) -> tuple[Invoice, bytes]:
    invoice = posted_invoice(container, seller, clock=today_clock())
    with container.db.unit_of_work(seller.tenant_id) as session:
        document = printing.invoice_document(session, seller.principal, today_clock(), invoice.id)
        return invoice, facturx_pdf(document)


class TestAccount:
    def test_configuring_installs_the_two_automations_once(
        self, container: Container, fake: FakePlatform
    ) -> None:
        from automations.tasks import run_due_now

        shop = make_shop(container)
        run_due_now(container, shop.tenant_id)
        assert kinds(container, shop) == []
        connect(container, shop, fake)
        connect(container, shop, fake)
        assert kinds(container, shop) == ["einvoicing_cashed", "einvoicing_poll"]


def kinds(container: Container, shop: Shop) -> list[str]:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return sorted(
            session.scalars(select(Automation.kind).where(Automation.kind.like("einvoicing%")))
        )


class TestSubmittedInvoices:
    def test_submitted_then_deposee_then_made_available_then_approved(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        client = connect(container, shop, fake)
        invoice = posted_invoice(container, shop, clock=today_clock())
        flow = submit(container, shop, invoice.id)
        assert flow.ack_status == "pending"
        [sent] = fake.submitted_invoices(client)
        assert (sent.syntax, sent.tracking_id, sent.data[:5]) == (
            "Factur-X",
            str(invoice.id),
            b"%PDF-",
        )
        with pytest.raises(AlreadySubmitted):
            submit(container, shop, invoice.id)
        figures = synchronise(container, shop)
        assert (figures["accuses"], figures["statuts_recus"]) == (1, 1)
        assert lifecycle(container, shop, "invoice", invoice.id) == [
            ("deposee", None),
            ("mise_a_disposition", None),
        ]
        assert invoice.number is not None
        fake.buyer_status(client, invoice.number, 205, issuer_siren=SIREN)
        synchronise(container, shop)
        synchronise(container, shop)  # a second poll records nothing twice
        assert [s for s, _ in lifecycle(container, shop, "invoice", invoice.id)] == [
            "deposee",
            "mise_a_disposition",
            "approuvee",
        ]

    def test_a_rejection_is_recorded_with_its_reason_and_allows_a_new_submission(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        client = connect(container, shop, fake)
        invoice = posted_invoice(container, shop, clock=today_clock())
        fake.reject_next(client, "InvalidSchema", "Le XML ne respecte pas le schéma")
        submit(container, shop, invoice.id)
        synchronise(container, shop)
        assert lifecycle(container, shop, "invoice", invoice.id) == [
            ("rejetee", "InvalidSchema : Le XML ne respecte pas le schéma")
        ]
        again = submit(container, shop, invoice.id)
        synchronise(container, shop)
        assert again.ack_status == "pending"
        assert [s for s, _ in lifecycle(container, shop, "invoice", invoice.id)] == [
            "rejetee",
            "deposee",
            "mise_a_disposition",
        ]

    def test_a_refusal_by_the_customer_keeps_its_reason(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        client = connect(container, shop, fake)
        invoice = posted_invoice(container, shop, clock=today_clock())
        submit(container, shop, invoice.id)
        assert invoice.number is not None
        fake.buyer_status(client, invoice.number, 210, reason="Commande non reçue")
        synchronise(container, shop)
        assert ("refusee", "Commande non reçue") in lifecycle(
            container, shop, "invoice", invoice.id
        )

    def test_a_draft_is_not_submitted(self, container: Container, fake: FakePlatform) -> None:
        from tests.finance_factories import draft_invoice

        shop = make_shop(container)
        connect(container, shop, fake)
        draft = draft_invoice(container, shop, clock=today_clock())
        with pytest.raises(InvalidInput, match="émise"):
            submit(container, shop, draft.id)


class TestCashed:
    def test_a_payment_settling_the_invoice_sends_encaissee_once(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        client = connect(container, shop, fake)
        invoice = posted_invoice(container, shop, clock=today_clock())
        submit(container, shop, invoice.id)
        synchronise(container, shop)
        run_kind(container, shop.account, "einvoicing_poll")  # installs the automations
        relay_all(container, shop.account)
        half = (invoice.gross_total / 2).quantize(Decimal("0.01"))
        pay(container, shop, str(half), invoice_id=invoice.id, clock=today_clock())
        relay_all(container, shop.account)
        assert fake.sent_statuses(client) == []
        rest = invoice.gross_total - half
        pay(container, shop, str(rest), invoice_id=invoice.id, clock=today_clock())
        relay_all(container, shop.account)
        run_kind(container, shop.account, "einvoicing_poll")
        [cashed] = fake.sent_statuses(client)
        assert (cashed.code, cashed.invoice_number, cashed.issuer_siren) == (
            212,
            invoice.number,
            SIREN,
        )
        assert lifecycle(container, shop, "invoice", invoice.id)[-1] == ("encaissee", None)


class TestReceivedInvoices:
    def test_a_received_invoice_becomes_one_draft_bill_however_often_it_is_seen(
        self, container: Container, fake: FakePlatform
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        invoice, pdf = factur_x(container, seller)
        client = connect(container, buyer, fake)
        fake.deliver_invoice(client, pdf)
        run_kind(container, buyer.account, "einvoicing_poll")
        [run] = runs(container, buyer.account, "einvoicing_poll")
        assert (run.status, run.output["factures_recues"]) == ("succeeded", 1)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            account = service.account_of(session, buyer.tenant_id)
            assert account is not None
            account.incoming_cursor = None  # the platform shows the same flow again
        assert synchronise(container, buyer)["factures_recues"] == 0
        with container.db.unit_of_work(buyer.tenant_id) as session:
            bills = session.scalars(select(SupplierBill)).all()
            assert [(b.status, b.source, b.gross_total) for b in bills] == [
                ("draft", "einvoice", invoice.gross_total)
            ]
        assert lifecycle(container, buyer, "supplier_bill", bills[0].id) == [("recue", None)]

    def test_two_rounds_at_once_take_the_invoice_in_once(
        self, container: Container, fake: FakePlatform
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        _, pdf = factur_x(container, seller)
        client = connect(container, buyer, fake)
        fake.deliver_invoice(client, pdf)
        start = threading.Barrier(2)
        outcomes: list[Any] = []

        def one_round() -> None:
            start.wait()
            try:
                outcomes.append(synchronise(container, buyer)["factures_recues"])
            except Exception as exc:  # noqa: BLE001 - the failure is what is asserted
                outcomes.append(exc)

        threads = [threading.Thread(target=one_round) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes, key=str) == [0, 1]
        with container.db.unit_of_work(buyer.tenant_id) as session:
            assert session.scalar(select(func.count()).select_from(SupplierBill)) == 1

    def test_approve_and_dispute_are_sent_to_the_platform(
        self, container: Container, fake: FakePlatform
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        invoice, pdf = factur_x(container, seller)
        client = connect(container, buyer, fake)
        fake.deliver_invoice(client, pdf)
        synchronise(container, buyer)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            bill_id = session.scalars(select(SupplierBill.id)).one()
            platform = service.platform_of(session, buyer.tenant_id)
            with pytest.raises(InvalidInput, match="motif"):
                service.say_about_bill(
                    session, buyer.principal, today_clock(), platform, bill_id, 207
                )
            service.say_about_bill(
                session, buyer.principal, today_clock(), platform, bill_id, 207, "Quantité"
            )
            service.say_about_bill(session, buyer.principal, today_clock(), platform, bill_id, 205)
            service.say_about_bill(session, buyer.principal, today_clock(), platform, bill_id, 205)
        sent = [(m.code, m.invoice_number, m.reason) for m in fake.sent_statuses(client)]
        assert sent == [(207, invoice.number, "Quantité"), (205, invoice.number, None)]
        assert [s for s, _ in lifecycle(container, buyer, "supplier_bill", bill_id)] == [
            "recue",
            "en_litige",
            "approuvee",
        ]

    def test_a_file_the_import_refuses_is_kept_with_its_reason_and_not_retried(
        self, container: Container, fake: FakePlatform
    ) -> None:
        buyer = make_shop(container)
        client = connect(container, buyer, fake)
        fake.deliver_invoice(client, b"<Invoice>pas une facture</Invoice>", "x.xml")
        assert synchronise(container, buyer)["factures_refusees"] == 1
        assert synchronise(container, buyer)["factures_refusees"] == 0
        with container.db.unit_of_work(buyer.tenant_id) as session:
            assert session.scalar(select(func.count()).select_from(SupplierBill)) == 0
            [flow] = session.scalars(select(EInvoiceFlow)).all()
            assert flow.document_id is None and "refusée" in (flow.error or "")


class TestPlatformDown:
    def test_a_status_said_while_the_platform_is_down_is_sent_by_the_next_poll(
        self, container: Container, fake: FakePlatform
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        _, pdf = factur_x(container, seller)
        client = connect(container, buyer, fake)
        fake.deliver_invoice(client, pdf)
        synchronise(container, buyer)
        with container.db.unit_of_work(buyer.tenant_id) as session:
            bill_id = session.scalars(select(SupplierBill.id)).one()
            platform = service.platform_of(session, buyer.tenant_id)
            service.lookup(buyer.principal, platform, SIREN)  # takes the token first
            fake.fail_next(503)
            status = service.say_about_bill(
                session, buyer.principal, today_clock(), platform, bill_id, 205
            )
            assert status.sent_at is None
        assert fake.sent_statuses(client) == []
        assert synchronise(container, buyer)["statuts_envoyes"] == 1
        assert [m.code for m in fake.sent_statuses(client)] == [205]

    def test_an_outage_is_a_french_error(self, container: Container, fake: FakePlatform) -> None:
        shop = make_shop(container)
        connect(container, shop, fake)
        invoice = posted_invoice(container, shop, clock=today_clock())
        with container.db.unit_of_work(shop.tenant_id) as session:
            platform = service.platform_of(session, shop.tenant_id)
            platform.lookup(SIREN)
        fake.fail_next(503)
        with pytest.raises(PlatformUnavailable, match="indisponible"):
            submit(container, shop, invoice.id)


class TestDirectory:
    def test_a_registered_company_and_an_unknown_one(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        connect(container, shop, fake)
        fake.register("552100554", name="Boulangerie Voisine", address="552100554_compta")
        with container.db.unit_of_work(shop.tenant_id) as session:
            platform = service.platform_of(session, shop.tenant_id)
        found = service.lookup(shop.principal, platform, "552 100 554")
        assert (found.on_einvoicing, found.address, found.name, found.platform) == (
            True,
            "552100554_compta",
            "Boulangerie Voisine",
            "Plateforme locale",
        )
        assert service.lookup(shop.principal, platform, "443061841").on_einvoicing is False
        with pytest.raises(InvalidInput, match="9 chiffres"):
            service.lookup(shop.principal, platform, "12345")

    def test_wrong_credentials_are_a_french_refusal(
        self, container: Container, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        client = connect(container, shop, fake)
        fake.secrets[client] = "another"
        with container.db.unit_of_work(shop.tenant_id) as session:
            platform = service.platform_of(session, shop.tenant_id)
        with pytest.raises(PlatformRefused, match="identifiants"):
            service.lookup(shop.principal, platform, SIREN)
