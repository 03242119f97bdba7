"""The automation engine on real PostgreSQL: schedules in the business's time zone, one
run per period whoever dispatches it, catch-up once, failures retried then reported."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from automations import engine
from automations.tasks import run_due_now
from comptoir.bootstrap import Container
from domain.automations.models import Automation
from domain.automations.schedule import latest_occurrence, next_occurrence, period_key
from domain.identity.models import Membership
from domain.kit.principal import Role
from tests.automations.helpers import add_probe, at, notifications, runs
from tests.factories import make_member, make_tenant

MONDAY = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


class TestSchedule:
    def test_occurrences_follow_the_business_time_zone(self) -> None:
        rule = "FREQ=DAILY;BYHOUR=7;BYMINUTE=30"
        paris = next_occurrence(rule, "Europe/Paris", MONDAY)
        dakar = next_occurrence(rule, "Africa/Dakar", MONDAY)
        assert paris == datetime(2026, 3, 24, 6, 30, tzinfo=UTC)  # UTC+1 in March
        assert dakar == datetime(2026, 3, 24, 7, 30, tzinfo=UTC)
        # Summer time: still 07:30 in Paris, so 05:30 UTC.
        summer = next_occurrence(rule, "Europe/Paris", datetime(2026, 7, 1, tzinfo=UTC))
        assert summer == datetime(2026, 7, 1, 5, 30, tzinfo=UTC)

    def test_period_key_is_the_local_occurrence(self) -> None:
        rule = "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=1;BYMINUTE=0"
        latest = latest_occurrence(rule, "Europe/Paris", MONDAY)
        assert latest is not None
        assert period_key(latest, "Europe/Paris") == "2026-03-01T01:00"


class TestDispatch:
    def test_builtins_are_installed_on_in_every_business(self, container: Container) -> None:
        account = make_tenant(container, country="SN")
        run_due_now(at(container, MONDAY), account.tenant_id)
        with container.db.unit_of_work(account.tenant_id) as s:
            kinds = {a.kind: a for a in s.scalars(select(Automation))}
        assert set(kinds) >= {"stock_alert", "morning_digest"}
        assert all(a.enabled for a in kinds.values())
        digest = kinds["morning_digest"].next_run_at
        assert digest == datetime(2026, 3, 24, 7, 30, tzinfo=UTC)  # Dakar, 07:30 local

    def test_a_kind_a_release_adds_is_installed_everywhere(self, container: Container) -> None:
        account = make_tenant(container)
        run_due_now(at(container, MONDAY), account.tenant_id)
        with container.db.unit_of_work(account.tenant_id) as s:
            s.execute(delete(Automation).where(Automation.kind == "contract_expiry"))
        assert engine.install_missing(container) >= 1
        with container.db.unit_of_work(account.tenant_id) as s:
            kinds = set(s.scalars(select(Automation.kind)))
        assert "contract_expiry" in kinds

    def test_two_beats_at_once_write_one_run(self, container: Container) -> None:
        account = make_tenant(container)
        add_probe(container, account, next_run_at=MONDAY - timedelta(hours=6))
        now = at(container, MONDAY)
        with ThreadPoolExecutor(4) as pool:
            found = list(
                pool.map(lambda _: engine.dispatch_due(now, tenant_id=account.tenant_id), range(4))
            )
        assert sum(len(f) for f in found) == 1
        assert [r.period_key for r in runs(container, account, "probe")] == ["2026-03-23T06:00"]

    def test_a_missed_run_is_caught_up_once(self, container: Container) -> None:
        account = make_tenant(container)
        probe = add_probe(container, account, next_run_at=MONDAY - timedelta(days=3))
        later = at(container, MONDAY)
        run_due_now(later, account.tenant_id)
        run_due_now(later, account.tenant_id)  # nothing more is due
        done = runs(container, account, "probe")
        assert [(r.period_key, r.status) for r in done] == [("2026-03-23T06:00", "succeeded")]
        assert len(notifications(container, account, "probe")) == 1
        with container.db.unit_of_work(account.tenant_id) as s:
            automation = s.get(Automation, (account.tenant_id, probe))
            assert automation is not None
            assert automation.next_run_at == datetime(2026, 3, 24, 5, 0, tzinfo=UTC)

    def test_two_workers_on_one_run_do_the_work_once(self, container: Container) -> None:
        account = make_tenant(container)
        add_probe(container, account, next_run_at=MONDAY, sleep=0.5)
        now = at(container, MONDAY)
        [(tenant, run_id)] = engine.dispatch_due(now, tenant_id=account.tenant_id)
        with ThreadPoolExecutor(2) as pool:
            statuses = list(pool.map(lambda _: engine.run_automation(now, tenant, run_id), "ab"))
        assert sorted(statuses) in (["busy", "succeeded"], ["succeeded", "succeeded"])
        assert len(notifications(container, account, "probe")) == 1
        assert runs(container, account, "probe")[0].attempts == 1


class TestFailures:
    def test_a_failing_business_does_not_stop_another(self, container: Container) -> None:
        failing, healthy = make_tenant(container), make_tenant(container)
        add_probe(container, failing, next_run_at=MONDAY, fail=True)
        add_probe(container, healthy, next_run_at=MONDAY)
        now = at(container, MONDAY)
        work = engine.dispatch_due(now)
        mine = [w for w in work if w[0] in (failing.tenant_id, healthy.tenant_id)]
        assert len(mine) == 2
        for tenant, run_id in mine:
            engine.run_automation(now, tenant, run_id)
        [failed] = runs(container, failing, "probe")
        [passed] = runs(container, healthy, "probe")
        assert (failed.status, passed.status) == ("retrying", "succeeded")
        assert failed.next_attempt_at == MONDAY + timedelta(minutes=1)
        assert "la sonde échoue exprès" in (failed.error or "")

    def test_retried_with_backoff_then_reported_to_the_admin(self, container: Container) -> None:
        account = make_tenant(container)
        add_probe(container, account, next_run_at=MONDAY, fail=True)
        moment = MONDAY
        run_due_now(at(container, moment), account.tenant_id)
        waits = []
        for _ in range(engine.MAX_ATTEMPTS - 1):
            [run] = runs(container, account, "probe")
            assert run.status == "retrying" and run.next_attempt_at is not None
            waits.append(run.next_attempt_at - moment)
            # Just before the back-off ends, nothing is handed out again.
            early = at(container, run.next_attempt_at - timedelta(seconds=1))
            assert engine.retry_due(early, tenant_id=account.tenant_id) == []
            moment = run.next_attempt_at
            run_due_now(at(container, moment), account.tenant_id)
        assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25)]
        [run] = runs(container, account, "probe")
        assert (run.status, run.attempts) == ("failed", engine.MAX_ATTEMPTS)
        [report] = notifications(container, account, "automation.failed")
        assert report.user_id == account.user_id
        assert "Sonde de test" in report.title and "échoue exprès" in report.body

    def test_a_disabled_automation_is_not_dispatched(self, container: Container) -> None:
        account = make_tenant(container)
        probe = add_probe(container, account, next_run_at=MONDAY)
        with container.db.unit_of_work(account.tenant_id) as s:
            automation = s.get(Automation, (account.tenant_id, probe))
            assert automation is not None
            automation.enabled = False
        assert engine.dispatch_due(at(container, MONDAY), tenant_id=account.tenant_id) == []


class TestOwner:
    def test_runs_as_its_owner_and_stops_with_their_membership(self, container: Container) -> None:
        admin = make_tenant(container)
        owner = make_member(container, admin, Role.MANAGER)
        probe = add_probe(container, admin, next_run_at=MONDAY)
        with container.db.unit_of_work(admin.tenant_id) as s:
            automation = s.get(Automation, (admin.tenant_id, probe))
            assert automation is not None
            automation.owner_id = owner.user_id
        run_due_now(at(container, MONDAY), admin.tenant_id)
        [told] = notifications(container, admin, "probe")
        assert told.user_id == owner.user_id  # the probe notifies whoever it runs as
        with container.db.unit_of_work(admin.tenant_id) as s:
            membership = s.scalars(
                select(Membership).where(Membership.user_id == owner.user_id)
            ).one()
            membership.is_active = False
        run_due_now(at(container, MONDAY + timedelta(days=1)), admin.tenant_id)
        latest = runs(container, admin, "probe")[-1]
        assert (latest.status, latest.output) == ("skipped", {"raison": "sans propriétaire actif"})
        assert len(notifications(container, admin, "probe")) == 1
