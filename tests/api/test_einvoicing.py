"""E-invoicing over the REST API, the platform being the local fake over real HTTP: the
account configured (its secret never shown), an invoice submitted and its lifecycle read,
a received bill disputed, the directory, French refusals, and another business's invoice
not found."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from comptoir.bootstrap import Container
from comptoir.einvoicing_fake import FakePlatform, serve
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.api.test_purchasing import auth
from tests.domain.finance.test_einvoicing import factur_x
from tests.factories import login, make_member, unique
from tests.finance_factories import make_shop, posted_invoice
from tests.payables_factories import today_clock


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform()
    server, thread = serve(platform)
    yield platform
    server.should_exit = True
    thread.join(timeout=10)


def _platform(fake: FakePlatform, client: str) -> dict[str, str]:
    return {
        "flow_url": fake.flow_url,
        "directory_url": fake.directory_url,
        "token_url": fake.token_url,
        "client_id": client,
        "client_secret": "s3cret",
    }


class TestEInvoicingApi:
    def test_configure_submit_and_read_the_lifecycle(
        self, container: Container, http: httpx.Client, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        h = auth(http, shop.account)
        invoice = posted_invoice(container, shop, clock=today_clock())
        url = f"/api/v1/invoices/{invoice.id}/einvoicing"
        refused = http.post(url, headers=h)
        assert refused.status_code == 409 and "Aucune plateforme" in refused.text
        client = unique("client")
        put = http.put("/api/v1/einvoicing/platform", json=_platform(fake, client), headers=h)
        assert put.status_code == 200, put.text
        assert put.json()["has_secret"] is True and "s3cret" not in put.text
        submitted = http.post(url, headers=h)
        assert submitted.status_code == 202, submitted.text
        assert submitted.json()["ack_status"] == "pending"
        assert http.post("/api/v1/einvoicing/sync", headers=h).status_code == 200
        read = http.get(url, headers=h).json()
        assert [(s["status"], s["label"]) for s in read["statuses"]] == [
            ("deposee", "Déposée"),
            ("mise_a_disposition", "Mise à disposition"),
        ]
        again = http.post(url, headers=h)
        assert again.status_code == 409 and "déjà été transmise" in again.text

    def test_dispute_a_received_bill_and_look_a_company_up(
        self, container: Container, http: httpx.Client, fake: FakePlatform
    ) -> None:
        seller, buyer = make_shop(container), make_shop(container)
        invoice, pdf = factur_x(container, seller)
        h = auth(http, buyer.account)
        client = unique("client")
        http.put("/api/v1/einvoicing/platform", json=_platform(fake, client), headers=h)
        fake.deliver_invoice(client, pdf)
        assert http.post("/api/v1/einvoicing/sync", headers=h).json()["factures_recues"] == 1
        [bill] = http.get("/api/v1/supplier-bills", headers=h).json()
        url = f"/api/v1/supplier-bills/{bill['id']}/einvoicing"
        no_reason = http.post(f"{url}/status", json={"status": "en_litige"}, headers=h)
        assert no_reason.status_code == 422 and "motif" in no_reason.text
        body = {"status": "en_litige", "reason": "Prix différent du devis"}
        disputed = http.post(f"{url}/status", json=body, headers=h)
        assert disputed.status_code == 200, disputed.text
        assert disputed.json()["sent_at"] is not None
        assert [m.code for m in fake.sent_statuses(client)] == [207]
        assert [s["status"] for s in http.get(url, headers=h).json()["statuses"]] == [
            "recue",
            "en_litige",
        ]
        fake.register("552100554", name="Boulangerie Voisine", address="552100554")
        found = http.get("/api/v1/einvoicing/directory/552100554", headers=h).json()
        assert found["on_einvoicing"] is True and found["address"] == "552100554"
        assert bill["supplier_number"] == invoice.number
        theirs = http.get(f"/api/v1/invoices/{invoice.id}/einvoicing", headers=h)
        assert theirs.status_code == 404 and "introuvable" in theirs.text

    def test_only_admins_configure_the_platform(
        self, container: Container, http: httpx.Client, fake: FakePlatform
    ) -> None:
        shop = make_shop(container)
        member = make_member(container, shop.account, Role.SALES)
        h = bearer(login(http, member)["access_token"])
        body = _platform(fake, unique("client"))
        assert http.put("/api/v1/einvoicing/platform", json=body, headers=h).status_code == 403
