"""Sales tools against real PostgreSQL: resolution and ask-backs, roles, texts, dry runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

import pytest

from comptoir.bootstrap import Container
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate
from domain.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.factories import Account, make_member
from tests.finance_factories import clock_at
from tests.sales_factories import make_partner, make_sales_tenant, row_counts
from tests.tools.kit import call, tool_context
from tools import sales as tools
from tools.base import AskBack, Tool, ToolResult
from tools.confirmation import dry_run

CLOCK = clock_at(date(2026, 3, 16))
NNBSP = "\u202f"


def run(container: Container, tool: Tool, who: Principal, **args: Any) -> Any:
    return call(container, tool, who, CLOCK, args)


def preview(container: Container, tool: Tool, who: Principal, args: Mapping[str, Any]) -> str:
    with tool_context(container, who, CLOCK) as ctx:
        result: ToolResult = dry_run(ctx, tool, tool.validate(args))
    return result.preview()


def sales_user(container: Container, account: Account) -> Principal:
    return make_member(container, account, Role.SALES).principal(Role.SALES)


def named_member(container: Container, account: Account, name: str) -> Account:
    email = f"{name.split()[0].lower()}-{account.slug}@example.com"
    with container.db.unit_of_work(account.tenant_id) as session:
        _, user = identity.add_member(
            session,
            account.principal(),
            MemberCreate(
                email=email, name=name, password="mot-de-passe-solide", roles=[Role.SALES]
            ),
            container.passwords,
        )
    return Account(tenant_id=account.tenant_id, slug=account.slug, user_id=user.id, email=email)


@pytest.fixture
def shop(container: Container) -> Account:
    account = make_sales_tenant(container, country="SN")
    make_partner(container, account, name="Diallo SARL", phone="77 123 45 67")
    make_partner(container, account, name="Ndiaye Commerce")
    make_partner(container, account, name="Sotiba", roles=["supplier"])
    return account


class TestFindPartners:
    def test_finds_a_customer_despite_a_typo(self, container: Container, shop: Account) -> None:
        out = run(container, tools.find_customer, shop.principal(Role.EMPLOYEE), query="dialo")
        assert [p.name for p in out.partners] == ["Diallo SARL"]
        assert "Diallo SARL (C0000" in out.render()
        assert "+221771234567" in out.render()

    def test_suppliers_only_among_suppliers(self, container: Container, shop: Account) -> None:
        out = run(container, tools.find_supplier, shop.principal(), query="sotiba")
        assert [p.code[0] for p in out.partners] == ["F"]
        none = run(container, tools.find_supplier, shop.principal(), query="Diallo SARL")
        assert none.render() == "Aucun fournisseur ne correspond à « Diallo SARL »."

    def test_a_name_no_customer_has_is_looked_up_among_suppliers(
        self, container: Container, shop: Account
    ) -> None:
        out = run(container, tools.find_customer, shop.principal(), query="sotyba")
        assert [p.name for p in out.partners] == ["Sotiba"]
        assert out.render().startswith("Fournisseur trouvé :")
        nobody = run(container, tools.find_customer, shop.principal(), query="Ba et Frères")
        assert nobody.render() == "Aucun client ne correspond à « Ba et Frères »."

    def test_the_customers_of_a_city(self, container: Container, shop: Account) -> None:
        make_partner(container, shop, name="Boutique Fall", address={"city": "Thiès"})
        make_partner(container, shop, name="Alimentation Sy", address={"city": "THIES "})
        make_partner(
            container,
            shop,
            name="Quincaillerie Thiès",
            roles=["supplier"],
            address={"city": "Thiès"},
        )
        out = run(container, tools.find_customer, shop.principal(), city="thies")
        assert [p.name for p in out.partners] == ["Alimentation Sy", "Boutique Fall"]
        assert out.render().startswith("2 clients à thies :")
        named = run(container, tools.find_customer, shop.principal(), city="Thiès", query="fall")
        assert [p.name for p in named.partners] == ["Boutique Fall"]
        nobody = run(container, tools.find_customer, shop.principal(), city="Mbour")
        assert nobody.render() == "Aucun client à Mbour."
        with pytest.raises(AskBack, match="Quel client cherchez-vous"):
            run(container, tools.find_customer, shop.principal())


class TestCreatePartners:
    def test_creates_a_customer_with_preview_first(
        self, container: Container, shop: Account
    ) -> None:
        args = {"name": "Fall & Fils", "phone": "77 000 11 22", "city": "Thiès"}
        before = row_counts(container, shop)
        text = preview(container, tools.create_customer, shop.principal(Role.SALES), args)
        assert text == "Créer le client « Fall & Fils » (tél. +221770001122, ville Thiès)."
        assert row_counts(container, shop) == before
        out = run(container, tools.create_customer, shop.principal(Role.SALES), **args)
        assert out.render().startswith("Client créé : Fall & Fils (C0000")
        found = run(container, tools.find_customer, shop.principal(), query="fall et fils")
        assert found.partners[0].partner_id == out.partner_id

    def test_creates_a_supplier(self, container: Container, shop: Account) -> None:
        out = run(
            container, tools.create_supplier, shop.principal(Role.ACCOUNTANT),
            name="Grands Moulins", lead_time_days=5,
        )  # fmt: skip
        assert out.code.startswith("F") and out.role == "supplier"

    def test_an_employee_may_not_create(self, container: Container, shop: Account) -> None:
        with pytest.raises(PermissionDenied, match="créer un client"):
            run(container, tools.create_customer, shop.principal(Role.EMPLOYEE), name="X")

    def test_bad_input_writes_nothing(self, container: Container, shop: Account) -> None:
        before = row_counts(container, shop)
        with pytest.raises(InvalidInput, match="Je ne peux pas le faire"):
            run(container, tools.create_customer, shop.principal(), name="Y", email="pas-un-mail")
        with pytest.raises(InvalidInput, match="NINEA"):
            run(container, tools.create_customer, shop.principal(), name="Y", ninea="12")
        assert row_counts(container, shop) == before


class TestUpdateCustomer:
    def test_changes_are_listed(self, container: Container, shop: Account) -> None:
        out = run(
            container, tools.update_customer, shop.principal(Role.SALES),
            customer="diallo", phone="77 999 88 77", city="Thiès",
        )  # fmt: skip
        assert out.render() == (
            "Client Diallo SARL mis à jour : téléphone : +221771234567 → +221779998877 ; "
            "ville : — → Thiès"
        )

    def test_ambiguous_name_asks_back(self, container: Container, shop: Account) -> None:
        make_partner(container, shop, name="Diallo & Fils")
        with pytest.raises(AskBack) as asked:
            run(container, tools.update_customer, shop.principal(), customer="Diallo", city="X")
        assert asked.value.field == "customer"
        assert sorted(asked.value.options) == ["Diallo & Fils", "Diallo SARL"]
        assert "Diallo & Fils" in asked.value.message

    def test_unknown_name_asks_back(self, container: Container, shop: Account) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, tools.update_customer, shop.principal(), customer="Zzyzx", city="X")
        assert asked.value.options == []
        assert asked.value.message == "Aucun client ne correspond à « Zzyzx »."


class TestPipeline:
    def test_create_then_move_an_opportunity(self, container: Container, shop: Account) -> None:
        who = sales_user(container, shop)
        args = {"customer": "Diallo", "amount": "2000000", "title": "Riz 2026"}
        text = preview(container, tools.create_opportunity, who, args)
        assert text == (
            f"Créer l'affaire « Riz 2026 » (Diallo SARL, 2{NNBSP}000{NNBSP}000 FCFA) "
            "à l'étape Nouveau (10 %)."
        )
        run(container, tools.create_opportunity, who, **args)
        moved = run(container, tools.move_opportunity, who, customer="diallo", stage="negociation")
        assert moved.render() == (
            f"Affaire « Riz 2026 » (Diallo SARL, 2{NNBSP}000{NNBSP}000 FCFA) "
            "passée de Nouveau à Négociation."
        )
        summary = run(container, tools.pipeline_summary, who)
        assert summary.open_count == 1
        assert f"- Négociation : 1 — 2{NNBSP}000{NNBSP}000 FCFA" in summary.render()

    def test_the_deals_of_one_stage_are_listed(self, container: Container, shop: Account) -> None:
        who = sales_user(container, shop)
        run(container, tools.create_opportunity, who, customer="Diallo", title="Contrat annuel")
        run(container, tools.move_opportunity, who, customer="diallo", stage="negociation")
        run(container, tools.create_opportunity, who, customer="Ndiaye", title="Fourniture huile")
        listed = run(container, tools.pipeline_summary, who, stage="Négociation")
        assert [d.title for d in listed.deals] == ["Contrat annuel"]
        assert listed.render().startswith("1 affaire(s) à l'étape Négociation, ")
        assert "Fourniture huile" not in listed.render()

    def test_lost_needs_a_reason(self, container: Container, shop: Account) -> None:
        run(container, tools.create_opportunity, shop.principal(), customer="Ndiaye")
        with pytest.raises(AskBack) as asked:
            run(container, tools.move_opportunity, shop.principal(), customer="Ndiaye",
                stage="perdue")  # fmt: skip
        assert asked.value.field == "lost_reason"
        out = run(
            container, tools.move_opportunity, shop.principal(), customer="Ndiaye",
            stage="perdue", lost_reason="trop cher",
        )  # fmt: skip
        assert out.stage == "Perdu"

    def test_unknown_stage_offers_the_stages(self, container: Container, shop: Account) -> None:
        run(container, tools.create_opportunity, shop.principal(), customer="Ndiaye")
        with pytest.raises(AskBack) as asked:
            run(container, tools.move_opportunity, shop.principal(), customer="Ndiaye",
                stage="signature")  # fmt: skip
        assert asked.value.field == "stage"
        assert "Négociation" in asked.value.options

    def test_several_deals_ask_which(self, container: Container, shop: Account) -> None:
        for title in ("Riz", "Huile"):
            run(container, tools.create_opportunity, shop.principal(), customer="Ndiaye",
                title=title)  # fmt: skip
        with pytest.raises(AskBack) as asked:
            run(container, tools.move_opportunity, shop.principal(), customer="Ndiaye",
                stage="qualifié")  # fmt: skip
        assert asked.value.field == "title"
        assert sorted(asked.value.options) == ["Huile", "Riz"]
        out = run(container, tools.move_opportunity, shop.principal(), customer="Ndiaye",
                  stage="qualifié", title="huile")  # fmt: skip
        assert out.title == "Huile" and out.stage == "Qualifié"

    def test_no_deal_is_said(self, container: Container, shop: Account) -> None:
        with pytest.raises(NotFound, match="Diallo SARL n'a aucune affaire"):
            run(container, tools.move_opportunity, shop.principal(), customer="Diallo",
                stage="gagné")  # fmt: skip

    def test_an_accountant_may_not_open_deals(self, container: Container, shop: Account) -> None:
        with pytest.raises(PermissionDenied):
            run(container, tools.create_opportunity, shop.principal(Role.ACCOUNTANT),
                customer="Diallo")  # fmt: skip

    def test_negative_amount_is_refused(self, container: Container, shop: Account) -> None:
        before = row_counts(container, shop)
        with pytest.raises(InvalidInput, match="le montant : une valeur négative"):
            run(container, tools.create_opportunity, shop.principal(), customer="Diallo",
                amount="-5")  # fmt: skip
        assert row_counts(container, shop) == before


class TestActivities:
    def test_log_for_a_named_member_and_list(self, container: Container, shop: Account) -> None:
        awa = named_member(container, shop, "Awa Sow")
        args = {
            "kind": "call", "subject": "Relancer le devis", "partner": "Diallo",
            "due_date": date(2026, 3, 17), "due_time": time(10, 30), "assignee": "awa",
        }  # fmt: skip
        text = preview(container, tools.log_activity, shop.principal(), args)
        assert text == (
            "Noter : Appel « Relancer le devis » avec Diallo SARL, le 17/03/2026 à 10:30, "
            "pour Awa Sow."
        )
        run(container, tools.log_activity, shop.principal(), **args)
        mine = run(container, tools.list_activities, awa.principal(Role.SALES), mine=True)
        assert mine.total == 1
        assert mine.render() == (
            "1 activité(s) :\n- Appel : Relancer le devis (Diallo SARL) — 17/03/2026 10:30"
        )

    def test_unknown_assignee_asks_back(self, container: Container, shop: Account) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, tools.log_activity, shop.principal(), kind="task", subject="x",
                partner="Diallo", assignee="Personne Inconnue")  # fmt: skip
        assert asked.value.field == "assignee"

    def test_overdue_and_partner_filters(self, container: Container, shop: Account) -> None:
        run(container, tools.log_activity, shop.principal(), kind="task", subject="Vieille",
            partner="Ndiaye", due_date=date(2026, 3, 1))  # fmt: skip
        run(container, tools.log_activity, shop.principal(), kind="note", subject="Autre",
            partner="Diallo")  # fmt: skip
        late = run(container, tools.list_activities, shop.principal(), status="overdue")
        assert [a.subject for a in late.activities] == ["Vieille"]
        assert "(en retard)" in late.render()
        diallo = run(container, tools.list_activities, shop.principal(), partner="diallo")
        assert [a.subject for a in diallo.activities] == ["Autre"]

    def test_kind_is_a_closed_set(self, container: Container, shop: Account) -> None:
        with pytest.raises(InvalidInput, match="le type : valeur non reconnue"):
            run(container, tools.log_activity, shop.principal(), kind="email", subject="x",
                partner="Diallo")  # fmt: skip


def test_every_tool_is_exported() -> None:
    names = {t.name for t in tools.TOOLS}
    assert len(names) == 10
    assert {"sales.find_customer", "sales.log_activity", "sales.move_opportunity"} <= names
    assert all("Exemples" in t.description for t in tools.TOOLS)


class TestSalesGuards:
    def test_same_name_is_refused(self, container: Container, shop: Account) -> None:
        before = row_counts(container, shop)
        with pytest.raises(Conflict, match="existe déjà"):
            run(container, tools.create_customer, shop.principal(), name="diallo sarl")
        assert row_counts(container, shop) == before

    def test_an_email_without_at_is_refused_in_french(
        self, container: Container, shop: Account
    ) -> None:
        with pytest.raises(InvalidInput, match="il manque le « @ »"):
            run(container, tools.create_customer, shop.principal(), name="Y", email="y.sn")

    def test_update_without_change_asks_what(self, container: Container, shop: Account) -> None:
        with pytest.raises(AskBack, match="Que faut-il modifier pour Diallo SARL"):
            run(container, tools.update_customer, shop.principal(), customer="Diallo SARL")
