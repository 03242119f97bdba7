"""What the API fuzzer runs with: two seeded businesses, tokens per role, id pools.

Each business is seeded through the API itself (as its admin), so every area has real rows:
customers, suppliers, products, invoices, quotes, payments, opportunities, activities,
departments, employees, contracts, leave, reviews, warehouses, stock, counts, purchase
orders, documents. The ids are then read per table with the owner connection, so a path
parameter can be filled with a real id of either business.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.kit.principal import Channel, Role
from domain.sales import service as sales
from tests.factories import Account, make_member, make_tenant
from tests.finance_factories import SIREN

ROLES = (Role.ADMIN, Role.MANAGER, Role.ACCOUNTANT, Role.SALES, Role.EMPLOYEE, Role.HR)

# Path parameter → the table whose ids it takes.
ID_TABLES = {
    "partner_id": "partners",
    "supplier_id": "partners",
    "product_id": "products",
    "invoice_id": "invoices",
    "quote_id": "quotes",
    "opportunity_id": "opportunities",
    "activity_id": "activities",
    "stage_id": "pipeline_stages",
    "department_id": "departments",
    "employee_id": "employees",
    "contract_id": "employment_contracts",
    "type_id": "leave_types",
    "request_id": "leave_requests",
    "review_id": "performance_reviews",
    "warehouse_id": "warehouses",
    "reservation_id": "stock_reservations",
    "count_id": "inventory_counts",
    "order_id": "purchase_orders",
    "rule_id": "reorder_rules",
    "document_id": "documents",
    "bill_id": "supplier_bills",
}
TOKEN_AGE = 600  # seconds: access tokens are renewed well before they expire


@dataclass
class Business:
    admin: Account
    members: dict[Role, Account]
    ids: dict[str, list[UUID]] = field(default_factory=dict)
    seed_failures: list[str] = field(default_factory=list)


class TokenBook:
    """Access tokens per role, minted by the authentication service (not over HTTP, so the
    login throttle the fuzzer may trip on ``/auth/login`` never locks the fuzzer out)."""

    def __init__(self, container: Container, business: Business) -> None:
        self.container = container
        self.business = business
        self._tokens: dict[Role, tuple[float, str]] = {}

    def token(self, role: Role) -> str:
        minted = self._tokens.get(role)
        if minted is None or time.monotonic() - minted[0] > TOKEN_AGE:
            minted = (time.monotonic(), self.fresh(self.business.members[role]))
            self._tokens[role] = minted
        return minted[1]

    def fresh(self, account: Account) -> str:
        pair = self.container.authentication.login(
            RequestContext(channel=Channel.CLI), email=account.email, password=account.password
        )
        return pair.access_token

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}


def make_business(container: Container, http: httpx.Client) -> Business:
    admin = make_tenant(container, name="Fuzz SARL", siren=SIREN, vat_number=f"FR44{SIREN}")
    with container.db.unit_of_work(admin.tenant_id) as session:
        sales.prepare_tenant(session, admin.principal())
    members: dict[Role, Account] = {Role.ADMIN: admin}
    for role in ROLES[1:]:
        members[role] = make_member(container, admin, role)
    business = Business(admin=admin, members=members)
    book = TokenBook(container, business)
    _Seeder(http, book.headers(Role.ADMIN), business).seed()
    business.ids = read_ids(container, admin)
    return business


def read_ids(container: Container, account: Account) -> dict[str, list[UUID]]:
    ids: dict[str, list[UUID]] = {"tenant_id": [account.tenant_id]}
    with container.owner_engine.connect() as conn:
        for param, table in ID_TABLES.items():
            rows = conn.scalars(
                text(f"SELECT id FROM {table} WHERE tenant_id = :t ORDER BY id LIMIT 20"),
                {"t": account.tenant_id},
            )
            ids[param] = list(rows)
    return ids


@dataclass
class _Seeder:
    http: httpx.Client
    auth: dict[str, str]
    business: Business

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        r = self.http.request(method, f"/api/v1{path}", headers=self.auth, **kwargs)
        if r.status_code >= 300:
            self.business.seed_failures.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
            return {}
        return r.json() if r.content else {}

    def seed(self) -> None:
        sales = self.seed_sales()
        self.seed_stock(sales)
        self.seed_finance(sales)
        self.seed_hr()
        self.call(
            "POST",
            "/documents",
            files={"file": ("horaires.txt", "Horaires : 8h-18h, fermé le dimanche.".encode())},
            data={"title": "Horaires"},
        )

    def seed_sales(self) -> dict[str, str]:
        customer = self.call("POST", "/partners", json={"name": "Diallo SARL"}).get("id", "")
        supplier = self.call(
            "POST", "/partners", json={"name": "Grossiste Ndiaye", "roles": ["supplier"]}
        ).get("id", "")
        goods = self.call(
            "POST",
            "/products",
            json={"name": "Sac de riz", "sale_price": "15", "vat_rate": "20", "unit": "sac",
                  "is_stockable": True, "purchase_price": "11"},
        ).get("id", "")  # fmt: skip
        opportunity = self.call(
            "POST", "/opportunities", json={"partner_id": customer, "title": "Riz 2027"}
        ).get("id")
        self.call(
            "POST",
            "/activities",
            json={"kind": "task", "subject": "Rappeler", "partner_id": customer,
                  "opportunity_id": opportunity},
        )  # fmt: skip
        return {"customer": customer, "supplier": supplier, "goods": goods}

    def seed_finance(self, ids: dict[str, str]) -> None:
        lines = [{"product_id": ids["goods"], "quantity": "3"}]
        body = {"partner_id": ids["customer"], "lines": lines}
        posted = self.call("POST", "/invoices", json=body).get("id")
        if posted:
            self.call("POST", f"/invoices/{posted}/post")
        self.call("POST", "/invoices", json=body)  # a draft
        quote = self.call("POST", "/quotes", json=body).get("id")
        if quote:
            self.call("POST", f"/quotes/{quote}/send")
        payment = {"partner_id": ids["customer"], "amount": "10", "method": "cash"}
        self.call("POST", "/payments", json=payment)

    def seed_stock(self, ids: dict[str, str]) -> None:
        self.call("POST", "/stock/warehouses", json={"code": "ANNEXE", "name": "Annexe"})
        self.call("POST", "/stock/receipts", json={"product_id": ids["goods"], "quantity": "40"})
        self.call("POST", "/stock/reservations", json={"product_id": ids["goods"], "quantity": "2"})
        self.call("POST", "/stock/counts", json={"product_ids": [ids["goods"]]})
        self.call(
            "PUT",
            f"/products/{ids['goods']}/suppliers",
            json={"supplier_id": ids["supplier"], "price": "11"},
        )
        self.call(
            "PUT",
            "/stock/reorder-rules",
            json={"product_id": ids["goods"], "min_quantity": "5", "max_quantity": "50"},
        )
        line = {"product_id": ids["goods"], "quantity": "10", "unit_price": "11"}
        order = {"supplier_id": ids["supplier"], "lines": [line]}
        self.call("POST", "/purchase-orders", json=order)

    def seed_hr(self) -> None:
        department = self.call("POST", "/hr/departments", json={"name": "Boutique"}).get("id")
        employee = self.call(
            "POST",
            "/hr/employees",
            json={"name": "Awa Diop", "department_id": department, "hire_date": "2025-01-06"},
        ).get("id")
        self.call(
            "POST",
            "/hr/contracts",
            json={"employee_id": employee, "kind": "cdi", "start_date": "2025-01-06",
                  "salary": "2100"},
        )  # fmt: skip
        self.call("POST", "/hr/leave-types", json={"code": "formation", "name": "Formation"})
        start = date.today() + timedelta(days=30)
        self.call(
            "POST",
            "/hr/leave-requests",
            json={"employee_id": employee, "leave_type": "formation", "start_date": str(start),
                  "end_date": str(start + timedelta(days=1))},
        )  # fmt: skip
        self.call(
            "POST",
            "/hr/reviews",
            json={"employee_id": employee, "title": "Entretien annuel",
                  "period_start": "2026-01-01", "period_end": "2026-12-31",
                  "goals": [{"title": "Fidéliser", "weight": "100"}]},
        )  # fmt: skip
