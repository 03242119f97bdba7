"""The built-in automations, each on a real business: stock alert, morning digest,
dunning, recurring invoices, quote expiry, leave accrual, pending approvals."""

from __future__ import annotations

from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.automations.models import StockAlert
from domain.kit.principal import Role
from tests.automations.helpers import notifications, relay_all, runs
from tests.factories import make_member
from tests.purchasing_factories import clock, make_buyer, make_goods, sell, set_rule, stock_in


class TestStockAlert:
    def test_one_alert_per_crossing_with_the_reorder_suggestion(self, container: Container) -> None:
        buyer = make_buyer(container)
        manager = make_member(container, buyer.account, Role.MANAGER)
        seller = make_member(container, buyer.account, Role.SALES)
        rice = make_goods(container, buyer.account, name="Riz brisé", unit="sac")
        set_rule(container, buyer, rice, "20", "100")
        stock_in(container, buyer, rice, "25")
        relay_all(container, buyer.account)
        at = clock()
        sell(container, buyer, rice, "3", at)  # 22: still above
        relay_all(container, buyer.account)
        assert notifications(container, buyer.account, "stock.low") == []
        sell(container, buyer, rice, "5", at)  # 17: crosses under 20
        sell(container, buyer, rice, "2", at)  # 15: same crossing
        relay_all(container, buyer.account)
        alerts = notifications(container, buyer.account, "stock.low")
        assert sorted(n.user_id for n in alerts) == sorted([buyer.account.user_id, manager.user_id])
        assert seller.user_id not in {n.user_id for n in alerts}
        body = alerts[0].body
        assert "Riz brisé" in body and "15 sac" in body and "minimum 20" in body
        assert "commander 85 sac" in body  # back to the maximum of 100
        # Back above the minimum closes it; the next crossing alerts again.
        stock_in(container, buyer, rice, "50")
        relay_all(container, buyer.account)
        with container.db.unit_of_work(buyer.tenant_id) as s:
            assert s.scalars(select(StockAlert.cleared_at)).one() is not None
        sell(container, buyer, rice, "50", at)
        relay_all(container, buyer.account)
        assert len(notifications(container, buyer.account, "stock.low")) == 4  # 2 crossings × 2
        assert {r.status for r in runs(container, buyer.account, "stock_alert")} == {"succeeded"}

    def test_switched_off_it_says_nothing(self, container: Container) -> None:
        from automations.manage import update_automation

        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        set_rule(container, buyer, rice, "20", "100")
        stock_in(container, buyer, rice, "25")
        with container.db.unit_of_work(buyer.tenant_id) as s:
            update_automation(s, buyer.principal, clock(), "stock_alert", enabled=False)
        sell(container, buyer, rice, "10", clock())
        relay_all(container, buyer.account)
        assert notifications(container, buyer.account, "stock.low") == []
