"""Cost data (purchase prices, average costs, move unit costs, purchase order prices and
totals, supplier prices, suggested order totals) attacked over real HTTP and through the
tools the agent calls: an employee or a sales member gets none of it, a manager or an
accountant gets all of it, and every REST route that can return a cost field is guarded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi.routing import APIRoute

from api.app import create_app
from api.costs import GUARDED
from comptoir.bootstrap import Container
from domain.kit.costs import carries_costs
from domain.kit.principal import Principal, Role
from tests.api.test_auth import bearer
from tests.factories import Account, login, make_member
from tests.purchasing_factories import (
    Buyer,
    clock,
    line,
    make_buyer,
    make_goods,
    make_order,
    set_rule,
    set_terms,
    stock_in,
)
from tests.tools.kit import call
from tools.stock.catalog import update_product
from tools.stock.moves import receive
from tools.stock.reports import reorder_suggestions

# Distinctive amounts, so that finding one anywhere in a response is a leak.
PURCHASE_PRICE = "12345"  # also the average cost after the first receipt
ORDER_PRICE = "11111"
ORDER_NET = "55555"  # 5 × 11 111
SUPPLIER_PRICE = "11222"
SECRETS = (PURCHASE_PRICE, ORDER_PRICE, ORDER_NET, SUPPLIER_PRICE)
COST_KEYS = {
    "purchase_price",
    "average_cost",
    "unit_cost",
    "price",
    "unit_price",
    "net_amount",
    "net_total",
    "tax_total",
    "gross_total",
    "estimated_total",
    "value",
    "total",
}


@dataclass(frozen=True)
class Shop:
    buyer: Buyer
    rice: UUID
    order_id: UUID
    members: dict[Role, Account]

    def principal(self, role: Role) -> Principal:
        return self.members[role].principal(role)


@pytest.fixture
def shop(container: Container) -> Shop:
    buyer = make_buyer(container)
    rice = make_goods(container, buyer.account, name="Riz parfumé", purchase_price=PURCHASE_PRICE)
    stock_in(container, buyer, rice, "10")  # at the purchase price: average cost 12 345
    set_terms(container, buyer, rice, price=SUPPLIER_PRICE, is_preferred=True)
    set_rule(container, buyer, rice, "20", "100")
    order = make_order(container, buyer, line(rice, "5", ORDER_PRICE))
    roles = (Role.EMPLOYEE, Role.SALES, Role.MANAGER, Role.ACCOUNTANT)
    members = {role: make_member(container, buyer.account, role) for role in roles}
    return Shop(buyer=buyer, rice=rice, order_id=order.id, members=members)


def _flat(text: str) -> str:
    """Amounts as digits only (« 12 345 F CFA » → « 12345 F CFA »)."""
    return text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")


def _cost_values(body: Any) -> list[tuple[str, Any]]:
    """Every (key, amount) of a cost key anywhere in a JSON document."""
    found: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in COST_KEYS and isinstance(value, str):  # amounts travel as strings
                found.append((key, value))
            found.extend(_cost_values(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(_cost_values(item))
    return found


def _reads(http: httpx.Client, shop: Shop, role: Role) -> dict[str, Any]:
    h = bearer(login(http, shop.members[role])["access_token"])
    paths = {
        "products": "/api/v1/products",
        "product": f"/api/v1/products/{shop.rice}",
        "moves": "/api/v1/stock/moves",
        "orders": "/api/v1/purchase-orders",
        "order": f"/api/v1/purchase-orders/{shop.order_id}",
        "suppliers": f"/api/v1/products/{shop.rice}/suppliers",
        "suggestions": "/api/v1/stock/reorder-suggestions",
    }
    bodies = {}
    for name, path in paths.items():
        response = http.get(path, headers=h)
        assert response.status_code == 200, (name, response.text)
        bodies[name] = response.json()
    return bodies


class TestRestHidesCosts:
    @pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.SALES])
    def test_reads_carry_no_cost(self, http: httpx.Client, shop: Shop, role: Role) -> None:
        bodies = _reads(http, shop, role)
        leaks = [(name, kv) for name, b in bodies.items() for kv in _cost_values(b) if kv[1]]
        assert leaks == []
        text = _flat(json.dumps(bodies))
        assert [s for s in SECRETS if s in text] == []
        # The rest of what they need is still there.
        assert bodies["product"]["sale_price"] == "15000"
        assert bodies["order"]["lines"][0]["quantity"] == "5"

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.ACCOUNTANT])
    def test_cost_viewers_see_costs(self, http: httpx.Client, shop: Shop, role: Role) -> None:
        bodies = _reads(http, shop, role)
        assert bodies["product"]["purchase_price"] == PURCHASE_PRICE
        assert bodies["product"]["average_cost"] == PURCHASE_PRICE
        assert bodies["moves"][0]["unit_cost"] == PURCHASE_PRICE
        assert bodies["order"]["lines"][0]["unit_price"] == ORDER_PRICE
        assert bodies["order"]["net_total"] == ORDER_NET
        assert bodies["suppliers"][0]["price"] == SUPPLIER_PRICE
        assert bodies["suggestions"][0]["estimated_total"] is not None

    def test_a_receipt_does_not_reveal_the_average_cost(
        self, http: httpx.Client, shop: Shop
    ) -> None:
        h = bearer(login(http, shop.members[Role.EMPLOYEE])["access_token"])
        body = {"product_id": str(shop.rice), "quantity": "2"}
        receipt = http.post("/api/v1/stock/receipts", json=body, headers=h)
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["unit_cost"] is None  # the move is valued at 12 345

    def test_a_sales_member_updating_a_product_sees_no_cost(
        self, http: httpx.Client, shop: Shop
    ) -> None:
        h = bearer(login(http, shop.members[Role.SALES])["access_token"])
        patched = http.patch(
            f"/api/v1/products/{shop.rice}", json={"sale_price": "16000"}, headers=h
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["purchase_price"], patched.json()["average_cost"]) == (None, None)
        assert patched.json()["sale_price"] == "16000"


class TestToolsHideCosts:
    def _run(self, container: Container, shop: Shop, role: Role, tool: Any, args: dict) -> Any:  # type: ignore[type-arg]
        return call(container, tool, shop.principal(role), clock(), args)

    def test_receive_preview_and_result(self, container: Container, shop: Shop) -> None:
        args = {"product": "Riz parfumé", "quantity": "1"}
        hidden = self._run(container, shop, Role.EMPLOYEE, receive, args)
        assert hidden.unit_cost is None
        assert PURCHASE_PRICE not in _flat(hidden.preview() + hidden.model_dump_json())
        stated = self._run(container, shop, Role.EMPLOYEE, receive, {**args, "unit_cost": "9999"})
        assert stated.unit_cost is None and "coûtunitaire9999" in _flat(stated.preview())
        shown = self._run(container, shop, Role.MANAGER, receive, args)
        assert shown.unit_cost == Decimal(PURCHASE_PRICE)
        assert PURCHASE_PRICE in _flat(shown.preview())

    def test_reorder_suggestions(self, container: Container, shop: Shop) -> None:
        hidden = self._run(container, shop, Role.SALES, reorder_suggestions, {})
        assert hidden.groups and all(g.estimated_total is None for g in hidden.groups)
        assert "environ" not in hidden.render()  # « environ 1 009 980 F CFA HT »
        shown = self._run(container, shop, Role.ACCOUNTANT, reorder_suggestions, {})
        assert all(g.estimated_total for g in shown.groups)
        assert "environ" in shown.render()

    def test_update_product_hides_the_old_purchase_price(
        self, container: Container, shop: Shop
    ) -> None:
        args = {"product": "Riz parfumé", "purchase_price": "13000"}
        hidden = self._run(container, shop, Role.SALES, update_product, args)
        assert hidden.purchase_price is None
        assert PURCHASE_PRICE not in _flat(hidden.render() + hidden.model_dump_json())
        assert "prixd'achat→13000" in _flat(hidden.render())  # what they said, echoed
        again = {"product": "Riz parfumé", "purchase_price": "14000"}
        shown = self._run(container, shop, Role.MANAGER, update_product, again)
        assert "13000" in _flat(shown.render()) and shown.purchase_price == Decimal(14000)


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every API route of an app, inside the routers it includes."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        included = getattr(route, "original_router", None)
        if included is not None:
            found.extend(_api_routes(included.routes))
    return found


def test_every_route_returning_costs_is_guarded(container: Container) -> None:
    app = create_app(container)
    carrying = [r for r in _api_routes(app.routes) if carries_costs(r.response_model)]
    assert {r.path for r in carrying} >= {
        "/api/v1/products/{product_id}",
        "/api/v1/stock/moves",
        "/api/v1/purchase-orders/{order_id}",
        "/api/v1/stock/valuation",
    }
    unguarded = [r.path for r in carrying if not getattr(r.endpoint, GUARDED, False)]
    assert unguarded == []


class TestAgentRepliesHideCosts:
    """The local tier answers with the tools' own text: the preview of a receipt names the
    unit cost (the average cost when none is said) to a manager, never to an employee."""

    def _preview(self, container: Container, shop: Shop, role: Role) -> str:
        reply, _ = container.agent.reply(shop.principal(role), "j'ai reçu 2 sacs de riz parfumé")
        assert "Confirmez" in reply, reply
        return _flat(reply)

    def test_receipt_preview(self, container: Container, shop: Shop) -> None:
        assert PURCHASE_PRICE not in self._preview(container, shop, Role.EMPLOYEE)
        assert PURCHASE_PRICE in self._preview(container, shop, Role.MANAGER)
