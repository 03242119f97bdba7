"""Stock over real HTTP: receipts to valuation, counts, lots, errors, roles, isolation."""

from __future__ import annotations

import httpx

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.factories import Account, login, make_member, make_tenant
from tests.stock_factories import make_stock_product


def _auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(http, account)['access_token']}"}


def _post(http: httpx.Client, h: dict[str, str], path: str, **body: object) -> httpx.Response:
    return http.post(f"/api/v1/stock/{path}", json=body, headers=h)


def test_receipt_to_valuation_over_http(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    h = _auth(http, account)
    [main] = http.get("/api/v1/stock/warehouses", headers=h).json()
    assert (main["code"], main["name"], main["is_default"]) == ("PRINC", "Entrepôt principal", True)
    lamp = {
        "name": "Lampe Opaline", "sale_price": "49.90", "purchase_price": "20",
        "is_stockable": True,
    }  # fmt: skip
    product = http.post("/api/v1/products", json=lamp, headers=h).json()
    assert (product["is_stockable"], product["purchase_price"]) == (True, "20")
    pid = product["id"]
    receipt = _post(http, h, "receipts", product_id=pid, quantity="10", reference="BL 12")
    assert receipt.status_code == 201, receipt.text
    assert (receipt.json()["quantity"], receipt.json()["unit_cost"]) == ("10", "20")
    _post(http, h, "receipts", product_id=pid, quantity="10", unit_cost="21.5")
    issued = _post(http, h, "issues", product_id=pid, quantity="2.5", reason="Vente comptoir")
    assert issued.status_code == 201 and issued.json()[0]["kind"] == "out"
    annex = _post(http, h, "warehouses", code="bout", name="Boutique").json()
    assert annex["code"] == "BOUT" and annex["is_default"] is False
    moved = _post(http, h, "transfers", product_id=pid, quantity="5",
                  from_warehouse_id=main["id"], to_warehouse_id=annex["id"])  # fmt: skip
    assert moved.status_code == 201, moved.text
    adjusted = _post(http, h, "adjustments", product_id=pid, counted_quantity="12",
                     warehouse_id=main["id"], reason="Casse")  # fmt: skip
    assert adjusted.json()["kind"] == "adjustment" and adjusted.json()["quantity"] == "0.5"
    levels = http.get("/api/v1/stock/levels", params={"product_id": pid}, headers=h).json()
    assert {(x["warehouse_id"], x["on_hand"], x["available"]) for x in levels} == {
        (main["id"], "12", "12"),
        (annex["id"], "5", "5"),
    }
    value = http.get("/api/v1/stock/valuation", headers=h).json()
    # average (10 × 20 + 10 × 21.5) / 20 = 20.75; 17 × 20.75 = 352.75
    assert value["currency"] == "EUR" and value["total"] == "352.75"
    assert value["lines"][0]["average_cost"] == "20.75"
    moves = http.get("/api/v1/stock/moves", params={"product_id": pid}, headers=h).json()
    assert [m["kind"] for m in moves] == ["adjustment", "transfer", "out", "in", "in"]
    assert http.get("/api/v1/stock/levels/verify", headers=h).json() == []
    first = http.get("/api/v1/stock/levels", params={"limit": 1}, headers=h).json()
    rest = http.get("/api/v1/stock/levels", params={"limit": 1, "offset": 1}, headers=h).json()
    assert len(first) == len(rest) == 1 and first != rest
    too_many = http.get("/api/v1/stock/levels", params={"limit": 100_000}, headers=h)
    assert too_many.status_code == 422


def test_counts_lots_and_reservations_over_http(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    h = _auth(http, account)
    milk = make_stock_product(container, account, tracks_lots=True)
    missing = _post(http, h, "receipts", product_id=str(milk), quantity="4")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "lot_required"
    _post(http, h, "receipts", product_id=str(milk), quantity="4", lot_number="LT1",
          expiry_date="2000-01-31")  # fmt: skip
    lots = http.get("/api/v1/stock/lots/expiring", headers=h).json()
    assert [(x["number"], x["on_hand"]) for x in lots] == [("LT1", "4")]
    assert lots[0]["days_left"] < 0
    reserved = _post(http, h, "reservations", product_id=str(milk), quantity="1")
    assert reserved.status_code == 201, reserved.text
    level = http.get("/api/v1/stock/levels", params={"product_id": str(milk)}, headers=h).json()
    assert (level[0]["reserved"], level[0]["available"]) == ("1", "3")
    released = _post(http, h, f"reservations/{reserved.json()['id']}/release")
    assert released.json()["released_at"] is not None
    count = _post(http, h, "counts", reference="INV-1").json()
    assert [x["expected_quantity"] for x in count["lines"]] == ["4"]
    line = {"product_id": str(milk), "counted_quantity": "3", "lot_number": "LT1"}
    sheet = http.put(f"/api/v1/stock/counts/{count['id']}/lines", json=line, headers=h)
    assert sheet.json()["lines"][0]["counted_quantity"] == "3"
    done = _post(http, h, f"counts/{count['id']}/validate")
    assert [m["quantity"] for m in done.json()] == ["1"]
    again = _post(http, h, f"counts/{count['id']}/validate")
    assert again.status_code == 409 and again.json()["error"]["code"] == "inventory_count_closed"


def test_bad_input_is_refused_in_french(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    h = _auth(http, account)
    pid = str(make_stock_product(container, account, name="Sac de riz"))
    cases = [
        ("receipts", {"product_id": pid, "quantity": "-2"}, 422, "invalid_quantity"),
        ("receipts", {"product_id": pid, "quantity": "0"}, 422, "invalid_quantity"),
        ("issues", {"product_id": pid, "quantity": "1", "reason": "Vente"}, 409,
         "insufficient_stock"),
        ("receipts", {"product_id": "00000000-0000-0000-0000-000000000000", "quantity": "1"},
         404, "product_not_found"),
        ("receipts", {"product_id": pid, "quantity": "1",
                      "warehouse_id": "00000000-0000-0000-0000-000000000000"},
         404, "warehouse_not_found"),
        ("receipts", {"product_id": pid, "quantity": "1", "bogus": 1}, 422, "invalid_input"),
    ]  # fmt: skip
    for path, body, code, error in cases:
        response = http.post(f"/api/v1/stock/{path}", json=body, headers=h)
        assert (response.status_code, response.json()["error"]["code"]) == (code, error), body
    short = http.post(f"/api/v1/stock/{cases[2][0]}", json=cases[2][1], headers=h).json()
    assert "Sac de riz" in short["error"]["message"]
    main = http.get("/api/v1/stock/warehouses", headers=h).json()[0]["id"]
    same = _post(http, h, "transfers", product_id=pid, quantity="1",
                 from_warehouse_id=main, to_warehouse_id=main)  # fmt: skip
    assert same.json()["error"]["code"] == "same_warehouse"
    assert http.get("/api/v1/stock/moves", headers=h).json() == []


def test_roles_and_tenant_isolation(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    pid = str(make_stock_product(container, account))
    accountant = _auth(http, make_member(container, account, Role.ACCOUNTANT))
    seller = _auth(http, make_member(container, account, Role.SALES))
    refused = _post(http, accountant, "receipts", product_id=pid, quantity="1")
    assert refused.status_code == 403
    assert http.get("/api/v1/stock/valuation", headers=accountant).status_code == 200
    assert http.get("/api/v1/stock/valuation", headers=seller).status_code == 403
    stranger = _auth(http, make_tenant(container))
    foreign = _post(http, stranger, "receipts", product_id=pid, quantity="1")
    assert foreign.status_code == 404
    assert (
        http.get("/api/v1/stock/levels", params={"product_id": pid}, headers=stranger).status_code
        == 404
    )
