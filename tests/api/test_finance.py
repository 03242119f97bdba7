"""Finance over real HTTP: quote to cash, documents and exports, errors, isolation."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import facturx
import httpx
import openpyxl

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.factories import login, make_member
from tests.finance_factories import make_shop


def _auth(http: httpx.Client, account: object) -> dict[str, str]:
    token = login(http, account)["access_token"]  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def test_quote_to_cash_over_http(container: Container, http: httpx.Client) -> None:
    shop = make_shop(container)
    h = _auth(http, shop.account)
    line = {"product_id": str(shop.goods_id), "quantity": "4"}
    quote = http.post(
        "/api/v1/quotes", json={"partner_id": str(shop.customer_id), "lines": [line]}, headers=h
    )
    assert quote.status_code == 201, quote.text
    qid = quote.json()["id"]
    for action in ("send", "accept"):
        assert http.post(f"/api/v1/quotes/{qid}/{action}", headers=h).status_code == 200
    pdf = http.get(f"/api/v1/quotes/{qid}/pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    invoice = http.post(f"/api/v1/quotes/{qid}/invoice", headers=h).json()
    posted = http.post(f"/api/v1/invoices/{invoice['id']}/post", headers=h)
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert body["status"] == "posted" and body["number"].startswith("F-")
    assert body["gross_total"] == "60.00" and body["balance"] == "60.00"  # money as strings
    assert len(body["lines"]) == 1
    paid = http.post(
        "/api/v1/payments",
        json={"invoice_id": invoice["id"], "amount": "70", "method": "card"},
        headers=h,
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["unallocated"] == "10.00"
    credit = http.get(f"/api/v1/partners/{shop.customer_id}/credit", headers=h).json()
    assert credit["credit"] == "10.00"
    fx = http.get(f"/api/v1/invoices/{invoice['id']}/pdf", headers=h)
    assert fx.status_code == 200, fx.text[:500]
    _, xml = facturx.get_xml_from_pdf(fx.content, check_xsd=False)
    assert body["number"].encode() in xml
    kpis = http.get(
        "/api/v1/reports/kpis", params={"start": "2000-01-01", "end": "2100-01-01"}, headers=h
    )
    assert kpis.status_code == 200 and Decimal(kpis.json()["invoiced_net"]) == Decimal("50.00")


def test_exports_over_http(container: Container, http: httpx.Client) -> None:
    shop = make_shop(container)
    h = _auth(http, shop.account)
    created = http.post(
        "/api/v1/invoices",
        json={
            "partner_id": str(shop.customer_id),
            "lines": [{"product_id": str(shop.goods_id), "quantity": "2"}],
        },
        headers=h,
    ).json()
    number = http.post(f"/api/v1/invoices/{created['id']}/post", headers=h).json()["number"]
    year = number.split("-")[1]
    period = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    as_csv = http.get("/api/v1/exports/invoices", params={**period, "format": "csv"}, headers=h)
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Numéro" and rows[1][0] == number and rows[1][-3] == "30,00"
    as_xlsx = http.get("/api/v1/exports/invoices", params={**period, "format": "xlsx"}, headers=h)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == number
    fec = http.get("/api/v1/exports/fec", params={"year": year}, headers=h)
    assert fec.status_code == 200
    assert 'filename="732829320FEC' in fec.headers["content-disposition"]


def test_errors_are_french_and_typed(container: Container, http: httpx.Client) -> None:
    shop = make_shop(container, country="SN")
    h = _auth(http, shop.account)
    bad = http.post(
        "/api/v1/invoices",
        json={
            "partner_id": str(shop.customer_id),
            "lines": [{"product_id": str(shop.goods_id), "quantity": "0"}],
        },
        headers=h,
    )
    assert bad.status_code == 422 and "quantité" in bad.text
    vat = http.post(
        "/api/v1/invoices",
        json={
            "partner_id": str(shop.customer_id),
            "lines": [
                {
                    "description": "Transport",
                    "quantity": "1",
                    "unit_price": "5000",
                    "vat_rate": "20",
                }
            ],
        },
        headers=h,
    )
    assert vat.status_code == 422 and vat.json()["error"]["code"] == "unknown_vat_rate"
    assert "18 %" in vat.json()["error"]["message"]
    currency = http.post(
        "/api/v1/invoices", json={"partner_id": str(shop.customer_id), "currency": "EUR"}, headers=h
    )
    assert currency.json()["error"]["code"] == "wrong_currency"
    empty = http.post(
        "/api/v1/invoices", json={"partner_id": str(shop.customer_id)}, headers=h
    ).json()
    refused = http.post(f"/api/v1/invoices/{empty['id']}/post", headers=h)
    assert refused.status_code == 409 and "sans lignes" in refused.json()["error"]["message"]


def test_tenants_and_roles_are_walls(container: Container, http: httpx.Client) -> None:
    mine, theirs = make_shop(container), make_shop(container)
    created = http.post(
        "/api/v1/invoices",
        json={
            "partner_id": str(theirs.customer_id),
            "lines": [{"product_id": str(theirs.goods_id), "quantity": "1"}],
        },
        headers=_auth(http, theirs.account),
    ).json()
    h = _auth(http, mine.account)
    assert http.get(f"/api/v1/invoices/{created['id']}", headers=h).status_code == 404
    assert http.post(f"/api/v1/invoices/{created['id']}/post", headers=h).status_code == 404
    # Invoicing my customer with their product: the product does not exist for me.
    crossed = http.post(
        "/api/v1/invoices",
        json={
            "partner_id": str(mine.customer_id),
            "lines": [{"product_id": str(theirs.goods_id), "quantity": "1"}],
        },
        headers=h,
    )
    assert crossed.status_code == 404
    employee = make_member(container, mine.account, Role.EMPLOYEE)
    denied = http.get(
        "/api/v1/reports/kpis",
        params={"start": "2026-01-01", "end": "2026-12-31"},
        headers=_auth(http, employee),
    )
    assert denied.status_code == 403
