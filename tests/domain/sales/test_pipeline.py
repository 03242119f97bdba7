"""Pipeline: default stages, stage admin, opportunities moving and closing, the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.clock import ManualClock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.errors import StageNameTaken, UnknownStage
from domain.sales.schemas import OpportunityCreate, StageCreate, StageUpdate
from tests.factories import Account, make_member, make_tenant
from tests.sales_factories import make_partner, make_sales_tenant, row_counts, stage_id

# 23:30 UTC on 15 March is already 16 March in Paris (and still 15 March in Dakar).
CLOCK = ManualClock(datetime(2027, 3, 15, 23, 30, tzinfo=UTC))


def open_deal(container: Container, account: Account, **fields: Any) -> Any:
    if "partner_id" not in fields:
        fields["partner_id"] = make_partner(container, account).id
    fields.setdefault("title", "Fourniture de riz")
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.create_opportunity(
            session, account.principal(Role.SALES), OpportunityCreate(**fields), clock=CLOCK
        )


def move(container: Container, account: Account, deal_id: UUID, stage: str, **kw: Any) -> Any:
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.move_opportunity(
            session, account.principal(Role.SALES), deal_id, stage, clock=CLOCK, **kw
        )


class TestDefaultStages:
    def test_a_new_business_gets_the_default_pipeline_once(self, container: Container) -> None:
        account = make_tenant(container)  # sign-up prepares the pipeline
        with container.db.unit_of_work(account.tenant_id) as session:
            again = sales.prepare_tenant(session, account.principal())
            rows = session.scalar(text("SELECT count(*) FROM pipeline_stages"))
        assert [(s.name, s.position, s.probability, s.outcome) for s in again] == [
            ("Nouveau", 10, 10, "open"),
            ("Qualifié", 20, 25, "open"),
            ("Proposition", 30, 50, "open"),
            ("Négociation", 40, 75, "open"),
            ("Gagné", 50, 100, "won"),
            ("Perdu", 60, 0, "lost"),
        ]
        assert rows == 6

    def test_a_customised_pipeline_is_left_alone(self, container: Container) -> None:
        account = make_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as session:
            stages = sales.list_stages(session, account.principal())
            sales.update_stage(
                session, account.principal(), stages[0].id, StageUpdate(name="Piste")
            )
            names = [s.name for s in sales.prepare_tenant(session, account.principal())]
        assert names[0] == "Piste" and "Nouveau" not in names and len(names) == 6


class TestStageAdmin:
    def test_create_update_reorder(self, container: Container) -> None:
        account = make_sales_tenant(container)
        manager = make_member(container, account, Role.MANAGER).principal(Role.MANAGER)
        with container.db.unit_of_work(account.tenant_id) as session:
            relance = sales.create_stage(
                session, manager, StageCreate(name="Relance", probability=60)
            )
            sales.update_stage(session, manager, relance.id, StageUpdate(probability=65))
            stages = [
                (s.id, s.name, s.position, s.probability)
                for s in sales.list_stages(session, manager)
            ]
            ids = [s[0] for s in stages]
            order = sales.reorder(session, manager, [ids[-1], *ids[:-1]])
        assert stages[-1][1:] == ("Relance", 70, 65)
        assert [s.name for s in order][:2] == ["Relance", "Nouveau"]
        assert [s.position for s in order] == [10, 20, 30, 40, 50, 60, 70]

    def test_names_are_unique_accents_and_case_aside(self, container: Container) -> None:
        account = make_sales_tenant(container)
        with pytest.raises(StageNameTaken, match="L'étape « QUALIFIE » existe déjà."):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.create_stage(
                    session, account.principal(), StageCreate(name="QUALIFIE", probability=1)
                )

    def test_reorder_needs_every_stage_once(self, container: Container) -> None:
        account = make_sales_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as session:
            ids = [s.id for s in sales.list_stages(session, account.principal())]
        with pytest.raises(InvalidInput, match="chacune une seule fois"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.reorder(session, account.principal(), ids[:-1] + ids[:1])

    def test_sales_people_cannot_change_stages(self, container: Container) -> None:
        account = make_sales_tenant(container)
        with pytest.raises(PermissionDenied):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.create_stage(
                    session, account.principal(Role.SALES), StageCreate(name="X", probability=1)
                )


class TestOpportunities:
    def test_defaults_from_the_first_stage_and_the_caller(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        deal = open_deal(container, account, amount=Decimal("1500000"))
        assert deal.stage_id == stage_id(container, account, "Nouveau")
        assert (deal.probability, deal.owner_id, deal.closed_on) == (10, account.user_id, None)

    def test_moves_by_name_and_closes_today_in_the_business_time_zone(
        self, container: Container
    ) -> None:
        paris = make_sales_tenant(container)
        dakar = make_sales_tenant(container, country="SN")
        deal = open_deal(container, paris, stage="qualifie")
        assert deal.probability == 25
        negotiating = move(container, paris, deal.id, "NEGOCIATION", probability=80)
        assert negotiating.probability == 80 and negotiating.closed_on is None
        won = move(container, paris, deal.id, "Gagné")
        assert (won.probability, won.closed_on) == (100, date(2027, 3, 16))
        won_in_dakar = move(container, dakar, open_deal(container, dakar).id, "gagne")
        assert won_in_dakar.closed_on == date(2027, 3, 15)
        reopened = move(container, paris, deal.id, "Proposition")
        assert (reopened.closed_on, reopened.probability) == (None, 50)

    def test_lost_requires_a_reason(self, container: Container) -> None:
        account = make_sales_tenant(container)
        deal = open_deal(container, account)
        before = row_counts(container, account)
        with pytest.raises(InvalidInput, match="Indiquez la raison de la perte"):
            move(container, account, deal.id, "Perdu", lost_reason="  ")
        assert row_counts(container, account) == before
        lost = move(container, account, deal.id, str(stage_id(container, account, "Perdu")),
                    lost_reason="Prix trop élevé")  # fmt: skip
        assert (lost.lost_reason, lost.probability, lost.closed_on) == (
            "Prix trop élevé",
            0,
            date(2027, 3, 16),
        )
        with container.db.unit_of_work(account.tenant_id) as session:
            payload = session.scalar(
                text("SELECT payload FROM domain_events WHERE name = 'opportunity.stage_changed'")
            )
        assert payload["outcome"] == "lost"

    def test_unknown_stage_lists_the_known_ones(self, container: Container) -> None:
        account = make_sales_tenant(container)
        deal = open_deal(container, account)
        with pytest.raises(UnknownStage) as info:
            move(container, account, deal.id, "Signé")
        assert info.value.message == (
            "Étape inconnue : « Signé ». Étapes possibles : Nouveau, Qualifié, Proposition, "
            "Négociation, Gagné, Perdu."
        )
        assert info.value.status_code == 422

    @pytest.mark.parametrize(
        ("fields", "error", "message"),
        [
            ({"amount": Decimal("10.5")}, InvalidInput, "Le franc CFA n'a pas de centimes."),
            ({"stage": "Inconnue"}, UnknownStage, "Étape inconnue"),
            ({"owner_id": "stranger"}, InvalidInput, "n'est pas membre de l'entreprise"),
            ({"partner_id": "supplier"}, InvalidInput, "n'est pas un client"),
        ],
    )
    def test_bad_input_writes_nothing(
        self, container: Container, fields: dict[str, Any], error: type[Exception], message: str
    ) -> None:
        account = make_sales_tenant(container, country="SN")
        if fields.get("owner_id") == "stranger":
            fields["owner_id"] = make_tenant(container).user_id
        if fields.get("partner_id") == "supplier":
            fields["partner_id"] = make_partner(container, account, roles=["supplier"]).id
        if "partner_id" not in fields:
            fields["partner_id"] = make_partner(container, account).id
        before = row_counts(container, account)
        with pytest.raises(error, match=message):
            open_deal(container, account, **fields)
        assert row_counts(container, account) == before

    def test_negative_amount_is_refused_by_the_schema(self) -> None:
        with pytest.raises(InvalidInput, match="Le montant ne peut pas être négatif."):
            OpportunityCreate(partner_id=UUID(int=1), title="X", amount=Decimal(-1))

    def test_employees_cannot_open_deals(self, container: Container) -> None:
        account = make_sales_tenant(container)
        member = make_member(container, account, Role.EMPLOYEE)
        partner = make_partner(container, account)
        with pytest.raises(PermissionDenied):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.create_opportunity(
                    session,
                    member.principal(Role.EMPLOYEE),
                    OpportunityCreate(partner_id=partner.id, title="X"),
                    clock=CLOCK,
                )


class TestSummary:
    def test_counts_totals_and_weighted_amounts_rounded_to_the_currency(
        self, container: Container
    ) -> None:
        account = make_sales_tenant(container, country="SN")
        partner = make_partner(container, account).id
        open_deal(container, account, partner_id=partner, amount=Decimal("100001"))  # 10 %
        open_deal(container, account, partner_id=partner, amount=Decimal("15"), stage="Qualifié")
        open_deal(container, account, partner_id=partner, amount=Decimal("10"), stage="Qualifié")
        open_deal(container, account, partner_id=partner, amount=Decimal("500"), stage="Gagné")
        with container.db.unit_of_work(account.tenant_id) as session:
            summary = sales.pipeline_summary(session, account.principal(Role.EMPLOYEE))
        rows = {s.name: (s.count, s.total_amount, s.weighted_amount) for s in summary.stages}
        assert rows["Nouveau"] == (1, Decimal(100001), Decimal(10000))  # 10000.1
        assert rows["Qualifié"] == (2, Decimal(25), Decimal(6))  # 6.25
        assert rows["Gagné"] == (1, Decimal(500), Decimal(500))
        assert rows["Perdu"] == (0, Decimal(0), Decimal(0))
        assert summary.currency == "XOF" and summary.open_count == 3
        assert (summary.open_amount, summary.open_weighted_amount) == (
            Decimal(100026),
            Decimal(10006),
        )

    def test_euros_round_half_up_to_cents(self, container: Container) -> None:
        account = make_sales_tenant(container)
        open_deal(container, account, amount=Decimal("33.35"), probability=50)  # 16.675
        with container.db.unit_of_work(account.tenant_id) as session:
            summary = sales.pipeline_summary(session, account.principal())
        assert summary.stages[0].weighted_amount == Decimal("16.68")
