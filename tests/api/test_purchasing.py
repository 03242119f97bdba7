"""Purchasing over real HTTP: order to receipt, supplier terms, reorder rules and
suggestions, low stock, forecast, French errors, permissions and tenant isolation."""

from __future__ import annotations

import httpx

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.factories import Account, login, make_member
from tests.purchasing_factories import make_buyer, make_goods, stock_in


def auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return bearer(login(http, account)["access_token"])


class TestPurchaseOrders:
    def test_order_send_receive_in_two_parts(
        self, container: Container, http: httpx.Client
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Sac de riz 25kg")
        h = auth(http, buyer.account)
        body = {
            "supplier_id": str(buyer.supplier_id),
            "lines": [{"product_id": str(rice), "quantity": "50", "unit_price": "12000"}],
        }
        created = http.post("/api/v1/purchase-orders", json=body, headers=h)
        assert created.status_code == 201, created.text
        order = created.json()
        assert order["number"].startswith("BC-") and order["status"] == "draft"
        assert (order["gross_total"], order["currency"]) == ("708000", "XOF")  # 600 000 + 18 %
        assert order["lines"][0]["remaining_quantity"] == "50"
        url = f"/api/v1/purchase-orders/{order['id']}"
        sent = http.post(f"{url}/send", headers=h)
        assert sent.status_code == 200 and sent.json()["expected_date"] is not None
        part = {"lines": [{"product_id": str(rice), "quantity": "20"}], "reference": "BL-1"}
        first = http.post(f"{url}/receive", json=part, headers=h)
        assert first.status_code == 201, first.text
        assert (first.json()["order_status"], first.json()["warnings"]) == (
            "partially_received",
            [],
        )
        more = {"lines": [{"product_id": str(rice), "quantity": "40"}]}
        second = http.post(f"{url}/receive", json=more, headers=h).json()
        assert second["order_status"] == "received"
        assert "10 de plus que commandé" in second["warnings"][0]
        receipts = http.get(f"{url}/receipts", headers=h).json()
        assert [r["lines"][0]["quantity"] for r in receipts] == ["20", "40"]
        again = http.post(f"{url}/receive", headers=h)
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "purchase_order_not_receivable"
        assert "entièrement reçu" in again.json()["error"]["message"]
        listed = http.get("/api/v1/purchase-orders", params={"status": "received"}, headers=h)
        assert [o["number"] for o in listed.json()] == [order["number"]]

    def test_cancel_then_receive_is_refused(self, container: Container, http: httpx.Client) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        h = auth(http, buyer.account)
        body = {
            "supplier_id": str(buyer.supplier_id),
            "lines": [{"product_id": str(rice), "quantity": "5"}],
        }
        order = http.post("/api/v1/purchase-orders", json=body, headers=h).json()
        url = f"/api/v1/purchase-orders/{order['id']}"
        cancelled = http.post(f"{url}/cancel", json={"reason": "Doublon"}, headers=h)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        refused = http.post(f"{url}/receive", headers=h)
        assert refused.status_code == 409 and "annulé" in refused.json()["error"]["message"]

    def test_bad_input_and_permissions(self, container: Container, http: httpx.Client) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, purchase_price=None)
        h = auth(http, buyer.account)
        no_price = {
            "supplier_id": str(buyer.supplier_id),
            "lines": [{"product_id": str(rice), "quantity": "5"}],
        }
        r = http.post("/api/v1/purchase-orders", json=no_price, headers=h)
        assert r.status_code == 422 and r.json()["error"]["code"] == "missing_purchase_price"
        negative = {**no_price, "lines": [{"product_id": str(rice), "quantity": "-1"}]}
        assert http.post("/api/v1/purchase-orders", json=negative, headers=h).status_code == 422
        employee = make_member(container, buyer.account, Role.EMPLOYEE)
        forbidden = http.post(
            "/api/v1/purchase-orders",
            json={
                **no_price,
                "lines": [{"product_id": str(rice), "quantity": "5", "unit_price": "1"}],
            },
            headers=auth(http, employee),
        )
        assert forbidden.status_code == 403
        assert http.get("/api/v1/purchase-orders", headers=auth(http, employee)).status_code == 200

    def test_other_tenants_orders_are_not_found(
        self, container: Container, http: httpx.Client
    ) -> None:
        buyer, other = make_buyer(container), make_buyer(container)
        rice = make_goods(container, buyer.account)
        body = {
            "supplier_id": str(buyer.supplier_id),
            "lines": [{"product_id": str(rice), "quantity": "5", "unit_price": "1"}],
        }
        order = http.post(
            "/api/v1/purchase-orders", json=body, headers=auth(http, buyer.account)
        ).json()
        r = http.get(f"/api/v1/purchase-orders/{order['id']}", headers=auth(http, other.account))
        assert r.status_code == 404 and r.json()["error"]["code"] == "purchase_order_not_found"


class TestReplenishment:
    def test_terms_rules_suggestions_low_stock_forecast(
        self, container: Container, http: httpx.Client
    ) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Riz")
        stock_in(container, buyer, rice, "12")
        h = auth(http, buyer.account)
        terms = http.put(
            f"/api/v1/products/{rice}/suppliers",
            json={
                "supplier_id": str(buyer.supplier_id),
                "price": "11500",
                "min_order_quantity": "10",
                "is_preferred": True,
            },
            headers=h,
        )
        assert terms.status_code == 200, terms.text
        listed = http.get(f"/api/v1/products/{rice}/suppliers", headers=h).json()
        assert [(t["price"], t["is_preferred"]) for t in listed] == [("11500", True)]
        bad = http.put(
            "/api/v1/stock/reorder-rules",
            json={"product_id": str(rice), "min_quantity": "20", "max_quantity": "5"},
            headers=h,
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_reorder_rule"
        rule = http.put(
            "/api/v1/stock/reorder-rules",
            json={"product_id": str(rice), "min_quantity": "20", "max_quantity": "100"},
            headers=h,
        )
        assert rule.status_code == 200, rule.text
        assert http.get("/api/v1/stock/reorder-rules", headers=h).json()[0]["min_quantity"] == "20"
        groups = http.get("/api/v1/stock/reorder-suggestions", headers=h).json()
        assert [(g["supplier_id"], g["estimated_total"]) for g in groups] == [
            (str(buyer.supplier_id), "1035000")
        ]
        assert groups[0]["lines"][0]["quantity"] == "90"  # 100 − 12 = 88 → 9 × 10
        low = http.get("/api/v1/stock/low-stock", headers=h).json()
        assert [(x["product_name"], x["available"], x["warehouse_code"]) for x in low] == [
            ("Riz", "12", "PRINC")
        ]
        forecast = http.get(
            "/api/v1/stock/forecast", params={"product_id": str(rice)}, headers=h
        ).json()
        assert forecast == [
            {
                "product_id": str(rice),
                "product_name": "Riz",
                "sku": None,
                "unit": "sac",
                "available": "12",
                "sold": "0",
                "daily_average": "0",
                "days_of_cover": None,
                "stockout_date": None,
            }
        ]
        drafts = http.post("/api/v1/purchase-orders/from-suggestions", headers=h)
        assert drafts.status_code == 201 and drafts.json()[0]["lines"][0]["quantity"] == "90"
        assert http.get("/api/v1/stock/reorder-suggestions", headers=h).json() == []
        rule_id = rule.json()["id"]
        assert http.delete(f"/api/v1/stock/reorder-rules/{rule_id}", headers=h).status_code == 204
        assert http.get("/api/v1/stock/low-stock", headers=h).json() == []
