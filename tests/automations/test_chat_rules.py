"""Rules defined in chat, through their tools and the engine: read back in French, run once
per period as their owner (roles re-checked at each run), audited with the rule's id, a
removed member's rules stopped, a stock threshold told once per crossing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from automations.tasks import run_due_now
from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.automations.models import Automation
from domain.identity.models import Membership
from domain.kit.clock import ManualClock
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Principal, Role
from tests.automations.helpers import at, notifications, relay_all, runs
from tests.factories import Account, make_member, make_tenant
from tests.purchasing_factories import make_buyer, make_goods, sell, stock_in
from tools.base import ToolContext, ToolResult
from tools.confirmation import dry_run
from tools.registry import default_registry

SUNDAY = datetime(2026, 3, 22, 12, 0, tzinfo=UTC)
MONDAY_0805 = datetime(2026, 3, 23, 7, 5, tzinfo=UTC)  # 08:05 in Paris (winter time)
WEEKLY = {"rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0", "said": "chaque lundi à 8h"}


def call(
    container: Container, principal: Principal, name: str, args: dict[str, Any], *, now: datetime
) -> ToolResult:
    tool = default_registry().get(name)
    assert tool is not None
    with container.db.unit_of_work(principal.tenant_id) as s:
        return tool.run(ToolContext(s, principal, ManualClock(now)), args)


def member(container: Container, admin: Account, *roles: Role) -> tuple[Account, Principal]:
    account = make_member(container, admin, *roles)
    return account, account.principal(*roles)


def weekly_revenue(container: Container, principal: Principal) -> ToolResult:
    args = {"what": "revenue", "when": WEEKLY, "channel": "whatsapp"}
    return call(container, principal, "automations.create", args, now=SUNDAY)


class TestReadBack:
    def test_the_preview_reads_the_rule_back_and_stores_nothing(self, container: Container) -> None:
        admin = make_tenant(container)
        tool = default_registry().get("automations.create")
        assert tool is not None
        with container.db.unit_of_work(admin.tenant_id) as s:
            ctx = ToolContext(s, admin.principal(), ManualClock(SUNDAY))
            args = tool.validate({"what": "revenue", "when": WEEKLY, "channel": "whatsapp"})
            preview = dry_run(ctx, tool, args).preview()
        assert preview == (
            "Tous les lundis à 08:00, je vous enverrai sur WhatsApp le chiffre d'affaires "
            "de la semaine écoulée."
        )
        with container.db.unit_of_work(admin.tenant_id) as s:
            assert s.scalars(select(Automation).where(Automation.kind.like("rule:%"))).all() == []

    def test_a_rule_without_a_schedule_asks_when(self, container: Container) -> None:
        from tools.base import AskBack

        admin = make_tenant(container)
        with pytest.raises(AskBack) as asked:
            call(container, admin.principal(), "automations.create", {"what": "kpis"}, now=SUNDAY)
        assert asked.value.field == "when" and "chaque lundi" in asked.value.message


class TestRuns:
    def test_a_weekly_report_runs_once_on_monday_as_its_owner_and_is_audited(
        self, container: Container
    ) -> None:
        admin = make_tenant(container)
        out = weekly_revenue(container, admin.principal())
        rule_id = out.model_dump()["id"]
        monday = at(container, MONDAY_0805)
        run_due_now(monday, admin.tenant_id)
        run_due_now(monday, admin.tenant_id)  # a second beat: nothing more
        sent = notifications(container, admin, "automation.rule")
        assert len(sent) == 1 and sent[0].user_id == admin.user_id
        assert "Chiffre d'affaires" in sent[0].body or "chiffre d'affaires" in sent[0].body
        assert "16/03" in sent[0].body or "16 mars" in sent[0].body  # the week just ended
        with container.db.unit_of_work(admin.tenant_id) as s:
            audited = s.scalars(
                select(AuditEntry).where(AuditEntry.action == "automation.rule_run")
            ).all()
        assert [str(a.target_id) for a in audited] == [rule_id]

    def test_an_owner_who_lost_the_right_gets_nothing(self, container: Container) -> None:
        admin = make_tenant(container)
        accountant, principal = member(container, admin, Role.ACCOUNTANT)
        weekly_revenue(container, principal)
        with container.db.unit_of_work(admin.tenant_id) as s:
            s.execute(
                update(Membership)
                .where(Membership.user_id == accountant.user_id)
                .values(roles=[Role.EMPLOYEE.value])
            )
        run_due_now(at(container, MONDAY_0805), admin.tenant_id)
        assert notifications(container, admin, "automation.rule") == []
        (run,) = [r for r in runs(container, admin) if r.period_key == "2026-03-23T08:00"]
        assert run.status == "skipped" and run.error

    def test_a_removed_member_s_rules_stop(self, container: Container) -> None:
        admin = make_tenant(container)
        manager, principal = member(container, admin, Role.MANAGER)
        weekly_revenue(container, principal)
        with container.db.unit_of_work(admin.tenant_id) as s:
            s.execute(
                update(Membership)
                .where(Membership.user_id == manager.user_id)
                .values(is_active=False)
            )
        run_due_now(at(container, MONDAY_0805), admin.tenant_id)
        assert notifications(container, admin, "automation.rule") == []
        (run,) = [r for r in runs(container, admin) if r.period_key == "2026-03-23T08:00"]
        assert run.status == "skipped"

    def test_a_report_is_refused_to_a_member_who_may_not_read_it(
        self, container: Container
    ) -> None:
        admin = make_tenant(container)
        _, principal = member(container, admin, Role.EMPLOYEE)
        with pytest.raises(PermissionDenied):
            weekly_revenue(container, principal)

    def test_a_write_is_refused_to_an_owner_without_its_right(self, container: Container) -> None:
        admin = make_tenant(container)
        _, principal = member(container, admin, Role.EMPLOYEE)
        args = {
            "when": {"rrule": "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=8;BYMINUTE=0"},
            "tool": "finance.create_invoice",
            "arguments": {"customer": "Diallo", "lines": [{"description": "loyer"}]},
        }
        with pytest.raises(PermissionDenied):
            call(container, principal, "automations.create", args, now=SUNDAY)


class TestWriteRules:
    RENT = {
        "when": {"rrule": "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=8;BYMINUTE=0"},
        "tool": "finance.create_invoice",
        "arguments": {
            "customer": "Diallo SARL",
            "lines": [{"description": "Loyer", "quantity": 1, "unit_price": 150000}],
        },
    }
    APRIL_1ST = datetime(2026, 4, 1, 6, 5, tzinfo=UTC)  # 08:05 in Paris (summer time)

    def test_a_confirmed_write_runs_as_its_owner_audited_with_the_rule(
        self, container: Container
    ) -> None:
        admin = make_tenant(container)
        principal = admin.principal()
        call(container, principal, "sales.create_customer", {"name": "Diallo SARL"}, now=SUNDAY)
        out = call(container, principal, "automations.create", self.RENT, now=SUNDAY)
        assert out.preview().startswith(
            "Le 1er de chaque mois à 08:00, je ferai pour vous : créer une facture"
        )
        rule_id = out.model_dump()["id"]
        run_due_now(at(container, self.APRIL_1ST), admin.tenant_id)
        run_due_now(at(container, self.APRIL_1ST), admin.tenant_id)
        with container.db.unit_of_work(admin.tenant_id) as s:
            from domain.finance.models import Invoice

            assert len(s.scalars(select(Invoice)).all()) == 1
            by_rule = s.scalars(
                select(AuditEntry.action).where(AuditEntry.automation_id == rule_id)
            ).all()
        assert "automation.rule_run" in by_rule and len(by_rule) >= 2  # the write and the run

    def test_a_write_nobody_confirmed_does_not_run(self, container: Container) -> None:
        admin = make_tenant(container)
        principal = admin.principal()
        call(container, principal, "sales.create_customer", {"name": "Diallo SARL"}, now=SUNDAY)
        call(container, principal, "automations.create", self.RENT, now=SUNDAY)
        with container.db.unit_of_work(admin.tenant_id) as s:
            rule = s.scalars(select(Automation).where(Automation.kind.like("rule:%"))).one()
            rule.params = {**rule.params, "write_confirmed_by": None}
        run_due_now(at(container, self.APRIL_1ST), admin.tenant_id)
        with container.db.unit_of_work(admin.tenant_id) as s:
            from domain.finance.models import Invoice

            assert s.scalars(select(Invoice)).all() == []
        (run,) = runs(container, admin)[-1:]
        assert run.status == "skipped" and "confirmée" in (run.error or "")


class TestStockThreshold:
    def test_told_once_per_crossing(self, container: Container) -> None:
        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account, name="Riz brisé", unit="sac")
        stock_in(container, buyer, rice, "30")
        relay_all(container, buyer.account)
        args = {
            "what": "stock_alert",
            "threshold": {"product": "riz brisé", "below": "20", "unit": "sac"},
        }
        out = call(container, buyer.principal, "automations.create", args, now=SUNDAY)
        assert out.preview() == (
            "Dès que le stock de Riz brisé passe sous 20 sacs, je vous préviendrai."
        )
        now = ManualClock(SUNDAY)
        sell(container, buyer, rice, "5", now)  # 25
        relay_all(container, buyer.account)
        assert notifications(container, buyer.account, "automation.rule") == []
        sell(container, buyer, rice, "8", now)  # 17: under
        relay_all(container, buyer.account)
        sell(container, buyer, rice, "2", now)  # 15: same crossing
        relay_all(container, buyer.account)
        told = notifications(container, buyer.account, "automation.rule")
        assert len(told) == 1
        assert told[0].body == "Alerte stock : Riz brisé est passé sous 20 sacs (il en reste 17)."
        stock_in(container, buyer, rice, "20")  # 35: over again
        relay_all(container, buyer.account)
        sell(container, buyer, rice, "20", now)  # 15: a new crossing
        relay_all(container, buyer.account)
        assert len(notifications(container, buyer.account, "automation.rule")) == 2


class TestManaging:
    def test_list_pause_resume_delete(self, container: Container) -> None:
        admin = make_tenant(container)
        principal = admin.principal()
        reminder = {
            "what": "reminder",
            "text": "vérifier les impayés",
            "when": {"rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0"},
        }
        call(container, principal, "automations.create", reminder, now=SUNDAY)
        weekly_revenue(container, principal)
        listed = call(container, principal, "automations.list", {}, now=SUNDAY).render()
        assert "Vos automatisations (2)" in listed and "vérifier les impayés" in listed
        paused = call(container, principal, "automations.pause", {"which": "rappel"}, now=SUNDAY)
        assert "vérifier les impayés" in paused.render()
        run_due_now(at(container, MONDAY_0805), admin.tenant_id)
        bodies = [n.body for n in notifications(container, admin, "automation.rule")]
        assert len(bodies) == 1 and "Rappel" not in bodies[0]  # only the report ran
        call(container, principal, "automations.resume", {"which": "rappel"}, now=SUNDAY)
        call(container, principal, "automations.delete", {"which": "chiffre"}, now=SUNDAY)
        listed = call(container, principal, "automations.list", {}, now=SUNDAY).render()
        assert "Vos automatisations (1)" in listed and "(en pause)" not in listed
