"""Building an eval case's tenant: every setup kind lands in the domain as the case says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.orm import Session

from comptoir.bootstrap import Container
from domain.finance import repository as finance_repo
from domain.finance.models import Invoice, Quote
from domain.hr import repository as hr_repo
from domain.hr import service as hr
from domain.kit.clock import ManualClock
from domain.kit.principal import Channel, Role
from domain.sales import service as sales
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from evals.cases import Case
from evals.setup import Built, SetupError, build_tenant
from evals.state import records

FR_CASE: dict[str, Any] = {
    "id": "setup-fr-001",
    "today": "2026-03-16T10:00:00",
    "user": {"name": "Sophie Bernard", "role": "manager"},
    "channel": "whatsapp",
    "turns": [{"user": "bonjour"}],
    "setup": {
        "customers": [
            {"ref": "arts", "name": "Café des Arts", "email": "contact@cafe-arts.fr",
             "phone": "01 23 45 67 89", "city": "Paris"},
            {"name": "Sophie Lefèvre", "type": "individual", "city": "Vincennes"},
        ],
        "suppliers": [{"name": "Lumina Distribution", "lead_time_days": 5}],
        "products": [
            {"name": "Lampe Opaline", "sku": "LAMP", "unit": "pièce", "sale_price": 49.90,
             "purchase_price": 25, "stock": 12, "min_stock": 5, "max_stock": 40,
             "supplier": "Lumina Distribution"},
            {"name": "Ampoule LED", "unit": "pièces", "sale_price": "6.50", "vat_rate": 5.5,
             "stock": 30},
            {"name": "Installation", "kind": "service", "unit": "heure", "sale_price": 55},
        ],
        "employees": [
            {"name": "Léa Moreau", "job_title": "Vendeuse", "department": "Boutique",
             "manager": "Sophie Bernard", "leave_balance": 10, "whatsapp": "+33612000001"},
            {"ref": "thomas", "name": "Thomas Dubois", "manager": "Sophie Bernard",
             "hire_date": "2025-09-01",
             "contract": {"kind": "cdd", "salary": 1850, "end": "2026-08-31"}},
        ],
        "invoices": [
            {"ref": "inv1", "customer": "Café des Arts", "date": "2026-01-10",
             "due_date": "2026-02-09", "status": "posted",
             "lines": [{"product": "LAMP", "quantity": 2}]},
            {"ref": "inv2", "customer": "arts", "date": "2026-02-01", "status": "paid",
             "lines": [{"product": "Ampoule LED", "quantity": 10},
                       {"product": "Installation", "quantity": 2, "discount": 10}]},
            {"ref": "inv3", "customer": "Sophie Lefèvre", "date": "2026-02-15",
             "status": "partially_paid", "lines": [{"product": "LAMP", "quantity": 3}]},
            {"ref": "inv4", "customer": "Sophie Lefèvre", "status": "draft",
             "lines": [{"description": "Livraison", "quantity": 1, "unit_price": 15}]},
            {"ref": "inv5", "customer": "arts", "date": "2026-03-02", "status": "cancelled",
             "lines": [{"product": "LAMP", "quantity": 1, "unit_price": 45}]},
        ],
        "quotes": [
            {"ref": "q1", "customer": "arts", "date": "2026-03-10",
             "lines": [{"product": "LAMP", "quantity": 10}]},
            {"ref": "q2", "customer": "arts", "status": "accepted",
             "lines": [{"product": "Installation", "quantity": 4}]},
            {"ref": "q3", "customer": "arts", "status": "draft",
             "lines": [{"product": "LAMP", "quantity": 1}]},
        ],
        "payments": [
            {"ref": "pay1", "invoice": "inv3", "amount": 50, "method": "virement",
             "date": "2026-02-20"},
        ],
        "opportunities": [
            {"customer": "Café des Arts", "title": "Rénovation de la salle", "amount": 5000,
             "stage": "Proposition", "close_date": "2026-04-30"},
        ],
        "leave_requests": [
            {"ref": "lr1", "employee": "Léa Moreau", "start": "2026-03-23",
             "end": "2026-03-24"},
            {"ref": "lr2", "employee": "Léa Moreau", "start": "2026-02-02",
             "end": "2026-02-03", "status": "approved"},
            {"ref": "lr3", "employee": "thomas", "start": "2026-04-06", "end": "2026-04-17",
             "status": "rejected", "reason": "Inventaire"},
        ],
        "purchase_orders": [
            {"ref": "po1", "supplier": "Lumina Distribution", "date": "2026-03-12",
             "lines": [{"product": "LAMP", "quantity": 20, "unit_price": 25}]},
            {"ref": "po2", "supplier": "Lumina Distribution", "date": "2026-02-20",
             "status": "partially_received",
             "lines": [{"product": "LAMP", "quantity": 10},
                       {"product": "Ampoule LED", "quantity": 10, "unit_price": 3}]},
            {"ref": "po3", "supplier": "Lumina Distribution", "date": "2026-01-05",
             "status": "received", "lines": [{"product": "LAMP", "quantity": 4}]},
        ],
    },
}  # fmt: skip

SN_CASE: dict[str, Any] = {
    "id": "setup-sn-001",
    "today": "2026-03-16T09:30:00",
    "tenant": {"country": "SN", "name": "Sahel Distribution"},
    "user": {"name": "Fatou Sarr", "role": "admin"},
    "turns": [{"user": "salut"}],
    "setup": {
        "customers": [{"name": "Diallo SARL", "email": "contact@diallo.sn",
                       "phone": "+221771234567", "city": "Dakar"}],
        "suppliers": [{"name": "Grands Moulins de Dakar", "lead_time_days": 5}],
        "products": [{"name": "Sac de riz 25kg", "sku": "RIZ25", "unit": "sac",
                      "sale_price": 15000, "purchase_price": 12000, "vat_rate": 18, "stock": 12,
                      "min_stock": 20, "max_stock": 100, "supplier": "Grands Moulins de Dakar"}],
        "employees": [{"name": "Awa Ndiaye", "job_title": "Vendeuse", "department": "Ventes",
                       "manager": "Fatou Sarr", "leave_balance": 10,
                       "whatsapp": "+221770000001"}],
        "invoices": [{"ref": "inv1", "customer": "Diallo SARL", "date": "2026-01-10",
                      "due_date": "2026-02-09", "status": "posted",
                      "lines": [{"product": "RIZ25", "quantity": 2}]}],
        "quotes": [{"ref": "q1", "customer": "Diallo SARL", "status": "sent",
                    "lines": [{"product": "RIZ25", "quantity": 10}]}],
        "payments": [{"invoice": "inv1", "amount": 10000, "method": "wave",
                      "date": "2026-01-20"}],
        "opportunities": [{"customer": "Diallo SARL", "title": "Contrat annuel",
                           "amount": 2000000, "stage": "Proposition"}],
        "leave_requests": [{"ref": "lr1", "employee": "Awa Ndiaye", "start": "2026-03-23",
                            "end": "2026-03-24", "status": "pending"}],
        "purchase_orders": [{"ref": "po1", "supplier": "Grands Moulins de Dakar",
                             "status": "sent",
                             "lines": [{"product": "RIZ25", "quantity": 50,
                                        "unit_price": 12000}]}],
    },
}  # fmt: skip


def _case(data: dict[str, Any], **setup: Any) -> Case:
    return Case.model_validate({**data, "setup": {**data["setup"], **setup}})


def _id(built: Built, ref: str) -> UUID:
    return UUID(built.refs[ref]["id"])


@pytest.fixture(scope="module")
def fr(container: Container) -> tuple[Built, ManualClock]:
    clock = ManualClock(datetime(2000, 1, 1, tzinfo=UTC))
    return build_tenant(container, clock, _case(FR_CASE)), clock


@pytest.fixture(scope="module")
def sn(container: Container) -> tuple[Built, ManualClock]:
    clock = ManualClock(datetime(2000, 1, 1, tzinfo=UTC))
    return build_tenant(container, clock, _case(SN_CASE)), clock


def _session(container: Container, built: Built) -> Any:
    return container.db.unit_of_work(built.tenant_id)


def _on_hand(session: Session, built: Built, sku: str) -> Decimal:
    product = sales.resolve_product(session, built.admin, sku)
    return stock.stock_level(session, built.admin, product.id).on_hand


def _employee(session: Session, built: Built, name: str) -> Any:
    return hr.resolve_employee(session, built.admin, name)


def _cp_balance(session: Session, built: Built, name: str) -> tuple[Decimal, Decimal]:
    employee = _employee(session, built, name)
    balance = next(b for b in hr.leave_balance(session, built.admin, employee.id) if b.balance)
    return balance.balance, balance.pending


class TestFrenchCase:
    def test_tenant_user_and_clock(
        self, container: Container, fr: tuple[Built, ManualClock]
    ) -> None:
        built, clock = fr
        assert clock.now() == datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris
        assert (built.currency, built.timezone) == ("EUR", "Europe/Paris")
        assert built.principal.roles == frozenset({Role.MANAGER})
        assert built.principal.channel == Channel.WHATSAPP
        assert built.admin.channel == Channel.CLI and Role.ADMIN in built.admin.roles
        assert built.principal.user_id != built.admin.user_id
        with _session(container, built) as session:
            sophie = _employee(session, built, "Sophie Bernard")  # created as a manager
            assert sophie.user_id == built.principal.user_id

    def test_partners(self, container: Container, fr: tuple[Built, ManualClock]) -> None:
        built, _ = fr
        with _session(container, built) as session:
            arts = sales.get_partner(session, built.admin, _id(built, "arts"))
            assert (arts.email, arts.phone, arts.city) == (
                "contact@cafe-arts.fr",
                "+33123456789",
                "Paris",
            )
            assert arts.kind == "company" and arts.is_customer
            sophie = sales.resolve_partner(session, built.admin, "Sophie Lefèvre")
            assert sophie.kind == "individual"
            lumina = sales.resolve_partner(session, built.admin, "Lumina Distribution")
            assert lumina.is_supplier and not lumina.is_customer and lumina.lead_time_days == 5

    def test_products_stock_and_supply(
        self, container: Container, fr: tuple[Built, ManualClock]
    ) -> None:
        built, _ = fr
        with _session(container, built) as session:
            # Final stock as given, whatever invoices delivered and orders received.
            assert _on_hand(session, built, "LAMP") == 12
            assert _on_hand(session, built, "Ampoule LED") == 30
            bulb = sales.resolve_product(session, built.admin, "Ampoule LED")
            assert (bulb.sku, bulb.unit, bulb.vat_rate) == ("AMPOULE-LED", "pièce", Decimal("5.5"))
            service = sales.resolve_product(session, built.admin, "Installation")
            assert service.kind == "service" and not service.is_stockable
            lamp = sales.resolve_product(session, built.admin, "LAMP")
            assert lamp.sale_price == Decimal("49.90") and lamp.vat_rate == 20
            rules = purchasing.list_reorder_rules(session, built.admin, product_id=lamp.id)
            assert [(r.min_quantity, r.max_quantity) for r in rules] == [(Decimal(5), Decimal(40))]
            terms = purchasing.list_supplier_terms(session, built.admin, lamp.id)
            assert [(t.price, t.is_preferred) for t in terms] == [(Decimal(25), True)]

    def test_employees_and_leave(self, container: Container, fr: tuple[Built, ManualClock]) -> None:
        built, _ = fr
        with _session(container, built) as session:
            lea = _employee(session, built, "Léa Moreau")
            sophie = _employee(session, built, "Sophie Bernard")
            assert lea.manager_id == sophie.id and lea.job_title == "Vendeuse"
            assert lea.whatsapp == "+33612000001"
            departments = {d.id: d.name for d in hr.list_departments(session, built.admin)}
            assert departments[lea.department_id] == "Boutique"
            # 10 days left once the approved leave is taken; the pending one waits.
            assert _cp_balance(session, built, "Léa Moreau") == (Decimal(10), Decimal(2))
            statuses = {
                ref: hr.get_leave_request(session, built.admin, _id(built, ref)).status
                for ref in ("lr1", "lr2", "lr3")
            }
            assert statuses == {"lr1": "pending", "lr2": "approved", "lr3": "rejected"}
            thomas = _employee(session, built, "Thomas Dubois")
            assert thomas.hire_date == date(2025, 9, 1)
            contracts = hr.list_contracts(session, built.admin, employee_id=thomas.id)
            assert [(c.kind, c.end_date) for c in contracts] == [("cdd", date(2026, 8, 31))]

    def test_invoices_and_payments(
        self, container: Container, fr: tuple[Built, ManualClock]
    ) -> None:
        built, _ = fr
        with _session(container, built) as session:
            rows = {
                ref: session.get(Invoice, (built.tenant_id, _id(built, ref)))
                for ref in ("inv1", "inv2", "inv3", "inv4", "inv5")
            }
            found = {ref: row.status for ref, row in rows.items() if row is not None}
            assert found == {
                "inv1": "posted",
                "inv2": "paid",
                "inv3": "partially_paid",
                "inv4": "draft",
                "inv5": "cancelled",
            }
            inv1 = rows["inv1"]
            assert inv1 is not None and built.refs["inv1"]["number"] == inv1.number
            assert inv1.number is not None and inv1.number == "F-2026-00001"
            assert (inv1.issue_date, inv1.due_date) == (date(2026, 1, 10), date(2026, 2, 9))
            assert inv1.gross_total == Decimal("119.76")
            assert built.refs["inv4"]["number"] is None
            inv3 = rows["inv3"]
            assert inv3 is not None and inv3.amount_settled == 50
            assert built.refs["pay1"]["number"].startswith("P-2026-")

    def test_quotes_opportunities_and_orders(
        self, container: Container, fr: tuple[Built, ManualClock]
    ) -> None:
        built, _ = fr
        with _session(container, built) as session:
            quote_statuses = {
                ref: finance_repo.get_quote(session, built.tenant_id, _id(built, ref))
                for ref in ("q1", "q2", "q3")
            }
            assert {r: q.status for r, q in quote_statuses.items() if isinstance(q, Quote)} == {
                "q1": "sent",
                "q2": "accepted",
                "q3": "draft",
            }
            [opportunity] = sales.list_opportunities(session, built.admin).items
            stage = {s.id: s.name for s in sales.list_stages(session, built.admin)}
            assert stage[opportunity.stage_id] == "Proposition"
            assert opportunity.amount == 5000
            assert opportunity.expected_close_date == date(2026, 4, 30)
            orders = {
                ref: purchasing.get_purchase_order(session, built.admin, _id(built, ref))
                for ref in ("po1", "po2", "po3")
            }
            assert {r: v.order.status for r, v in orders.items()} == {
                "po1": "sent",
                "po2": "partially_received",
                "po3": "received",
            }
            assert [line.received_quantity for line in orders["po2"].lines] == [5, 5]
            assert orders["po1"].order.number == built.refs["po1"]["number"]


class TestSenegaleseCase:
    def test_the_spec_example(self, container: Container, sn: tuple[Built, ManualClock]) -> None:
        built, clock = sn
        assert clock.now() == datetime(2026, 3, 16, 9, 30, tzinfo=UTC)  # Dakar is UTC
        assert (built.currency, built.timezone) == ("XOF", "Africa/Dakar")
        assert built.principal.user_id == built.admin.user_id  # the admin is the user
        assert built.principal.channel == Channel.WEB
        with _session(container, built) as session:
            assert _on_hand(session, built, "RIZ25") == 12
            invoice = session.get(Invoice, (built.tenant_id, _id(built, "inv1")))
            assert invoice is not None
            assert invoice.gross_total == 35400 and invoice.amount_settled == 10000
            assert invoice.status == "partially_paid"  # the payment settled part of it
            awa = _employee(session, built, "Awa Ndiaye")
            fatou = _employee(session, built, "Fatou Sarr")
            assert awa.manager_id == fatou.id and fatou.user_id == built.principal.user_id
            assert _cp_balance(session, built, "Awa Ndiaye") == (Decimal(10), Decimal(2))
            assert hr_repo.count_employees(session, built.tenant_id) == 2
            order = purchasing.get_purchase_order(session, built.admin, _id(built, "po1"))
            assert order.order.status == "sent" and order.order.gross_total == 708000


class TestProducts:
    def test_every_field_but_the_name_is_optional(self, container: Container) -> None:
        products: list[dict[str, Any]] = [
            {"name": "Huile de palme"},
            {"name": "Beurre de karité", "unit": "Pots", "sale_price": 2500},
            {"name": "Tomates", "unit": "tas", "sale_price": 500},
        ]
        case = _case(SN_CASE, products=[*SN_CASE["setup"]["products"], *products])
        built = build_tenant(container, ManualClock(), case)
        with _session(container, built) as session:
            found = {
                p.name: (p.unit, p.sale_price)
                for p in (sales.resolve_product(session, built.admin, x["name"]) for x in products)
            }
        assert found == {
            "Huile de palme": ("unité", None),
            "Beurre de karité": ("pot", Decimal(2500)),
            "Tomates": ("tas", Decimal(500)),
        }


class TestUserLink:
    def test_an_employee_user_sees_their_own_leave(self, container: Container) -> None:
        case = Case.model_validate(
            {**SN_CASE, "user": {"name": "Awa Ndiaye", "role": "employee"}, "channel": "cli"}
        )
        built = build_tenant(container, ManualClock(), case)
        assert built.principal.roles == frozenset({Role.EMPLOYEE})
        assert built.principal.channel == Channel.CLI
        with _session(container, built) as session:
            [mine] = hr.leave_balance(session, built.principal)  # « mes congés »
            assert (mine.leave_type, mine.balance, mine.available) == (
                "annuel",
                Decimal(10),
                Decimal(8),
            )


class TestErrors:
    @pytest.mark.parametrize(
        ("setup", "words"),
        [
            ({"customers": [{"name": "X", "colour": "red"}]}, ["setup.customers", "colour"]),
            (
                {"invoices": [{"customer": "Nobody", "lines": [{"product": "RIZ25",
                                                                "quantity": 1}]}]},
                ["setup.invoices", "Nobody"],
            ),
            (
                {"products": [{"name": "Riz", "sku": "RIZ25", "sale_price": 1, "stock": "lots"}]},
                ["setup.products", "stock"],
            ),
            (
                {"products": [{"name": "Huile", "sku": "RIZ25", "sale_price": 1, "unit": "5 L"}]},
                ["setup.products", "Unité invalide : « 5 L »"],
            ),
            (
                {"products": [*SN_CASE["setup"]["products"],
                              {"name": "Dépannage", "sku": "DEP", "kind": "service"}],
                 "invoices": [*SN_CASE["setup"]["invoices"],
                              {"customer": "Diallo SARL",
                               "lines": [{"product": "DEP", "quantity": 1}]}]},
                ["setup.invoices", "Quel prix unitaire pour « Dépannage » ?"],
            ),
            ({"documents": [{"title": "Contrat", "file": "nope.md"}]}, ["documents", "nope.md"]),
            ({"documents": [{"title": "Contrat", "text": ""}]}, ["documents", "vide"]),
            (
                {"leave_requests": [{"employee": "Awa Ndiaye", "start": "2026-03-23",
                                     "end": "2026-03-24", "status": "maybe"}]},
                ["setup.leave_requests", "maybe"],
            ),
        ],
    )  # fmt: skip
    def test_refused_loudly(
        self, container: Container, setup: dict[str, Any], words: list[str]
    ) -> None:
        case = _case(SN_CASE, **setup)
        with pytest.raises(SetupError) as caught:
            build_tenant(container, ManualClock(), case)
        assert "setup-sn-001" in str(caught.value)
        for word in words:
            assert word in str(caught.value)

    def test_nothing_is_left_behind(self, container: Container) -> None:
        case = Case.model_validate(
            {
                "id": "setup-rollback",
                "turns": [{"user": "x"}],
                "setup": {"customers": [{"name": "Orphan SARL"}], "payments": [{"amount": 5}]},
            }
        )
        with pytest.raises(SetupError, match="names its invoice"):
            build_tenant(container, ManualClock(), case)
        with container.db.unit_of_work() as session:
            from domain.identity.models import Tenant

            assert (
                session.query(Tenant).filter(Tenant.slug.like("eval-setup-rollback-%")).count() == 0
            )


def test_documents_are_uploaded_indexed_and_read_back(container: Container) -> None:
    case = _case(
        SN_CASE,
        documents=[
            {"title": "Contrat Diallo", "text": "# Contrat\n\nPénalité de 2 % par mois de retard."},
            {"title": "Accord congés", "text": "# Congés\n\nQuatre jours pour un mariage.",
             "access": ["hr"]},
        ],
    )  # fmt: skip
    built = build_tenant(container, ManualClock(), case)
    with container.db.unit_of_work(built.tenant_id) as session:
        rows = records(session, built.tenant_id, "documents")
    assert [(r["title"], r["access"]) for r in rows] == [
        ("Contrat Diallo", []),
        ("Accord congés", ["hr"]),
    ]
    assert all(r["chunks"] >= 1 for r in rows)
