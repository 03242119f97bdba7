"""The demo stock seed: what each demo business has in stock, and that it runs once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from comptoir.demo_stock import seed_stock
from domain.stock.purchasing import service as purchasing
from tests.factories import Account, make_tenant

FACTS = """
SELECT
  (SELECT count(*) FROM products) AS products,
  (SELECT count(*) FROM products WHERE is_stockable) AS stockable,
  (SELECT count(*) FROM warehouses) AS warehouses,
  (SELECT count(DISTINCT date_trunc('month', moved_at)) FROM stock_moves) AS months,
  (SELECT array_agg(DISTINCT kind ORDER BY kind) FROM stock_moves) AS kinds,
  (SELECT count(*) FROM stock_moves WHERE origin_type = 'purchase_order') AS receipts,
  (SELECT count(DISTINCT l.id) FROM stock_lots l JOIN stock_levels v
     ON v.tenant_id = l.tenant_id AND v.lot_id = l.id
   WHERE v.on_hand > 0 AND l.expiry_date <= current_date + 30) AS expiring,
  (SELECT count(*) FROM partners WHERE is_supplier AND lead_time_days IS NOT NULL) AS suppliers,
  (SELECT array_agg(DISTINCT status ORDER BY status) FROM purchase_orders) AS statuses
"""


# Products whose available quantity in a warehouse is exactly one above its minimum.
JUST_ABOVE = """
SELECT r.product_id FROM reorder_rules r
JOIN stock_locations l ON l.tenant_id = r.tenant_id AND l.warehouse_id = r.warehouse_id
  AND l.kind = 'internal'
JOIN stock_levels v ON v.tenant_id = l.tenant_id AND v.location_id = l.id
  AND v.product_id = r.product_id
GROUP BY r.product_id, r.warehouse_id, r.min_quantity
HAVING sum(v.on_hand - v.reserved) = r.min_quantity + 1
"""


def _facts(container: Container, account: Account) -> dict[str, object]:
    with container.db.unit_of_work(account.tenant_id) as session:
        return dict(session.execute(text(FACTS)).one()._mapping)


@pytest.fixture(scope="module")
def seeded(container: Container) -> dict[str, Account]:
    accounts = {country: make_tenant(container, country=country) for country in ("FR", "SN")}
    for country, account in accounts.items():
        seed_stock(container, account.principal(), country)
    return accounts


@pytest.mark.parametrize("country", ["FR", "SN"])
class TestDemoStock:
    def test_what_the_demo_shows(
        self, container: Container, seeded: dict[str, Account], country: str
    ) -> None:
        facts = _facts(container, seeded[country])
        assert facts["products"] >= 50 and facts["stockable"] >= 50  # type: ignore[operator]
        assert facts["warehouses"] == 2
        assert facts["months"] >= 6  # type: ignore[operator]
        assert facts["kinds"] == ["adjustment", "in", "out", "transfer"]
        assert facts["receipts"] >= 50  # type: ignore[operator]
        assert facts["expiring"] >= 2  # type: ignore[operator]
        assert facts["suppliers"] >= 3  # type: ignore[operator]
        assert {"sent", "partially_received", "received"} <= set(facts["statuses"])  # type: ignore[arg-type]

    def test_low_stock_suggestions_and_forecast(
        self, container: Container, seeded: dict[str, Account], country: str
    ) -> None:
        account = seeded[country]
        with container.db.unit_of_work(account.tenant_id) as session:
            low = purchasing.low_stock(session, account.principal())
            groups = purchasing.reorder_suggestions(session, account.principal(), container.clock)
            forecast = purchasing.forecast_stockout(session, account.principal(), container.clock)
        assert len(low) >= 5
        assert len([g for g in groups if g.supplier_id is not None]) >= 2
        soon = container.clock.now().date() + timedelta(days=60)
        assert any(f.stockout_date is not None and f.stockout_date <= soon for f in forecast)

    def test_one_product_is_one_unit_above_its_minimum(
        self, container: Container, seeded: dict[str, Account], country: str
    ) -> None:
        """The next sale of it crosses the minimum: the demo's stock alert has work."""
        account = seeded[country]
        with container.db.unit_of_work(account.tenant_id) as session:
            edge = session.execute(text(JUST_ABOVE)).all()
        assert len(edge) >= 1

    def test_seeding_again_changes_nothing(
        self, container: Container, seeded: dict[str, Account], country: str
    ) -> None:
        account = seeded[country]
        before = _facts(container, account)
        seed_stock(container, account.principal(), country)
        assert _facts(container, account) == before
