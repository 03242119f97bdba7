"""Activities: who they are assigned to, what they are about, completion, overdue lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from comptoir.bootstrap import Container
from domain.kit.clock import ManualClock
from domain.kit.errors import Conflict, InvalidInput, PermissionDenied
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.errors import PartnerNotFound
from domain.sales.schemas import ActivityCreate, OpportunityCreate
from tests.factories import Account, make_member, make_tenant
from tests.sales_factories import make_partner, make_sales_tenant, row_counts

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def log(container: Container, account: Account, role: Role = Role.SALES, **fields: Any) -> Any:
    fields.setdefault("kind", "call")
    fields.setdefault("subject", "Rappeler pour le devis")
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.log_activity(session, account.principal(role), ActivityCreate(**fields))


class TestLog:
    def test_assigned_to_a_member_about_a_partner(self, container: Container) -> None:
        account = make_sales_tenant(container)
        colleague = make_member(container, account, Role.EMPLOYEE)
        partner = make_partner(container, account)
        activity = log(
            container,
            account,
            kind="task",
            partner_id=partner.id,
            assignee_id=colleague.user_id,
            due_at=datetime(2027, 3, 16, 14, 0),  # no zone: Paris time
        )
        assert (activity.assignee_id, activity.partner_id) == (colleague.user_id, partner.id)
        assert activity.due_at == datetime(2027, 3, 16, 13, 0, tzinfo=UTC)
        assert not activity.done

    def test_an_opportunity_brings_its_partner(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account)
        other = make_partner(container, account, name="Autre")
        with container.db.unit_of_work(account.tenant_id) as session:
            deal = sales.create_opportunity(
                session,
                account.principal(),
                OpportunityCreate(partner_id=partner.id, title="Riz"),
                clock=ManualClock(NOW),
            )
        activity = log(container, account, kind="meeting", opportunity_id=deal.id)
        assert (activity.partner_id, activity.assignee_id) == (partner.id, account.user_id)
        with pytest.raises(InvalidInput, match="concerne un autre client"):
            log(container, account, opportunity_id=deal.id, partner_id=other.id)

    @pytest.mark.parametrize("case", ["stranger", "nothing", "unknown partner"])
    def test_bad_input_writes_nothing(self, container: Container, case: str) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account)
        fields: dict[str, Any] = {
            "stranger": {"partner_id": partner.id, "assignee_id": make_tenant(container).user_id},
            "nothing": {},
            "unknown partner": {"partner_id": make_partner(container, make_tenant(container)).id},
        }[case]
        error, message = {
            "stranger": (InvalidInput, "Cette personne n'est pas membre de l'entreprise."),
            "nothing": (InvalidInput, "Rattachez l'activité"),
            "unknown partner": (PartnerNotFound, "introuvable"),
        }[case]
        before = row_counts(container, account)
        with pytest.raises(error, match=message):
            log(container, account, **fields)
        assert row_counts(container, account) == before

    def test_employees_cannot_log(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account)
        member = make_member(container, account, Role.EMPLOYEE)
        with pytest.raises(PermissionDenied):
            log(container, member, Role.EMPLOYEE, partner_id=partner.id)


class TestCompleteAndList:
    def test_completion_uses_the_clock_and_happens_once(self, container: Container) -> None:
        account = make_sales_tenant(container)
        activity = log(container, account, partner_id=make_partner(container, account).id)
        with container.db.unit_of_work(account.tenant_id) as session:
            done = sales.complete_activity(
                session, account.principal(Role.SALES), activity.id, clock=ManualClock(NOW)
            )
        assert (done.done, done.done_at) == (True, NOW)
        with pytest.raises(Conflict, match="déjà terminée"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.complete_activity(
                    session, account.principal(), activity.id, clock=ManualClock(NOW)
                )

    def test_the_assignee_may_complete_their_own(self, container: Container) -> None:
        account = make_sales_tenant(container)
        member = make_member(container, account, Role.EMPLOYEE)
        partner = make_partner(container, account)
        theirs = log(container, account, partner_id=partner.id, assignee_id=member.user_id)
        mine = log(container, account, partner_id=partner.id)
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.complete_activity(
                session, member.principal(Role.EMPLOYEE), theirs.id, clock=ManualClock(NOW)
            )
        with pytest.raises(PermissionDenied):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.complete_activity(
                    session, member.principal(Role.EMPLOYEE), mine.id, clock=ManualClock(NOW)
                )

    def test_filters(self, container: Container) -> None:
        account = make_sales_tenant(container)
        member = make_member(container, account, Role.SALES)
        a, b = make_partner(container, account), make_partner(container, account, name="B")
        late = log(container, account, partner_id=a.id, due_at=NOW - timedelta(days=1))
        log(container, account, partner_id=a.id, due_at=NOW + timedelta(days=1))
        log(container, account, partner_id=b.id, assignee_id=member.user_id)
        finished = log(container, account, partner_id=b.id, due_at=NOW - timedelta(days=2))
        clock = ManualClock(NOW)
        reader = account.principal(Role.EMPLOYEE)
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.complete_activity(session, account.principal(), finished.id, clock=clock)
            overdue = sales.list_activities(session, reader, clock=clock, overdue=True)
            of_a = sales.list_activities(session, reader, clock=clock, partner_id=a.id)
            of_member = sales.list_activities(
                session, reader, clock=clock, assignee_id=member.user_id
            )
            done = sales.list_activities(session, reader, clock=clock, done=True)
        assert [x.id for x in overdue.items] == [late.id]
        assert of_a.total == 2 and of_a.items[0].id == late.id  # soonest due first
        assert of_member.total == 1 and of_member.items[0].partner_id == b.id
        assert [x.id for x in done.items] == [finished.id]
